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

``tune``: when the engine starts, glibc's allocator is told two things
(``mallopt``). Blocks of ``MMAP_THRESHOLD`` (128 KB) and more are always mapped on
their own and unmapped when freed: glibc starts there but raises the threshold
each time such a block is freed (up to 32 MB), so after the first venue answers
every poll's bodies and buffers (hundreds of KB each, every refresh) were carved
from the heap, and what they left behind stayed resident in pieces. And at most
``ARENA_MAX`` arenas: glibc gives threads arenas of their own (up to eight per
core), each keeping its own free memory that the others cannot reuse; the
engine's few threads (writer, viewers' copy, the loop's executor) need two.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import sys
from collections.abc import Callable


@functools.cache
def _libc(name: str, *argtypes: str) -> Callable[..., int] | None:
    """``name`` from this process's own C library, taking the ``ctypes`` types named
    in ``argtypes`` and returning an int; None where there is no glibc."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # here: the engine is imported before the first frame

    try:
        fn = getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None
    fn.argtypes = [getattr(ctypes, t) for t in argtypes]
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


#: glibc's ``mallopt`` parameters (malloc.h) and the values ``tune`` sets.
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
MMAP_THRESHOLD = 128 << 10
ARENA_MAX = 2


def tune() -> bool:
    """Set glibc's mmap threshold and arena count (see module doc); True when the C
    library took both, False where there is no glibc."""
    fn = _libc("mallopt", "c_int", "c_int")
    if fn is None:
        return False
    return bool(fn(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) & bool(fn(_M_ARENA_MAX, ARENA_MAX))


def engine_started(loop: asyncio.AbstractEventLoop) -> None:
    """The allocator tuned, and the collector on ``STARTUP_COLLECTOR_MAX_S`` from now
    at the latest (``startup_over``)."""
    tune()
    loop.call_later(STARTUP_COLLECTOR_MAX_S, startup_over)


def give_back() -> bool:
    """Return the heap's free pages to the OS; True when the C library could."""
    fn = _libc("malloc_trim", "c_size_t")
    return bool(fn is not None and fn(0))
