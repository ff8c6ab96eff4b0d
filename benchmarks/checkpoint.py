"""The saved signal state: size and save/load time for the full market.

1,800 markets (300 bases x 6 venues, the market of ``benchmarks/signals.py``)
after a day of history (one sample per market per quarter-hour) and an hour of
30 s refreshes, so every ring is full and every market has open-interest
entries and cooldowns. Saves with ``store/checkpoint.save`` (temp file and
rename, as the app does every 10 minutes and on quit), then loads it back as
the next start does, and checks that the loaded engine is the saved one.

    python benchmarks/checkpoint.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from benchmarks.signals import NOW, REFRESH_MS, step, universe  # noqa: E402
from fundtui.core.signal_state import dumps  # noqa: E402
from fundtui.core.signals import SignalEngine  # noqa: E402
from fundtui.store import checkpoint  # noqa: E402


def engine_after_a_day() -> tuple[SignalEngine, int]:
    rng = random.Random(7)
    quotes = universe(rng)
    engine = SignalEngine()
    t = NOW - 24 * 3_600_000
    while t < NOW:
        quotes = step(quotes, rng)
        engine.warm_up((t, q) for q in quotes)
        t += 15 * 60_000
    for _ in range(120):  # an hour of refreshes, with hits and their cooldowns
        quotes = step(quotes, rng)
        engine.update(t, quotes)
        t += REFRESH_MS
    return engine, t - REFRESH_MS


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    engine, at_ms = engine_after_a_day()
    markets = sum(len(v) for v in engine._keys.values())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "signals-state.json"
        saves, loads = [], []
        for _ in range(args.repeat):
            a = time.perf_counter()
            checkpoint.save(path, engine, at_ms)
            saves.append((time.perf_counter() - a) * 1000)
            a = time.perf_counter()
            restored, notices = checkpoint.load(path, engine.config)
            loads.append((time.perf_counter() - a) * 1000)
            assert restored is not None and not notices, notices
        size = path.stat().st_size
    assert dumps(restored.engine, restored.at_ms) == dumps(engine, at_ms)
    print(
        f"{markets:,} markets, {len(engine._last_hit):,} cooldowns: {size / 1e6:.2f} MB; "
        f"save median {statistics.median(saves):.0f} ms (min {min(saves):.0f}), "
        f"load median {statistics.median(loads):.0f} ms (min {min(loads):.0f})"
    )


if __name__ == "__main__":
    main()
