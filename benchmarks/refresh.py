"""One board refresh: 300 bases x 6 venues with 10 % of the rate cells changed.

Times, per refresh, building the rows (core.board) and bringing the DataTable in
line with them (diff + cell updates in one batch), then the repaint that follows.
Runs the real FundApp headless at 160x50.

    python benchmarks/refresh.py [--refreshes 30]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time

from fundtui.config import SUPPORTED_VENUES, Config
from fundtui.core.board import build_board
from fundtui.core.quote import Quote
from fundtui.ui.app import FundApp

NOW = 1_790_000_000_000
BASES = [f"C{i:03d}" for i in range(300)]


def universe(rng: random.Random) -> dict[str, list[Quote]]:
    out = {}
    for v in SUPPORTED_VENUES:
        interval = 1 if v == "hyperliquid" else rng.choice((4, 8, 8))
        out[v] = [
            Quote(
                v,
                f"{b}/USDT:USDT",
                b,
                "USDT",
                rng.gauss(0.0001, 0.0002),
                interval,
                next_funding_ms=NOW + 3_600_000,
                mark_price=100.0,
                index_price=99.99,
            )
            for b in BASES
        ]
    return out


def mutate(quotes: dict[str, list[Quote]], rng: random.Random, share: float) -> None:
    cells = [(v, i) for v in quotes for i in range(len(BASES))]
    for v, i in rng.sample(cells, int(len(cells) * share)):
        q = quotes[v][i]
        quotes[v][i] = Quote(
            q.venue,
            q.symbol,
            q.base,
            q.quote,
            q.funding_rate + rng.gauss(0, 0.00005),
            q.interval_hours,
            q.next_funding_ms,
            q.mark_price,
            q.index_price,
        )


async def run(refreshes: int) -> None:
    app = FundApp(
        Config(refresh_seconds=10), source_factory=lambda: [], clock=lambda: NOW, history=False
    )
    rng = random.Random(1)
    quotes = universe(rng)
    build, table, paint = [], [], []
    async with app.run_test(size=(160, 50)) as pilot:
        board = app.board
        board.set_rows(build_board(quotes, SUPPORTED_VENUES), NOW)
        await pilot.pause()
        for k in range(refreshes):
            mutate(quotes, rng, 0.10)
            t0 = time.perf_counter()
            rows = build_board(quotes, SUPPORTED_VENUES)
            # as the app does: each base's spread trend and velocity next to the rates
            at = NOW + k * 10_000
            app.trend.push(
                at, {b: r.spread.spread_8h if r.spread else None for b, r in rows.items()}
            )
            app.rows = rows
            app.velocity = {
                b: rng.gauss(0, 0.00002) if rng.random() < 0.1 else app.velocity.get(b)
                for b in rows
            }
            rows = app._decorated()
            t1 = time.perf_counter()
            board.set_rows(rows, NOW)
            t2 = time.perf_counter()
            await pilot.pause()
            t3 = time.perf_counter()
            build.append(t1 - t0)
            table.append(t2 - t1)
            paint.append(t3 - t2)
    ms = lambda xs: f"median {statistics.median(xs) * 1e3:6.2f} ms, max {max(xs) * 1e3:6.2f} ms"  # noqa: E731
    print(
        f"{len(BASES)} bases x {len(SUPPORTED_VENUES)} venues, 10% of rate cells changed, "
        f"{refreshes} refreshes"
    )
    print(f"build rows (core + trend)  : {ms(build)}")
    print(f"table update (diff, batch) : {ms(table)}   target <= 20 ms")
    print(f"repaint that follows       : {ms(paint)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--refreshes", type=int, default=30)
    asyncio.run(run(ap.parse_args().refreshes))


if __name__ == "__main__":
    main()
