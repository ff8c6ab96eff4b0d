"""How often each signal rule fires per hour at the default thresholds.

Two feeds, both from a fresh engine with a frozen clock:

- demo: the demo market (``fundtui.feeds.demo``, seed 7, every venue), 6 h of
  refreshes 30 s apart, nothing before it (as a first start);
- day: a recorded day. No recording of real venues ships with the project, so
  one is built: the demo market (seed 11) written to a history store for 48 h at
  one refresh every 120 s; the first 24 h are replayed as a restart's warm-up,
  the second day is fed refresh by refresh and counted.

Also shown: the share of markets a rule hit in the first minute of the demo (the
complaint was implied on ~6 % of them). ``--before DIR`` runs the same script
against another checkout (``git worktree add DIR <commit>``) and prints both:

    python benchmarks/signal_rates.py [--before /path/to/old/checkout]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from fundtui.config import SUPPORTED_VENUES
from fundtui.core.signals import RULES, SignalConfig, SignalEngine
from fundtui.engine.recorder import chosen, sample_quote
from fundtui.feeds.demo import demo_sources
from fundtui.store.history import HistoryStore

H = 3_600_000
T0 = 1_790_006_400_000  # a multiple of 8 h


def demo_frames(seed: int, start: int, refreshes: int, step_ms: int):
    """(time, every venue's quotes) per refresh, the demo's clock frozen at each."""
    now = [start]
    sources = demo_sources(SUPPORTED_VENUES, seed, clock=lambda: now[0])

    async def poll_all():
        return [await s.poll() for s in sources]

    loop = asyncio.new_event_loop()
    try:
        for i in range(refreshes):
            now[0] = start + i * step_ms
            polls = loop.run_until_complete(poll_all())
            yield now[0], [q for p in polls for q in p.quotes]
    finally:
        loop.close()


def demo_rates() -> dict:
    engine = SignalEngine(SignalConfig())
    counts: Counter = Counter()
    first_minute: dict[str, set] = {r: set() for r in RULES}
    markets = 0
    for t, quotes in demo_frames(7, T0 + 15 * 60_000, 6 * 120, 30_000):
        board = chosen(quotes)
        markets = max(markets, len(board))
        for h in engine.update(t, board):
            counts[h.rule] += 1
            if t < T0 + 16 * 60_000:
                first_minute[h.rule].add((h.base, h.venues))
    return {
        "per_hour": {r: counts[r] / 6 for r in RULES},
        "first_minute_share": {r: len(first_minute[r]) / markets for r in RULES},
    }


def day_rates(step_s: int) -> dict:
    step = step_s * 1000
    per_day = 24 * H // step
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.sqlite3"
        store = HistoryStore.open(path)
        for t, quotes in demo_frames(11, T0, 2 * per_day, step):
            store.record(quotes, t)
        store.close()
        store = HistoryStore.open(path)
        engine = SignalEngine(SignalConfig())
        counts: Counter = Counter()
        for hour in range(48):
            by_market = store.all_since(T0 + hour * H, T0 + (hour + 1) * H)
            samples = sorted((s for ss in by_market.values() for s in ss), key=lambda s: s.at_ms)
            by_time: dict[int, list] = {}
            for s in samples:
                by_time.setdefault(s.at_ms, []).append(sample_quote(s))
            for t, quotes in by_time.items():
                board = chosen(quotes)
                if hour < 24:
                    engine.warm_up((t, q) for q in board)
                else:
                    counts.update(h.rule for h in engine.update(t, board))
        store.close()
    return {"per_hour": {r: counts[r] / 24 for r in RULES}}


def measure(step_s: int) -> dict:
    return {"demo": demo_rates(), "day": day_rates(step_s)}


def table(columns: dict[str, dict]) -> str:
    names = list(columns)
    head = f"{'rule':<16}" + "".join(
        f"{n + ' ' + what:>22}" for what in ("demo/h", "day/h", "demo 1st min") for n in names
    )
    lines = [head]
    for r in RULES:
        cells = []
        for what in ("demo", "day"):
            cells += [f"{columns[n][what]['per_hour'][r]:>22.2f}" for n in names]
        cells += [f"{columns[n]['demo']['first_minute_share'][r] * 100:>21.1f}%" for n in names]
        lines.append(f"{r:<16}" + "".join(cells))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", help="another checkout to measure with the same feeds")
    ap.add_argument("--day-step", type=int, default=120, help="seconds between stored refreshes")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.json:
        print(json.dumps(measure(args.day_step)))
        return
    columns = {}
    if args.before:
        env = dict(os.environ, PYTHONPATH=str(Path(args.before).resolve()))
        out = subprocess.run(
            [sys.executable, __file__, "--json", "--day-step", str(args.day_step)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            cwd=args.before,
        ).stdout
        columns["before"] = json.loads(out)
    columns["after" if args.before else "now"] = measure(args.day_step)
    print(table(columns))


if __name__ == "__main__":
    main()
