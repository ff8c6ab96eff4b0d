"""The app with history: signals raise toasts and reach the log and the signals screen,
Enter opens the detail view and Escape returns to the same row, and the board's
trend and velocity columns fill in."""

from __future__ import annotations

import json

import pytest
from textual.widgets import DataTable

from fundtui.config import Config
from fundtui.core.accrual import Settlement
from fundtui.store.paths import data_dir
from fundtui.ui.app import FundApp
from fundtui.ui.detail import DetailScreen
from fundtui.ui.signals_screen import SignalsScreen
from tests.fakesource import HOUR, T0, FakeSource, FrozenClock, quote
from tests.uihelp import REFRESH_S, cell, evaluated, loaded, make_app, market, poll_all, until


def rich_spread(sources):
    # ETH: okx 0.08 %/8h against binance 0.01 %/8h (0.005 % per 4 h): 0.07 % >= 0.05 %
    sources["okx"].quotes[1] = quote("okx", "ETH", 0.0008)


def app_notes(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_a_signal_toasts_rings_when_asked_and_is_logged(monkeypatch):
    clock = FrozenClock()
    sources = market(clock)
    rich_spread(sources)
    config = Config(exchanges=tuple(sources), refresh_seconds=REFRESH_S, bell=True)
    app = FundApp(config, lambda: list(sources.values()), clock=clock, gather_s=0.02)
    bells = []
    monkeypatch.setattr(app, "bell", lambda: bells.append(1))
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await evaluated(pilot, app)
        await until(
            pilot, lambda: any("okx pays 0.0700%/8h more than binance" in m for m in app_notes(app))
        )
        assert bells == [1]
        assert [h.rule for h in app.signals] == ["spread"]
    lines = (data_dir() / "signals.jsonl").read_text().splitlines()
    assert [json.loads(line)["base"] for line in lines] == ["ETH"]


async def test_no_bell_unless_configured(monkeypatch):
    clock = FrozenClock()
    sources = market(clock)
    rich_spread(sources)
    app = make_app(sources, clock)
    bells = []
    monkeypatch.setattr(app, "bell", lambda: bells.append(1))
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await evaluated(pilot, app)
        await until(pilot, lambda: len(app.signals) == 1)
        assert bells == []


async def test_signals_screen_lists_newest_first_filters_by_rule_and_opens_details():
    clock = FrozenClock()
    sources = market(clock)
    rich_spread(sources)
    app = make_app(sources, clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await evaluated(pilot, app)
        await pilot.press("g")
        screen = app.screen
        assert isinstance(screen, SignalsScreen)
        table = screen.query_one("#signals", DataTable)
        assert table.row_count == 1
        row = [c.plain for c in table.get_row_at(0)]
        assert row[1:6] == ["spread", "ETH", "okx / binance", "0.0700%/8h", "0.0500%/8h"]
        # a later hit arrives while the screen is open: it goes on top
        clock.advance(REFRESH_S)
        sources["okx"].quotes[0] = quote("okx", "BTC", 0.0009)  # BTC: 0.09 % vs 0.01 %
        await poll_all(pilot, sources)
        await evaluated(pilot, app)
        await until(pilot, lambda: table.row_count == 2)
        assert table.get_row_at(0)[2].plain == "BTC"
        await pilot.press("f")  # spread only: both stay
        assert screen.rule == "spread" and table.row_count == 2
        await pilot.press("f")  # deviation: none
        assert screen.rule == "deviation" and table.row_count == 0
        await pilot.press("a")
        assert screen.rule is None and table.row_count == 2
        table.move_cursor(row=1)
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen) and app.screen.base == "ETH"
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("escape")
        assert not isinstance(app.screen, SignalsScreen)


class HistorySource(FakeSource):
    """A fake venue that also serves settled funding history."""

    def __init__(self, *a, **kw) -> None:
        super().__init__(*a, **kw)
        self.requests: list[tuple[str, int]] = []

    async def settlements(self, symbol: str, since_ms: int) -> list[Settlement]:
        self.requests.append((symbol, since_ms))
        # every 8 h for 10 days up to T0: 0.01 % each, 0.03 % on the last day
        return [
            Settlement(T0 - k * 8 * HOUR, 0.0001 if k >= 3 else 0.0003, 8.0)
            for k in range(30)
            if T0 - k * 8 * HOUR >= since_ms
        ]


async def test_detail_view_shows_settlements_and_accumulated_funding_and_escape_returns():
    clock = FrozenClock(T0 + 60_000)
    sources = market(clock)
    sources["binance"] = HistorySource("binance", sources["binance"].quotes, clock)
    app = make_app(sources, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        await evaluated(pilot, app)
        app.board.move_cursor(row=app.board.get_row_index("BTC"))
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, DetailScreen) and screen.base == "BTC"
        await until(pilot, lambda: screen.loaded.is_set())
        await pilot.pause()
        accrued = screen.query_one("#accrued", DataTable)
        row = {c: accrued.get_cell("binance", c).plain for c in ("1d", "7d", "30d", "from")}
        # 1 d: three settlements of 0.03 %; 7 d: 3 x 0.03 + 18 x 0.01; 30 d: only 10 days
        assert row == {"1d": "+0.0900% ", "7d": "+0.2700% ", "30d": "+0.3600%*", "from": "venue"}
        assert sources["binance"].requests == [("BTC/USDT:USDT", T0 + 60_000 - 30 * 24 * HOUR)]
        # okx has no history endpoint here and nothing recorded a settlement yet
        assert accrued.get_cell("okx", "from").plain == "recorded"
        assert accrued.get_cell("okx", "1d").plain == "n/a"
        settled = screen.query_one("#settled", DataTable)
        assert settled.get_row_at(0)[0].plain == "01-01 00:00"
        assert settled.get_cell(str(T0), "binance").plain == "0.0300%"
        await pilot.press("2")
        assert screen.range == "7d"
        await pilot.press("o")
        assert screen.extra == "oi"
        await pilot.press("escape")
        assert not isinstance(app.screen, DetailScreen)
        assert app.board.selected_base == "BTC"
        # a second visit reads the cache: the venue is not asked again for what it gave
        await pilot.press("enter")
        again = app.screen
        await until(pilot, lambda: again.loaded.is_set())
        assert len(sources["binance"].requests) == 1
        assert again.settled["binance"].source == "cache"


async def test_trend_and_velocity_fill_in_and_the_selection_line_shows_ema_gaps():
    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock)
    async with app.run_test(size=(200, 30)) as pilot:
        await loaded(pilot)
        await evaluated(pilot, app)
        for step in range(3):
            clock.advance(REFRESH_S)
            sources["okx"].quotes[0] = quote("okx", "BTC", 0.00012 + 0.0001 * (step + 1))
            await poll_all(pilot, sources)
            await evaluated(pilot, app)
        # BTC spread went 0.002 -> 0.012 -> 0.022 -> 0.032 %: a rising line
        assert cell(app, "BTC", "trend").strip() == "▁▃▆█"
        # the velocity is a slope over the last hour: 90 s of samples do not make one
        assert cell(app, "BTC", "velocity") == "n/a"
        app.board.move_cursor(row=app.board.get_row_index("BTC"))
        await pilot.pause()
        line = str(app.main("#selection").render())
        # one EMA period so far: the EMA is seeded with its own latest value, no gap yet
        assert line == (
            "BTC  rate − EMA(12×1h), per hour: BIN +0.0000% · OKX +0.0000% · GATE +0.0000%"
        )
        # an hour later okx pays 0.0065 %/h; its EMA(12) moves 2/13 of the way from the
        # last hour's 0.00525 %/h: 0.00525 + (0.0065 - 0.00525) * 2/13 = 0.00544 %/h,
        # so the rate sits 0.0065 - 0.00544 = +0.0011 %/h above it
        clock.advance(3600)
        sources["okx"].quotes[0] = quote("okx", "BTC", 0.00052)
        await poll_all(pilot, sources)
        await evaluated(pilot, app)
        await pilot.pause()
        line = str(app.main("#selection").render())
        assert line == (
            "BTC  rate − EMA(12×1h), per hour: BIN +0.0000% · OKX +0.00106% · GATE +0.0000%"
        )
        # the hour is covered now; its samples are the one at +90 s and this one (the
        # earlier ones fell out of it): okx 0.042 -> 0.052 %/8h in an hour = +0.01 %/8h
        # per hour, binance and gate flat, so the base's mean is +0.00333 %/8h per hour
        assert cell(app, "BTC", "velocity") == "+0.00333%"


async def test_sector_velocity_has_its_baseline_from_the_store_right_after_start():
    from fundtui.core.quote import Quote
    from fundtui.store.history import HistoryStore

    clock = FrozenClock()
    eight_h_ago = clock() - 8 * HOUR - 30_000
    with HistoryStore.open(data_dir() / "history.sqlite3") as store:
        store.record(
            [
                Quote(v, "BTC/USDT:USDT", "BTC", "USDT", 0.00005, 8.0)
                for v in ("binance", "okx", "gate")
            ],
            eight_h_ago,
        )
    app = make_app(market(clock), clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await evaluated(pilot, app)
        clock.advance(REFRESH_S)
        await poll_all(pilot, market_sources(app))
        stats = app.sectors.stats["Bitcoin"]
        assert stats.then_apr[8] == pytest.approx(0.00005 * 3 * 365)
        assert stats.velocity[8] is not None
        assert stats.velocity[1] is None  # nothing stored an hour ago: n/a, not a guess


def market_sources(app):
    return {s.name: s for s in app.sources}


def test_detail_chart_points_are_8h_percent_against_time_before_now():
    from fundtui.store.history import Sample
    from fundtui.ui.detail import chart_points

    now = 100 * HOUR
    samples = [
        Sample(
            "okx",
            "BTC/USDT:USDT",
            "BTC",
            "USDT",
            now - 2 * HOUR,
            0.00005,
            4.0,
            None,
            100.0,
            99.9,
            0.001,
            2.5e6,
        ),
        Sample(
            "okx",
            "BTC/USDT:USDT",
            "BTC",
            "USDT",
            now - HOUR // 2,
            None,
            4.0,
            None,
            None,
            None,
            None,
            None,
        ),
    ]
    # 0.005 % per 4 h = 0.01 % per 8 h, two hours before now; the sample without a rate
    # is left out, never drawn as zero
    assert chart_points(samples, now, HOUR, "rate") == ([-2.0], [pytest.approx(0.01)])
    assert chart_points(samples, now, HOUR, "premium") == ([-2.0], [pytest.approx(0.1)])
    assert chart_points(samples, now, 24 * HOUR, "oi") == ([pytest.approx(-2 / 24)], [2.5])


async def test_watched_coins_settlements_are_cached_without_opening_them():
    from fundtui.store.history import HistoryStore

    clock = FrozenClock(T0 + 60_000)
    sources = market(clock)
    sources["binance"] = HistorySource("binance", sources["binance"].quotes, clock)
    (data_dir() / "watchlist.json").write_text(json.dumps({"version": 1, "bases": ["BTC"]}))
    app = make_app(sources, clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await evaluated(pilot, app)
        await until(pilot, lambda: sources["binance"].requests)
        await until(pilot, lambda: app.engine.watch_rounds > 0)  # the catch-up finished
        # only the watched coin, only the venue that serves history
        assert sources["binance"].requests == [("BTC/USDT:USDT", T0 + 60_000 - 30 * 24 * HOUR)]
    with HistoryStore.open(data_dir() / "history.sqlite3") as store:
        cached = store.settlements("binance", "BTC/USDT:USDT", 0)
    assert len(cached) == 30 and cached[-1] == Settlement(T0, 0.0003, 8.0)


class MixedIntervalSource(HistorySource):
    """Settlements of a venue whose interval was sometimes not known."""

    async def settlements(self, symbol: str, since_ms: int) -> list[Settlement]:
        self.requests.append((symbol, since_ms))
        return [
            Settlement(T0, 0.0003, None),
            Settlement(T0 - 4 * HOUR, 0.0001, 4.0),
            Settlement(T0 - 8 * HOUR, 0.0001, 0.0),
            Settlement(T0 - 16 * HOUR, 0.0006, 8.0),
        ]


async def test_detail_settlements_with_an_unknown_interval_read_as_unknown_not_as_8h():
    from fundtui.ui import format as fmt

    clock = FrozenClock(T0 + 60_000)
    sources = market(clock)
    sources["binance"] = MixedIntervalSource("binance", sources["binance"].quotes, clock)
    app = make_app(sources, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        app.board.move_cursor(row=app.board.get_row_index("BTC"))
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        await until(pilot, lambda: screen.loaded.is_set())
        await pilot.pause()
        p, settled = screen.palette, screen.query_one("#settled", DataTable)
        cells = {
            t: settled.get_cell(str(t), "binance")
            for t in (T0, T0 - 4 * HOUR, T0 - 8 * HOUR, T0 - 16 * HOUR)
        }
        # no suffix would mean 8 h: an unknown interval (None or 0) says so, in the
        # warning colour, with no 8h-equivalent behind its colour
        assert cells[T0].plain == "0.0300%·?h" and cells[T0].style == p.warn
        assert cells[T0 - 8 * HOUR].plain == "0.0100%·?h" and cells[T0 - 8 * HOUR].style == p.warn
        # known intervals as before: 0.01 % per 4 h is coloured as 0.02 %/8h
        assert cells[T0 - 4 * HOUR].plain == "0.0100%·4h"
        assert cells[T0 - 4 * HOUR].style == fmt.rate_style(0.0002, p)
        assert cells[T0 - 16 * HOUR].plain == "0.0600%"
        assert cells[T0 - 16 * HOUR].style == fmt.rate_style(0.0006, p)
        # the accumulated sum needs no interval: every settlement paid counts
        assert (
            screen.query_one("#accrued", DataTable).get_cell("binance", "1d").plain == "+0.1100% "
        )
        await pilot.press("escape")
