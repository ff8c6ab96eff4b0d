"""Open interest and 24 h figures from the slower second request, against the fake venues.

okx, bitget and binance answer their rate request without open interest (binance:
without volume and 24 h change); :mod:`fundtui.feeds.extras` asks their second bulk
endpoint at most once a minute and never in two polls in a row. Expected figures are
worked out by hand from the payload files (tests/fakevenue/payloads/README.md);
request counts are taken at the fake server. The clock is the adapter's (frozen,
moved by the test), so the cadence does not depend on how fast the machine is.
"""

from __future__ import annotations

import pytest

from fundtui.core.venues import (
    OI_SLOWER,
    VENUES,
    gives_open_interest,
    open_interest_gap,
    open_interest_note,
)
from fundtui.feeds import extras
from fundtui.feeds.extras import Extra, ExtrasKeeper
from fundtui.feeds.metadata import Market
from fundtui.feeds.venues import spec_for
from tests.fakevenue.server import EXTRAS_PATHS, RATE_PATHS

pytest_plugins = ("tests.fakevenue.fixtures",)

OKX_OI = "open_interest_swap"
BITGET_TICKERS = "tickers_usdt_futures"
BINANCE_24H = "ticker_24hr"
PWNED = "\x1b]0;PWNED\x07T-USDT-SWAP"


def by_symbol(poll):
    return {q.symbol: q for q in poll.quotes}


async def second_poll(make_venue, clock, venue, **kwargs):
    """The adapter and its second poll (the first loads metadata and asks nothing else)."""
    source = make_venue(venue, clock=clock, **kwargs)
    await source.poll()
    clock.advance(30)
    return source, await source.poll()


# --------------------------------------------------------------------------- figures


async def test_okx_open_interest_in_coins_is_contracts_times_ct_val(fakes, make_venue, clock):
    # oiCcy disagrees on purpose: the coins must come from oi x ctVal
    rows = {r["instId"]: r for r in fakes["okx"].payload(OKX_OI)["data"]}
    rows["BTC-USDT-SWAP"]["oiCcy"] = "1"
    _, poll = await second_poll(make_venue, clock, "okx")
    q = by_symbol(poll)
    assert q["BTC/USDT:USDT"].open_interest_coins == pytest.approx(2125419 * 0.01)  # 21254.19
    assert q["ETH/USDT:USDT"].open_interest_coins == pytest.approx(1534287.2 * 0.1)  # 153428.72
    assert q["BTC/USDC:USDC"].open_interest_coins == pytest.approx(1840022 * 0.0001)  # 184.0022
    assert q["PEPE/USDT:USDT"].open_interest_coins == pytest.approx(412003 * 10_000_000)
    assert q["DOGE/USDT:USDT"].open_interest_coins == 88210000.0  # oi "": OKX's own oiCcy
    assert q["BTC/USDT:USDT"].open_interest_usd == 934558793.62  # oiUsd as given
    assert q["LPT/USDT:USDT"].open_interest_usd is None  # oiUsd "": none, not guessed
    assert q["LPT/USDT:USDT"].open_interest_coins == pytest.approx(53210.0)
    assert {x.extras_ms for x in poll.quotes} == {poll.fetched_ms}
    assert q["BTC/USDT:USDT"].funding_rate == 0.0000792386885340  # the rate is untouched
    assert fakes["okx"].requests[-1].query == {"instType": "SWAP"}


async def test_okx_without_ct_val_or_oi_ccy_gives_no_coins(fakes, make_venue, clock):
    for row in fakes["okx"].payload("instruments_swap")["data"]:
        if row["instId"] == "ETH-USDT-SWAP":
            row["ctVal"] = ""
    rows = {r["instId"]: r for r in fakes["okx"].payload(OKX_OI)["data"]}
    rows["ETH-USDT-SWAP"]["oiCcy"] = ""
    _, poll = await second_poll(make_venue, clock, "okx")
    eth = by_symbol(poll)["ETH/USDT:USDT"]
    assert eth.open_interest_coins is None  # never oi x a guessed 1.0
    assert eth.open_interest_usd == 339453067.11


async def test_bitget_holding_amount_volume_and_change(fakes, make_venue, clock):
    _, poll = await second_poll(make_venue, clock, "bitget")
    q = by_symbol(poll)
    btc = q["BTC/USDT:USDT"]
    assert btc.open_interest_coins == 7452.6421  # holdingAmount is in coins
    assert btc.open_interest_usd == pytest.approx(7452.6421 * 104824.2)  # x markPrice
    assert btc.volume_24h_usd == 8274870921.80485  # usdtVolume
    assert btc.price_change_24h == 0.00471  # change24h is a ratio already
    assert q["ETH/USDT:USDT"].price_change_24h == -0.01237
    assert q["DOGE/USDT:USDT"].open_interest_usd == pytest.approx(901334120 * 0.17211)  # lastPr
    xrp = q["XRP/USDT:USDT"]  # every figure "": nothing filled, nothing stamped
    assert (xrp.open_interest_coins, xrp.open_interest_usd, xrp.extras_ms) == (None, None, None)
    assert btc.extras_ms == poll.fetched_ms
    assert fakes["bitget"].requests[-1].query == {"productType": "USDT-FUTURES"}


async def test_binance_volume_and_change_but_no_open_interest(fakes, make_venue, clock):
    _, poll = await second_poll(make_venue, clock, "binance")
    q = by_symbol(poll)
    btc = q["BTC/USDT:USDT"]
    assert btc.volume_24h_usd == 17421338791.18  # quoteVolume
    assert btc.price_change_24h == pytest.approx(-0.01846)  # priceChangePercent -1.846 / 100
    assert q["1000PEPE/USDT:USDT"].price_change_24h == pytest.approx(0.125)
    assert q["BTC/USDC:USDC"].volume_24h_usd == 1022339201.0
    assert q["ZK/USDT:USDT"].volume_24h_usd is None and q["ZK/USDT:USDT"].extras_ms is None
    assert all(x.open_interest_coins is None and x.open_interest_usd is None for x in poll.quotes)
    assert not gives_open_interest("binance")
    assert "binance" in (open_interest_gap("binance") or "")
    assert fakes["binance"].requests[-1].query == {}  # all symbols at once


def test_the_gap_is_named_only_where_open_interest_cannot_come():
    for venue in ("bybit", "okx", "bitget", "gate", "hyperliquid"):
        assert gives_open_interest(venue) and open_interest_gap(venue) is None
    assert "generic" in (open_interest_gap("kraken") or "")
    assert not gives_open_interest("kraken")


def test_each_missing_open_interest_gets_its_own_words():
    assert open_interest_note("okx", True) is None
    assert open_interest_note("binance", False) == open_interest_gap("binance")
    assert "once a minute" in (open_interest_note("okx", False) or "")
    assert "once a minute" in (open_interest_note("bitget", False) or "")
    assert open_interest_note("gate", False) == "gate sent no open interest for this market"
    assert "generic" in (open_interest_note("kraken", False) or "")


def test_the_facts_table_agrees_with_the_specs():
    for name, row in VENUES.items():
        slower = row.open_interest == OI_SLOWER
        assert spec_for(name).has_extras == (slower or name == "binance"), name  # binance: 24 h


async def test_venues_with_oi_in_the_rate_answer_fill_coins(fakes, make_venue):
    bybit = by_symbol(await make_venue("bybit").poll())
    assert bybit["BTC/USDT:USDT"].open_interest_coins == 68744.761  # openInterest: base coin
    assert bybit["1000PEPE/USDT:USDT"].open_interest_coins == 9137724400 * 1000  # PEPE, not 1000s
    gate_rows = {r["name"]: r for r in fakes["gate"].payload("futures_usdt_contracts")}
    gate_rows["ETH_USDT"]["quanto_multiplier"] = ""  # no contract size sent
    gate = by_symbol(await make_venue("gate").poll())
    assert gate["BTC/USDT:USDT"].open_interest_coins == pytest.approx(33412011 * 0.0001)
    assert gate["PEPE/USDT:USDT"].open_interest_coins == pytest.approx(412003 * 10_000_000)
    assert gate["ETH/USDT:USDT"].open_interest_coins is None  # not contracts x 1.0
    assert gate["ETH/USDT:USDT"].open_interest_usd is None
    hl = by_symbol(await make_venue("hyperliquid").poll())
    assert hl["BTC/USDC:USDC"].open_interest_coins == 27353.17682
    assert hl["kPEPE/USDC:USDC"].open_interest_coins == 5235352696.0 * 1000
    for q in [*bybit.values(), *gate.values(), *hl.values()]:
        assert q.extras_ms is None  # they came with the rate
    assert {p for v in ("bybit", "gate", "hyperliquid") for p in fakes[v].counts()} == {
        "/v5/market/instruments-info",
        RATE_PATHS["bybit"],
        RATE_PATHS["gate"],
        RATE_PATHS["hyperliquid"],
    }


# --------------------------------------------------------------------------- cadence


async def extras_per_poll(make_venue, fakes, clock, venue, refresh_s, polls):
    """Poll ``polls`` times (after the metadata poll), ``refresh_s`` apart: 1 for each poll
    that made the extras request (after the rate request), else 0."""
    source = make_venue(venue, clock=clock)
    await source.poll()
    fake = fakes[venue]
    made = []
    for _ in range(polls):
        clock.advance(refresh_s)
        fake.reset_log()
        poll = await source.poll()
        assert poll.quotes
        sent = fake.paths()
        paths = [p for p in sent if p in (RATE_PATHS[venue], EXTRAS_PATHS[venue])]
        assert paths in ([RATE_PATHS[venue]], [RATE_PATHS[venue], EXTRAS_PATHS[venue]])
        if len(sent) > len(paths):  # the 15-minute metadata refresh: nothing more in that poll
            assert len(paths) == 1
        made.append(len(paths) - 1)
    return made


@pytest.mark.parametrize("venue", sorted(EXTRAS_PATHS))
async def test_never_two_polls_in_a_row_and_at_most_one_and_a_half_per_poll(
    venue, fakes, make_venue, clock
):
    made = await extras_per_poll(make_venue, fakes, clock, venue, 60.0, 20)
    assert made == [1, 0] * 10  # at 60 s or slower: every other poll
    assert (20 + sum(made)) / 20 == 1.5


async def test_at_a_5_s_refresh_about_one_in_twelve(fakes, make_venue, clock):
    made = await extras_per_poll(make_venue, fakes, clock, "okx", 5.0, 120)  # 10 minutes
    assert not any(a and b for a, b in zip(made, made[1:], strict=False))
    assert sum(made) == 10  # one a minute: 1 + 5/60 requests per poll
    assert [i for i, m in enumerate(made) if m][:3] == [0, 12, 24]


async def test_at_a_300_s_refresh_still_every_other_poll(fakes, make_venue, clock):
    made = await extras_per_poll(make_venue, fakes, clock, "bitget", 300.0, 6)
    assert made == [1, 0, 1, 0, 1, 0]


# --------------------------------------------------------------------------- failures


@pytest.mark.parametrize("venue", sorted(EXTRAS_PATHS))
async def test_a_503_leaves_rates_live_and_backs_the_request_off(venue, fakes, make_venue, clock):
    fake = fakes[venue]
    fake.fail(503, path=EXTRAS_PATHS[venue])
    source = make_venue(venue, clock=clock)
    await source.poll()
    asked = []
    for _ in range(30):  # 15 minutes at 30 s
        clock.advance(30)
        fake.reset_log()
        poll = await source.poll()  # never raises
        assert poll.quotes and any(q.funding_rate is not None for q in poll.quotes)
        assert all(q.extras_ms is None for q in poll.quotes)
        assert fake.hits(RATE_PATHS[venue]) == 1
        asked.append(fake.hits(EXTRAS_PATHS[venue]))
    # healthy: every other poll (15); failing: 60, 120, 240, 480, 480 s apart
    assert [i for i, a in enumerate(asked) if a] == [0, 2, 6, 14]
    assert sum(asked) == 4 < 15


async def test_a_429_with_retry_after_is_honoured_and_the_old_figures_stay(
    fakes, make_venue, clock
):
    fake = fakes["okx"]
    source, poll = await second_poll(make_venue, clock, "okx")  # a good answer at t0
    t0 = poll.fetched_ms
    fake.fail(429, retry_after=600, path=EXTRAS_PATHS["okx"])
    asked = []
    for _ in range(40):  # 20 minutes at 30 s
        clock.advance(30)
        fake.reset_log()
        poll = await source.poll()
        btc = by_symbol(poll)["BTC/USDT:USDT"]
        assert btc.funding_rate is not None
        assert btc.open_interest_coins == pytest.approx(21254.19) and btc.extras_ms == t0
        asked.append(fake.hits(EXTRAS_PATHS["okx"]))
    assert [i for i, a in enumerate(asked) if a] == [1, 21]  # at +60 s, then 600 s later
    assert fake.hits(RATE_PATHS["okx"]) == 1  # rates unaffected, not raised


async def test_a_hanging_extras_request_is_cut_and_the_poll_still_answers(fakes, make_venue, clock):
    fakes["bitget"].hang(path=EXTRAS_PATHS["bitget"])
    source = make_venue("bitget", clock=clock, timeout_s=0.4)
    await source.poll()
    clock.advance(30)
    poll = await source.poll()
    assert poll.quotes and by_symbol(poll)["BTC/USDT:USDT"].open_interest_coins is None
    assert source._extras is not None and source._extras.failures == 1


@pytest.mark.parametrize("body", ['{"code":"0","data":"x"}', "[]", "{}", "not json", ""])
async def test_an_extras_answer_of_the_wrong_shape_fails_only_itself(
    body, fakes, make_venue, clock
):
    fakes["okx"].malformed(path=EXTRAS_PATHS["okx"], body=body)
    _, poll = await second_poll(make_venue, clock, "okx")
    assert poll.quotes and all(q.open_interest_coins is None for q in poll.quotes)
    assert fakes["okx"].hits(EXTRAS_PATHS["okx"]) == 1


async def test_figures_older_than_30_minutes_are_absent(fakes, make_venue, clock):
    fake = fakes["bitget"]
    source, poll = await second_poll(make_venue, clock, "bitget")
    t0 = poll.fetched_ms
    fake.fail(500, path=EXTRAS_PATHS["bitget"])
    seen = []
    for _ in range(8):  # 40 minutes at 5 min
        clock.advance(300)
        btc = by_symbol(await source.poll())["BTC/USDT:USDT"]
        seen.append((btc.open_interest_coins is not None, btc.extras_ms))
        assert btc.funding_rate is not None
    assert seen == [(True, t0)] * 6 + [(False, None)] * 2  # 35 min old: gone


async def test_hostile_symbol_names_in_the_extras_answer_are_harmless(fakes, make_venue, clock):
    rows = fakes["okx"].payload(OKX_OI)["data"]
    template = dict(rows[0])
    rows[:0] = [
        dict(template, instId=PWNED, oi="999"),
        dict(template, instId="BTC-USDT-SWAP\u202e", oi="999"),
        dict(template, instId=["BTC-USDT-SWAP"], oi="999"),
        dict(template, instId=None),
        "BTC-USDT-SWAP",
        None,
    ]
    bitget_rows = fakes["bitget"].payload(BITGET_TICKERS)["data"]
    bitget_rows.insert(0, dict(bitget_rows[0], symbol="\x1b[2JBTCUSDT", holdingAmount="1"))
    _, okx = await second_poll(make_venue, clock, "okx")
    _, bitget = await second_poll(make_venue, clock, "bitget")
    for poll in (okx, bitget):
        assert all("\x1b" not in q.symbol and "\u202e" not in q.symbol for q in poll.quotes)
    assert by_symbol(okx)["BTC/USDT:USDT"].open_interest_coins == pytest.approx(21254.19)
    assert by_symbol(bitget)["BTC/USDT:USDT"].open_interest_coins == 7452.6421


# --------------------------------------------------------------------------- the keeper itself


def test_a_clock_set_back_keeps_the_whole_wait():
    keeper = ExtrasKeeper("okx")
    assert keeper.due(1_000_000)
    keeper.attempted(1_000_000)
    keeper.failed("HTTP 503", 1_000_000, retry_after_s=600)
    assert not keeper.due(1_000_000 + 30_000)
    # the clock jumps an hour back: the 600 s still lie ahead, counted from there
    back = 1_000_000 - 3_600_000
    assert not keeper.due(back)
    assert not keeper.due(back + 599_000)
    assert keeper.due(back + 600_000)


def test_a_retry_after_beyond_a_day_is_capped_and_nan_is_ignored():
    keeper = ExtrasKeeper("okx")
    keeper.attempted(0)
    keeper.failed("rate limited", 0, retry_after_s=float("nan"))
    assert keeper.not_before_ms == 60_000
    keeper.failed("rate limited", 0, retry_after_s=1e12)
    assert keeper.not_before_ms == 24 * 3600 * 1000


def test_apply_fills_only_what_the_rate_answer_lacked():
    from fundtui.core.quote import Quote

    keeper = ExtrasKeeper("bitget")
    keeper.succeeded({"X/USDT:USDT": Extra(1.0, 2.0, 3.0, 0.1)}, 5_000)
    q = Quote("bitget", "X/USDT:USDT", "X", "USDT", 0.0001, 8.0, volume_24h_usd=9.0)
    (out,) = keeper.apply([q], 6_000)
    assert (out.open_interest_coins, out.open_interest_usd, out.volume_24h_usd) == (1.0, 2.0, 9.0)
    assert out.price_change_24h == 0.1 and out.extras_ms == 5_000
    assert keeper.apply([q], 5_000 + int(extras.MAX_AGE_S * 1000) + 1) == [q]


def test_a_cached_contract_size_must_be_a_positive_number():
    base = {"id": "A", "symbol": "A/USDT:USDT", "base_id": "A", "settle": "USDT"}
    assert Market.from_json(base).contract_size is None  # not given: None, not 1.0
    assert Market.from_json(dict(base, contract_size=0.01)).contract_size == 0.01
    for bad in (0, -1, "nan", "inf", "x"):
        with pytest.raises(ValueError):
            Market.from_json(dict(base, contract_size=bad))


# --------------------------------------------------------------------------- the demo market


async def test_demo_open_interest_in_coins_moves_apart_from_the_price():
    from fundtui.feeds.demo import DemoVenue

    venue = DemoVenue("okx", seed=7, clock=lambda: 1_795_000_000_000)
    first = by_symbol(await venue.poll())
    for _ in range(200):
        last = by_symbol(await venue.poll())
    for sym in ("BTC/USDT:USDT", "ETH/USDT:USDT"):
        a, b = first[sym], last[sym]
        for q in (a, b):  # USD is coins at one coin's price (index per contract / bundle)
            assert q.open_interest_usd == pytest.approx(
                q.open_interest_coins * q.index_price / q.multiplier, rel=1e-5
            )
        coins_moved = b.open_interest_coins / a.open_interest_coins - 1
        price_moved = b.index_price / a.index_price - 1
        assert abs(coins_moved) > 0.001 and abs(coins_moved - price_moved) > 0.001
