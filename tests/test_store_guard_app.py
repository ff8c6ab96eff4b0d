"""The issue's failure as the user met it: a non-UTF-8 watchlist.json stopped the app
at start (UnicodeDecodeError, rc=1, until the file was deleted)."""

from __future__ import annotations

import json

from fundtui.store.watchlist import default_path
from tests.fakesource import FrozenClock
from tests.uihelp import loaded, make_app, market


async def test_the_app_starts_over_a_non_utf8_watchlist_and_keeps_it():
    path = default_path()
    path.write_bytes(b'{"version": 1, "bases": ["BTC\xff"]}')
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        notices = [str(n.message) for n in app._notifications if str(path) in str(n.message)]
        assert len(notices) == 1 and "\n" not in notices[0] and "not UTF-8" in notices[0]
        await pilot.press("w")  # watch the first row: the save must not lose the old file
    (aside,) = path.parent.glob("watchlist.json.corrupt-*")
    assert aside.read_bytes() == b'{"version": 1, "bases": ["BTC\xff"]}'
    assert len(json.loads(path.read_text())["bases"]) == 1
