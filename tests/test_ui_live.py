"""The board end to end on the real adapters (ccxt) against the loopback fake venues."""

from __future__ import annotations

import pytest

from fundtui.config import SUPPORTED_VENUES, Config, VenueConfig
from fundtui.core.status import VenueState
from fundtui.feeds.registry import make_sources
from fundtui.ui.app import FundApp
from tests.uihelp import until

pytest_plugins = ("tests.fakevenue.fixtures",)


@pytest.fixture
def quick_ccxt_close(monkeypatch):
    from ccxt.async_support.base.exchange import Exchange

    monkeypatch.setattr(Exchange, "timeout_on_exit", 0)


async def test_six_live_venues_reach_the_board_and_a_failure_shows(fakes, quick_ccxt_close):
    config = Config(
        refresh_seconds=30,
        venues={v: VenueConfig(v, api_base=fakes[v].url) for v in SUPPORTED_VENUES},
    )
    app = FundApp(config, lambda: make_sources(config.active_venues(), timeout_s=2.0))
    async with app.run_test(size=(120, 32)) as pilot:
        await until(pilot, lambda: all(s.last_ok_ms for s in app.statuses.values()), 30)
        await until(pilot, lambda: app.board.row_count > 0)
        board = app.board
        assert board.get_cell("BLZ", "v:binance").plain == "0.0152%·4h"
        assert board.get_cell("LPT", "v:okx").plain == "-0.2400%·4h"
        assert board.get_cell("MEME", "v:gate").plain == "-0.3200%·2h"
        await pilot.press("u", "u")  # per interval
        assert board.get_cell("BLZ", "v:binance").plain == "0.00760%·4h"

        fakes["okx"].fail(503)
        app.poll_now()
        await until(pilot, lambda: app.statuses["okx"].error is not None, 10)
        assert "503" in app.statuses["okx"].error
        assert app.statuses["okx"].state(app.clock(), 30) is VenueState.RETRYING
        assert app.statuses["binance"].state(app.clock(), 30) is VenueState.LIVE
