"""Regenerate the README's screenshots from the demo market, the same bytes on every run.

python screenshots/make_screenshots.py [NAME...]

Every picture is taken with a frozen clock, fixed venue latencies (the demo's
own are measured, so they change from run to run), history and state in a
scratch folder, and timers paused. The board is shown wide enough for every
column; then the detail view, the signals screen, the calculator, the sector
board, an 80x24 board and the board in each shipped theme.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

from fundtui.config import Config  # noqa: E402
from fundtui.feeds.demo import demo_sources  # noqa: E402
from fundtui.feeds.source import QuoteSource, VenuePoll  # noqa: E402
from fundtui.store import sector_store  # noqa: E402
from fundtui.ui.app import FundApp  # noqa: E402
from fundtui.ui.sectors import SectorFeed  # noqa: E402
from fundtui.ui.theme import bundled_themes, install_themes  # noqa: E402

NOW_MS = 1_795_003_262_000  # 2026-11-18 10:01:02 UTC
#: What each venue is shown to have taken to answer (ms).
LATENCY_MS = {"binance": 84, "bybit": 121, "okx": 97, "bitget": 142, "gate": 188, "hyperliquid": 65}
#: Wide enough for every column of the board with all six venues.
WIDE = (200, 40)


class FixedLatency:
    """A demo venue whose answers report a fixed latency instead of a measured one."""

    def __init__(self, inner: QuoteSource) -> None:
        self._inner = inner
        self.name = inner.name

    async def poll(self) -> VenuePoll:
        poll = await self._inner.poll()
        return dataclasses.replace(poll, latency_ms=float(LATENCY_MS.get(self.name, 100)))

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


Pilot = object  # textual.pilot.Pilot, kept loose: this is a script


async def shoot(
    path: Path,
    size: tuple[int, int],
    *,
    minutes: int = 5,
    step_s: int = 30,
    theme: str | None = None,
    then: Callable[[FundApp, Pilot], Awaitable[None]] | None = None,
    sectors: bool = False,
) -> None:
    """The demo board after ``minutes`` of refreshes every ``step_s`` (frozen clock),
    ``then`` (keys pressed), saved as ``path``."""
    config = Config(refresh_seconds=30)
    venues = [v.name for v in config.active_venues()]
    now = [NOW_MS - minutes * 60_000]

    def sources() -> Sequence[QuoteSource]:
        return [FixedLatency(s) for s in demo_sources(venues, clock=lambda: now[0])]

    app = FundApp(config, sources, demo=True, clock=lambda: now[0], gather_s=0.0)
    install_themes(app, theme or "fundtui-dark")
    if sectors:
        app.sectors = SectorFeed(config, sector_store.bundled())  # not a user's updated map
    async with app.run_test(size=size) as pilot:

        async def polled() -> None:
            while (
                app._rebuild_pending
                or any(s.last_ok_ms != now[0] for s in app.statuses.values())
                or app.evaluations_done < app.evaluations_sent
            ):
                await pilot.pause(0.02)

        await polled()
        app.ticker.pause()
        for poller in getattr(app, "pollers", {}).values():
            poller.jitter = lambda: 0.5  # fixed backoff, should a venue fail
        while now[0] < NOW_MS:
            now[0] = min(NOW_MS, now[0] + step_s * 1000)
            app.poll_now()
            await polled()
        app.tick()
        await pilot.pause()
        app.clear_notifications()  # the signal toasts of the planted divergences
        await pilot.pause()
        if then is not None:
            await then(app, pilot)
            await pilot.pause(0.3)
            app.clear_notifications()
            await pilot.pause()
        app.save_screenshot(filename=path.name, path=str(path.parent))
        if os.environ.get("SHOTS_TEXT"):  # the picture as text, to read it in a terminal
            strips = app.screen._compositor.render_strips()
            print("\n".join("".join(seg.text for seg in strip) for strip in strips))


async def _until(pilot, cond: Callable[[], bool]) -> None:  # noqa: ANN001
    for _ in range(500):
        if cond():
            return
        await pilot.pause(0.02)
    raise RuntimeError("screen did not come up")


async def detail(app: FundApp, pilot) -> None:  # noqa: ANN001
    from fundtui.ui.detail import DetailScreen

    await pilot.press("enter")
    await _until(pilot, lambda: isinstance(app.screen, DetailScreen))
    screen = app.screen
    await asyncio.wait_for(screen.loaded.wait(), 30)


async def signals(app: FundApp, pilot) -> None:  # noqa: ANN001
    from fundtui.ui.signals_screen import SignalsScreen

    await pilot.press("g")
    await _until(pilot, lambda: isinstance(app.screen, SignalsScreen))


async def calculator(app: FundApp, pilot) -> None:  # noqa: ANN001
    from fundtui.ui.calculator import CalculatorScreen

    for _ in range(400):  # BTC: a coin with bundled tiers, so liquidation is shown
        if app.board.selected_base == "BTC":
            break
        await pilot.press("down")
    await pilot.press("c")
    await _until(pilot, lambda: isinstance(app.screen, CalculatorScreen))


async def sector_board(app: FundApp, pilot) -> None:  # noqa: ANN001
    from fundtui.ui.sectors import SectorScreen

    await pilot.press("t")
    await _until(pilot, lambda: isinstance(app.screen, SectorScreen))


def shots() -> dict[str, Callable[[Path], Awaitable[None]]]:
    out: dict[str, Callable[[Path], Awaitable[None]]] = {
        "board.svg": lambda p: shoot(p, WIDE, minutes=75, step_s=300),
        "board-80x24.svg": lambda p: shoot(p, (80, 24)),
        # six hours of history (a point every 10 minutes) for the charts and accruals
        "detail.svg": lambda p: shoot(p, (140, 45), minutes=360, step_s=600, then=detail),
        "signals.svg": lambda p: shoot(p, (140, 36), then=signals),
        "calculator.svg": lambda p: shoot(p, (120, 36), then=calculator),
        # ten hours at 10-minute steps: velocity over 1 and 8 h, sparklines, states
        "sectors.svg": lambda p: shoot(
            p, (140, 40), minutes=600, step_s=600, then=sector_board, sectors=True
        ),
    }
    for theme in bundled_themes():
        out[f"theme-{theme.name}.svg"] = lambda p, name=theme.name: shoot(p, (160, 30), theme=name)
    return out


#: Made by screenshots/browser_screenshot.py (not byte-stable: the page shows the clock).
BROWSER = "browser.png"


def main(argv: Sequence[str]) -> int:
    # History and state written while taking the pictures go to scratch folders.
    scratch = tempfile.mkdtemp(prefix="fundtui-shots-")
    try:
        todo = shots()
        names = [n for n in argv if n != BROWSER] if argv else list(todo)
        for name in names:
            for kind in ("DATA", "CONFIG", "CACHE"):  # each picture starts from nothing
                folder = Path(scratch) / name / kind.lower()
                folder.mkdir(parents=True)
                os.environ[f"FUNDTUI_{kind}_DIR"] = str(folder)
            asyncio.run(todo[name](HERE / name))
            print(HERE / name)
        if not argv or BROWSER in argv:  # the browser view, through headless Chromium
            from browser_screenshot import shoot as shoot_browser  # skips without Chromium

            for kind in ("DATA", "CONFIG", "CACHE"):
                folder = Path(scratch) / BROWSER / kind.lower()
                folder.mkdir(parents=True)
                os.environ[f"FUNDTUI_{kind}_DIR"] = str(folder)
            shoot_browser(HERE / BROWSER)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
