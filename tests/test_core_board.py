"""Cross-venue spreads and the board rows built on them."""

import pytest

from fundtui.core.board import build_board, choose_quotes
from fundtui.core.quote import Quote
from fundtui.core.spread import spread_for

NOW = 1_700_000_000_000


def q(venue, base, rate, interval=8, quote="USDT", mult=1, **kw):
    prefix = f"{mult}" if mult != 1 else ""
    return Quote(
        venue, f"{prefix}{base}/{quote}:{quote}", base, quote, rate, interval, multiplier=mult, **kw
    )


def test_spread_legs_and_apr_on_8h_equivalents():
    # okx 0.01 %/8h, binance 0.05 %/8h, hyperliquid 0.00125 %/1h (= 0.01 %/8h)
    quotes = [
        q("binance", "BTC", 0.0005),
        q("okx", "BTC", 0.0001),
        q("hyperliquid", "BTC", 0.0000125, interval=1),
    ]
    s = spread_for("BTC", quotes)
    assert s.short_venue == "binance"  # highest rate: shorts receive it
    assert s.long_venue == "okx"  # lowest; tie with hyperliquid keeps the first seen
    assert s.spread_8h == pytest.approx(0.0004)
    assert s.apr == pytest.approx(0.438)
    assert s.venues == 3


def test_interval_matters_for_the_spread():
    # The same raw 0.01 % is 0.08 %/8h on an hourly venue: a real 0.07 % spread.
    s = spread_for("ETH", [q("binance", "ETH", 0.0001), q("hyperliquid", "ETH", 0.0001, 1)])
    assert s.short_venue == "hyperliquid"
    assert s.spread_8h == pytest.approx(0.0007)


def test_negative_rates_pick_the_right_legs():
    s = spread_for("X", [q("a", "X", -0.0010, 4), q("b", "X", -0.0001, 8)])
    assert s.long_venue == "a" and s.short_venue == "b"
    assert s.spread_8h == pytest.approx(0.0019)


def test_no_spread_from_one_venue_or_missing_rates():
    assert spread_for("X", [q("a", "X", 0.0001)]) is None
    assert spread_for("X", [q("a", "X", 0.0001), q("b", "X", None)]) is None
    assert spread_for("X", [q("a", "X", 0.0001), q("b", "X", 0.0002, None)]) is None


def test_usdt_preferred_over_usdc_on_one_venue():
    chosen = choose_quotes(
        [q("bybit", "BTC", 0.0009, quote="USDC"), q("bybit", "BTC", 0.0001, quote="USDT")]
    )
    assert chosen["BTC"]["bybit"].quote == "USDT"


def test_usdc_kept_where_it_is_the_only_settlement():
    chosen = choose_quotes([q("hyperliquid", "BTC", 0.0000125, 1, quote="USDC")])
    assert chosen["BTC"]["hyperliquid"].quote == "USDC"


def test_bundles_compare_directly_with_one_coin_contracts():
    board = build_board(
        {
            "binance": [q("binance", "PEPE", 0.0003, mult=1000)],
            "okx": [q("okx", "PEPE", 0.0001)],
        },
        ["binance", "okx"],
    )
    row = board["PEPE"]
    assert row.spread.short_venue == "binance"
    assert row.spread.spread_8h == pytest.approx(0.0002)


def test_row_premium_is_median_and_next_funding_is_earliest_upcoming():
    board = build_board(
        {
            "a": [
                q("a", "S", 0.0001, mark_price=101.0, index_price=100.0, next_funding_ms=NOW - 1)
            ],  # already passed: ignored
            "b": [
                q(
                    "b",
                    "S",
                    0.0001,
                    mark_price=100.2,
                    index_price=100.0,
                    next_funding_ms=NOW + 3_600_000,
                )
            ],
            "c": [
                q(
                    "c",
                    "S",
                    0.0001,
                    mark_price=99.0,
                    index_price=100.0,
                    next_funding_ms=NOW + 7_200_000,
                )
            ],
        },
        ["a", "b", "c"],
    )
    row = board["S"]
    assert row.premium == pytest.approx(0.002)
    assert row.next_funding_ms(NOW) == NOW + 3_600_000
    assert row.next_funding_ms(NOW + 3_600_000) == NOW + 7_200_000
    assert list(row.quotes) == ["a", "b", "c"]


def test_rows_follow_the_configured_venue_order():
    board = build_board({"z": [q("z", "A", 0.1)], "y": [q("y", "A", 0.2)]}, ["y", "z"])
    assert list(board["A"].quotes) == ["y", "z"]


def test_stale_venues_are_shown_but_feed_no_figure():
    board = build_board(
        {
            "a": [
                q(
                    "a",
                    "S",
                    0.0009,
                    mark_price=110.0,
                    index_price=100.0,
                    next_funding_ms=NOW + 60_000,
                )
            ],
            "b": [
                q(
                    "b",
                    "S",
                    0.0001,
                    mark_price=100.1,
                    index_price=100.0,
                    next_funding_ms=NOW + 3_600_000,
                )
            ],
            "c": [q("c", "S", 0.0002, mark_price=100.3, index_price=100.0)],
        },
        ["a", "b", "c"],
        stale_venues={"a"},
    )
    row = board["S"]
    assert set(row.quotes) == {"a", "b", "c"} and row.stale == {"a"}
    assert (row.spread.long_venue, row.spread.short_venue) == ("b", "c")
    assert row.spread.spread_8h == pytest.approx(0.0001)
    assert row.premium == pytest.approx(0.002)
    assert row.next_funding_ms(NOW) == NOW + 3_600_000


def test_a_row_with_only_stale_venues_has_no_figures():
    board = build_board(
        {"a": [q("a", "S", 0.0009)], "b": [q("b", "S", 0.0001)]},
        ["a", "b"],
        stale_venues={"a", "b"},
    )
    row = board["S"]
    assert row.spread is None and row.premium is None and row.next_funding_ms(NOW) is None
