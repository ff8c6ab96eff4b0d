"""The memory a save of the signal state takes: streamed, and built whole.

The app saves the rule state every 10 minutes. Built whole (the state as one
tree, then one ``json.dumps`` string, then written) a save of the full market
allocated some 17 MB for a 5.6 MB file, and glibc kept the step in the app's
resident memory. ``store/checkpoint.save`` now writes it one market row at a
time. This saves the market of ``benchmarks/checkpoint.py`` both ways, each in
a fresh process: the time, tracemalloc's peak during one save, and how much
resident memory three saves added.

    python benchmarks/checkpoint_memory.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from benchmarks.checkpoint import engine_after_a_day  # noqa: E402
from fundtui.core.signal_state import dumps  # noqa: E402
from fundtui.store import checkpoint  # noqa: E402
from fundtui.store.atomic import write_atomic  # noqa: E402

WAYS = {
    "streamed": checkpoint.save,
    "whole": lambda path, engine, at: write_atomic(path, dumps(engine, at)),
}


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure(way: str, repeat: int) -> str:
    save = WAYS[way]
    engine, at_ms = engine_after_a_day()
    gc.collect()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "signals-state.json"
        before = rss_mb()
        for _ in range(3):
            save(path, engine, at_ms)
        grown = rss_mb() - before
        times = []
        for _ in range(repeat):
            a = time.perf_counter()
            save(path, engine, at_ms)
            times.append((time.perf_counter() - a) * 1000)
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        save(path, engine, at_ms)
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        size = path.stat().st_size
    return (
        f"{way:>8}: {size / 1e6:.2f} MB file; save median {statistics.median(times):.0f} ms"
        f" (min {min(times):.0f}); tracemalloc peak {peak / 1e6:.2f} MB;"
        f" RSS +{grown:.1f} MB after 3 saves"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--way", choices=sorted(WAYS), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.way:
        print(measure(args.way, args.repeat))
        return
    for way in WAYS:  # a fresh process each: what one way kept does not hide the other's
        subprocess.run(
            [sys.executable, __file__, "--way", way, "--repeat", str(args.repeat)], check=True
        )


if __name__ == "__main__":
    main()
