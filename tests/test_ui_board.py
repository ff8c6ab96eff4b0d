"""The board: rows, cells in each unit, sorting, filter, cursor, diffed updates."""

from __future__ import annotations

import pytest
from textual.widgets.data_table import CellDoesNotExist

from tests.fakesource import FakeSource, FrozenClock, quote
from tests.uihelp import cell, header_x, loaded, make_app, market, order, poll_all


async def test_rows_and_cells_in_8h_equivalent():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        # default sort: max spread, descending; DOGE (one venue, no spread) last
        assert order(app) == ["SOL", "ETH", "BTC", "DOGE"]
        assert cell(app, "BTC", "v:binance") == "0.0100%"
        assert cell(app, "BTC", "v:okx") == "0.0120%"
        assert cell(app, "BTC", "v:gate") == "-0.00800%·1h"  # 1 h rate scaled to 8 h
        assert cell(app, "ETH", "v:binance") == "0.0100%·4h"
        assert cell(app, "BTC", "spread") == "0.0200%"
        assert cell(app, "BTC", "legs") == "L GATE S OKX"
        assert cell(app, "SOL", "legs") == "L BIN  S GATE"
        assert cell(app, "SOL", "v:okx") == ""
        assert cell(app, "BTC", "premium") == "+0.1000%"
        assert cell(app, "ETH", "next") == "20m"
        assert cell(app, "BTC", "next") == "1h00m"
        assert cell(app, "DOGE", "spread") == ""


async def test_unit_key_cycles_and_keeps_the_interval_visible():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("u")  # APR: 0.005 %/4h * 8760 / 4 = 10.95 %
        assert cell(app, "ETH", "v:binance") == "10.95%·4h"
        assert cell(app, "BTC", "v:okx") == "13.14%"
        assert app.board.columns["spread"].label.plain.startswith("Sprd APR")
        # okx 0.012 % vs gate -0.001 %/1h = -0.008 %/8h: 0.020 %/8h x 3 x 365 = 21.90 %
        assert cell(app, "BTC", "spread") == "21.90%"
        await pilot.press("u")  # raw per interval
        assert cell(app, "ETH", "v:binance") == "0.00500%·4h"  # three significant digits
        assert cell(app, "BTC", "v:gate") == "-0.00100%·1h"
        assert cell(app, "BTC", "spread") == "0.0200%"  # spreads stay 8h-equivalent
        await pilot.press("u")
        assert cell(app, "ETH", "v:binance") == "0.0100%·4h"


async def test_sort_keys_and_reverse():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("S")  # previous column: Base, ascending
        assert app.board.sort_key == "base"
        assert order(app) == ["BTC", "DOGE", "ETH", "SOL"]
        await pilot.press("r")
        assert order(app) == ["SOL", "ETH", "DOGE", "BTC"]
        assert app.board.columns["base"].label.plain == "Base▼"
        assert app.board.columns["spread"].label.plain == "Sprd 8h"


async def test_header_click_sorts_and_a_second_click_reverses():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await pilot.click("#board", offset=(header_x(app, "v:okx"), 0))
        await pilot.pause()
        assert app.board.sort_key == "v:okx"
        # okx 8h: ETH 0.035 %, DOGE 0.01 %/4h = 0.02 %, BTC 0.012 %; SOL not listed
        assert order(app) == ["ETH", "DOGE", "BTC", "SOL"]
        await pilot.click("#board", offset=(header_x(app, "v:okx"), 0))
        await pilot.pause()
        assert order(app) == ["BTC", "DOGE", "ETH", "SOL"]  # missing stays last


async def test_filter_narrows_and_escape_clears():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", "o")  # in DOGE and SOL
        assert sorted(order(app)) == ["DOGE", "SOL"]
        await pilot.press("l", "enter")
        assert order(app) == ["SOL"]
        assert app.focused is app.board  # Enter keeps the filter, back on the board
        await pilot.press("escape")
        assert len(order(app)) == 4


async def test_cursor_follows_its_base_across_refresh_and_a_new_sort_shows_the_top():
    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("down", "down")
        assert app.board.selected_base == "BTC"
        assert app.board.cursor_row == 2
        sources["okx"].quotes[0] = quote("okx", "BTC", 0.001)  # BTC now has the top spread
        await poll_all(pilot, sources)
        assert order(app)[0] == "BTC"
        assert app.board.selected_base == "BTC" and app.board.cursor_row == 0
        await pilot.press("down")
        await poll_all(pilot, sources)  # a refresh keeps it on its base
        assert app.board.selected_base == order(app)[1]
        await pilot.press("S", "r")  # base, descending: SOL ETH DOGE BTC, read from the top
        assert app.board.cursor_row == 0
        assert app.board.selected_base == "SOL"


async def test_refresh_updates_only_the_changed_cells():
    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        board = app.board
        calls: list[tuple[str, str]] = []
        structural: list[str] = []
        real_update = board.update_cell

        def spy(row_key, column_key, value, **kw):
            calls.append((str(row_key), str(column_key)))
            return real_update(row_key, column_key, value, **kw)

        board.update_cell = spy
        board.add_row = lambda *a, **k: structural.append("add")
        board.remove_row = lambda *a, **k: structural.append("remove")
        board.clear = lambda *a, **k: structural.append("clear")

        await poll_all(pilot, sources)  # same data again: nothing to touch
        assert calls == [] and structural == []

        sources["okx"].quotes[0] = quote("okx", "BTC", 0.00013)
        await poll_all(pilot, sources)
        # the spread moved, and with it what it nets and when it breaks even
        assert sorted(calls) == [
            ("BTC", "breakeven"),
            ("BTC", "net"),
            ("BTC", "spread"),
            ("BTC", "v:okx"),
        ]
        assert structural == []
        assert cell(app, "BTC", "v:okx") == "0.0130%"


async def test_rows_come_and_go_without_a_refill():
    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        board = app.board
        cleared: list[bool] = []
        board.clear = lambda *a, **k: cleared.append(True)
        sources["okx"].quotes = [q for q in sources["okx"].quotes if q.base != "DOGE"]
        sources["gate"].quotes.append(quote("gate", "XRP", 0.0002))
        await poll_all(pilot, sources)
        assert sorted(order(app)) == ["BTC", "ETH", "SOL", "XRP"]
        assert cleared == []


async def test_clock_tick_touches_only_the_countdown():
    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        app.ticker.pause()
        board = app.board
        touched: set[str] = set()
        real_update = board.update_cell

        def spy(row_key, column_key, value, **kw):
            touched.add(str(column_key))
            return real_update(row_key, column_key, value, **kw)

        board.update_cell = spy
        clock.advance(1)  # 20m00s -> 19m59s
        app.tick()
        assert touched == {"next"}
        touched.clear()
        clock.advance(30)  # no countdown changes its minute: nothing to touch
        app.tick()
        assert touched == set()
        clock.advance(30)
        app.tick()
        assert touched == {"next"}
        assert cell(app, "ETH", "next") == "18m"
        assert cell(app, "BTC", "next") == "58m"
        assert str(app.query_one("#clock").render()) == "00:01 UTC"
        clock.advance(15 * 60 + 2)  # 3m57s left: still whole minutes
        await poll_all(pilot, sources)  # (and the venues fresh, or no countdown shows)
        app.tick()
        assert cell(app, "ETH", "next") == "3m"
        clock.advance(3 * 60)  # inside its last minute: seconds now
        await poll_all(pilot, sources)
        app.tick()
        assert cell(app, "ETH", "next") == "57s"


async def test_escape_inside_the_filter_clears_and_closes_it():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", "b", "t")
        assert order(app) == ["BTC"]
        await pilot.press("escape")
        assert len(order(app)) == 4
        assert not app.query_one("#filter").has_class("-open")
        assert app.focused is app.board


async def test_arrows_scroll_whole_columns_at_80_columns():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        board = app.board
        assert board.fixed_columns == 1 and board.max_scroll_x > 0
        await pilot.press("right")
        assert board.scroll_x == board.columns["spread"].get_render_width(board)
        await pilot.press("left")
        assert board.scroll_x == 0


async def test_theme_change_recolours_the_cells():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        app.theme = "textual-light"
        await pilot.pause()
        success = app.get_css_variables()["success"].lower()
        assert app.board.palette.pos[0].color.name == success
        assert app.board.get_cell("BTC", "v:binance").spans[0].style == app.board.palette.pos[0]


async def test_fresh_timestamps_and_moving_marks_redraw_no_rate_cell(monkeypatch):
    # Venues stamp every answer afresh and mark prices move on every poll; a rate
    # cell shows only the rate and interval, so none is re-rendered for that.
    from dataclasses import replace

    from fundtui.ui import format as fmt

    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        for source in sources.values():
            source.quotes = [
                replace(q, timestamp_ms=clock() + 1, mark_price=(q.mark_price or 100.0) + 0.5)
                for q in source.quotes
            ]
        rendered: list[str] = []
        real = fmt.rate_cell
        monkeypatch.setattr(
            fmt,
            "rate_cell",
            lambda q, *a, **k: (rendered.append(q.venue if q else ""), real(q, *a, **k))[1],
        )
        await poll_all(pilot, sources)
        assert rendered == []
        assert cell(app, "BTC", "premium") != "+0.100%"  # the premium did move
        sources["okx"].quotes[0] = replace(sources["okx"].quotes[0], funding_rate=0.0002)
        await poll_all(pilot, sources)
        assert rendered == ["okx"]
        assert cell(app, "BTC", "v:okx") == "0.0200%"


async def test_a_moving_trend_redraws_only_the_trend_cell(monkeypatch):
    # The trend line shifts every refresh while most rates stand still: only the
    # cells whose part of the row changed are redrawn.
    from dataclasses import replace

    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock, history=False)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        rows = {b: replace(r, trend=(0.0001,)) for b, r in app.rows.items()}
        app.board.set_rows(rows, clock())
        updated: list[tuple[str, str]] = []
        real = app.board.update_cell
        monkeypatch.setattr(
            app.board,
            "update_cell",
            lambda row, col, *a, **k: (updated.append((row, col)), real(row, col, *a, **k))[1],
        )
        rows = {
            b: replace(r, trend=(0.0001, 0.0003 if b == "BTC" else 0.0001)) for b, r in rows.items()
        }
        app.board.set_rows(rows, clock())
        assert set(updated) == {(b, "trend") for b in rows}
        updated.clear()
        rows["BTC"] = replace(rows["BTC"], velocity=0.0001)
        app.board.set_rows(rows, clock())
        assert updated == [("BTC", "velocity")]
        assert cell(app, "BTC", "velocity") == "+0.0100%"


async def test_off_screen_trend_cells_are_drawn_when_scrolled_into_view():
    from dataclasses import replace

    clock = FrozenClock()
    bases = [f"C{i:02d}" for i in range(60)]
    sources = {
        "binance": FakeSource("binance", [quote("binance", b, 0.0001) for b in bases], clock),
        "okx": FakeSource("okx", [quote("okx", b, 0.0002) for b in bases], clock),
    }
    app = make_app(sources, clock, history=False)
    async with app.run_test(size=(160, 20)) as pilot:
        await loaded(pilot, rows=60)
        app.board.sort_by("base", desc=False)
        rows = {b: replace(r, trend=(0.0001,)) for b, r in app.rows.items()}
        app.board.set_rows(rows, clock())
        await pilot.pause()
        before = cell(app, "C59", "trend")
        rows = {b: replace(r, trend=(0.0001, 0.0003)) for b, r in rows.items()}
        app.board.set_rows(rows, clock())
        await pilot.pause()
        assert cell(app, "C00", "trend") != before  # on screen: drawn at once
        assert cell(app, "C59", "trend") == before  # far below: waits
        app.board.move_cursor(row=59)
        await pilot.pause()
        assert cell(app, "C59", "trend") == cell(app, "C00", "trend")


def spy_rendered_cells(board, monkeypatch) -> list[tuple[str, str]]:
    """(row key, column key) of every body cell the board renders from now on."""
    from textual.widgets import DataTable

    rendered: list[tuple[str, str]] = []
    real = DataTable._render_cell

    def spy(self, row_index, column_index, *a, **k):
        if self is board and row_index >= 0 and column_index >= 0:
            rendered.append(
                (
                    board._row_locations.get_key(row_index).value,
                    board._column_locations.get_key(column_index).value,
                )
            )
        return real(self, row_index, column_index, *a, **k)

    monkeypatch.setattr(DataTable, "_render_cell", spy)
    return rendered


async def test_a_refresh_renders_again_only_the_cells_that_changed(monkeypatch):
    # DataTable drops every rendered cell on any update; the board keeps them by
    # content, so a refresh renders only the cells it replaced, and what is on
    # screen still follows the data and the theme.
    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock, history=False)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await pilot.pause()
        board = app.board

        def line(base: str):
            return board.render_line(board.get_row_index(base) + 1)  # + the header

        assert "0.0120%" in line("BTC").text
        rendered = spy_rendered_cells(board, monkeypatch)
        sources["okx"].quotes[0] = quote("okx", "BTC", 0.00013)
        await poll_all(pilot, sources)
        await pilot.pause()
        for base in ("SOL", "ETH", "BTC", "DOGE"):
            line(base)  # whatever the screen did not repaint yet
        assert ("BTC", "v:okx") in rendered
        rates = {c for c in rendered if c[1].startswith("v:")}
        assert rates == {("BTC", "v:okx")}
        assert "0.0130%" in line("BTC").text and "0.0120%" not in line("BTC").text

        before = list(line("BTC"))
        app.theme = "textual-light"
        await pilot.pause()
        assert list(line("BTC")) != before  # recoloured, not served from the cache


async def test_a_row_moved_by_the_sort_keeps_its_rendering_with_its_new_row_number(monkeypatch):
    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock, history=False)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await pilot.pause()
        board = app.board
        assert order(app) == ["SOL", "ETH", "BTC", "DOGE"]
        rendered = spy_rendered_cells(board, monkeypatch)
        sources["okx"].quotes[0] = quote("okx", "BTC", 0.001)  # BTC to the top
        await poll_all(pilot, sources)
        await pilot.pause()
        assert order(app) == ["BTC", "SOL", "ETH", "DOGE"]
        for index, base in enumerate(order(app)):
            strip = board.render_line(index + 1)  # + the header
            assert base in strip.text
            rows = {seg.style.meta.get("row") for seg in strip if seg.style and seg.style.meta}
            assert rows == {index}  # a click lands on the row shown there
        # SOL and ETH moved down one row; their rate cells were not rendered again
        assert not [c for c in rendered if c[0] in ("SOL", "ETH") and c[1].startswith("v:")]


async def test_a_refresh_s_cell_updates_share_one_table_refresh(monkeypatch):
    from dataclasses import replace

    clock = FrozenClock()
    app = make_app(market(clock), clock, history=False)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        board = app.board
        refreshes: list[int] = []
        real = board.refresh
        monkeypatch.setattr(
            board, "refresh", lambda *a, **k: (refreshes.append(1), real(*a, **k))[1]
        )
        rows = {
            b: replace(r, velocity=0.0001 * (i + 1)) for i, (b, r) in enumerate(app.rows.items())
        }
        app.board.set_rows(rows, clock())
        assert len(refreshes) == 1
        await pilot.pause()
        assert cell(app, "DOGE", "velocity") != "" and cell(app, "BTC", "velocity") != ""
        with pytest.raises(CellDoesNotExist):  # outside a refresh, DataTable's own checks
            board.update_cell("NOPE", "velocity", "x")
