"""Maintenance tiers: bundled Binance brackets, ccxt-fetched tables against the fake venues,
the on-disk cache and the offline paths. No test leaves the loopback interface."""

from __future__ import annotations

import json
import math

import pytest

from fundtui.config import VenueConfig
from fundtui.core.tiers import BASE, NOTIONAL, TierError
from fundtui.feeds import tiers as feed
from fundtui.store import tier_cache

pytest_plugins = ("tests.fakevenue.fixtures",)

from tests.netguard import loopback_only  # noqa: E402,F401 - autouse: no internet

TIER_PATHS = {
    "bybit": "/v5/market/risk-limit",
    "okx": "/api/v5/public/position-tiers",
    "bitget": "/api/v2/mix/market/query-position-lever",
    "gate": "/api/v4/futures/usdt/risk_limit_tiers",
}


@pytest.fixture(autouse=True)
def _quick_close(monkeypatch):
    from ccxt.async_support.base.exchange import Exchange

    monkeypatch.setattr(Exchange, "timeout_on_exit", 0)


def test_bundled_binance_brackets_are_dated_and_complete():
    as_of, tables = feed.bundled_binance()
    assert as_of == "2026-09-29"
    assert {"BTCUSDT", "ETHUSDT", "1000PEPEUSDT"} <= set(tables)
    src = feed.binance_tiers("PEPE")
    assert src.symbol == "1000PEPEUSDT" and "2026-09-29" in src.label
    assert feed.binance_tiers("btc").tiers[1].cum == 300.0


def test_unknown_binance_symbol_asks_for_a_rate():
    with pytest.raises(feed.TiersUnavailable, match="--mmr"):
        feed.binance_tiers("NOSUCHCOIN")


def test_binance_brackets_override_file(tmp_path):
    path = tmp_path / "brackets.json"
    path.write_text(json.dumps([{"symbol": "SOLUSDT", "brackets": [
        {"notionalFloor": 0, "notionalCap": 1000, "maintMarginRatio": 0.01, "cum": 0,
         "initialLeverage": 50},
        {"notionalFloor": 1000, "notionalCap": 5000, "maintMarginRatio": 0.02, "cum": 10,
         "initialLeverage": 20}]}]))
    src = feed.binance_tiers("SOL", path)
    assert [t.mmr for t in src.tiers] == [0.01, 0.02] and str(path) in src.label
    path.write_text('{"nope": 1}')
    with pytest.raises(feed.TiersUnavailable, match="cannot use"):
        feed.binance_tiers("SOL", path)


@pytest.mark.parametrize("venue", sorted(TIER_PATHS))
def test_fetch_through_ccxt_and_cache(fakes, venue):
    config = VenueConfig(venue, api_base=fakes[venue].url)
    src = feed.venue_tiers(config, "BTC")
    assert fakes[venue].hits(TIER_PATHS[venue]) == 1
    assert src.symbol == "BTC/USDT:USDT" and "fetched" in src.label
    assert math.isinf(src.tiers[-1].cap)
    assert all(a.cap == b.floor for a, b in zip(src.tiers, src.tiers[1:], strict=False))
    # a second call is served from the disk cache
    again = feed.venue_tiers(config, "BTC")
    assert again.tiers == src.tiers and fakes[venue].hits(TIER_PATHS[venue]) == 1
    # and it works offline
    assert feed.venue_tiers(config, "BTC", fetch=False).tiers == src.tiers


def test_fetched_values(fakes):
    bybit = feed.venue_tiers(VenueConfig("bybit", api_base=fakes["bybit"].url), "BTC").tiers
    assert [(t.floor, t.mmr, t.cum, t.max_leverage) for t in bybit] == [
        (0.0, 0.005, 0.0, 100.0), (2_000_000.0, 0.0056, 1200.0, 90.0),
        (2_600_000.0, 0.0062, 2760.0, 82.0)]
    okx = feed.venue_tiers(VenueConfig("okx", api_base=fakes["okx"].url), "BTC").tiers
    # OKX bounds tiers in contracts; BTC-USDT-SWAP ctVal 0.01 -> base units
    assert okx[0].unit == BASE and okx[0].cap == pytest.approx(200.0)
    assert [t.mmr for t in okx] == [0.004, 0.005, 0.0065]
    gate = feed.venue_tiers(VenueConfig("gate", api_base=fakes["gate"].url), "BTC").tiers
    assert gate[0].unit == NOTIONAL and gate[1].cum == 2500.0 and gate[0].cap == 500000.0


def test_bybit_percent_units_are_detected(fakes):
    # Bybit's docs example gives maintenanceMargin "0.5" and initialMargin "1" at 100x.
    payload = fakes["bybit"].payload("risk_limit_linear_btcusdt")
    for row in payload["result"]["list"]:
        row["maintenanceMargin"] = str(float(row["maintenanceMargin"]) * 100)
        row["initialMargin"] = str(float(row["initialMargin"]) * 100)
    tiers = feed.venue_tiers(VenueConfig("bybit", api_base=fakes["bybit"].url), "BTC").tiers
    assert [t.mmr for t in tiers] == pytest.approx([0.005, 0.0056, 0.0062])


def test_venue_down_uses_a_stale_cache_or_says_so(fakes):
    config = VenueConfig("gate", api_base=fakes["gate"].url)
    fakes["gate"].fail(503)
    with pytest.raises(feed.TiersUnavailable, match="cannot fetch gate tiers for BTC.*--mmr"):
        feed.venue_tiers(config, "BTC", timeout_s=2)
    fakes["gate"].clear_failures()
    fresh = feed.venue_tiers(config, "BTC")
    fakes["gate"].fail(503)
    later = 10**13  # far past the refresh age
    stale = feed.venue_tiers(config, "BTC", now_ms=later, timeout_s=2)
    assert stale.tiers == fresh.tiers and "refresh failed" in stale.label


def test_offline_without_cache_and_unsupported_venue():
    with pytest.raises(feed.TiersUnavailable, match="no cached bybit tiers"):
        feed.venue_tiers(VenueConfig("bybit"), "BTC", fetch=False)
    with pytest.raises(feed.TiersUnavailable, match="--mmr"):
        feed.venue_tiers(VenueConfig("krakenfutures"), "BTC")


def test_unknown_coin_on_a_venue(fakes):
    with pytest.raises(feed.TiersUnavailable, match="no linear perpetual for NOPE"):
        feed.venue_tiers(VenueConfig("bitget", api_base=fakes["bitget"].url), "NOPE")


def test_corrupt_cache_reads_as_none():
    path = tier_cache.cache_path("okx", "BTC/USDT:USDT")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert tier_cache.load("okx", "BTC/USDT:USDT") is None


def test_bad_tier_rows_are_refused():
    with pytest.raises(TierError):
        feed.tiers_from_ccxt("gate", [])
    with pytest.raises(TierError, match="no maintenance rate"):
        feed.tiers_from_ccxt("gate", [{"maxNotional": 1, "maintenanceMarginRate": None}])


def test_a_tier_fetch_also_keeps_the_order_limits(fakes):
    config = VenueConfig("okx", api_base=fakes["okx"].url)
    feed.venue_tiers(config, "BTC")
    requests = fakes["okx"].hits()
    limits = feed.market_limits(config, "BTC", fetch=False)
    # BTC-USDT-SWAP: lotSz 0.01 contracts of ctVal 0.01 BTC, in base units
    assert limits is not None and limits.step == pytest.approx(0.0001)
    assert fakes["okx"].hits() == requests
    assert feed.market_limits(VenueConfig("okx"), "ETH", fetch=False) is None


def test_bundled_contract_limits_are_in_coins_of_the_base():
    tier_cache.save_limits("bybit", "1000PEPE/USDT:USDT",
                           {"step": 100.0, "min_qty": 100.0, "min_cost": 5.0})
    per_pepe = feed.market_limits(VenueConfig("bybit"), "PEPE", fetch=False)
    assert per_pepe.step == 100_000.0 and per_pepe.min_qty == 100_000.0
    assert per_pepe.min_cost == 5.0
    per_unit = feed.market_limits(VenueConfig("bybit"), "1000PEPE", fetch=False)
    assert per_unit.step == 100.0


def test_hyperliquid_margin_tables(fakes):
    config = VenueConfig("hyperliquid", api_base=fakes["hyperliquid"].url)
    src = feed.venue_tiers(config, "BTC")
    # meta table 56: 40x from 0, 20x from 150M; maintenance = 1 / (2 x max leverage)
    assert [(t.floor, t.mmr, t.max_leverage) for t in src.tiers] == [
        (0.0, 0.0125, 40.0), (150_000_000.0, 0.025, 20.0)]
    assert src.tiers[1].cum == pytest.approx(150_000_000 * 0.0125)  # continuous maintenance
    limits = feed.market_limits(config, "BTC", fetch=False)
    assert limits.step == pytest.approx(1e-5) and limits.min_cost == 10.0
    atom = feed.venue_tiers(config, "ATOM").tiers  # table id 5: one 5x tier
    assert len(atom) == 1 and atom[0].mmr == 0.1
    with pytest.raises(feed.TiersUnavailable, match="no perpetual for NOPE"):
        feed.venue_tiers(config, "NOPE")
