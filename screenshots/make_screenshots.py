"""Regenerate the README's screenshots from the demo market, with a frozen clock.

    python screenshots/make_screenshots.py
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from fundtui.config import Config
from fundtui.feeds.demo import demo_sources
from fundtui.ui.app import FundApp

HERE = Path(__file__).parent
NOW_MS = 1_795_003_262_000  # 2026-11-18 10:01:02 UTC


async def board(path: Path, size: tuple[int, int]) -> None:
    config = Config(refresh_seconds=30)
    venues = [v.name for v in config.active_venues()]
    app = FundApp(config, lambda: demo_sources(venues, clock=lambda: NOW_MS), demo=True,
                  clock=lambda: NOW_MS)
    async with app.run_test(size=size) as pilot:
        while app.board.row_count == 0 or any(s.last_ok_ms is None
                                              for s in app.statuses.values()):
            await pilot.pause(0.05)
        app.ticker.pause()
        await pilot.pause()
        app.save_screenshot(filename=path.name, path=str(path.parent))


def main() -> None:
    asyncio.run(board(HERE / "board.svg", (132, 36)))
    asyncio.run(board(HERE / "board-80x24.svg", (80, 24)))


if __name__ == "__main__":
    main()
