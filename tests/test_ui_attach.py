"""A TUI started on a data folder another fundtui polls: it attaches.

Its first board comes from the poller's answers (no venue asked), the top bar
says it is attached, and old answers show stale at once.
"""

from __future__ import annotations

import time

from fundtui.config import Config
from fundtui.core.status import VenueStatus
from fundtui.store import paths
from fundtui.store.live_board import LiveBoard
from fundtui.store.poller_lock import PollerLock
from fundtui.ui.app import FundApp
from fundtui.ui.status import TopBar
from tests.fakesource import quote
from tests.uihelp import cell, until


async def test_an_attached_tui_shows_the_pollers_board_and_asks_no_venue():
    folder = paths.history_dir()
    now = time.time_ns() // 1_000_000
    board = LiveBoard.open(folder, writer=True)
    board.write(
        [
            (
                VenueStatus("binance", last_ok_ms=now - 2000, latency_ms=40.0, quotes=2),
                (quote("binance", "BTC", 0.0001), quote("binance", "ETH", 0.0002)),
            ),
            (
                VenueStatus("okx", last_ok_ms=now - 2000, latency_ms=55.0, quotes=1),
                (quote("okx", "BTC", 0.0004),),
            ),
        ],
        now,
        30.0,
        4242,
    )
    board.close()
    built: list = []
    with PollerLock(folder) as held:
        assert held.try_acquire()
        config = Config(exchanges=("binance", "okx"), refresh_seconds=30)
        app = FundApp(config, lambda: built.append(1) or [])
        async with app.run_test(size=(160, 30)) as pilot:
            await until(pilot, lambda: app.board.row_count == 2)
            assert cell(app, "BTC", "v:okx") == "0.0400%"
            assert cell(app, "BTC", "spread") == "0.0300%"
            assert app.engine.role == "viewer"
            role = app.main(TopBar).query_one("#role")
            await until(pilot, lambda: str(role.render()).strip() != "")
            assert str(role.render()).strip() == f"attached to pid {held.holder()}"
            await pilot.pause(0.2)
            assert built == []  # no source was built: no venue was asked


async def test_the_attached_detail_view_reads_the_pollers_history():
    """The detail view of an attached TUI charts what the poller stored."""
    from fundtui.store.history import HistoryStore
    from fundtui.ui.detail import DetailScreen

    folder = paths.history_dir()
    now = time.time_ns() // 1_000_000
    with HistoryStore.open(folder / paths.HISTORY_FILE) as store:
        store.record(
            [
                quote("binance", "BTC", 0.0001 + k * 1e-6, clock_ms=now - k * 60_000)
                for k in range(30)
            ],
            now,
        )
    board = LiveBoard.open(folder, writer=True)
    board.write(
        [
            (
                VenueStatus("binance", last_ok_ms=now - 2000, latency_ms=40.0, quotes=1),
                (quote("binance", "BTC", 0.0001),),
            )
        ],
        now,
        30.0,
        1,
    )
    board.close()
    with PollerLock(folder) as held:
        assert held.try_acquire()
        app = FundApp(Config(exchanges=("binance",), refresh_seconds=30), lambda: [])
        async with app.run_test(size=(160, 40)) as pilot:
            await until(pilot, lambda: app.board.row_count == 1)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, DetailScreen))
            screen = app.screen
            await until(pilot, lambda: screen.loaded.is_set())
            assert screen.store is not None
            assert len(screen.samples.get("binance", [])) >= 1


async def test_r_on_an_attached_tui_says_the_poller_asks_the_venues():
    folder = paths.history_dir()
    with PollerLock(folder) as held:
        assert held.try_acquire()
        app = FundApp(Config(exchanges=("binance",), refresh_seconds=30), lambda: [])
        async with app.run_test(size=(120, 30)) as pilot:
            await until(pilot, lambda: app.engine.role == "viewer")
            await pilot.press("R")
            await pilot.pause()
            assert any("polling fundtui asks the venues" in n.message for n in app._notifications)
