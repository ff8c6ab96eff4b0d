"""Settled funding history through the real ccxt adapter, against the fake venues.

Expected values are read by hand from the payload files (verbatim copies of
recorded venue answers: tests/fakevenue/payloads/README.md, provenance in
docs/sources/PAYLOADS.md).
"""

from __future__ import annotations

import pytest

from fundtui.core.accrual import Settlement
from fundtui.feeds import settlements as history
from fundtui.feeds.source import VenueError
from tests.fakevenue.server import RATE_PATHS

pytest_plugins = ("tests.fakevenue.fixtures",)

H = 3_600_000

HISTORY_PATHS = {
    "binance": "/fapi/v1/fundingRate",
    "bitget": "/api/v2/mix/market/history-fund-rate",
    "gate": "/api/v4/futures/usdt/funding_rate",
    "bybit": "/v5/market/funding/history",
    "okx": "/api/v5/public/funding-rate-history",
    "hyperliquid": "/info",
}

# venue -> (symbol, since_ms, clock "now" in s, expected settlements)
CASES = {
    "binance": (
        "BTC/USDT:USDT",
        1_570_000_000_000,
        1_795_000_000.0,
        [
            Settlement(1_570_608_000_000, -0.0375, 8.0),
            Settlement(1_570_636_800_000, 0.0001, 8.0),
        ],
    ),
    # Bybit answers newest first; the result is oldest first.
    "bybit": (
        "BTC/USDT:USDT",
        1_709_830_000_000,
        1_709_891_679.0,
        [
            Settlement(1_709_856_000_000, 0.00015, 8.0),
            Settlement(1_709_884_800_000, 0.0001, 8.0),
        ],
    ),
    # OKX: realizedRate (charged), not fundingRate (-0.0000236017 / 0.0001515032).
    "okx": (
        "BTC/USDT:USDT",
        1_704_000_000_000,
        1_704_070_000.0,
        [
            Settlement(1_704_038_400_000, -0.00002, 8.0),
            Settlement(1_704_067_200_000, 0.00015, 8.0),
        ],
    ),
    # Fixture payloads in the documented shapes (newest first; gate times in seconds).
    "gate": (
        "BTC/USDT:USDT",
        1_732_100_000_000,
        1_732_150_000.0,
        [
            Settlement(1_732_104_000_000, 0.000029, 4.0),
            Settlement(1_732_118_400_000, -0.000013, 4.0),
            Settlement(1_732_132_800_000, 0.0001, 4.0),
            Settlement(1_732_147_200_000, 0.000082, 4.0),
        ],
    ),
    # bitget has no start parameter: the row before since (2024-11-20 00:00) is dropped.
    "bitget": (
        "BTC/USDT:USDT",
        1_732_060_800_001,
        1_732_150_000.0,
        [
            Settlement(1_732_089_600_000, -0.000041, 8.0),
            Settlement(1_732_118_400_000, 0.0001, 8.0),
            Settlement(1_732_147_200_000, 0.000125, 8.0),
        ],
    ),
}


def start_param(venue: str, request) -> int:
    if venue == "hyperliquid":
        return int(request.body["startTime"])
    if venue == "okx":
        return int(request.query["before"]) + 1
    if venue == "gate":
        return int(request.query["from"]) * 1000
    return int(request.query["startTime"])


@pytest.mark.parametrize("venue", sorted(CASES))
async def test_rows_rates_times_intervals(venue, fakes, make_venue):
    symbol, since, now, expected = CASES[venue]
    adapter = make_venue(venue, use_disk_cache=False, clock=lambda: now)
    got = await adapter.settlements(symbol, since)
    assert got == expected
    asked = [r for r in fakes[venue].requests if r.path == HISTORY_PATHS[venue]]
    assert asked and all(r.status == 200 for r in asked)
    if venue == "bitget":
        assert [r.query["pageNo"] for r in asked] == ["1"]  # a short page is the last
    else:
        assert start_param(venue, asked[0]) == since


async def test_gate_window_in_seconds(fakes, make_venue):
    symbol, since, now, _ = CASES["gate"]
    await make_venue("gate", clock=lambda: now).settlements(symbol, since + 1)
    (req,) = [r for r in fakes["gate"].requests if r.path == HISTORY_PATHS["gate"]]
    assert req.query["from"] == str(since // 1000 + 1)  # the first whole second >= since
    assert req.query["to"] == str((since + 1 + 1000 * H - 1) // 1000)
    assert req.query["limit"] == "1000"


async def test_bitget_pages_back_until_since(fakes, make_venue, monkeypatch):
    monkeypatch.setitem(history.PAGE_ROWS, "bitget", 2)
    fake = fakes["bitget"]
    newest = 1_732_147_200_000

    def page(query, body):  # two 8 h settlements per page, newest first
        skip = (int(query["pageNo"]) - 1) * 2
        return {
            "code": "00000",
            "msg": "success",
            "requestTime": newest,
            "data": [
                {
                    "symbol": "BTCUSDT",
                    "fundingRate": "0.0001",
                    "fundingTime": str(newest - i * 8 * H),
                }
                for i in (skip, skip + 1)
            ],
        }

    fake.respond("history_fund_rate_btcusdt", page)
    adapter = make_venue("bitget", use_disk_cache=False)
    got = await adapter.settlements("BTC/USDT:USDT", newest - 5 * 8 * H)
    assert [s.funding_time_ms for s in got] == [newest - i * 8 * H for i in range(5, -1, -1)]
    assert [r.query["pageNo"] for r in fake.requests if r.path == HISTORY_PATHS["bitget"]] == [
        "1",
        "2",
        "3",
        "4",
    ]  # page 4 reaches past since: no further page

    fake.reset_log()
    got = await adapter.settlements("BTC/USDT:USDT", 0)
    assert len(got) == 20 and fake.hits(HISTORY_PATHS["bitget"]) == history.MAX_PAGES


async def test_bybit_window_and_okx_window_bounds(fakes, make_venue):
    symbol, since, now, _ = CASES["bybit"]
    await make_venue("bybit", use_disk_cache=False, clock=lambda: now).settlements(symbol, since)
    (first, *_) = [r for r in fakes["bybit"].requests if r.path == HISTORY_PATHS["bybit"]]
    assert first.query["symbol"] == "BTCUSDT" and first.query["category"] == "linear"
    assert int(first.query["endTime"]) == since + 200 * H - 1

    symbol, since, now, _ = CASES["okx"]
    await make_venue("okx", use_disk_cache=False, clock=lambda: now).settlements(symbol, since)
    asked = [r for r in fakes["okx"].requests if r.path == HISTORY_PATHS["okx"]]
    assert len(asked) == 1  # the next window would start after now
    assert asked[0].query["instId"] == "BTC-USDT-SWAP"
    assert int(asked[0].query["after"]) == since + 100 * H


async def test_hyperliquid_8h_recording_and_hourly_sample(fakes, make_venue):
    adapter = make_venue("hyperliquid", use_disk_cache=False)
    got = await adapter.settlements("BTC/USDC:USDC", 1_681_923_833_000)
    assert len(got) == 34
    assert got[0] == Settlement(1_683_849_600_048, -0.00061334, 8.0)
    assert got[1] == Settlement(1_683_878_400_388, -0.00074503, 8.0)  # +340 ms jitter
    assert got[-1] == Settlement(1_684_800_000_022, -0.00018991, 8.0)
    assert {s.interval_hours for s in got} == {8.0}
    (req,) = [r for r in fakes["hyperliquid"].requests]
    assert req.body == {"type": "fundingHistory", "coin": "BTC", "startTime": 1_681_923_833_000}

    fake = fakes["hyperliquid"]
    fake.set_payload("fundingHistory_2023_BTC", fake.payload("fundingHistory_hourly_2026"))
    got = await adapter.settlements("BTC/USDC:USDC", 1_769_900_000_000)
    assert got == [
        Settlement(1_769_908_800_000, 0.0000125, 1.0),
        Settlement(1_769_912_400_000, -0.0000081, 1.0),
        Settlement(1_769_916_000_000, 0.0000033, 1.0),  # no "premium": still a settlement
    ]


async def test_order_and_duplicates(fakes, make_venue):
    fake = fakes["binance"]
    rows = fake.payload("fundingRate_history")
    fake.set_payload("fundingRate_history", [rows[1], rows[0], dict(rows[1]), rows[0]])
    got = await make_venue("binance", use_disk_cache=False).settlements("BTC/USDT:USDT", 0)
    assert [s.funding_time_ms for s in got] == [1_570_608_000_000, 1_570_636_800_000]


async def test_since_drops_older_rows_and_a_lone_row_has_no_guessed_interval(fakes, make_venue):
    # BTCUSDT is not in fundingInfo: metadata gives no interval, so a lone row has none.
    since = 1_570_608_000_001
    got = await make_venue("binance", use_disk_cache=False).settlements("BTC/USDT:USDT", since)
    assert got == [Settlement(1_570_636_800_000, 0.0001, None)]
    (req,) = [r for r in fakes["binance"].requests if r.path == HISTORY_PATHS["binance"]]
    assert req.query == {"symbol": "BTCUSDT", "startTime": str(since), "limit": "1000"}


async def test_lone_row_takes_metadata_interval(fakes, make_venue):
    fake = fakes["bybit"]
    body = fake.payload("funding_history")
    body["result"]["list"] = body["result"]["list"][:1]
    symbol, since, now, _ = CASES["bybit"]
    got = await make_venue("bybit", use_disk_cache=False, clock=lambda: now).settlements(
        symbol, since
    )
    # BTCUSDT's instrument says fundingInterval 480 (minutes).
    assert got == [Settlement(1_709_884_800_000, 0.0001, 8.0)]


async def test_bad_rows_skipped(fakes, make_venue):
    fake = fakes["hyperliquid"]
    rows = fake.payload("fundingHistory_2023_BTC")
    rows[1]["fundingRate"] = None
    rows[2]["fundingRate"] = ""
    rows[3]["fundingRate"] = "NaN"
    rows[4]["time"] = None
    rows[5] = "not a row"
    got = await make_venue("hyperliquid", use_disk_cache=False).settlements("BTC/USDC:USDC", 0)
    assert len(got) == 34 - 5
    assert got[0].funding_time_ms == 1_683_849_600_048
    # The gap over the skipped rows is what it is: 6 settlements of 8 h.
    assert got[1].funding_time_ms == rows[6]["time"] and got[1].interval_hours == 48.0
    assert all(s.rate == s.rate for s in got)


async def test_cursor_pagination_stops_at_the_bound(fakes, make_venue, monkeypatch):
    monkeypatch.setitem(history.PAGE_ROWS, "binance", 3)
    fake = fakes["binance"]

    def page(query, body):  # three 8 h settlements from startTime on, as the venue would
        first = -(-int(query["startTime"]) // (8 * H)) * 8 * H
        return [
            {
                "symbol": "BTCUSDT",
                "fundingRate": "0.0001",
                "fundingTime": first + i * 8 * H,
                "markPrice": "1",
            }
            for i in range(3)
        ]

    fake.respond("fundingRate_history", page)
    since = 1_700_000_000_000
    got = await make_venue("binance", use_disk_cache=False).settlements("BTC/USDT:USDT", since)
    asked = [r for r in fake.requests if r.path == HISTORY_PATHS["binance"]]
    assert len(asked) == history.MAX_PAGES == 10
    assert len(got) == 30 and {s.interval_hours for s in got} == {8.0}
    times = [s.funding_time_ms for s in got]
    assert times == sorted(set(times)) and times[0] >= since
    # Each page starts just after the newest settlement of the one before.
    assert int(asked[1].query["startTime"]) == times[2] + 1


async def test_window_pagination_stops_at_the_bound(fakes, make_venue):
    # Two years before the fixture clock in 200 h windows: far more than the bound.
    got = await make_venue("bybit", use_disk_cache=False).settlements(
        "BTC/USDT:USDT", 1_709_000_000_000
    )
    asked = [r for r in fakes["bybit"].requests if r.path == HISTORY_PATHS["bybit"]]
    assert len(asked) == 10
    starts = [int(r.query["startTime"]) for r in asked]
    assert starts == [1_709_000_000_000 + i * 200 * H for i in range(10)]
    assert got == CASES["bybit"][3]  # the payload's rows: second window only


async def test_same_answer_twice_does_not_loop(fakes, make_venue, monkeypatch):
    monkeypatch.setitem(history.PAGE_ROWS, "binance", 2)  # the payload is a "full" page
    fake = fakes["binance"]
    got = await make_venue("binance", use_disk_cache=False).settlements("BTC/USDT:USDT", 0)
    assert len(got) == 2
    assert fake.hits(HISTORY_PATHS["binance"]) == 2  # the second page brought nothing new


@pytest.mark.parametrize("venue", sorted(HISTORY_PATHS))
async def test_http_500_is_a_one_line_venue_error(venue, fakes, make_venue):
    symbol = "BTC/USDC:USDC" if venue == "hyperliquid" else "BTC/USDT:USDT"
    adapter = make_venue(venue, use_disk_cache=False)
    fakes[venue].fail(500, path=HISTORY_PATHS[venue], body="<html>\n<b>oops</b>\n</html>")
    with pytest.raises(VenueError) as info:
        await adapter.settlements(symbol, 1_700_000_000_000)
    assert info.value.venue == venue
    assert info.value.reason.startswith("HTTP 500 from 127.0.0.1:")
    assert "\n" not in str(info.value)


async def test_429_carries_retry_after(fakes, make_venue):
    adapter = make_venue("binance", use_disk_cache=False)
    fakes["binance"].fail(429, retry_after="7", path=HISTORY_PATHS["binance"])
    with pytest.raises(VenueError) as info:
        await adapter.settlements("BTC/USDT:USDT", 0)
    assert info.value.retry_after_s == 7.0
    assert "retry in 7 s" in info.value.reason


async def test_unknown_symbol_and_unsupported_venue(fakes, make_venue):
    with pytest.raises(VenueError, match="unknown symbol"):
        await make_venue("binance", use_disk_cache=False).settlements("NOPE/USDT:USDT", 0)
    with pytest.raises(VenueError, match="unknown symbol"):
        await make_venue("hyperliquid", use_disk_cache=False).settlements("BTC/USDT:USDT", 0)
    with pytest.raises(VenueError, match="unknown symbol"):
        await make_venue("gate", use_disk_cache=False).settlements("BTC/USD:BTC", 0)


@pytest.mark.parametrize("venue", sorted(HISTORY_PATHS))
async def test_poll_makes_no_history_request(venue, fakes, make_venue):
    adapter = make_venue(venue, use_disk_cache=False)
    await adapter.poll()
    if venue == "hyperliquid":
        assert all(r.body == {"type": "metaAndAssetCtxs"} for r in fakes[venue].requests)
    elif venue == "gate":
        assert fakes[venue].counts() == {"/api/v4/futures/usdt/contracts": 1}
    else:
        assert fakes[venue].hits(HISTORY_PATHS[venue]) == 0
    symbol = "BTC/USDC:USDC" if venue == "hyperliquid" else "BTC/USDT:USDT"
    await adapter.settlements(symbol, 1_700_000_000_000)
    fakes[venue].reset_log()
    result = await adapter.poll()  # a history fetch leaves the refresh path as it was
    assert result.quotes
    assert fakes[venue].paths(extras=False) == [RATE_PATHS[venue]]
