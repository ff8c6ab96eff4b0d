"""The sector board's Trend and Δ columns early on: no sparkline from a few points or
from noise, and the first hours' ``n/a`` say when figures appear."""

from __future__ import annotations

from fundtui.core.board import build_board
from fundtui.core.rotation import HOUR_MS
from fundtui.core.sectors import SectorMap
from fundtui.ui.format import DEFAULT_PALETTE
from fundtui.ui.sector_columns import COLUMN, SPARK, trend, velocity_note
from fundtui.ui.sectors import SectorFeed
from tests.fakesource import T0, quote

MAP = SectorMap.build({"Majors": ["BTC", "ETH"], "Alts": ["SOL"]}, "2026-01-01", "test")
MIN = 60_000


def rows(rate: float):
    quotes = {
        "binance": [quote("binance", b, rate * k) for b, k in (("BTC", 1), ("ETH", 2), ("SOL", 3))]
    }
    return build_board(quotes, ["binance"])


def test_no_sparkline_from_two_or_three_points():
    assert trend([0.10, 0.30]) == ""
    assert trend([0.10, 0.30, 0.20]) == ""
    assert trend([0.10, 0.20, 0.30, 0.40]) == SPARK[0] + "▃▆" + SPARK[-1]


def test_noise_is_not_drawn_as_a_full_swing():
    line = trend([0.1000, 0.1001, 0.1003, 0.1002])  # 0.03 APR points apart
    assert len(line) == 4
    assert SPARK[0] not in line and SPARK[-1] not in line


def test_trend_sorts_as_na_until_it_is_drawn():
    feed = SectorFeed(sector_map=MAP)
    feed.update(rows(0.0001), T0)
    feed.update(rows(0.0002), T0 + 10 * MIN)  # two points (one per 5 minutes)
    stats = feed.stats["Majors"]
    assert COLUMN["trend"].value(stats, feed) is None
    assert COLUMN["trend"].render(stats, feed, DEFAULT_PALETTE).plain == ""


def test_the_first_hours_na_say_when_figures_appear():
    feed = SectorFeed(sector_map=MAP)
    feed.update(rows(0.0001), T0 + 7 * HOUR_MS + 42 * MIN)  # 07:42 UTC
    note = velocity_note(feed)
    assert (
        note
        == "velocity after 1/8/24 h of history: Δ1h at 08:42Z, Δ8h at 15:42Z, Δ24h at 01-02 07:42Z"
    )
    assert all(v is None for v in feed.stats["Majors"].velocity.values())
    for m in range(5, 66, 5):  # an hour and a bit of refreshes
        feed.update(rows(0.0001 + m * 1e-7), T0 + 7 * HOUR_MS + (42 + m) * MIN)
    assert feed.stats["Majors"].velocity[1] is not None
    assert velocity_note(feed) == (
        "velocity after 1/8/24 h of history: Δ8h at 15:42Z, Δ24h at 01-02 07:42Z"
    )


def test_no_note_before_any_sector_is_quoted():
    assert velocity_note(SectorFeed(sector_map=MAP)) is None
