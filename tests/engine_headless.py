"""Run the engine with no Textual, against two fake venues, in a plain asyncio loop.

Started in a fresh interpreter by ``tests/test_engine_headless.py`` (the test
process has Textual loaded by other tests, which would hide a leak). Prints one
JSON line: the board's bases, the signal hits' rules and whether Textual, or
any of the UI, was ever imported.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path


async def main(folder: Path) -> dict:
    from ccxt.async_support.base.exchange import Exchange

    from fundtui.config import Config, VenueConfig
    from fundtui.core.signal_types import SignalConfig
    from fundtui.engine import events
    from fundtui.engine.engine import Engine
    from fundtui.feeds.registry import make_sources
    from tests.fakevenue.server import FakeVenue

    Exchange.timeout_on_exit = 0  # no lingering close of ccxt's sessions
    fakes = {v: FakeVenue(v).start() for v in ("binance", "okx")}
    try:
        # every spread is a hit: planted by a threshold no market stays under
        config = Config(
            exchanges=tuple(fakes),
            refresh_seconds=30,
            venues={v: VenueConfig(v, api_base=f.url) for v, f in fakes.items()},
            signals=SignalConfig(spread_8h=1e-9),
        )
        seen: list = []
        engine = Engine(
            config,
            lambda: make_sources(config.active_venues(), timeout_s=5.0),
            seen.append,
            gather_s=0.05,
            history_dir=folder,
        )
        engine.start()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while not any(isinstance(e, events.SignalsEvaluated) and e.hits for e in seen):
            if loop.time() > deadline:
                raise SystemExit(f"no hits in time: {[type(e).__name__ for e in seen]}")
            await asyncio.sleep(0.05)
        await engine.stop()
    finally:
        for fake in fakes.values():
            fake.stop()
    boards = [e for e in seen if isinstance(e, events.BoardRebuilt)]
    hits = [h for e in seen if isinstance(e, events.SignalsEvaluated) for h in e.hits]
    logged = (folder / "signals.jsonl").read_text().splitlines()
    return {
        "bases": sorted(boards[-1].rows),
        "both_venues": sorted(b for b, r in boards[-1].rows.items() if len(r.quotes) == 2),
        "rules": sorted({h.rule for h in hits}),
        "hits": len(hits),
        "logged": len(logged),
        "polled": sorted({e.venue for e in seen if isinstance(e, events.VenuePolled)}),
        "textual": "textual" in sys.modules,
        "ui": sorted(m for m in sys.modules if m.startswith("fundtui.ui")),
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(Path(sys.argv[1])))))
