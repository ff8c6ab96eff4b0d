"""The snapshot JSON: its shape, its numbers worked out by hand, and its ordering."""

import json
from datetime import UTC, datetime

import pytest

from fundtui.core.board import build_board
from fundtui.core.quote import Quote
from fundtui.core.snapshot import build_snapshot
from fundtui.core.timefmt import clock_utc, countdown, iso_utc


def ms(*args):
    return int(datetime(*args, tzinfo=UTC).timestamp() * 1000)


NOW = ms(2024, 5, 1, 7, 59, 59) + 123
NEXT_8H = ms(2024, 5, 1, 8)
NEXT_1H = ms(2024, 5, 1, 8)
ORDER = ("binance", "bybit", "okx", "hyperliquid")


def quote(venue, symbol, rate, interval, **kw):
    base, settle = symbol.split("/")[0], symbol.split(":")[1]
    kw.setdefault("multiplier", 1)
    return Quote(venue, symbol, kw.pop("base", base), settle, rate, interval, **kw)


QUOTES = [
    # BTC: 0.01 %/8h on binance, 0.02 %/4h on bybit (= 0.04 %/8h), 0.002 %/1h on
    # hyperliquid (= 0.016 %/8h). Binance's USDC contract pays -0.1 %/8h but the
    # board shows USDT, so it must not make the spread.
    quote(
        "hyperliquid",
        "BTC/USDC:USDC",
        0.00002,
        1.0,
        next_funding_ms=NEXT_1H,
        mark_price=101.0,
        index_price=100.0,
    ),
    quote(
        "bybit",
        "BTC/USDT:USDT",
        0.0002,
        4.0,
        next_funding_ms=NEXT_8H + 4 * 3_600_000,
        open_interest_usd=5e9,
        volume_24h_usd=1.5e10,
    ),
    quote(
        "binance",
        "BTC/USDT:USDT",
        0.0001,
        8.0,
        next_funding_ms=NEXT_8H,
        mark_price=63_968.0,
        index_price=64_000.0,
    ),
    quote("binance", "BTC/USDC:USDC", -0.001, 8.0),
    # ETH: 0.01 % vs 0.03 % per 8 h -> a 0.02 % spread
    quote("binance", "ETH/USDT:USDT", 0.0001, 8.0),
    quote("okx", "ETH/USDT:USDT", 0.0003, 8.0, venue_premium=0.0004),
    # SOL only on one venue: no spread. PEPE bundled, without a rate yet.
    quote("binance", "SOL/USDT:USDT", 0.00005, 8.0),
    quote("binance", "1000PEPE/USDT:USDT", None, None, base="PEPE", multiplier=1000),
]
ERRORS = {"hyperliquid": "HTTP 502", "gate": "timed out", "bybit_x": "?"}


@pytest.fixture
def snap():
    board = build_board({v: [q for q in QUOTES if q.venue == v] for v in ORDER}, ORDER)
    return build_snapshot(QUOTES, board, ERRORS, NOW, ORDER)


def test_top_level_shape_and_time(snap):
    assert list(snap) == ["generated_at", "quotes", "spreads", "errors"]
    assert snap["generated_at"] == "2024-05-01T07:59:59Z"
    json.dumps(snap, allow_nan=False)  # plain JSON, no NaN


def test_quotes_are_all_polled_in_venue_then_symbol_order(snap):
    assert [(q["exchange"], q["symbol"]) for q in snap["quotes"]] == [
        ("binance", "1000PEPE/USDT:USDT"),
        ("binance", "BTC/USDC:USDC"),
        ("binance", "BTC/USDT:USDT"),
        ("binance", "ETH/USDT:USDT"),
        ("binance", "SOL/USDT:USDT"),
        ("bybit", "BTC/USDT:USDT"),
        ("okx", "ETH/USDT:USDT"),
        ("hyperliquid", "BTC/USDC:USDC"),
    ]
    for q in snap["quotes"]:
        assert list(q) == [
            "exchange",
            "symbol",
            "base",
            "quote",
            "funding_rate",
            "interval_hours",
            "rate_8h",
            "apr",
            "next_funding_time",
            "mark_price",
            "index_price",
            "premium",
            "open_interest_usd",
            "volume_24h_usd",
        ]


def find(snap, exchange, symbol):
    return next(q for q in snap["quotes"] if (q["exchange"], q["symbol"]) == (exchange, symbol))


def test_an_8h_quote(snap):
    q = find(snap, "binance", "BTC/USDT:USDT")
    assert q["base"] == "BTC" and q["quote"] == "USDT"
    assert q["funding_rate"] == 0.0001
    assert q["interval_hours"] == 8 and type(q["interval_hours"]) is int
    assert q["rate_8h"] == pytest.approx(0.0001)
    assert q["apr"] == pytest.approx(0.1095)  # 0.0001 x 3 x 365
    assert q["next_funding_time"] == "2024-05-01T08:00:00Z"
    assert q["mark_price"] == 63_968.0 and q["index_price"] == 64_000.0
    assert q["premium"] == pytest.approx(-0.0005)  # (63968 - 64000) / 64000
    assert q["open_interest_usd"] is None and q["volume_24h_usd"] is None


def test_a_4h_quote_by_hand(snap):
    q = find(snap, "bybit", "BTC/USDT:USDT")
    assert q["interval_hours"] == 4 and type(q["interval_hours"]) is int
    assert q["funding_rate"] == 0.0002  # as the venue gave it, per 4 h
    assert q["rate_8h"] == pytest.approx(0.0004)  # two settlements per 8 h
    assert q["apr"] == pytest.approx(0.438)  # 0.0002 x 6 a day x 365
    assert q["next_funding_time"] == "2024-05-01T12:00:00Z"
    assert q["open_interest_usd"] == 5e9 and q["volume_24h_usd"] == 1.5e10
    assert q["mark_price"] is None and q["premium"] is None


def test_a_1h_quote_by_hand(snap):
    q = find(snap, "hyperliquid", "BTC/USDC:USDC")
    assert q["quote"] == "USDC" and q["interval_hours"] == 1
    assert q["rate_8h"] == pytest.approx(0.00016)  # 0.00002 x 8
    assert q["apr"] == pytest.approx(0.1752)  # 0.00002 x 24 x 365
    assert q["premium"] == pytest.approx(0.01)  # (101 - 100) / 100


def test_venue_premium_and_missing_rate(snap):
    assert find(snap, "okx", "ETH/USDT:USDT")["premium"] == 0.0004
    pepe = find(snap, "binance", "1000PEPE/USDT:USDT")
    assert pepe["base"] == "PEPE"
    for key in (
        "funding_rate",
        "interval_hours",
        "rate_8h",
        "apr",
        "next_funding_time",
        "mark_price",
        "premium",
    ):
        assert pepe[key] is None


def test_spreads_from_the_board_largest_first(snap):
    assert snap["spreads"] == [
        {
            "base": "BTC",
            "long_exchange": "binance",
            "short_exchange": "bybit",
            "spread_8h": pytest.approx(0.0003),
            "apr": pytest.approx(0.3285),
            "venues": 3,
            "net_apr": None,  # the board was built without a holding horizon
            "break_even_hours": None,
            "net_horizon_hours": None,
        },
        {
            "base": "ETH",
            "long_exchange": "binance",
            "short_exchange": "okx",
            "spread_8h": pytest.approx(0.0002),
            "apr": pytest.approx(0.219),
            "venues": 2,
            "net_apr": None,
            "break_even_hours": None,
            "net_horizon_hours": None,
        },
    ]


def test_errors_follow_venue_order_then_name(snap):
    assert list(snap["errors"].items()) == [
        ("hyperliquid", "HTTP 502"),
        ("bybit_x", "?"),
        ("gate", "timed out"),
    ]


def test_fractional_interval_and_non_finite_numbers():
    q = Quote(
        "x",
        "A/USDT:USDT",
        "A",
        "USDT",
        0.0001,
        0.5,
        mark_price=float("nan"),
        open_interest_usd=float("inf"),
    )
    out = build_snapshot([q], {}, {}, 0, ())
    (j,) = out["quotes"]
    assert j["interval_hours"] == 0.5
    assert j["rate_8h"] == pytest.approx(0.0016)
    assert j["mark_price"] is None and j["open_interest_usd"] is None
    assert out["generated_at"] == "1970-01-01T00:00:00Z"
    assert out["spreads"] == [] and out["errors"] == {}
    json.dumps(out, allow_nan=False)


def test_time_helpers():
    assert iso_utc(ms(2024, 2, 29, 23, 59, 59) + 999) == "2024-02-29T23:59:59Z"
    assert iso_utc(-1000) == "1969-12-31T23:59:59Z"
    assert clock_utc(NEXT_8H) == "08:00Z"
    assert countdown(NEXT_8H, NOW) == "1s"  # 0.877 s left is not due yet
    assert countdown(NEXT_8H, NEXT_8H) == "due"
    assert countdown(NEXT_8H, NEXT_8H + 1) == "due"
    assert countdown(NEXT_8H + 4 * 3_600_000, NOW) == "4h00m"
    assert countdown(NEXT_8H, NEXT_8H - (12 * 60 + 40) * 1000) == "12m40s"
    assert countdown(NEXT_8H, NEXT_8H - (3 * 3600 + 5 * 60 + 59) * 1000) == "3h05m"
