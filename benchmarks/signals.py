"""Signal rules per refresh: 300 bases x 6 venues = 1,800 quotes, every one a new sample.

Warms the engine up with a day of history (one sample per quote every 15 minutes),
then times ``SignalEngine.update`` over 30 s refreshes that each move every rate,
price and open interest a little. Rates centre on 0.01 %/8h with sd 0.005 %, one
base in 20 ten times wider, so some spreads, extremes and premiums stay over their
thresholds and every refresh checks their cooldowns. Open interest is given in
coins (what oi_regime compares) and in USD at the price. Target: <= 5 ms.

    python benchmarks/signals.py [--refreshes 200]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time

from fundtui.config import SUPPORTED_VENUES
from fundtui.core.quote import Quote
from fundtui.core.signals import SignalEngine

NOW = 1_790_006_400_000
BASES = [f"C{i:03d}" for i in range(300)]
REFRESH_MS = 30_000
HOT = set(BASES[::20])  # one base in 20 runs hot: rates spread 10x wider
CENTRE: dict[tuple[str, str], float] = {}
#: an older checkout's Quote may have no coin count: measured with USD alone there
HAS_COINS = "open_interest_coins" in Quote.__dataclass_fields__


def _oi(coins: float, price: float) -> dict[str, float]:
    usd = {"open_interest_usd": coins * price}
    return {**usd, "open_interest_coins": coins} if HAS_COINS else usd


def universe(rng: random.Random) -> list[Quote]:
    out = []
    for v in SUPPORTED_VENUES:
        for b in BASES:
            interval = 1 if v == "hyperliquid" else rng.choice((4, 8, 8))
            sd = 0.0005 if b in HOT else 0.00005
            rate = rng.gauss(0.0001, sd) * interval / 8
            CENTRE[(v, b)] = rate
            out.append(
                Quote(
                    v,
                    f"{b}/USDT:USDT",
                    b,
                    "USDT",
                    rate,
                    interval,
                    mark_price=100.0,
                    index_price=100.0,
                    **_oi(1e5, 100.0),
                )
            )
    return out


def step(quotes: list[Quote], rng: random.Random) -> list[Quote]:
    """Every quote moves: the 8h rate wanders around its centre (+/-0.001 % a step),
    the index walks, the premium is noise around 0.01 % and open interest walks
    0.5 % a step."""
    out = []
    g = rng.gauss
    for q in quotes:
        index = q.index_price * (1 + g(0.0, 0.0005))
        out.append(
            Quote(
                q.venue,
                q.symbol,
                q.base,
                q.quote,
                q.funding_rate
                + 0.05 * (CENTRE[q.venue, q.base] - q.funding_rate)
                + g(0.0, 0.00001) * q.interval_hours / 8,
                q.interval_hours,
                mark_price=index * (1 + g(0.0001, 0.0003)),
                index_price=index,
                **_oi(q.open_interest_usd / q.index_price * (1 + g(0.0, 0.005)), index),
            )
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--refreshes", type=int, default=200)
    args = ap.parse_args()
    rng = random.Random(7)
    quotes = universe(rng)
    engine = SignalEngine()
    t = NOW - 24 * 3_600_000
    history = []
    while t < NOW:  # a day of history, one sample per quarter-hour
        quotes = step(quotes, rng)
        history.extend((t, q) for q in quotes)
        t += 15 * 60_000
    t0 = time.perf_counter()
    engine.warm_up(history)
    warm = time.perf_counter() - t0
    frames = []
    for _ in range(args.refreshes):
        quotes = step(quotes, rng)
        frames.append(quotes)
    gc.collect()
    gc.freeze()  # as the app does once every venue has answered
    times = []
    cpu = []  # this thread's CPU time: what is left when other processes preempt it
    hits = 0
    t = NOW
    for frame in frames:
        a = time.perf_counter()
        c = time.thread_time()
        hits += len(engine.update(t, frame))
        cpu.append((time.thread_time() - c) * 1000)
        times.append((time.perf_counter() - a) * 1000)
        t += REFRESH_MS
    print(f"warm-up: {len(history):,} samples in {warm * 1000:.0f} ms")
    print(
        f"{len(quotes):,} quotes, {args.refreshes} refreshes: "
        f"median {statistics.median(times):.2f} ms, "
        f"p95 {sorted(times)[int(len(times) * 0.95)]:.2f} ms, max {max(times):.2f} ms, "
        f"min {min(times):.2f} ms per refresh "
        f"({hits} hits); CPU time median {statistics.median(cpu):.2f} ms, "
        f"p95 {sorted(cpu)[int(len(cpu) * 0.95)]:.2f} ms"
    )


if __name__ == "__main__":
    main()
