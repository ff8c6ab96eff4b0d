"""The simulated market: deterministic, realistic intervals and magnitudes, planted spreads."""

import asyncio
import statistics
import time

import pytest

from fundtui.config import SUPPORTED_VENUES
from fundtui.core.board import build_board
from fundtui.core.symbols import split_base
from fundtui.feeds.demo import PLANTED, demo_sources

NOW = 1_714_550_400_000 + 17 * 60_000 + 5_000  # 2024-05-01T08:17:05Z
HOUR = 3_600_000


def clock():
    return NOW


async def poll_rounds(sources, rounds):
    """All venues' polls for each round, as {venue: VenuePoll}."""
    out = []
    for _ in range(rounds):
        out.append({s.name: await s.poll() for s in sources})
    return out


def quotes_of(rounds):
    """Everything but the measured latency."""
    return [{v: (p.quotes, p.fetched_ms) for v, p in r.items()} for r in rounds]


async def test_same_seed_same_polls_give_identical_quotes():
    a = await poll_rounds(demo_sources(SUPPORTED_VENUES, seed=11, clock=clock), 3)
    b = await poll_rounds(demo_sources(SUPPORTED_VENUES, seed=11, clock=clock), 3)
    assert quotes_of(a) == quotes_of(b)
    assert len(a[0]["binance"].quotes) > 100


async def test_a_venue_does_not_depend_on_the_others_or_on_poll_order():
    alone = await poll_rounds(demo_sources(["okx"], clock=clock), 3)
    rev = await poll_rounds(demo_sources(list(reversed(SUPPORTED_VENUES)), clock=clock), 3)
    assert [r["okx"].quotes for r in alone] == [r["okx"].quotes for r in rev]


async def test_concurrent_polls_are_still_deterministic():
    async def concurrently():
        sources = demo_sources(SUPPORTED_VENUES, clock=clock)
        rounds = []
        for _ in range(3):
            polls = await asyncio.gather(*(s.poll() for s in sources))
            rounds.append([p.quotes for p in polls])
        return rounds

    assert await concurrently() == await concurrently()


async def test_seed_changes_the_market_and_each_poll_moves_it():
    a1, a2 = await poll_rounds(demo_sources(["binance"], seed=7, clock=clock), 2)
    b1, _ = await poll_rounds(demo_sources(["binance"], seed=8, clock=clock), 2)
    rates = lambda p: [q.funding_rate for q in p["binance"].quotes]  # noqa: E731
    assert rates(a1) != rates(b1)
    assert rates(a1) != rates(a2)
    # but the listing itself is stable from poll to poll
    assert [q.symbol for q in a1["binance"].quotes] == [q.symbol for q in a2["binance"].quotes]


async def test_clock_sets_fetch_time_and_timestamps():
    (r,) = await poll_rounds(demo_sources(SUPPORTED_VENUES, clock=clock), 1)
    for p in r.values():
        assert p.fetched_ms == NOW
        assert all(q.timestamp_ms == NOW for q in p.quotes)
        assert p.latency_ms >= 0


async def test_polls_are_instant_without_latency_and_sleep_with_it():
    sources = demo_sources(SUPPORTED_VENUES, clock=clock)
    t = time.perf_counter()
    await poll_rounds(sources, 5)
    assert time.perf_counter() - t < 2.0
    (slow,) = demo_sources(["gate"], clock=clock, latency_s=0.05)
    p = await slow.poll()
    assert p.latency_ms >= 0.05 * 0.5 * 1000 * 0.9


async def test_universe_is_large_and_partly_listed():
    (r,) = await poll_rounds(demo_sources(SUPPORTED_VENUES, clock=clock), 1)
    venues_by_base = {}
    for v, p in r.items():
        for q in p.quotes:
            venues_by_base.setdefault(q.base, set()).add(v)
    assert len(venues_by_base) >= 250
    counts = [len(vs) for vs in venues_by_base.values()]
    assert max(counts) == 6
    assert sum(c < 6 for c in counts) > 50  # many bases only on some venues
    assert sum(c == 1 for c in counts) >= 5  # fresh listings: no spread yet
    board = build_board({v: p.quotes for v, p in r.items()}, SUPPORTED_VENUES)
    assert sum(row.spread is None for row in board.values()) >= 5
    assert len(r["hyperliquid"].quotes) < len(r["bybit"].quotes)


async def test_interval_mix_per_venue():
    (r,) = await poll_rounds(demo_sources(SUPPORTED_VENUES, clock=clock), 1)
    by_venue = {v: [q.interval_hours for q in p.quotes] for v, p in r.items()}
    assert set(by_venue["hyperliquid"]) == {1.0}
    assert set(by_venue["okx"]) == {8.0, 4.0}
    for v in ("bybit", "gate", "bitget", "binance"):
        assert set(by_venue[v]) == {1.0, 4.0, 8.0}, v
    # binance: mostly 8 h, some 4 h
    b = by_venue["binance"]
    assert b.count(8.0) > len(b) / 2 and b.count(4.0) > 10
    # the largest coins keep the standard 8 h on the centralized venues
    for v in ("binance", "bybit", "okx", "bitget", "gate"):
        assert all(q.interval_hours == 8.0 for q in r[v].quotes if q.base in ("BTC", "ETH"))


async def test_next_funding_is_the_next_point_on_the_interval_grid():
    (r,) = await poll_rounds(demo_sources(SUPPORTED_VENUES, clock=clock), 1)
    for p in r.values():
        for q in p.quotes:
            iv = int(q.interval_hours) * HOUR
            assert q.next_funding_ms % iv == 0
            assert NOW < q.next_funding_ms <= NOW + iv
    # 08:17:05 UTC: next 1 h settlement at 09:00, next 4 h at 12:00, next 8 h at 16:00
    expected = {
        1.0: NOW - 17 * 60_000 - 5_000 + HOUR,
        4.0: NOW - 17 * 60_000 - 5_000 + 4 * HOUR,
        8.0: NOW - 17 * 60_000 - 5_000 + 8 * HOUR,
    }
    for q in r["bybit"].quotes:
        assert q.next_funding_ms == expected[q.interval_hours]


async def test_rate_magnitudes_are_realistic_with_fat_tails():
    (r,) = await poll_rounds(demo_sources(SUPPORTED_VENUES, clock=clock), 1)
    rates = [q.rate_8h for p in r.values() for q in p.quotes]
    med = statistics.median(rates)
    assert 0.00003 <= med <= 0.00012  # about 0.005-0.01 % per 8 h
    calm = sum(0.0 <= x <= 0.00015 for x in rates)
    assert calm > 0.6 * len(rates)
    assert sum(abs(x) > 0.001 for x in rates) >= 5  # a fat tail
    assert any(x < 0 for x in rates)
    assert max(abs(x) for x in rates) < 0.02  # nothing absurd
    # the hourly venue quotes small per-interval numbers: its 8h-equivalent is 8x
    for q in r["hyperliquid"].quotes:
        assert q.rate_8h == pytest.approx(q.funding_rate * 8)


async def test_planted_divergences_stand_out_on_every_poll():
    rounds = await poll_rounds(demo_sources(SUPPORTED_VENUES, clock=clock), 5)
    for r in rounds:
        board = build_board({v: p.quotes for v, p in r.items()}, SUPPORTED_VENUES)
        top = sorted(
            (row.spread for row in board.values() if row.spread), key=lambda s: -s.spread_8h
        )[: len(PLANTED) + 5]
        top_bases = {s.base for s in top}
        for (base, venue), offset in PLANTED.items():
            s = board[base].spread
            leg = s.short_venue if offset > 0 else s.long_venue
            assert leg == venue, (base, venue)
            assert s.spread_8h >= 0.7 * abs(offset)
            assert base in top_bases


async def test_bundled_contracts_normalize_to_one_coin():
    (r,) = await poll_rounds(demo_sources(SUPPORTED_VENUES, clock=clock), 1)
    pepe = {v: [q for q in p.quotes if q.base == "PEPE"] for v, p in r.items()}
    assert [q.symbol for q in pepe["binance"]] == ["1000PEPE/USDT:USDT"]
    assert [q.symbol for q in pepe["bybit"]] == ["1000PEPE/USDT:USDT"]
    assert [q.symbol for q in pepe["hyperliquid"]] == ["kPEPE/USDC:USDC"]
    assert [q.symbol for q in pepe["okx"]] == ["PEPE/USDT:USDT"]
    one_coin = [q.mark_price / q.multiplier for qs in pepe.values() for q in qs]
    assert max(one_coin) / min(one_coin) < 1.02
    assert {q.multiplier for q in pepe["binance"] + pepe["hyperliquid"]} == {1000}
    assert pepe["okx"][0].multiplier == 1
    baby = [q for q in r["binance"].quotes if q.base == "BABYDOGE"]
    assert baby and baby[0].symbol.startswith("1MBABYDOGE/") and baby[0].multiplier == 1_000_000
    board = build_board({v: p.quotes for v, p in r.items()}, SUPPORTED_VENUES)
    assert set(board["PEPE"].quotes) == set(SUPPORTED_VENUES)
    # every quote's base and multiplier are what the symbol says
    for p in r.values():
        for q in p.quotes:
            assert split_base(q.symbol.split("/")[0]) == (q.base, q.multiplier), q.symbol
    assert any(q.base == "1INCH" and q.multiplier == 1 for q in r["binance"].quotes)


async def test_usdc_duplicates_exist_and_the_board_prefers_usdt():
    (r,) = await poll_rounds(demo_sources(SUPPORTED_VENUES, clock=clock), 1)
    btc = [q.symbol for q in r["binance"].quotes if q.base == "BTC"]
    assert sorted(btc) == ["BTC/USDC:USDC", "BTC/USDT:USDT"]
    board = build_board({v: p.quotes for v, p in r.items()}, SUPPORTED_VENUES)
    assert board["BTC"].quotes["binance"].quote == "USDT"
    assert board["BTC"].quotes["hyperliquid"].quote == "USDC"


async def test_quotes_carry_prices_oi_volume_and_change():
    (r,) = await poll_rounds(demo_sources(SUPPORTED_VENUES, clock=clock), 1)
    for p in r.values():
        for q in p.quotes:
            assert q.mark_price > 0 and q.index_price > 0
            assert abs(q.premium) < 0.05
            assert q.open_interest_usd > 0 and q.volume_24h_usd > 0
            assert -1 < q.price_change_24h < 3
    btc = next(q for q in r["binance"].quotes if q.symbol == "BTC/USDT:USDT")
    assert 10_000 < btc.index_price < 500_000
    assert btc.open_interest_usd > 1e9


async def test_unknown_venue_names_get_a_generic_market():
    (src,) = demo_sources(["mexc"], clock=clock)
    p = await src.poll()
    assert p.venue == "mexc" and len(p.quotes) > 100
    assert all(q.venue == "mexc" for q in p.quotes)
    await src.close()
