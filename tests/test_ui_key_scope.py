"""The board's keys act only on the board: on the sector board and the detail view the
board is hidden, so its keys do nothing there and those screens' footers leave them out."""

from __future__ import annotations

from textual.widgets import Input
from textual.widgets._footer import FooterKey

from fundtui.ui.detail import DetailScreen
from fundtui.ui.sectors import SectorScreen
from tests.fakesource import FrozenClock
from tests.test_ui_sectors import MAP
from tests.uihelp import loaded, make_app, market, until

pytest_plugins = ("tests.fakevenue.fixtures",)

from tests.netguard import loopback_only  # noqa: E402,F401 - autouse: no internet

#: Footer actions that belong to the board (its rows, unit, sort, filter, watchlist).
BOARD_FOOTER = {"unit", "sort(1)", "reverse", "filter", "watch", "watch_only"}


def footer_actions(app) -> set[str]:
    """What the active screen's footer offers, as the actions its keys run."""
    return {k.action for k in app.screen.query(FooterKey)}


def sector_app(clock, tmp_path):
    from fundtui.ui.sectors import SectorFeed

    app = make_app(market(clock), clock, watchlist_path=tmp_path / "w.json")
    app.sectors = SectorFeed(sector_map=MAP)
    return app


async def back_to_board(pilot) -> None:
    app = pilot.app
    while len(app.screen_stack) > 1:
        app.pop_screen()
        await pilot.pause()


async def test_w_on_the_sector_board_watches_nothing_and_says_nothing(tmp_path):
    clock = FrozenClock()
    app = sector_app(clock, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        assert app.board.selected_base is not None  # a hidden row w could act on
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, SectorScreen))
        await pilot.pause()
        toasts = len(app._notifications)
        await pilot.press("w", "v", "u", "slash")
        await pilot.pause()
        assert app.watchlist.bases == set()
        assert not (tmp_path / "w.json").exists()
        assert len(app._notifications) == toasts
        assert not app.board.watch_only
        assert not app.main("#filter", Input).has_class("-open")
        assert isinstance(app.screen, SectorScreen)
        await back_to_board(pilot)


async def test_sector_board_footer_leaves_out_the_board_keys(tmp_path):
    clock = FrozenClock()
    app = sector_app(clock, tmp_path)
    async with app.run_test(size=(200, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, SectorScreen))
        await pilot.pause()
        shown = footer_actions(app)
        assert "close" in shown and "quit" in shown  # its own keys and the global ones
        assert not shown & {"unit", "filter", "watch", "watch_only"}
        await back_to_board(pilot)


async def test_board_keys_on_the_detail_view_leave_the_board_alone_and_work_back_on_it(tmp_path):
    clock = FrozenClock()
    app = make_app(market(clock), clock, watchlist_path=tmp_path / "w.json")
    async with app.run_test(size=(200, 45)) as pilot:
        await loaded(pilot)
        unit, sort_key = app.board.unit, app.board.sort_key
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await pilot.pause()
        toasts = len(app._notifications)
        await pilot.press("u", "s", "S", "r", "slash", "w")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert (app.board.unit, app.board.sort_key) == (unit, sort_key)
        assert not app.main("#filter", Input).has_class("-open")
        assert app.watchlist.bases == set()
        assert len(app._notifications) == toasts
        assert not footer_actions(app) & BOARD_FOOTER
        assert "quit" in footer_actions(app)
        await pilot.press("escape")  # the detail view's own Escape still closes it
        await until(pilot, lambda: len(app.screen_stack) == 1)
        await pilot.pause()
        # back on the board, its footer lists the keys again and they act
        assert BOARD_FOOTER <= footer_actions(app)
        base = app.board.selected_base
        await pilot.press("u", "s", "w")
        await pilot.pause()
        assert app.board.unit != unit and app.board.sort_key != sort_key
        assert app.watchlist.bases == {base}
        assert any(f"Watching {base}" in n.message for n in app._notifications)
        await pilot.press("slash")
        await pilot.pause()
        assert app.main("#filter", Input).has_class("-open")


def test_the_board_keys_are_bound_on_the_board_screen_and_nowhere_else():
    from fundtui.ui.app import FundApp
    from fundtui.ui.board_screen import BoardScreen

    board_keys = {"u", "s", "S", "r", "slash", "escape", "w", "v,W", "c", "C"}
    app_keys = {b.key for b in FundApp.BINDINGS}
    assert app_keys == {"q", "question_mark", "R", "t", "g", "m"}  # m: mute toasts anywhere
    assert board_keys <= {b.key for b in BoardScreen.BINDINGS}
    assert "check_action" not in FundApp.__dict__  # no screen test standing in for scope
