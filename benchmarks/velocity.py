"""The board's velocity column for 300 bases x 6 venues: ``RateVelocity.update`` and
``by_base`` once per refresh, as the engine calls them, with half the venues
sending no time stamp (every refresh is then a new sample) and 10 % of the rates
moving. Reports the time per refresh and the memory held after two lookbacks.

    python benchmarks/velocity.py [--refresh-s 5] [--refreshes 1500]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
import tracemalloc

from fundtui.core.quote import Quote
from fundtui.core.trend import RateVelocity

NOW = 1_790_000_000_000
VENUES = ("binance", "bybit", "okx", "bitget", "gate", "hyperliquid")
BASES = [f"C{i:03d}" for i in range(300)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--refresh-s", type=float, default=5.0)
    ap.add_argument("--refreshes", type=int, default=1500)
    args = ap.parse_args()
    step = int(args.refresh_s * 1000)
    times = run(args.refreshes, step, timed=True)
    tracemalloc.start()
    held = run(2 * 3600_000 // step + 1, step, timed=False)
    tracemalloc.stop()
    print(
        f"{len(VENUES) * len(BASES)} markets, refresh every {args.refresh_s:g} s, "
        f"{args.refreshes} refreshes"
    )
    print(
        f"update + by_base: median {statistics.median(times) * 1e3:.2f} ms, "
        f"max {max(times) * 1e3:.2f} ms per refresh"
    )
    print(f"memory held after two hours: {held[0] / 1e6:.2f} MB")


def run(refreshes: int, step: int, timed: bool) -> list[float]:
    """The time of each refresh, or (untimed, under tracemalloc) the memory the
    velocity object holds at the end."""
    rng = random.Random(1)
    rates = {(v, b): rng.gauss(0.0001, 0.0002) for v in VENUES for b in BASES}
    stamped = {v: i % 2 == 0 for i, v in enumerate(VENUES)}
    rv = RateVelocity()
    times = []
    for k in range(refreshes):
        now = NOW + k * step
        for key in rng.sample(list(rates), len(rates) // 10):
            rates[key] += rng.gauss(0, 0.00005)
        quotes = [
            Quote(v, f"{b}/USDT:USDT", b, "USDT", r, 8.0, timestamp_ms=now if stamped[v] else None)
            for (v, b), r in rates.items()
        ]
        t0 = time.perf_counter()
        rv.update(now, quotes)
        rv.by_base(quotes)
        times.append(time.perf_counter() - t0)
    if timed:
        return times
    with_rv = tracemalloc.get_traced_memory()[0]
    del rv
    gc.collect()
    return [with_rv - tracemalloc.get_traced_memory()[0]]


if __name__ == "__main__":
    main()
