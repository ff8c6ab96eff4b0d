"""Navigation as k9s and btop users expect it: a new sort shows its top, Home/End/
PgUp/PgDn on every table, keys typed right after / go into the filter, a paste goes
there whole, and the line under the board names no coin the filter hides."""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input

from fundtui.ui.row_table import RowTable
from fundtui.ui.sectors import SectorScreen
from fundtui.ui.selection import SelectionLine
from tests.fakesource import FakeSource, FrozenClock, quote
from tests.test_ui_sectors import MAP
from tests.uihelp import header_x, loaded, make_app, market, order, poll_all, until


def many(clock: FrozenClock, n: int = 60) -> dict[str, FakeSource]:
    """n bases on two venues, spreads all different (C00 the smallest)."""
    bases = [f"C{i:02d}" for i in range(n)]
    return {
        "binance": FakeSource("binance", [quote("binance", b, 0.0001) for b in bases], clock),
        "okx": FakeSource(
            "okx", [quote("okx", b, 0.0001 + 0.000001 * i) for i, b in enumerate(bases)], clock
        ),
    }


async def back_to_board(pilot) -> None:
    app = pilot.app
    while len(app.screen_stack) > 1:
        app.pop_screen()
        await pilot.pause()


# --- a new sort shows the top ------------------------------------------------------


async def test_every_new_sort_shows_the_top_of_the_new_order():
    clock = FrozenClock()
    sources = many(clock)
    app = make_app(sources, clock, history=False)
    async with app.run_test(size=(160, 20)) as pilot:
        await loaded(pilot, rows=60)
        board = app.board
        for step in (["s"], ["S"], ["r"]):
            await pilot.press("pagedown", "pagedown", "down")
            await pilot.pause()
            assert board.cursor_row > 10 and board.scroll_y > 0
            await pilot.press(*step)
            await pilot.pause()
            assert board.cursor_row == 0, step
            assert board.selected_base == order(app)[0]
            assert board.scroll_y == 0, step
        await pilot.press("end")
        await pilot.pause()
        assert board.scroll_y > 0
        await pilot.click("#board", offset=(header_x(app, "base"), 0))
        await pilot.pause()
        assert board.sort_key == "base"
        assert board.selected_base == "C00" and board.cursor_row == 0 and board.scroll_y == 0


async def test_a_refresh_still_keeps_the_cursor_on_its_base():
    clock = FrozenClock()
    sources = many(clock, 20)
    app = make_app(sources, clock, history=False)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot, rows=20)
        await pilot.press("down", "down", "down")
        base = app.board.selected_base
        # the selected base takes the top spread: it moves to row 0 with the cursor
        sources["okx"].quotes[3] = quote("okx", base, 0.01)
        await poll_all(pilot, sources)
        assert order(app)[0] == base and app.board.selected_base == base


# --- Home, End, PgUp, PgDn -----------------------------------------------------------


async def test_home_end_pgup_pgdn_on_the_board():
    clock = FrozenClock()
    app = make_app(many(clock), clock, history=False)
    async with app.run_test(size=(160, 20)) as pilot:
        await loaded(pilot, rows=60)
        board = app.board
        await pilot.press("end")
        await pilot.pause()
        assert board.cursor_row == 59 and board.scroll_y == board.max_scroll_y > 0
        await pilot.press("pageup")
        await pilot.pause()
        assert 0 < board.cursor_row < 59
        await pilot.press("home")
        await pilot.pause()
        assert board.cursor_row == 0 and board.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert board.cursor_row > 5


async def test_home_end_on_the_sector_board():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    from fundtui.ui.sectors import SectorFeed

    app.sectors = SectorFeed(sector_map=MAP)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, SectorScreen))
        await pilot.pause()
        table = app.screen.table
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1 == 3
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("pagedown")
        assert table.cursor_row == 3
        await back_to_board(pilot)


class Tables(App[None]):
    """A row table and a table without a cursor, as the signals and detail screens have."""

    def compose(self) -> ComposeResult:
        yield RowTable(cursor_type="row", id="rows")
        yield RowTable(cursor_type="none", id="plain")

    def on_mount(self) -> None:
        for table in self.query(RowTable):
            table.styles.height = 10
            table.add_column("n", key="n")
            for i in range(50):
                table.add_row(str(i), key=str(i))


async def test_home_end_on_a_table_of_rows_and_on_one_without_a_cursor():
    app = Tables()
    async with app.run_test(size=(40, 24)) as pilot:
        rows, plain = app.query_one("#rows", RowTable), app.query_one("#plain", RowTable)
        rows.focus()
        await pilot.press("end")
        await pilot.pause()
        assert rows.cursor_row == 49 and rows.scroll_y == rows.max_scroll_y > 0
        await pilot.press("home")
        await pilot.pause()
        assert rows.cursor_row == 0 and rows.scroll_y == 0
        plain.focus()
        await pilot.press("end")
        await pilot.pause()
        assert plain.scroll_y == plain.max_scroll_y > 0
        await pilot.press("home")
        await pilot.pause()
        assert plain.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert plain.scroll_y > 0


# --- keys right after / go into the filter; a paste goes in whole --------------------


async def test_keys_typed_at_100_ms_after_slash_go_into_the_filter():
    clock = FrozenClock()
    app = make_app(market(clock), clock, history=False)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        for key in ("u", "slash", "e", "t", "h"):
            await pilot.press(key)
            await pilot.pause(0.1)
        assert app.board.filter_text == "eth"
        assert app.board.unit.name == "APR"  # u ran once, before the filter opened
        assert isinstance(app.focused, Input) and not isinstance(app.screen, SectorScreen)
        assert order(app) == ["ETH"]


async def test_keys_arriving_together_after_slash_go_into_the_filter():
    # A terminal hands over what was typed or pasted in one read: every key is queued
    # before the first is handled. Before, the filter got nothing and t opened the
    # sector board.
    clock = FrozenClock()
    app = make_app(market(clock), clock, history=False)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        for key, char in (("u", "u"), ("slash", "/"), ("e", "e"), ("t", "t"), ("h", "h")):
            app.post_message(events.Key(key, char))
        await pilot.pause(0.3)
        assert not isinstance(app.screen, SectorScreen)
        assert app.board.filter_text == "eth"
        assert app.board.unit.name == "APR"
        await back_to_board(pilot)


async def test_keys_arriving_together_after_t_act_on_the_sector_board_not_the_board(tmp_path):
    clock = FrozenClock()
    app = make_app(market(clock), clock, history=False, watchlist_path=tmp_path / "w.json")
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        for key in ("t", "w"):
            app.post_message(events.Key(key, key))
        await pilot.pause(0.3)
        assert isinstance(app.screen, SectorScreen)
        assert app.watchlist.bases == set()  # w did not watch the hidden board's row
        await back_to_board(pilot)


async def test_a_paste_goes_into_the_filter_whole():
    clock = FrozenClock()
    app = make_app(market(clock), clock, history=False)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        app.post_message(events.Paste("/eth"))
        await pilot.pause(0.2)
        assert not isinstance(app.screen, SectorScreen)
        assert app.query_one("#filter", Input).value == "eth"
        assert app.board.filter_text == "eth"
        assert order(app) == ["ETH"]
        await pilot.press("enter")  # kept; the board has the keys again
        assert app.focused is app.board
        await pilot.press("escape")
        assert len(order(app)) == 4


# --- the selection line under the board -------------------------------------------------


def selection_plain(app) -> str:
    return app.main(SelectionLine)._shown.plain if app.main(SelectionLine)._shown else ""


async def test_the_selection_line_names_no_coin_once_the_filter_hides_every_row():
    clock = FrozenClock()
    app = make_app(market(clock), clock, history=False)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await pilot.pause()
        first = app.board.selected_base
        assert first and selection_plain(app).startswith(first)
        await pilot.press("slash", "z", "z", "z")
        await pilot.pause()
        assert app.board.row_count == 0
        assert selection_plain(app) == ""
        await pilot.press("escape")
        await pilot.pause()
        assert app.board.row_count == 4


async def test_the_selection_line_follows_the_cursor_when_the_filter_hides_its_coin():
    clock = FrozenClock()
    app = make_app(market(clock), clock, history=False)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await pilot.pause()
        assert app.board.selected_base == "SOL" and selection_plain(app).startswith("SOL")
        await pilot.press("slash", "b", "t")
        await pilot.pause()
        assert order(app) == ["BTC"] and app.board.selected_base == "BTC"
        assert selection_plain(app).startswith("BTC")


# --- whole columns at the edges ---------------------------------------------------------

SIX = ("binance", "bybit", "okx", "bitget", "gate", "hyperliquid")


def six(clock: FrozenClock, n: int = 40) -> dict[str, FakeSource]:
    """n bases on six venues: more rows than the screen, so a vertical scrollbar shows."""
    bases = [f"C{i:02d}" for i in range(n)]
    return {
        v: FakeSource(v, [quote(v, b, -0.00001 * (i + 1), interval_h=1) for b in bases], clock)
        for i, v in enumerate(SIX)
    }


def header_titles(board) -> list[str]:
    return board.render_line(0).text.split()


async def test_at_160_columns_no_column_is_cut_and_the_last_one_shows_whole():
    # Six venues need 183 columns: the one the right edge cut showed as ``hyperliqui``
    # over ``-0.00006%·1``; scrolled to the end, the columns behind Base were cut too;
    # a fragment under the vertical scrollbar is blank as well.
    clock = FrozenClock()
    app = make_app(six(clock), clock, history=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, rows=40)
        await pilot.pause()
        board = app.board
        assert board.show_vertical_scrollbar
        titles = {w for c in board.columns.values() for w in c.label.plain.strip("▼▲").split()}
        assert board.max_scroll_x > 0
        positions = []
        while True:
            shown = header_titles(board)
            assert all(t.strip("▼▲") in titles for t in shown), shown  # no fragment
            row = board.render_line(1).text
            assert "·1" not in row.replace("·1h", "")  # no rate cut short
            positions.append(board.scroll_x)
            if board.scroll_x >= board.max_scroll_x:
                break
            await pilot.press("right")
            await pilot.pause()
        assert len(positions) > 1 and positions == sorted(set(positions))
        shown = header_titles(board)
        assert shown[-2:] == ["Δ8h/h", "Premium"] and "hyperliquid" in shown
        assert "Trend" not in shown  # cut by the fixed Base column: blank, not a fragment
        await pilot.press("left")
        await pilot.pause()
        assert board.scroll_x < board.max_scroll_x
