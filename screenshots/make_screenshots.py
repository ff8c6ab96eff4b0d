"""Regenerate the README's screenshots from the demo market, with a frozen clock.

python screenshots/make_screenshots.py
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from fundtui.config import Config
from fundtui.feeds.demo import demo_sources
from fundtui.store import sector_store
from fundtui.ui.app import FundApp
from fundtui.ui.sectors import SectorFeed

HERE = Path(__file__).parent
NOW_MS = 1_795_003_262_000  # 2026-11-18 10:01:02 UTC


async def board(path: Path, size: tuple[int, int]) -> None:
    """The board after ten refreshes, so the trend and velocity columns have data."""
    config = Config(refresh_seconds=30)
    venues = [v.name for v in config.active_venues()]
    now = [NOW_MS - 10 * 30_000]
    app = FundApp(
        config,
        lambda: demo_sources(venues, clock=lambda: now[0]),
        demo=True,
        clock=lambda: now[0],
        gather_s=0.0,
    )
    async with app.run_test(size=size) as pilot:

        async def polled() -> None:
            while (
                app._rebuild_pending
                or any(s.last_ok_ms != now[0] for s in app.statuses.values())
                or app.evaluations_done < app.evaluations_sent
            ):
                await pilot.pause(0.05)

        await polled()
        app.ticker.pause()
        while now[0] < NOW_MS:
            now[0] += 30_000
            app.poll_now()
            await polled()
        app.tick()
        app.clear_notifications()  # the signal toasts of the planted divergences
        await pilot.pause()
        app.save_screenshot(filename=path.name, path=str(path.parent))


async def sectors(path: Path, size: tuple[int, int]) -> None:
    """The sector board after 70 simulated minutes (a poll every 5), so the 1 h
    velocity and the sparklines have history."""
    config = Config(refresh_seconds=30)
    venues = [v.name for v in config.active_venues()]
    now = [NOW_MS - 70 * 60_000]
    app = FundApp(
        config,
        lambda: demo_sources(venues, clock=lambda: now[0]),
        demo=True,
        clock=lambda: now[0],
        history=False,
        gather_s=0.0,
    )
    app.sectors = SectorFeed(config, sector_store.bundled())  # not a user's updated map
    async with app.run_test(size=size) as pilot:

        async def polled() -> None:
            while app._rebuild_pending or any(
                s.last_ok_ms != now[0] for s in app.statuses.values()
            ):
                await pilot.pause(0.05)

        await polled()
        app.ticker.pause()
        while now[0] < NOW_MS:
            now[0] += 5 * 60_000
            app.poll_now()
            await polled()
        await pilot.press("t")
        await pilot.pause(0.3)
        app.save_screenshot(filename=path.name, path=str(path.parent))


def main() -> None:
    # History written while taking the pictures goes to a scratch folder.
    os.environ["FUNDTUI_DATA_DIR"] = tempfile.mkdtemp(prefix="fundtui-shots-")
    asyncio.run(board(HERE / "board.svg", (132, 36)))
    asyncio.run(sectors(HERE / "sectors.svg", (132, 36)))
    asyncio.run(board(HERE / "board-80x24.svg", (80, 24)))


if __name__ == "__main__":
    main()
