"""Run ``python -m fundtui`` with a memory probe inside it (used by ``rss_hour.py``).

The probe is a daemon thread that, every ``FUNDTUI_PROBE_EVERY`` seconds, appends
one JSON line to ``FUNDTUI_PROBE_FILE``: the process's VmRSS and VmHWM
(/proc/self/status), glibc's view of its heap (``mallinfo2``: bytes in use and
bytes free but kept), Python's small-object allocator (arenas held, bytes in
live and in free blocks: ``pymalloc_stats``), and, with ``FUNDTUI_PROBE_TRACE=1``, the Python
allocations tracemalloc sees, with the lines that grew most since the previous
line. ``FUNDTUI_PROBE_TRIM=1`` calls ``malloc_trim(0)`` after each reading and
records what it gave back, to tell memory Python holds from memory glibc keeps.
``FUNDTUI_PROBE_TRACE_FROM=S`` starts tracing only S seconds in, so what it shows
is what was allocated after the warm-up and is still alive (the growth, without
startup's objects), with ``FUNDTUI_PROBE_FRAMES`` frames per allocation (default 1)
and the allocating call paths that grew most since the previous line. Every line also counts the
entries of Rich's and Textual's bounded caches (module ``lru_cache``s, and each
DataTable's render caches) against their limits: memory that grows while they
fill levels off once they are full. ``FUNDTUI_PROBE_CLEAR_AT=S`` empties all of
them once, S seconds in (on the app's thread), one at a time, and logs what each
gave back.

    FUNDTUI_PROBE_FILE=probe.jsonl python benchmarks/rss_probe.py [fundtui args]
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import runpy
import sys
import threading
import time
import tracemalloc
import weakref


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _libc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        return libc
    except (OSError, AttributeError):
        return None


def status_kb() -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "Threads"):
                out[key] = int(value.split()[0])
    return out


_PYMALLOC_KEYS = {
    "# arenas allocated current": "pymalloc_arenas",
    "# bytes in allocated blocks": "pymalloc_used_kb",
    "# bytes in available blocks": "pymalloc_free_kb",
}


def pymalloc_stats() -> dict[str, int]:
    """Python's small-object allocator: arenas held (1 MiB each on 3.10+), bytes in
    live blocks and in free blocks inside them (``sys._debugmallocstats``, which
    writes to the C stderr: it is sent to a temporary file for the call)."""
    import tempfile

    out: dict[str, int] = {}
    with tempfile.TemporaryFile() as tmp:
        saved = os.dup(2)
        try:
            os.dup2(tmp.fileno(), 2)
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        tmp.seek(0)
        for line in tmp.read().decode("ascii", "replace").splitlines():
            key, _, value = line.partition("=")
            name = _PYMALLOC_KEYS.get(key.strip())
            if name is not None:
                n = int(value.strip().replace(",", ""))
                out[name] = n if name == "pymalloc_arenas" else n // 1024
    return out


_TABLES: weakref.WeakSet = weakref.WeakSet()
_WRITERS: weakref.WeakSet = weakref.WeakSet()


def _watch_tables() -> None:
    """Keep a weak reference to every DataTable the app makes (for ``cache_counts``)
    and to the history writer thread (its queue's length is logged: a writer that
    falls behind holds every poll it has not stored yet)."""
    from textual.widgets import DataTable

    init = DataTable.__init__

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        init(self, *args, **kwargs)
        _TABLES.add(self)

    DataTable.__init__ = __init__  # type: ignore[method-assign]

    from fundtui.engine.writer import HistoryThread

    writer_init = HistoryThread.__init__

    def writer__init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        writer_init(self, *args, **kwargs)
        _WRITERS.add(self)

    HistoryThread.__init__ = writer__init__  # type: ignore[method-assign]


def _lru_caches() -> dict[str, object]:
    """Every ``functools.lru_cache`` in Rich's, Textual's and fundtui's UI modules and
    classes (fundtui's stand in for some of Textual's: ``ui/fast_table.py``)."""
    out: dict[str, object] = {}
    for name, mod in list(sys.modules.items()):
        if mod is None or not name.startswith(("rich", "textual", "fundtui.ui")):
            continue
        for attr, value in list(vars(mod).items()):
            owners = [(attr, value)]
            if isinstance(value, type) and value.__module__ == name:
                owners = [(f"{attr}.{a}", v) for a, v in vars(value).items()]
            for label, fn in owners:
                fn = getattr(fn, "__func__", fn)  # classmethod / staticmethod
                if hasattr(fn, "cache_info") and hasattr(fn, "cache_clear"):
                    out[f"{name.rsplit('.', 1)[-1]}.{label}"] = fn
    return out


_TABLE_CACHES = ("_row_render_cache", "_cell_render_cache", "_line_cache")


def _own_caches() -> dict[str, object]:
    """fundtui's own bounded caches that stand in for Textual's (``ui/fast_table.py``)."""
    fast_table = sys.modules.get("fundtui.ui.fast_table")
    return {} if fast_table is None else {"fast_table._ansi_codes": fast_table._ansi_codes}


def cache_counts() -> dict[str, str]:
    """Entries / limit of the caches that hold more than 100 entries."""
    out = {}
    for label, fn in _lru_caches().items():
        info = fn.cache_info()  # type: ignore[attr-defined]
        if info.currsize > 100:
            out[label] = f"{info.currsize}/{info.maxsize}"
    for label, cache in _own_caches().items():
        if len(cache) > 100:  # type: ignore[arg-type]
            out[label] = f"{len(cache)}"  # type: ignore[arg-type]
    for i, table in enumerate(list(_TABLES)):
        for attr in _TABLE_CACHES:
            cache = getattr(table, attr, None)
            if cache is not None and len(cache) > 100:
                out[f"table{i}.{attr}"] = f"{len(cache)}/{cache.maxsize}"
    return out


def _clearers() -> list[tuple[str, object]]:
    """(label, clear) for every cache ``cache_counts`` counts, largest first."""
    out: list[tuple[str, int, object]] = []
    for label, fn in _lru_caches().items():
        out.append((label, fn.cache_info().currsize, fn.cache_clear))  # type: ignore[attr-defined]
    for label, cache in _own_caches().items():
        out.append((label, len(cache), cache.clear))  # type: ignore[arg-type,attr-defined]
    for i, table in enumerate(list(_TABLES)):
        for attr in _TABLE_CACHES:
            cache = getattr(table, attr, None)
            if cache is not None:
                out.append((f"table{i}.{attr}", len(cache), cache.clear))
    seen: set[int] = set()  # one function imported into several modules: once
    unique = []
    for label, n, clear in sorted(out, key=lambda c: -c[1]):
        if n and id(clear.__self__ if hasattr(clear, "__self__") else clear) not in seen:
            seen.add(id(clear.__self__ if hasattr(clear, "__self__") else clear))
            unique.append((label, clear))
    return unique


def _clear_on_app_thread() -> dict[str, object]:
    """Empty the caches one at a time on the app's thread, largest first, each
    followed by a full collection; pymalloc's live bytes before, and what each
    cache that held over 100 KB gave back."""
    import gc

    tables = list(_TABLES)
    if not tables:
        return {}
    app = tables[0].app
    app.call_from_thread(gc.collect)  # garbage first, so it is not counted below
    before = pymalloc_stats().get("pymalloc_used_kb", 0)
    out: dict[str, object] = {"clear_before_kb": before}
    gave: dict[str, int] = {}
    for label, clear in _clearers():

        def run(clear: object = clear) -> None:
            clear()  # type: ignore[operator]
            gc.collect()

        app.call_from_thread(run)  # returns once it has run
        after = pymalloc_stats().get("pymalloc_used_kb", 0)
        if before - after > 100:
            gave[label] = before - after
        before = after
    out["clear_gave_kb"] = gave
    out["clear_after_kb"] = before
    return out


def _where(frame: tracemalloc.Frame) -> str:
    return f"{frame.filename.rsplit('/', 2)[-1]}:{frame.lineno}"


def _probe(path: str, every: float, trace: bool, trim: bool, trace_from: float) -> None:
    libc = _libc()
    start = time.monotonic()
    prev = None
    frames = int(os.environ.get("FUNDTUI_PROBE_FRAMES", "1"))
    clear_at = float(os.environ.get("FUNDTUI_PROBE_CLEAR_AT", "0"))
    while True:
        time.sleep(every)
        if trace_from and not tracemalloc.is_tracing() and time.monotonic() - start >= trace_from:
            tracemalloc.start(frames)
            trace = True
            continue
        line: dict = {"t": round(time.monotonic() - start, 1), **status_kb()}
        if libc is not None:
            mi = libc.mallinfo2()
            line["heap_used_kb"] = (mi.uordblks + mi.hblkhd) // 1024
            line["heap_free_kb"] = mi.fordblks // 1024
        line.update(pymalloc_stats())
        line["caches"] = cache_counts()
        line["writer_queue"] = [t._queue.qsize() for t in list(_WRITERS)]
        if clear_at and time.monotonic() - start >= clear_at:
            clear_at = 0.0
            line.update(_clear_on_app_thread())
        if trace:
            snap = tracemalloc.take_snapshot().filter_traces(
                (tracemalloc.Filter(False, tracemalloc.__file__),)
            )
            line["traced_kb"] = tracemalloc.get_traced_memory()[0] // 1024
            line["traced_peak_kb"] = tracemalloc.get_traced_memory()[1] // 1024
            stats = (
                snap.compare_to(prev, "lineno") if prev is not None else snap.statistics("lineno")
            )
            line["grew"] = [
                f"{getattr(s, 'size_diff', s.size) // 1024:+d} KB -> {s.size // 1024} KB "
                f"{s.traceback[0].filename.rsplit('/', 2)[-1]}:{s.traceback[0].lineno}"
                for s in sorted(stats, key=lambda s: -getattr(s, "size_diff", s.size))[:12]
            ]
            top = snap.statistics("filename")[:8]
            line["top_files"] = [
                f"{s.size // 1024} KB {s.traceback[0].filename.rsplit('/', 2)[-1]}" for s in top
            ]
            if frames > 1:
                by_path = (
                    snap.compare_to(prev, "traceback")
                    if prev is not None
                    else snap.statistics("traceback")
                )
                line["paths"] = [
                    f"{getattr(s, 'size_diff', s.size) // 1024:+d} KB -> {s.size // 1024} KB "
                    f"in {s.count}: " + " < ".join(map(_where, s.traceback))
                    for s in sorted(by_path, key=lambda s: -getattr(s, "size_diff", s.size))[:8]
                ]
            prev = snap
        if trim and libc is not None:
            before = status_kb()["VmRSS"]
            libc.malloc_trim(0)
            line["trim_gave_kb"] = before - status_kb()["VmRSS"]
        with open(path, "a") as f:
            f.write(json.dumps(line) + "\n")


def main() -> None:
    path = os.environ["FUNDTUI_PROBE_FILE"]
    trace = os.environ.get("FUNDTUI_PROBE_TRACE") == "1"
    if trace:
        tracemalloc.start(1)
    threading.Thread(
        target=_probe,
        name="rss-probe",
        daemon=True,
        args=(
            path,
            float(os.environ.get("FUNDTUI_PROBE_EVERY", "30")),
            trace,
            os.environ.get("FUNDTUI_PROBE_TRIM") == "1",
            float(os.environ.get("FUNDTUI_PROBE_TRACE_FROM", "0")),
        ),
    ).start()
    _watch_tables()
    sys.argv = ["fundtui", *sys.argv[1:]]
    runpy.run_module("fundtui", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
