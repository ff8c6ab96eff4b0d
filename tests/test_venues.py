"""The real ccxt adapter against the fake venues: what each venue's quotes say.

Every test here goes through CcxtVenue -> ccxt -> HTTP -> tests/fakevenue on
127.0.0.1; nothing touches the internet. Expected values are worked out by
hand from the payload files (see tests/fakevenue/payloads/README.md).
"""

from __future__ import annotations

import pytest

from fundtui.core.board import choose_quotes
from fundtui.core.quote import Quote
from fundtui.feeds.source import VenueError, VenuePoll
from tests.fakevenue.server import VENUES

pytest_plugins = ("tests.fakevenue.fixtures",)

# symbol -> (base, multiplier, settle, interval_hours)
EXPECTED: dict[str, dict[str, tuple[str, int, str, float | None]]] = {
    "binance": {
        "BTC/USDT:USDT": ("BTC", 1, "USDT", 8.0),
        "ETH/USDT:USDT": ("ETH", 1, "USDT", 8.0),
        "SOL/USDT:USDT": ("SOL", 1, "USDT", 8.0),  # not in fundingInfo: Binance's 8 h rule
        "BLZ/USDT:USDT": ("BLZ", 1, "USDT", 4.0),
        "LPT/USDT:USDT": ("LPT", 1, "USDT", 4.0),
        "GTC/USDT:USDT": ("GTC", 1, "USDT", 8.0),  # listed in fundingInfo as 8 h
        "ZK/USDT:USDT": ("ZK", 1, "USDT", 1.0),
        "1000PEPE/USDT:USDT": ("PEPE", 1000, "USDT", 8.0),
        "1INCH/USDT:USDT": ("1INCH", 1, "USDT", 8.0),
        "1000000MOG/USDT:USDT": ("MOG", 1_000_000, "USDT", 8.0),
        "BTC/USDC:USDC": ("BTC", 1, "USDC", 8.0),
        "ETH/USDC:USDC": ("ETH", 1, "USDC", 8.0),
        "1000PEPE/USDC:USDC": ("PEPE", 1000, "USDC", 8.0),
        "LTC/USDC:USDC": ("LTC", 1, "USDC", 8.0),
        # dropped: UNFIUSDT (SETTLING), BTCUSDT_241227 / ETHUSDT_250328 (delivery),
        # ETHBTC (BTC-margined)
    },
    "bybit": {
        "BTC/USDT:USDT": ("BTC", 1, "USDT", 8.0),
        "ETH/USDT:USDT": ("ETH", 1, "USDT", 8.0),
        "SOL/USDT:USDT": ("SOL", 1, "USDT", 4.0),  # no fundingIntervalHour: instrument's 240 min
        "1000PEPE/USDT:USDT": ("PEPE", 1000, "USDT", 4.0),
        "MYRO/USDT:USDT": ("MYRO", 1, "USDT", 1.0),
        "FARTCOIN/USDT:USDT": ("FARTCOIN", 1, "USDT", 2.0),
        "BTC/USDC:USDC": ("BTC", 1, "USDC", 8.0),  # BTCPERP
        # dropped: BTC-27DEC24 (LinearFutures), UNFIUSDT (Closed)
    },
    "okx": {
        "BTC/USDT:USDT": ("BTC", 1, "USDT", 8.0),
        "ETH/USDT:USDT": ("ETH", 1, "USDT", 8.0),
        "BTC/USDC:USDC": ("BTC", 1, "USDC", 8.0),
        "PEPE/USDT:USDT": ("PEPE", 1, "USDT", 8.0),
        "LPT/USDT:USDT": ("LPT", 1, "USDT", 4.0),
        "DOGE/USDT:USDT": ("DOGE", 1, "USDT", None),  # nextFundingTime "": unknown, not 8 h
        # dropped: BTC-USD-SWAP (inverse), LUNA-USDT-SWAP (suspend)
    },
    "bitget": {
        "BTC/USDT:USDT": ("BTC", 1, "USDT", 8.0),
        "ETH/USDT:USDT": ("ETH", 1, "USDT", 8.0),
        "SOL/USDT:USDT": ("SOL", 1, "USDT", 4.0),
        "DOGE/USDT:USDT": ("DOGE", 1, "USDT", 1.0),
        "XRP/USDT:USDT": ("XRP", 1, "USDT", 8.0),  # old row form: contract's fundInterval
        # dropped: LUNAUSDT (off); the delivery contract has no rate row
    },
    "gate": {
        "LAB/USDT:USDT": ("LAB", 1, "USDT", 8.0),
        "BTC/USDT:USDT": ("BTC", 1, "USDT", 8.0),
        "ETH/USDT:USDT": ("ETH", 1, "USDT", 4.0),
        "MEME/USDT:USDT": ("MEME", 1, "USDT", 2.0),  # 7200 s, which ccxt leaves unmapped
        "PUMP/USDT:USDT": ("PUMP", 1, "USDT", 1.0),
        "PEPE/USDT:USDT": ("PEPE", 1, "USDT", 8.0),
        # dropped: LUNA_USDT (delisting)
    },
    "hyperliquid": {
        f"{name}/USDC:USDC": (name.removeprefix("k"), 1000 if name == "kPEPE" else 1, "USDC", 1.0)
        for name in (
            "BTC",
            "ETH",
            "ATOM",
            "DYDX",
            "SOL",
            "AVAX",
            "BNB",
            "APE",
            "OP",
            "LTC",
            "ARB",
            "DOGE",
            "INJ",
            "SUI",
            "kPEPE",
        )
        # dropped: MATIC (isDelisted)
    },
}


def by_symbol(poll: VenuePoll) -> dict[str, Quote]:
    quotes = {q.symbol: q for q in poll.quotes}
    assert len(quotes) == len(poll.quotes), "duplicate symbols"
    return quotes


@pytest.mark.parametrize("venue", VENUES)
async def test_each_venue_lists_exactly_its_live_linear_stablecoin_perps(venue, make_venue):
    poll = await make_venue(venue).poll()
    assert poll.venue == venue
    assert poll.latency_ms > 0 and poll.fetched_ms > 1_700_000_000_000
    quotes = by_symbol(poll)
    assert set(quotes) == set(EXPECTED[venue])
    for symbol, (base, multiplier, settle, interval) in EXPECTED[venue].items():
        q = quotes[symbol]
        assert (q.venue, q.base, q.multiplier, q.quote, q.interval_hours) == (
            venue,
            base,
            multiplier,
            settle,
            interval,
        ), symbol
        assert q.funding_rate is not None, symbol


def test_expected_intervals_cover_1_2_4_8_hours():
    seen = {i for table in EXPECTED.values() for *_, i in table.values()}
    assert {1.0, 2.0, 4.0, 8.0} <= seen


@pytest.mark.parametrize(
    ("venue", "symbol", "rate", "interval", "rate_8h", "apr"),
    [
        ("binance", "BTC/USDT:USDT", 0.00013062, 8, 0.00013062, 0.1430289),
        ("binance", "BLZ/USDT:USDT", 0.00007595, 4, 0.0001519, 0.1663305),
        ("binance", "ZK/USDT:USDT", 0.00005, 1, 0.0004, 0.438),
        ("bybit", "BTC/USDT:USDT", -0.000212, 8, -0.000212, -0.23214),
        ("bybit", "MYRO/USDT:USDT", 0.0001, 1, 0.0008, 0.876),
        ("bybit", "FARTCOIN/USDT:USDT", -0.0005, 2, -0.002, -2.19),
        ("okx", "LPT/USDT:USDT", -0.0012, 4, -0.0024, -2.628),
        ("bitget", "DOGE/USDT:USDT", 0.00005, 1, 0.0004, 0.438),
        ("gate", "MEME/USDT:USDT", -0.0008, 2, -0.0032, -3.504),
        ("hyperliquid", "BTC/USDC:USDC", -0.0000015186, 1, -0.0000121488, -0.013302936),
    ],
)
async def test_normalized_rates_by_hand(make_venue, venue, symbol, rate, interval, rate_8h, apr):
    q = by_symbol(await make_venue(venue).poll())[symbol]
    assert q.funding_rate == pytest.approx(rate, rel=1e-12)
    assert q.interval_hours == interval
    assert q.rate_8h == pytest.approx(rate_8h, rel=1e-9)
    assert q.apr == pytest.approx(apr, rel=1e-9)


async def test_binance_fields_from_premium_index(make_venue):
    q = by_symbol(await make_venue("binance").poll())["BTC/USDT:USDT"]
    assert q.mark_price == 93951.8 and q.index_price == 93902.89680851
    assert q.next_funding_ms == 1732723200000 and q.timestamp_ms == 1732715655000
    # premiumIndex carries no OI, volume or 24 h change; no extra request is made for them
    assert (q.open_interest_usd, q.volume_24h_usd, q.price_change_24h) == (None, None, None)
    assert q.premium == pytest.approx((93951.8 - 93902.89680851) / 93902.89680851)


async def test_bybit_fields_from_linear_tickers(make_venue):
    q = by_symbol(await make_venue("bybit").poll())["BTC/USDT:USDT"]
    assert (q.mark_price, q.index_price) == (17217.33, 17227.36)
    assert q.open_interest_usd == 1183601235.91  # openInterestValue is already USD
    assert q.volume_24h_usd == 1570383121.943499  # turnover24h, quote currency
    assert q.price_change_24h == 0.017103  # price24hPcnt is a fraction, not percent
    assert q.next_funding_ms == 1673280000000 and q.timestamp_ms == 1673272861686


async def test_okx_fields_from_funding_rate_any(make_venue):
    q = by_symbol(await make_venue("okx").poll())["BTC/USDT:USDT"]
    # fundingTime is the coming settlement; nextFundingTime the one after it
    assert q.next_funding_ms == 1703088000000
    assert q.timestamp_ms == 1703070685309
    assert q.venue_premium == 0.0001233824646391 and q.premium == 0.0001233824646391
    assert (q.mark_price, q.index_price, q.open_interest_usd, q.volume_24h_usd) == (None,) * 4


async def test_bitget_fields_from_current_fund_rate(make_venue):
    quotes = by_symbol(await make_venue("bitget").poll())
    q = quotes["BTC/USDT:USDT"]
    assert q.funding_rate == 0.0005 and q.next_funding_ms == 1695801600000
    assert q.timestamp_ms == 1695796725656
    assert quotes["XRP/USDT:USDT"].next_funding_ms is None


async def test_gate_open_interest_is_contracts_times_multiplier_times_mark(make_venue):
    quotes = by_symbol(await make_venue("gate").poll())
    btc = quotes["BTC/USDT:USDT"]
    assert btc.open_interest_usd == pytest.approx(33412011 * 0.0001 * 37985.6)
    assert btc.next_funding_ms == 1610035200 * 1000  # funding_next_apply is in seconds
    assert (btc.mark_price, btc.index_price) == (37985.6, 37954.92)
    pepe = quotes["PEPE/USDT:USDT"]
    assert pepe.open_interest_usd == pytest.approx(412003 * 10_000_000 * 0.00001171)


async def test_hyperliquid_fields_and_kpepe(make_venue, clock):
    clock.now = 1_795_000_123.4
    quotes = by_symbol(await make_venue("hyperliquid", clock=clock).poll())
    pepe = quotes["kPEPE/USDC:USDC"]
    assert (pepe.base, pepe.multiplier) == ("PEPE", 1000)
    assert (pepe.mark_price, pepe.index_price) == (0.003632, 0.003633)
    assert pepe.open_interest_usd == pytest.approx(5235352696.0 * 0.003632)
    assert pepe.volume_24h_usd == pytest.approx(1762126.3931760003)
    assert pepe.price_change_24h == pytest.approx(0.003632 / 0.003575 - 1)
    assert pepe.venue_premium == -0.0002752546
    # hourly, on the hour: the next settlement is the next full hour
    assert pepe.next_funding_ms == 1_795_003_200_000


async def test_empty_strings_and_nulls_in_real_rows_become_none(make_venue):
    binance = by_symbol(await make_venue("binance").poll())
    ltc = binance["LTC/USDC:USDC"]  # indexPrice ""
    assert ltc.index_price is None and ltc.mark_price == 95.81 and ltc.funding_rate == 0.00022306
    assert ltc.premium is None  # no index, no venue figure: nothing guessed
    bybit = by_symbol(await make_venue("bybit").poll())
    assert bybit["ETH/USDT:USDT"].volume_24h_usd is None  # turnover24h ""
    gate = by_symbol(await make_venue("gate").poll())
    assert gate["PUMP/USDT:USDT"].index_price is None  # index_price ""
    hyper = by_symbol(await make_venue("hyperliquid").poll())
    ape = hyper["APE/USDC:USDC"]  # premium null
    assert ape.venue_premium is None
    assert ape.premium == pytest.approx((0.13799 - 0.13789) / 0.13789)


def _break_binance(fake):
    rows = fake.payload("premiumIndex")
    row = {r["symbol"]: r for r in rows}
    row["ETHUSDT"]["lastFundingRate"] = "NaN"
    row["SOLUSDT"]["markPrice"] = {"price": 1}
    row["GTCUSDT"]["nextFundingTime"] = "soon"
    rows += [None, "BTCUSDT", [1, 2], {"symbol": None, "lastFundingRate": "0.1"}, {"symbol": 7}]
    return {
        "ETH/USDT:USDT": ("funding_rate", None),
        "SOL/USDT:USDT": ("mark_price", None),
        "GTC/USDT:USDT": ("next_funding_ms", None),
    }


def _break_bybit(fake):
    data = fake.payload("tickers_linear")
    rows = data["result"]["list"]
    row = {r["symbol"]: r for r in rows}
    row["BTCUSDT"]["fundingRate"] = None
    row["ETHUSDT"]["markPrice"] = "abc"
    row["MYROUSDT"]["fundingIntervalHour"] = ""  # falls back to the instrument's 60 min
    rows += [None, 42, {"symbol": ""}]
    return {
        "BTC/USDT:USDT": ("funding_rate", None),
        "ETH/USDT:USDT": ("mark_price", None),
        "MYRO/USDT:USDT": ("interval_hours", 1.0),
    }


def _break_okx(fake):
    rows = fake.payload("funding_rate_any")["data"]
    row = {r["instId"]: r for r in rows}
    row["ETH-USDT-SWAP"]["fundingRate"] = None
    row["LPT-USDT-SWAP"]["fundingTime"] = "NaN"
    rows += [None, {"instId": ["x"]}]
    return {"ETH/USDT:USDT": ("funding_rate", None), "LPT/USDT:USDT": ("interval_hours", None)}


def _break_bitget(fake):
    rows = fake.payload("current_fund_rate_usdt_futures")["data"]
    row = {r["symbol"]: r for r in rows}
    row["ETHUSDT"]["fundingRate"] = ""
    row["SOLUSDT"]["fundingRateInterval"] = None  # falls back to the contract's fundInterval
    rows += [None, {"fundingRate": "0.1"}]
    return {"ETH/USDT:USDT": ("funding_rate", None), "SOL/USDT:USDT": ("interval_hours", 4.0)}


def _break_gate(fake):
    rows = fake.payload("futures_usdt_contracts")
    row = {r["name"]: r for r in rows}
    row["BTC_USDT"]["funding_rate"] = None
    row["ETH_USDT"]["mark_price"] = ""
    row["MEME_USDT"]["funding_interval"] = "7200"  # a string still reads as seconds
    rows += [None, {"name": None}, {"name": "X"}]
    return {
        "BTC/USDT:USDT": ("funding_rate", None),
        "ETH/USDT:USDT": ("open_interest_usd", None),
        "MEME/USDT:USDT": ("interval_hours", 2.0),
    }


def _break_hyperliquid(fake):
    meta, ctxs = fake.payload("metaAndAssetCtxs")
    ctxs[1]["funding"] = None  # ETH
    ctxs[5]["markPx"] = ""  # SOL
    ctxs[2] = None  # ATOM's context is not an object: ATOM is skipped
    return {
        "ETH/USDC:USDC": ("funding_rate", None),
        "SOL/USDC:USDC": ("open_interest_usd", None),
        "ATOM/USDC:USDC": (None, None),
    }


BREAKERS = {
    "binance": _break_binance,
    "bybit": _break_bybit,
    "okx": _break_okx,
    "bitget": _break_bitget,
    "gate": _break_gate,
    "hyperliquid": _break_hyperliquid,
}


@pytest.mark.parametrize("venue", VENUES)
async def test_bad_rows_and_fields_never_fail_the_venue(venue, fakes, make_venue):
    source = make_venue(venue)
    await source.poll()  # warm metadata from the good payloads
    effects = BREAKERS[venue](fakes[venue])
    quotes = by_symbol(await source.poll())
    for symbol, (field, value) in effects.items():
        if field is None:
            assert symbol not in quotes
        else:
            assert getattr(quotes[symbol], field) == value, symbol
    untouched = set(EXPECTED[venue]) - set(effects)
    assert untouched <= set(quotes)
    for symbol in untouched:
        assert quotes[symbol].funding_rate is not None


async def test_hyperliquid_refuses_to_pair_contexts_it_cannot_align(fakes, make_venue):
    meta, ctxs = fakes["hyperliquid"].payload("metaAndAssetCtxs")
    del ctxs[3]
    with pytest.raises(VenueError) as err:
        await make_venue("hyperliquid").poll()
    assert err.value.reason == "unexpected payload: 16 markets but 15 contexts"


async def test_board_prefers_usdt_when_a_venue_lists_usdt_and_usdc(make_venue):
    quotes = list((await make_venue("binance").poll()).quotes)
    quotes += (await make_venue("bybit").poll()).quotes
    chosen = choose_quotes(quotes)
    assert chosen["BTC"]["binance"].quote == "USDT"
    assert chosen["BTC"]["bybit"].quote == "USDT"
    assert chosen["PEPE"]["binance"].symbol == "1000PEPE/USDT:USDT"
    assert chosen["LTC"]["binance"].quote == "USDC"  # only USDC listed: still shown


async def test_a_row_frozen_behind_the_rest_of_the_answer_is_dropped(fakes, make_venue):
    source = make_venue("binance")
    await source.poll()
    rows = {r["symbol"]: r for r in fakes["binance"].payload("premiumIndex")}
    rows["GTCUSDT"]["time"] -= 11 * 60_000  # not updated with the others: not live
    rows["BLZUSDT"]["time"] -= 9 * 60_000  # within the 10 min tolerance
    symbols = {q.symbol for q in (await source.poll()).quotes}
    assert "GTC/USDT:USDT" not in symbols and "BLZ/USDT:USDT" in symbols
