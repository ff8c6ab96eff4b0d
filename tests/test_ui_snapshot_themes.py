"""A picture of the board in each shipped theme: the same fixed data, frozen clock and
stale venue as the board snapshot, so a theme that loses a sign, a ``~`` or a
colour distinction shows up as a changed picture."""

from __future__ import annotations

import json

import pytest

from fundtui.store.watchlist import default_path
from fundtui.ui.theme import install_themes
from tests.fakesource import FrozenClock, fail
from tests.uihelp import evaluated, loaded, make_app, market, poll_all, until

SHIPPED = ("fundtui-dark", "fundtui-light", "fundtui-high-contrast", "fundtui-colourblind")


@pytest.mark.parametrize("name", SHIPPED)
def test_board_in_each_theme(snap_compare, name):
    clock = FrozenClock()
    sources = market(clock)
    default_path().write_text(json.dumps({"version": 1, "bases": ["ETH"]}))
    app = make_app(sources, clock)
    assert install_themes(app, name).notices == []

    async def run_before(pilot):
        await loaded(pilot)
        app.ticker.pause()
        for poller in app.pollers.values():
            poller.jitter = lambda: 0.5
        fail(sources["gate"], "HTTP 502 Bad Gateway")
        clock.advance(80)
        await poll_all(pilot, sources)
        app.tick()
        await evaluated(pilot, app)
        await until(pilot, lambda: not app._notices)
        await pilot.pause()
        app.clear_notifications()
        await pilot.pause()
        assert app.theme == name

    assert snap_compare(app, terminal_size=(100, 20), run_before=run_before)
