"""Memory of a process that runs for days: startup's objects frozen, freed heap returned.

The program's entry point (``fundtui/launch.py``) starts with Python's cyclic
garbage collector off: startup builds little but objects for the app's life.

``freeze_startup``: once every venue answered (a second later, so the first board
is drawn first), or ``STARTUP_COLLECTOR_MAX_S`` after the engine started if they
have not, what startup built (~200k objects) is collected, frozen, and the
collector turned on: later full collections only look at what refreshes create.

``give_back``: compaction (every 5 minutes) and the save of the rules' state
(every 10) build and drop many megabytes of rows, blocks and buffers. glibc keeps
what is freed in its arenas for reuse, so in a process that runs for days the
peak of each pass stays resident. ``malloc_trim(0)`` gives the free pages of
every arena back; it costs a walk of the heap (a few ms) and changes nothing
Python holds. Where there is no glibc (macOS, musl) trimming is a no-op.
"""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # here: the engine is imported before the first frame

    try:
        fn = ctypes.CDLL(None).malloc_trim  # this process's own C library
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_size_t]
    fn.restype = ctypes.c_int
    return fn


#: The collector is on at the latest this long after the engine started, however
#: long the venues take to answer (or when the window only attached to a poller).
STARTUP_COLLECTOR_MAX_S = 15.0


def freeze_startup() -> None:
    """Startup's objects collected and frozen; the collector on."""
    gc.collect()
    gc.freeze()
    gc.enable()


def startup_over() -> None:
    """The deadline: startup's freeze now, unless it has turned the collector on."""
    if not gc.isenabled():
        freeze_startup()


def give_back() -> bool:
    """Return the heap's free pages to the OS; True when the C library could."""
    fn = _malloc_trim()
    return bool(fn is not None and fn(0))
