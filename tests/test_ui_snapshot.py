"""A picture of the board: fixed data, frozen clock, timers paused, one venue stale."""

from __future__ import annotations

import json

from fundtui.store.watchlist import default_path
from tests.fakesource import FrozenClock, fail
from tests.uihelp import evaluated, loaded, make_app, market, poll_all, until


def test_board_snapshot(snap_compare):
    clock = FrozenClock()
    sources = market(clock)
    default_path().write_text(json.dumps({"version": 1, "bases": ["ETH"]}))
    app = make_app(sources, clock)

    async def run_before(pilot):
        await loaded(pilot)
        app.ticker.pause()
        for poller in app.pollers.values():
            poller.jitter = lambda: 0.5  # fixed backoff, so "retry 5s" is stable
        fail(sources["gate"], "HTTP 502 Bad Gateway")
        clock.advance(80)  # past 2.5 refreshes of 30 s
        await poll_all(pilot, sources)
        app.tick()
        await evaluated(pilot, app)
        await until(pilot, lambda: not app._notices)  # the state-change toast is raised
        await pilot.pause()
        app.clear_notifications()  # the "gate is STALE" toast; the badge shows it too
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 32), run_before=run_before)
