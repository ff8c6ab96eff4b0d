"""What the board's number cells cost to format: one full pass over a 1500-row board.

Every refresh renders each visible cell, and a sort or a unit switch (``u``)
renders all of them; ``ui.format`` is on that path for every rate, spread,
velocity and premium. Times one pass (6 venue cells, spread, velocity and premium
per row, 1500 rows) in each unit, median of ``--repeats``, and the bare
``f"{x * 100:.4f}%"`` of the same rates as a floor to compare against.

    python benchmarks/format_cost.py [--rows 1500] [--repeats 30]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from fundtui.config import SUPPORTED_VENUES
from fundtui.core.quote import Quote
from fundtui.core.spread import Spread
from fundtui.ui import format as fmt

NOW = 1_790_000_000_000


def board(rows: int, rng: random.Random):
    out = []
    for i in range(rows):
        quotes = []
        for v in SUPPORTED_VENUES:
            interval = 1 if v == "hyperliquid" else rng.choice((4, 8, 8))
            rate = round(rng.gauss(0.0001, 0.0002) * interval / 8, 8)  # venues give ~8 decimals
            quotes.append(Quote(v, f"C{i}/USDT:USDT", f"C{i}", "USDT", rate, interval))
        r8 = sorted(q.rate_8h for q in quotes)
        spread = Spread(
            base=f"C{i}",
            long_venue="okx",
            short_venue="gate",
            low_8h=r8[0],
            high_8h=r8[-1],
            venues=len(quotes),
        )
        out.append((quotes, spread, rng.gauss(0, 0.00002), rng.gauss(0, 0.0003)))
    return out


def one_pass(rows, unit: fmt.Unit, p: fmt.Palette) -> None:
    for quotes, spread, velocity, premium in rows:
        for q in quotes:
            fmt.rate_cell(q, unit, p)
        fmt.spread_value_cell(spread, unit, p)
        fmt.velocity_cell(velocity, p)
        fmt.premium_cell(premium, p)


def floor_pass(rows) -> None:
    for quotes, spread, velocity, premium in rows:
        for q in quotes:
            f"{q.funding_rate * 100:.4f}%"  # noqa: B018
        f"{spread.spread_8h * 100:.4f}%"  # noqa: B018
        f"{velocity * 100:+.4f}%"  # noqa: B018
        f"{premium * 100:+.3f}%"  # noqa: B018


def timed(fn, repeats: int) -> tuple[float, float]:
    """(best, median) of ``repeats`` passes in ms; the best is the least noisy figure
    on a shared machine."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times) * 1000, statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1500)
    ap.add_argument("--repeats", type=int, default=30)
    args = ap.parse_args()
    rows = board(args.rows, random.Random(12))
    p = fmt.DEFAULT_PALETTE
    cells = args.rows * (len(SUPPORTED_VENUES) + 3)
    print(f"{args.rows} rows, {cells:,} number cells per pass, best / median of {args.repeats}")
    best, median = timed(lambda: floor_pass(rows), args.repeats)
    print(f"  bare f-string floor  {best:7.2f} / {median:7.2f} ms")
    for unit in fmt.Unit:
        best, median = timed(lambda u=unit: one_pass(rows, u, p), args.repeats)
        print(
            f"  {unit.label:<20} {best:7.2f} / {median:7.2f} ms"
            f"  ({best * 1e6 / cells:,.0f} ns per cell at best)"
        )


if __name__ == "__main__":
    main()
