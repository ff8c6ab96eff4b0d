"""An empty board says why, in the board's place: no venue answered (each venue's
reason in full, and what to do), still connecting, or a filter that matches nothing."""

from __future__ import annotations

from fundtui.ui.empty_board import EmptyBoard
from tests.fakesource import FakeSource, FrozenClock, fail
from tests.uihelp import loaded, make_app, market, poll_all, until


def shown(app) -> str:
    empty = app.main(EmptyBoard)
    return str(empty.render()) if empty.has_class("-shown") else ""


async def test_no_venue_answered_names_every_reason_and_what_to_do():
    clock = FrozenClock()
    sources = {v: FakeSource(v, [], clock) for v in ("binance", "okx")}
    fail(sources["binance"], "cannot reach fapi.binance.com (Name or service not known) [/]")
    fail(sources["okx"], "HTTP 503 Service Unavailable")
    app = make_app(sources, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: "No venue has answered" in shown(app))
        text = shown(app)
        # the whole reason, where the status strip cuts it; markup in it stays text
        assert "cannot reach fapi.binance.com (Name or service not known) [/]" in text
        assert "HTTP 503 Service Unavailable" in text
        assert "proxy" in text and "api_base" in text and "fundtui --demo" in text
        assert app.board.has_class("-empty")
        # a venue answers: the board is back and the message goes
        sources["okx"].error = None
        sources["okx"].quotes = market(clock)["okx"].quotes
        await poll_all(pilot, {"okx": sources["okx"]})
        await until(pilot, lambda: app.board.row_count > 0)
        assert shown(app) == "" and not app.board.has_class("-empty")


async def test_a_filter_that_matches_nothing_says_so_and_esc_brings_the_rows_back():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", "z", "z", "z")
        await until(pilot, lambda: app.board.row_count == 0)
        assert "No base matches “zzz”. Esc clears the filter." in shown(app)
        await pilot.press("escape", "escape")
        await until(pilot, lambda: app.board.row_count == 4)
        assert shown(app) == ""


async def test_r_says_that_it_polls_and_which_venues_wait_out_a_rate_limit():
    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot)
        app.engine.pollers["okx"].not_before_ms = clock() + 60_000  # okx asked us to wait
        await pilot.press("R")
        await pilot.pause()
        notes = [n.message for n in app._notifications]
        assert "Polling binance, gate now; waiting out the rate limit of okx" in notes
