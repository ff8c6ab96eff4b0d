"""The sector board: rows, heat cells, sorting, drill-down into the board and back."""

from __future__ import annotations

import asyncio

import pytest

from fundtui.core.board import build_board
from fundtui.core.sectors import SectorMap
from fundtui.feeds.demo import demo_sources
from fundtui.ui.sector_columns import sparkline
from fundtui.ui.sectors import SectorFeed, SectorScreen
from fundtui.ui.signals_screen import SignalsScreen
from tests.fakesource import T0, FrozenClock
from tests.uihelp import loaded, make_app, market, order, poll_all, until

# In the three-venue market (no OI, no volume: equal weights), APR per base is the
# mean of its venues: BTC (10.95 + 13.14 - 8.76) / 3 = 5.11 %, ETH (10.95 + 38.325)
# / 2 = 24.6375 %, SOL (-21.9 + 10.95) / 2 = -5.475 %, DOGE 21.9 %.
MAP = SectorMap.build(
    {"Majors": ["BTC", "ETH"], "Alts": ["SOL", "DOGE"], "Meme": ["DOGE"], "Ghost": ["XYZ"]},
    "2026-01-01",
    "test",
)


def sector_app(clock):
    app = make_app(market(clock), clock)
    app.sectors = SectorFeed(sector_map=MAP)
    return app


def screen(app) -> SectorScreen:
    assert isinstance(app.screen, SectorScreen)
    return app.screen


def rows_of(app) -> list[str]:
    return screen(app).table.order()


def cell(app, sector: str, column: str) -> str:
    return screen(app).table.get_cell(sector, column).plain.strip()


async def back_to_board(pilot):
    """Leave as a user would, so the app does not shut down under a stack of screens."""
    app = pilot.app
    while len(app.screen_stack) > 1:
        app.pop_screen()
        await pilot.pause()


async def open_board(pilot):
    await loaded(pilot)
    await pilot.press("t")
    await until(pilot, lambda: isinstance(pilot.app.screen, SectorScreen))
    await pilot.pause()


async def test_rows_cells_and_default_sort():
    clock = FrozenClock()
    app = sector_app(clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await open_board(pilot)
        # APR descending, the sector without quotes last
        assert rows_of(app) == ["Meme", "Majors", "Alts", "Ghost"]
        assert cell(app, "Majors", "apr") == "14.9%"  # (5.11 + 24.6375) / 2
        assert cell(app, "Alts", "apr") == "8.2%"
        assert cell(app, "Majors", "median") == "14.9%"
        assert cell(app, "Majors", "weights") == "Eq"  # nobody gave OI or volume
        assert cell(app, "Majors", "bases") == "2/2"
        assert cell(app, "Ghost", "bases") == "0/1"
        assert cell(app, "Ghost", "apr") == "n/a"
        assert cell(app, "Majors", "d1") == "n/a"  # no hour of history yet
        assert cell(app, "Majors", "price") == "n/a"
        detail = str(screen(app).query_one("#sector-detail").render())
        assert "Meme · 1 of 1 bases quoted · weights: equal" in detail
        assert "No state yet: needs 1 h of funding history" in detail
        await back_to_board(pilot)


async def test_sort_keys_header_click_and_a_new_sort_shows_the_top():
    clock = FrozenClock()
    app = sector_app(clock)
    async with app.run_test(size=(200, 30)) as pilot:
        await open_board(pilot)
        await pilot.press("down")  # Majors
        assert screen(app).table.selected_sector == "Majors"
        await pilot.press("S")  # previous column: Sector, A-Z, read from its top
        assert rows_of(app) == ["Alts", "Ghost", "Majors", "Meme"]
        assert screen(app).table.selected_sector == "Alts"
        assert screen(app).table.cursor_row == 0
        await pilot.press("down", "down")  # Majors again
        await pilot.press("r")
        assert rows_of(app) == ["Meme", "Majors", "Ghost", "Alts"]
        assert screen(app).table.columns["sector"].label.plain == "Sector▼"
        table = screen(app).table
        x = sum(c.get_render_width(table) for c in table.ordered_columns[:1]) + 3
        await pilot.click("#sector-table", offset=(x, 0))  # the APR header
        await pilot.pause()
        assert app.sectors.sort_key == "apr"
        assert rows_of(app) == ["Meme", "Majors", "Alts", "Ghost"]
        await pilot.click("#sector-table", offset=(x, 0))  # again: reversed, n/a still last
        await pilot.pause()
        assert rows_of(app) == ["Alts", "Majors", "Meme", "Ghost"]
        assert screen(app).table.selected_sector == "Alts"
        await back_to_board(pilot)


async def test_enter_drills_into_the_board_and_escape_comes_back():
    clock = FrozenClock()
    app = sector_app(clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await open_board(pilot)
        await pilot.press("down", "down")  # Alts
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, SectorScreen))
        await pilot.pause()
        assert sorted(order(app)) == ["DOGE", "SOL"]
        assert app.board.base_filter_label == "Alts"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SectorScreen))
        await pilot.pause()
        assert screen(app).table.selected_sector == "Alts"  # the same sector
        assert app.board.base_filter is None
        await pilot.press("escape")  # and out to the whole board
        await until(pilot, lambda: not isinstance(app.screen, SectorScreen))
        await pilot.pause()
        assert sorted(order(app)) == ["BTC", "DOGE", "ETH", "SOL"]


async def test_refresh_keeps_the_screen_current_and_the_cursor():
    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock)
    app.sectors = SectorFeed(sector_map=MAP)
    async with app.run_test(size=(160, 30)) as pilot:
        await open_board(pilot)
        await pilot.press("down", "down")
        sources["okx"].quotes[-1] = (
            sources["okx"]
            .quotes[-1]
            .__class__(
                **{
                    **{
                        f: getattr(sources["okx"].quotes[-1], f)
                        for f in sources["okx"].quotes[-1].__slots__
                    },
                    "funding_rate": -0.0004,
                }
            )
        )
        clock.advance(3600)
        await poll_all(pilot, sources)
        await until(pilot, lambda: cell(app, "Meme", "apr") == "-87.6%")
        # DOGE now -87.6 %: Meme falls to the bottom of the quoted sectors
        assert rows_of(app) == ["Majors", "Alts", "Meme", "Ghost"]
        assert screen(app).table.selected_sector == "Alts"
        assert cell(app, "Meme", "d1") == "-109.5"  # APR points against an hour ago
        assert cell(app, "Majors", "d1") == "+0.0"
        assert len(app.sectors.series("Meme")) == 2
        await back_to_board(pilot)


async def test_palette_offers_the_sector_board():
    clock = FrozenClock()
    app = sector_app(clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Sectors" in commands
        commands["Sectors"].callback()
        await until(pilot, lambda: isinstance(app.screen, SectorScreen))
        await back_to_board(pilot)


def test_demo_market_has_sectors():
    sources = demo_sources(
        ["binance", "bybit", "okx", "bitget", "gate", "hyperliquid"], clock=lambda: T0
    )

    async def poll():
        return [await s.poll() for s in sources]

    polls = asyncio.run(poll())
    rows = build_board({p.venue: p.quotes for p in polls}, [p.venue for p in polls])
    feed = SectorFeed()
    assert feed.update(rows, T0) == []
    quoted = [s for s in feed.stats.values() if s.count]
    assert len(quoted) >= 12
    assert all(s.weighting == "oi" for s in quoted)  # the demo gives OI everywhere
    covered, total = feed.sector_map.coverage(rows)
    assert covered / total >= 0.98


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], ""),
        ([1.0], ""),
        ([1.0, 1.0], "▄▄"),
        ([0.0, 1.0, 0.5], "▁█▅"),
        (list(range(20)), "▁▁▂▂▃▃▄▄▅▅▆▆▇▇██"),
    ],
)
def test_sparkline(values, expected):
    assert sparkline(values, 16) == expected


async def test_long_sector_names_sort_and_stay_whole():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    long = "Things with a rather long sector name"
    app.sectors = SectorFeed(sector_map=SectorMap.build({long: ["ETH"], "B": ["BTC"]}))
    async with app.run_test(size=(160, 30)) as pilot:
        await open_board(pilot)
        assert rows_of(app) == [long, "B"]
        await pilot.press("S")  # by name
        assert rows_of(app) == ["B", long]
        assert cell(app, long, "sector") == long
        await back_to_board(pilot)


async def test_a_sector_entering_a_state_raises_a_toast(monkeypatch):
    import threading

    from fundtui.store.signal_log import SignalLog

    appenders: set[str] = set()
    append = SignalLog.append
    monkeypatch.setattr(
        SignalLog,
        "append",
        lambda self, hits: (appenders.add(threading.current_thread().name), append(self, hits))[1],
    )
    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock)
    # DOGE alone in Meme; four quoted sectors, so one can stand 1.7 sd above the rest
    app.sectors = SectorFeed(
        sector_map=SectorMap.build(
            {"Majors": ["BTC", "ETH"], "Alts": ["SOL"], "Meme": ["DOGE"], "Coin": ["BTC"]}
        )
    )
    toasts = []
    notify = app.notify
    app.notify = lambda message, **kw: (toasts.append((message, kw)), notify(message, **kw))
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        okx = sources["okx"].quotes
        okx[-1] = okx[-1].__class__(
            **{**{f: getattr(okx[-1], f) for f in okx[-1].__slots__}, "funding_rate": 0.0004}
        )  # DOGE 21.9 % -> 87.6 %
        clock.advance(3600)
        await poll_all(pilot, sources)
        title = "Signal · sector · Meme"
        await until(pilot, lambda: any(kw.get("title") == title for _, kw in toasts))
        message = next(m for m, kw in toasts if kw.get("title") == title)
        # the others flat, Meme +65.7 points in 1 h, z = 62.07 / 36.55
        assert message.startswith(
            "Crowding: funding 87.6% APR, +1.7 σ above the market, +65.7 pts in 1 h"
        )
        assert app.sectors.stats["Meme"].state == "crowding"
        # like the engine's hits: in the app's list, the signals screen and the log
        assert [(h.rule, h.base) for h in app.signals if h.rule == "sector"] == [("sector", "Meme")]
        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, SignalsScreen))
        assert any(h.rule == "sector" for h in app.screen.hits)
        await until(pilot, lambda: app.recorder is not None)
        logged = app.recorder.log.recent()
        assert [(h.rule, h.base, h.extras.get("state")) for h in logged if h.rule == "sector"] == [
            ("sector", "Meme", "crowding")
        ]
        await back_to_board(pilot)
    assert appenders == {"fundtui-writer"}  # never the UI thread: one writer of the log


def test_sector_hits_read_as_apr_changes_on_the_signals_screen():
    from fundtui.core.signal_units import figure

    assert figure("sector", 0.657) == "+65.7% APR"
    assert figure("sector", -0.05) == "-5.0% APR"


def test_sector_aprs_come_from_known_intervals_only():
    from types import SimpleNamespace

    from fundtui.config import Config
    from fundtui.core.signal_types import SignalConfig

    def stored(venue, base, rate, interval_h):
        return SimpleNamespace(
            venue=venue,
            base=base,
            at_ms=T0 - 3_600_000,
            funding_rate=rate,
            interval_hours=interval_h,
            open_interest_usd=None,
        )

    for unknown in (None, 0.0, -4.0, float("nan")):
        feed = SectorFeed(Config(signals=SignalConfig(extreme_8h=0.001)), sector_map=MAP)
        assert feed.model.params.extreme_apr == pytest.approx(1.095)  # 0.1 %/8h x 3 x 365
        # BTC: 0.01 % per 4 h = 21.9 % APR; ETH 0.01 %/8h = 10.95 %; okx's BTC rate has an
        # unknown interval and counts for nothing (as 8 h it would pull BTC to 16.425 %)
        samples = [
            stored("binance", "BTC", 0.0001, 4.0),
            stored("okx", "BTC", 0.0001, unknown),
            stored("binance", "ETH", 0.0001, 8.0),
        ]
        assert feed.warm_up(samples, until_ms=T0) == 1
        assert feed.series("Majors") == pytest.approx([(0.219 + 0.1095) / 2]), unknown
