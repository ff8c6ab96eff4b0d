"""Sector aggregation per refresh: the demo market (342 bases, 6 venues) over the
bundled map (19 sectors), with 26 h of rolling history so velocity has all three
horizons. Times ``SectorBoardModel.update`` alone (what the app adds to a
rebuild), with the long-lived objects frozen out of the collector as the app does.

    python benchmarks/sectors.py [--hours 26]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time

from fundtui.core.board import build_board
from fundtui.core.rotation import SectorBoardModel
from fundtui.feeds.demo import demo_sources
from fundtui.store import sector_store

T0 = 1_790_000_000_000
VENUES = ["binance", "bybit", "okx", "bitget", "gate", "hyperliquid"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=26.0)
    args = ap.parse_args()
    now = [T0]
    sources = demo_sources(VENUES, clock=lambda: now[0])
    model = SectorBoardModel(sector_store.bundled())

    async def poll():
        return [await s.poll() for s in sources]

    gc.collect()
    gc.freeze()
    times = []
    steps = int(args.hours * 12)  # a refresh every 5 minutes of simulated time
    for i in range(steps):
        now[0] = T0 + i * 300_000
        polls = asyncio.run(poll())
        rows = build_board({p.venue: p.quotes for p in polls}, VENUES)
        t = time.perf_counter()
        model.update(rows, now[0])
        times.append((time.perf_counter() - t) * 1000)
    last = times[-50:]
    with_velocity = all(v is not None for v in model.stats["L1"].velocity.values())
    snaps = sum(sys.getsizeof(s) for _, _, s in model.history._snaps)
    print(f"{len(rows)} bases, {len(model.sector_map.sectors)} sectors, {steps} refreshes")
    print(
        f"update, last 50 refreshes (velocity on 1/8/24 h: {with_velocity}): "
        f"median {statistics.median(last):.2f} ms, max {max(last):.2f} ms"
    )
    print(f"update, first 50 refreshes: median {statistics.median(times[:50]):.2f} ms")
    print(f"history snapshots: {len(model.history._snaps)}, {snaps / 1024:.0f} KB")


if __name__ == "__main__":
    main()
