"""The watchlist: the store on its own, and the w / v keys on the board."""

from __future__ import annotations

import json

from fundtui.store.paths import data_dir
from fundtui.store.watchlist import Watchlist, default_path
from tests.fakesource import FrozenClock
from tests.uihelp import cell, loaded, make_app, market, order


def test_missing_file_is_an_empty_watchlist(tmp_path):
    wl, notice = Watchlist.load(tmp_path / "w.json")
    assert len(wl) == 0 and notice is None


def test_round_trip(tmp_path):
    path = tmp_path / "sub" / "w.json"
    wl, _ = Watchlist.load(path)
    assert wl.toggle("BTC") is True
    assert wl.toggle("ETH") is True
    assert wl.toggle("BTC") is False
    wl.save()
    assert json.loads(path.read_text()) == {"version": 1, "bases": ["ETH"]}
    again, notice = Watchlist.load(path)
    assert again.bases == {"ETH"} and notice is None


def test_corrupt_file_starts_empty_and_is_kept_aside(tmp_path):
    path = tmp_path / "w.json"
    path.write_text("{not json")
    wl, notice = Watchlist.load(path)
    assert len(wl) == 0
    assert notice and "corrupt" in notice
    wl.toggle("SOL")
    wl.save()
    [aside] = tmp_path.glob("w.json.corrupt*")  # named by store.files (a UTC time follows)
    assert aside.read_text() == "{not json"
    assert Watchlist.load(path)[0].bases == {"SOL"}


def test_wrong_shape_is_corrupt_too(tmp_path):
    path = tmp_path / "w.json"
    path.write_text('{"bases": "BTC"}')
    wl, notice = Watchlist.load(path)
    assert len(wl) == 0 and notice


def test_default_path_is_in_the_data_folder():
    assert default_path() == data_dir() / "watchlist.json"


async def test_w_toggles_persists_and_v_shows_only_watched():
    clock = FrozenClock()
    app = make_app(market(clock), clock)  # default path, isolated by conftest
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("down")  # ETH
        await pilot.press("w")
        assert json.loads(default_path().read_text())["bases"] == ["ETH"]
        assert cell(app, "ETH", "base") == "★ ETH"
        await pilot.press("v")
        assert order(app) == ["ETH"]
        await pilot.press("v")
        assert len(order(app)) == 4

    app2 = make_app(market(clock), clock)
    async with app2.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        assert cell(app2, "ETH", "base") == "★ ETH"
        await pilot.press("W")  # alias of v
        assert order(app2) == ["ETH"]
        await pilot.press("w")  # unwatch the one row shown
        assert json.loads(default_path().read_text())["bases"] == []
        assert order(app2) == []


async def test_corrupt_watchlist_gives_a_notice_not_a_crash(tmp_path):
    path = tmp_path / "watchlist.json"
    path.write_text("[1, 2")
    clock = FrozenClock()
    app = make_app(market(clock), clock, watchlist_path=path)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        assert any("corrupt" in n.message for n in app._notifications)
        assert "★" not in "".join(cell(app, b, "base") for b in order(app))
