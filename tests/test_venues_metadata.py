"""Requests per poll, the market cache, URL rewriting, proxies and interval freshness.

Request counts are taken at the fake server, so they are what would go over
the wire.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from fundtui.feeds.ccxt_client import proxy_settings, rewrite_api_urls
from fundtui.feeds.source import VenueError
from fundtui.store import market_cache
from tests.fakevenue.server import EXTRAS_PATHS, RATE_PATHS, VENUES

pytest_plugins = ("tests.fakevenue.fixtures",)

FIRST_POLL = {
    "binance": {"/fapi/v1/exchangeInfo": 1, "/fapi/v1/fundingInfo": 1, "/fapi/v1/premiumIndex": 1},
    # ccxt asks for listed and pre-launch linear instruments separately
    "bybit": {"/v5/market/instruments-info": 2, "/v5/market/tickers": 1},
    "okx": {"/api/v5/public/instruments": 1, "/api/v5/public/funding-rate": 1},
    "bitget": {"/api/v2/mix/market/contracts": 1, "/api/v2/mix/market/current-fund-rate": 1},
    "gate": {"/api/v4/futures/usdt/contracts": 1},
    "hyperliquid": {"/info": 1},
}

MINUTE = 60.0
HOUR = 3600.0


# --------------------------------------------------------------------------- request counts


@pytest.mark.parametrize("venue", VENUES)
async def test_first_poll_loads_only_linear_perp_metadata(venue, fakes, make_venue):
    await make_venue(venue).poll()
    fake = fakes[venue]
    assert dict(fake.counts()) == FIRST_POLL[venue]
    assert all(r.status == 200 for r in fake.requests)  # no currency lists, no other types
    markets = [r.query for r in fake.requests if "instrument" in r.path or "contracts" in r.path]
    if venue == "bybit":
        assert all(q["category"] == "linear" for q in markets)
    if venue == "okx":
        assert markets == [{"instType": "SWAP"}]
    if venue == "bitget":
        assert markets == [{"productType": "USDT-FUTURES"}]


@pytest.mark.parametrize("venue", VENUES)
async def test_steady_state_is_one_rate_request_per_poll(venue, fakes, make_venue, clock):
    # Plus, on okx/bitget/binance, the open-interest / 24 h request, after the rates:
    # here in the first poll after the metadata one, then not within the minute.
    source = make_venue(venue, clock=clock)
    await source.poll()
    fake = fakes[venue]
    sent = []
    for _ in range(3):
        fake.reset_log()
        poll = await source.poll()
        assert poll.quotes
        sent.append(fake.paths())
        clock.advance(5)
    extra = [EXTRAS_PATHS[venue]] if venue in EXTRAS_PATHS else []
    assert sent == [[RATE_PATHS[venue], *extra], [RATE_PATHS[venue]], [RATE_PATHS[venue]]]


# --------------------------------------------------------------------------- market cache


@pytest.mark.parametrize("venue", VENUES)
async def test_a_restart_reuses_the_market_cache(venue, fakes, make_venue):
    first = await make_venue(venue).poll()
    fake = fakes[venue]
    fake.reset_log()
    second = await make_venue(venue).poll()  # a new adapter, as after a restart
    assert fake.paths(extras=False) == [RATE_PATHS[venue]]
    assert [(q.symbol, q.interval_hours, q.multiplier) for q in second.quotes] == [
        (q.symbol, q.interval_hours, q.multiplier) for q in first.quotes
    ]


async def test_cache_from_another_api_base_is_not_reused(fakes, make_venue):
    from tests.fakevenue.server import FakeVenue

    await make_venue("binance").poll()
    with FakeVenue("binance") as other:
        await make_venue("binance", api_base=other.url).poll()
        assert other.hits("/fapi/v1/exchangeInfo") == 1


async def test_cache_older_than_a_day_is_reloaded(fakes, make_venue, clock):
    await make_venue("okx", clock=clock).poll()
    fakes["okx"].reset_log()
    clock.advance(23 * HOUR)
    await make_venue("okx", clock=clock).poll()
    assert fakes["okx"].hits("/api/v5/public/instruments") == 0
    clock.advance(2 * HOUR)
    await make_venue("okx", clock=clock).poll()
    assert fakes["okx"].hits("/api/v5/public/instruments") == 1


CACHE_GARBAGE = {
    "not json": b"{not json",
    "empty": b"",
    "not an envelope": b"[1, 2]",
    "not UTF-8": b"\xff\xfe\x00",
    # an envelope of ours whose data the venue's parser rejects...
    "data malformed": {"markets": 5, "markets_ms": "x"},
    # ...or that parses but could not have been written by us
    "no markets": {"markets": [], "markets_ms": 1},
}


@pytest.mark.parametrize("kind", CACHE_GARBAGE)
async def test_a_corrupt_cache_is_moved_aside_reported_once_and_rewritten(kind, fakes, make_venue):
    garbage = CACHE_GARBAGE[kind]
    source = make_venue("bybit")
    path = market_cache.cache_path("bybit")
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(garbage, dict):
        await source._exchange_ready()
        market_cache.save("bybit", garbage, key=source._cache_key())
        assert market_cache.load("bybit", key=source._cache_key()) == garbage  # envelope fine
    else:
        path.write_bytes(garbage)
    before = path.read_bytes()
    assert (await source.poll()).quotes
    assert fakes["bybit"].hits("/v5/market/instruments-info") == 2
    assert json.loads(path.read_text())["data"]["markets"][0]["id"] == "BTCUSDT"
    (aside,) = path.parent.glob("bybit.json.corrupt-*")
    assert aside.read_bytes() == before  # kept, not overwritten unseen
    notices = source.take_notices()
    assert len(notices) == 1 and "\n" not in notices[0]
    assert str(path) in notices[0] and aside.name in notices[0]
    assert source.take_notices() == []  # shown once
    await source.poll()
    assert source.take_notices() == []
    fakes["bybit"].reset_log()
    restarted = make_venue("bybit")
    await restarted.poll()
    assert fakes["bybit"].hits() == 1  # the rewritten cache is used
    assert restarted.take_notices() == []


def test_market_cache_round_trip_and_guards(tmp_path, monkeypatch):
    assert market_cache.load("okx") is None
    assert market_cache.save("okx", {"a": 1}, key="k", saved_ms=1_000_000)
    assert market_cache.load("okx", key="k", now_ms=1_000_000 + 1000) == {"a": 1}
    assert market_cache.load("okx", key="other", now_ms=1_000_000) is None
    assert market_cache.load("okx", key="k", now_ms=1_000_000 + 86_401_000) is None
    assert market_cache.load("okx", key="k", max_age_s=10, now_ms=1_000_000 + 11_000) is None
    # an unwritable cache folder is reported, not raised
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("FUNDTUI_CACHE_DIR", str(blocker))
    assert market_cache.save("okx", {"a": 1}) is False
    assert market_cache.load("okx") is None


# --------------------------------------------------------------------------- api_base, proxy


def test_rewrite_api_urls_replaces_scheme_and_host_everywhere():
    api = {
        "fapiPublic": "https://fapi.binance.com/fapi/v1",
        "public": {"futures": "https://api.gateio.ws/api/v4", "spot": "https://api.gateio.ws"},
        "rest": "https://{hostname}",
        "list": ["https://api.{hostname}/v5", "wss://stream.example.com/ws"],
        "notaurl": "v1",
    }
    out = rewrite_api_urls(api, "http://127.0.0.1:9000/")
    assert out == {
        "fapiPublic": "http://127.0.0.1:9000/fapi/v1",
        "public": {"futures": "http://127.0.0.1:9000/api/v4", "spot": "http://127.0.0.1:9000"},
        "rest": "http://127.0.0.1:9000",
        "list": ["http://127.0.0.1:9000/v5", "http://127.0.0.1:9000/ws"],
        "notaurl": "v1",
    }
    prefixed = rewrite_api_urls({"a": "https://x.com/fapi/v1"}, "https://gw.local/binance")
    assert prefixed == {"a": "https://gw.local/binance/fapi/v1"}


def _urls(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _urls(v)
    elif isinstance(node, list):
        for v in node:
            yield from _urls(v)


@pytest.mark.parametrize("venue", VENUES)
async def test_api_base_reaches_every_rest_url_of_the_venue(venue, fakes, make_venue):
    source = make_venue(venue)
    exchange = await source._exchange_ready()
    urls = list(_urls(exchange.urls["api"]))
    assert urls and all(u.startswith(fakes[venue].url) for u in urls)


def test_proxy_settings_by_scheme():
    assert proxy_settings("http://10.0.0.1:3128") == {"httpProxy": "http://10.0.0.1:3128"}
    assert proxy_settings("https://10.0.0.1:3129") == {"httpsProxy": "https://10.0.0.1:3129"}
    assert proxy_settings("socks5://10.0.0.1:1080") == {"socksProxy": "socks5://10.0.0.1:1080"}
    with pytest.raises(ValueError):
        proxy_settings("10.0.0.1:3128")


async def test_requests_go_through_the_configured_http_proxy(fakes, make_venue):
    # The venue host does not resolve; only a proxy can deliver the request. The
    # fake doubles as that proxy and sees absolute request targets.
    fake = fakes["binance"]
    source = make_venue("binance", api_base="http://venue.invalid", proxy=fake.url)
    assert (await source.poll()).quotes
    assert fake.requests and all(
        r.target.startswith("http://venue.invalid/fapi/v1/") for r in fake.requests
    )


# --------------------------------------------------------------------------- interval freshness

BINANCE_TIME = 1732715655000  # every row's "time": 2024-11-27 13:54:15 UTC


def rows_by_symbol(fake):
    return {r["symbol"]: r for r in fake.payload("premiumIndex") if isinstance(r, dict)}


def set_funding_info(fake, symbol, hours):
    table = [r for r in fake.payload("fundingInfo") if r["symbol"] != symbol]
    if hours is not None:
        table.append(
            {
                "symbol": symbol,
                "adjustedFundingRateCap": "0.03000000",
                "adjustedFundingRateFloor": "-0.03000000",
                "fundingIntervalHours": hours,
                "disclaimer": False,
            }
        )
    fake.set_payload("fundingInfo", table)


def quote(poll, symbol):
    return next(q for q in poll.quotes if q.symbol == symbol)


async def test_binance_off_grid_settlement_refreshes_funding_info(fakes, make_venue):
    fake = fakes["binance"]
    source = make_venue("binance")
    assert quote(await source.poll(), "SOL/USDT:USDT").interval_hours == 8.0
    # Binance moved SOL to 1 h: its next settlement is 14:00, off the 8 h grid
    rows_by_symbol(fake)["SOLUSDT"]["nextFundingTime"] = 1732716000000
    set_funding_info(fake, "SOLUSDT", 1)
    fake.reset_log()
    poll = await source.poll()
    assert fake.counts() == {  # no extras request in a poll that made a metadata one
        "/fapi/v1/premiumIndex": 1,
        "/fapi/v1/fundingInfo": 1,
    }
    assert quote(poll, "SOL/USDT:USDT").interval_hours == 1.0
    assert quote(poll, "SOL/USDT:USDT").rate_8h == pytest.approx(0.0001 * 8)
    fake.reset_log()
    await source.poll()
    assert fake.hits(extras=False) == 1


async def test_binance_settlement_beyond_one_interval_refreshes_funding_info(fakes, make_venue):
    fake = fakes["binance"]
    source = make_venue("binance")
    assert quote(await source.poll(), "BLZ/USDT:USDT").interval_hours == 4.0
    # BLZ back on 8 h: at 08:05 the next settlement is 16:00, more than 4 h away
    for row in rows_by_symbol(fake).values():
        row["time"] = 1732694700000
    set_funding_info(fake, "BLZUSDT", 8)
    fake.reset_log()
    poll = await source.poll()
    assert fake.hits("/fapi/v1/fundingInfo") == 1
    assert quote(poll, "BLZ/USDT:USDT").interval_hours == 8.0


async def test_a_conflict_that_fresh_metadata_does_not_explain_shows_no_interval(
    fakes, make_venue, clock
):
    fake = fakes["binance"]
    source = make_venue("binance", clock=clock)
    await source.poll()
    rows_by_symbol(fake)["SOLUSDT"]["nextFundingTime"] = 1732716000000  # fundingInfo lags
    fake.reset_log()
    poll = await source.poll()
    assert fake.hits("/fapi/v1/fundingInfo") == 1
    sol = quote(poll, "SOL/USDT:USDT")
    assert sol.interval_hours is None and sol.funding_rate == 0.0001 and sol.rate_8h is None
    assert quote(poll, "BTC/USDT:USDT").interval_hours == 8.0  # the rest unaffected
    fake.reset_log()
    clock.advance(5 * MINUTE)
    poll = await source.poll()
    assert fake.hits(extras=False) == 1  # not re-checked for the same settlement
    assert quote(poll, "SOL/USDT:USDT").interval_hours is None


async def test_a_failed_triggered_refresh_shows_no_interval_and_retries_later(
    fakes, make_venue, clock
):
    fake = fakes["binance"]
    source = make_venue("binance", clock=clock)
    await source.poll()
    rows_by_symbol(fake)["SOLUSDT"]["nextFundingTime"] = 1732716000000
    set_funding_info(fake, "SOLUSDT", 1)
    fake.fail(500, path="/fapi/v1/fundingInfo")
    poll = await source.poll()
    assert quote(poll, "SOL/USDT:USDT").interval_hours is None
    assert quote(poll, "ETH/USDT:USDT").interval_hours == 8.0
    fake.reset_log()
    clock.advance(30)
    assert quote(await source.poll(), "SOL/USDT:USDT").interval_hours is None
    assert fake.hits(extras=False) == 1  # no retry within a minute
    fake.clear_failures()
    clock.advance(31)
    assert quote(await source.poll(), "SOL/USDT:USDT").interval_hours == 1.0


async def test_a_new_symbol_reloads_markets_once(fakes, make_venue):
    fake = fakes["binance"]
    source = make_venue("binance")
    await source.poll()
    info = fake.payload("exchangeInfo")
    new = json.loads(json.dumps(info["symbols"][2]))  # SOLUSDT's entry as a template
    new.update(symbol="NEWUSDT", pair="NEWUSDT", baseAsset="NEW")
    info["symbols"].append(new)
    rows = fake.payload("premiumIndex")
    rows.append(dict(rows_by_symbol(fake)["SOLUSDT"], symbol="NEWUSDT", lastFundingRate="0.0004"))
    rows.append(dict(rows_by_symbol(fake)["SOLUSDT"], symbol="GHOSTUSDT"))  # never listed
    set_funding_info(fake, "NEWUSDT", 4)
    fake.reset_log()
    poll = await source.poll()
    assert Counter(r.path for r in fake.requests) == {
        "/fapi/v1/premiumIndex": 1,
        "/fapi/v1/exchangeInfo": 1,
        "/fapi/v1/fundingInfo": 1,
    }
    assert quote(poll, "NEW/USDT:USDT").interval_hours == 4.0
    assert "GHOST/USDT:USDT" not in {q.symbol for q in poll.quotes}
    fake.reset_log()
    await source.poll()
    assert fake.hits(extras=False) == 1  # GHOSTUSDT was checked against a fresh list; not again


async def test_binance_funding_info_is_refreshed_every_15_minutes(fakes, make_venue, clock):
    fake = fakes["binance"]
    source = make_venue("binance", clock=clock)
    await source.poll()
    set_funding_info(fake, "GTCUSDT", 4)  # a change the schedule check cannot see yet
    fake.reset_log()
    clock.advance(14 * MINUTE)
    assert quote(await source.poll(), "GTC/USDT:USDT").interval_hours == 8.0
    assert fake.hits(extras=False) == 1
    clock.advance(2 * MINUTE)
    poll = await source.poll()
    assert fake.hits("/fapi/v1/fundingInfo") == 1 and fake.hits("/fapi/v1/exchangeInfo") == 0
    assert quote(poll, "GTC/USDT:USDT").interval_hours == 4.0


async def test_interval_metadata_older_than_an_hour_is_not_used(fakes, make_venue, clock):
    fake = fakes["binance"]
    source = make_venue("binance", clock=clock)
    await source.poll()
    fake.fail(500, path="/fapi/v1/fundingInfo")
    clock.advance(16 * MINUTE)
    poll = await source.poll()  # refresh fails; 16-minute-old intervals still serve
    assert quote(poll, "BLZ/USDT:USDT").interval_hours == 4.0
    clock.advance(45 * MINUTE)
    poll = await source.poll()
    assert all(q.interval_hours is None for q in poll.quotes)
    assert quote(poll, "BTC/USDT:USDT").funding_rate == 0.00013062
    fake.clear_failures()
    clock.advance(2 * MINUTE)
    assert quote(await source.poll(), "BLZ/USDT:USDT").interval_hours == 4.0


async def test_binance_markets_reload_after_a_day(fakes, make_venue, clock):
    fake = fakes["binance"]
    source = make_venue("binance", clock=clock)
    await source.poll()
    fake.reset_log()
    clock.advance(25 * HOUR)
    await source.poll()
    assert fake.counts() == {
        "/fapi/v1/exchangeInfo": 1,
        "/fapi/v1/fundingInfo": 1,
        "/fapi/v1/premiumIndex": 1,
    }


async def test_bybit_ticker_interval_is_live_without_extra_requests(fakes, make_venue):
    fake = fakes["bybit"]
    source = make_venue("bybit")
    await source.poll()
    rows = {r["symbol"]: r for r in fake.payload("tickers_linear")["result"]["list"]}
    rows["MYROUSDT"].update(fundingIntervalHour="4", nextFundingTime="1673280000000")
    fake.reset_log()
    assert quote(await source.poll(), "MYRO/USDT:USDT").interval_hours == 4.0
    assert fake.hits() == 1


async def test_bybit_instrument_intervals_are_refreshed_while_relied_on(fakes, make_venue, clock):
    fake = fakes["bybit"]
    source = make_venue("bybit", clock=clock)
    await source.poll()  # SOLUSDT's ticker has no fundingIntervalHour
    fake.reset_log()
    clock.advance(16 * MINUTE)
    await source.poll()
    assert fake.counts() == {"/v5/market/instruments-info": 2, "/v5/market/tickers": 1}
    # once every ticker row carries its interval, instruments are left alone
    for row in fake.payload("tickers_linear")["result"]["list"]:
        row.setdefault("fundingIntervalHour", "4")
    await source.poll()
    fake.reset_log()
    clock.advance(16 * MINUTE)
    await source.poll()
    assert fake.counts() == {"/v5/market/tickers": 1}


async def test_bybit_off_grid_settlement_for_instrument_interval_reloads(fakes, make_venue):
    fake = fakes["bybit"]
    source = make_venue("bybit")
    await source.poll()
    rows = {r["symbol"]: r for r in fake.payload("tickers_linear")["result"]["list"]}
    rows["SOLUSDT"]["nextFundingTime"] = "1673276400000"  # 15:00: not on SOL's 4 h grid
    instruments = fake.payload("instruments_linear")["result"]["list"]
    next(i for i in instruments if i["symbol"] == "SOLUSDT")["fundingInterval"] = 60
    fake.reset_log()
    poll = await source.poll()
    assert fake.counts() == {"/v5/market/instruments-info": 2, "/v5/market/tickers": 1}
    assert quote(poll, "SOL/USDT:USDT").interval_hours == 1.0


@pytest.mark.parametrize("venue", ["gate", "hyperliquid", "okx"])
async def test_venues_with_intervals_in_every_answer_need_no_interval_refresh(
    venue, fakes, make_venue, clock
):
    source = make_venue(venue, clock=clock)
    await source.poll()
    fakes[venue].reset_log()
    clock.advance(3 * HOUR)
    await source.poll()
    assert fakes[venue].paths(extras=False) == [RATE_PATHS[venue]]


# --------------------------------------------------------------------------- generic path


async def test_generic_path_binanceusdm_reports_unknown_intervals_not_8h(fakes, make_venue):
    # ccxt's unified funding rates for binanceusdm carry no interval and no second
    # settlement time: the generic path must not invent one.
    poll = await make_venue("binance", ccxt_id="binanceusdm").poll()
    assert poll.venue == "binanceusdm"
    btc = quote(poll, "BTC/USDT:USDT")
    assert btc.funding_rate == 0.00013062 and btc.interval_hours is None
    assert quote(poll, "1000PEPE/USDT:USDT").multiplier == 1000
    assert "BTC/USDT:USDT-241227" not in {q.symbol for q in poll.quotes}


async def test_generic_path_myokx_takes_ccxt_intervals(fakes, make_venue):
    source = make_venue("okx", ccxt_id="myokx")
    poll = await source.poll()
    assert {q.symbol: q.interval_hours for q in poll.quotes} == {
        "BTC/USDT:USDT": 8.0,
        "ETH/USDT:USDT": 8.0,
        "BTC/USDC:USDC": 8.0,
        "PEPE/USDT:USDT": 8.0,
        "LPT/USDT:USDT": 4.0,
        "DOGE/USDT:USDT": None,
    }
    fakes["okx"].reset_log()
    await make_venue("okx", ccxt_id="myokx").poll()  # restart: ccxt markets from the cache
    assert [r.path for r in fakes["okx"].requests] == ["/api/v5/public/funding-rate"]


GENERIC_IDS = (
    "aster bequant binancecoinm binanceusdm bingx bitfinex btse bybiteu bybitid "
    "deepcoin delta fmfwio gateeu hashkey hitbtc htx krakenfutures kucoin "
    "kucoinfutures lbank lighter modetrade myokx nado okxus pacifica paradex "
    "polymarket toobit weex whitebit woo woofipro"
).split()


async def test_generic_ids_construct_offline_with_rewritten_urls(make_venue, fakes):
    base = fakes["okx"].url
    for ccxt_id in GENERIC_IDS:
        source = make_venue("okx", ccxt_id=ccxt_id, api_base=base)
        exchange = await source._exchange_ready()
        assert exchange.has["fetchFundingRates"] is True, ccxt_id
        assert all(u.startswith(base) for u in _urls(exchange.urls["api"])), ccxt_id
    assert fakes["okx"].hits() == 0


async def test_an_exchange_without_bulk_funding_rates_is_refused(make_venue):
    source = make_venue("okx", ccxt_id="kraken")
    with pytest.raises(VenueError) as err:
        await source.poll()
    assert err.value.reason == "ccxt's 'kraken' cannot fetch all funding rates"


async def test_ccxt_client_throttle_is_off(fakes, make_venue):
    # ccxt's throttle would wait out a bulk request's weight by waking the event
    # loop every millisecond; one request per venue per refresh needs no pacing,
    # and 429/418 are honoured from Retry-After by the poller.
    source = make_venue("binance")
    await source.poll()
    assert source._exchange is not None and source._exchange.enableRateLimit is False
