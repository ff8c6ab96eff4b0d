"""Freed heap handed back to the operating system after the writer's big passes.

Compaction (every 5 minutes) and the save of the rules' state (every 10) build and
drop many megabytes of rows, blocks and buffers. glibc keeps what is freed in its
arenas for reuse, so in a process that runs for days the peak of each pass stays
resident. ``malloc_trim(0)`` gives the free pages of every arena back; it costs a
walk of the heap (a few ms) and changes nothing Python holds. Where there is no
glibc (macOS, musl) trimming is a no-op.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable

_trim: Callable[[int], int] | None = None
_looked = False


def _malloc_trim() -> Callable[[int], int] | None:
    global _trim, _looked
    if not _looked:
        _looked = True
        if sys.platform.startswith("linux"):
            try:
                fn = ctypes.CDLL(None).malloc_trim  # this process's own C library
            except (OSError, AttributeError):
                return None
            fn.argtypes = [ctypes.c_size_t]
            fn.restype = ctypes.c_int
            _trim = fn
    return _trim


def give_back() -> bool:
    """Return the heap's free pages to the OS; True when the C library could."""
    fn = _malloc_trim()
    return bool(fn is not None and fn(0))
