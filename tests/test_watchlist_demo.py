"""The demo market keeps its own watchlist: watching a simulated coin never
changes the real list."""

from __future__ import annotations

import json

from fundtui.store import paths
from fundtui.store.watchlist import Watchlist
from tests.fakesource import FrozenClock
from tests.uihelp import loaded, make_app, market


def test_the_demo_list_lives_in_the_demo_folder():
    real, _ = Watchlist.load()
    demo, _ = Watchlist.load(demo=True)
    assert real.path == paths.data_dir() / "watchlist.json"
    assert demo.path == paths.history_dir(demo=True) / "watchlist.json"
    assert real.path != demo.path


async def test_watching_in_the_demo_leaves_the_real_watchlist_alone():
    real = paths.data_dir() / "watchlist.json"
    real.write_text(json.dumps({"version": 1, "bases": ["ETH"]}))
    clock = FrozenClock()
    app = make_app(market(clock), clock, demo=True)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        base = app.board.selected_base
        await pilot.press("w")
        await pilot.pause()
        assert base in app.watchlist.bases
    assert json.loads(real.read_text())["bases"] == ["ETH"]
    saved = json.loads((paths.history_dir(demo=True) / "watchlist.json").read_text())
    assert base in saved["bases"]
