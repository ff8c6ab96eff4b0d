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
and the allocating call paths that hold the most.

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


def _where(frame: tracemalloc.Frame) -> str:
    return f"{frame.filename.rsplit('/', 2)[-1]}:{frame.lineno}"


def _probe(path: str, every: float, trace: bool, trim: bool, trace_from: float) -> None:
    libc = _libc()
    start = time.monotonic()
    prev = None
    frames = int(os.environ.get("FUNDTUI_PROBE_FRAMES", "1"))
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
                line["paths"] = [
                    f"{s.size // 1024} KB in {s.count}: " + " < ".join(map(_where, s.traceback))
                    for s in snap.statistics("traceback")[:8]
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
    sys.argv = ["fundtui", *sys.argv[1:]]
    runpy.run_module("fundtui", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
