"""Maintenance tiers: bundled Binance brackets, ccxt-fetched tables against the fake venues,
the on-disk cache and the offline paths. No test leaves the loopback interface."""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

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
    path.write_text(
        json.dumps(
            [
                {
                    "symbol": "SOLUSDT",
                    "brackets": [
                        {
                            "notionalFloor": 0,
                            "notionalCap": 1000,
                            "maintMarginRatio": 0.01,
                            "cum": 0,
                            "initialLeverage": 50,
                        },
                        {
                            "notionalFloor": 1000,
                            "notionalCap": 5000,
                            "maintMarginRatio": 0.02,
                            "cum": 10,
                            "initialLeverage": 20,
                        },
                    ],
                }
            ]
        )
    )
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
        (0.0, 0.005, 0.0, 100.0),
        (2_000_000.0, 0.0056, 1200.0, 90.0),
        (2_600_000.0, 0.0062, 2760.0, 82.0),
    ]
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
    tier_cache.save_limits(
        "bybit", "1000PEPE/USDT:USDT", {"step": 100.0, "min_qty": 100.0, "min_cost": 5.0}
    )
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
        (0.0, 0.0125, 40.0),
        (150_000_000.0, 0.025, 20.0),
    ]
    assert src.tiers[1].cum == pytest.approx(150_000_000 * 0.0125)  # continuous maintenance
    limits = feed.market_limits(config, "BTC", fetch=False)
    assert limits.step == pytest.approx(1e-5) and limits.min_cost == 10.0
    atom = feed.venue_tiers(config, "ATOM").tiers  # table id 5: one 5x tier
    assert len(atom) == 1 and atom[0].mmr == 0.1
    with pytest.raises(feed.TiersUnavailable, match="no perpetual for NOPE"):
        feed.venue_tiers(config, "NOPE")


# --------------------------------------------------------------------------- hostile files


def _bybit_cache():
    path = tier_cache.cache_path("bybit", "BTC/USDT:USDT")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("garbage", [b"{not json", b"\xff\xfe", b"[]", b""])
def test_a_corrupt_tier_cache_is_called_corrupt_not_missing(garbage):
    path = _bybit_cache()
    path.write_bytes(garbage)
    with pytest.raises(feed.TiersUnavailable) as caught:
        feed.venue_tiers(VenueConfig("bybit"), "BTC", fetch=False)
    message = str(caught.value)
    assert "no cached" not in message
    assert message.startswith("the bybit tier cache for BTC is corrupt: ")
    assert str(path) in message and "--mmr" in message and "\n" not in message
    (aside,) = path.parent.glob(path.name + ".corrupt-*")
    assert aside.read_bytes() == garbage
    with pytest.raises(feed.TiersUnavailable, match="no cached bybit tiers"):  # said once
        feed.venue_tiers(VenueConfig("bybit"), "BTC", fetch=False)


def test_a_corrupt_tier_cache_is_kept_when_a_fetch_replaces_it(fakes):
    path = _bybit_cache()
    path.write_bytes(b"\xff corrupt")
    src = feed.venue_tiers(VenueConfig("bybit", api_base=fakes["bybit"].url), "BTC")
    assert src.tiers and "fetched" in src.label and "the tier cache was corrupt" in src.label
    (aside,) = path.parent.glob(path.name + ".corrupt-*")
    assert aside.read_bytes() == b"\xff corrupt"
    assert tier_cache.read("bybit", "BTC/USDT:USDT", key=fakes["bybit"].url)[0] is not None


def test_a_corrupt_tier_cache_and_a_venue_down_says_both(fakes):
    path = _bybit_cache()
    path.write_bytes(b"[1, 2]")
    fakes["bybit"].fail(503)
    with pytest.raises(feed.TiersUnavailable) as caught:
        feed.venue_tiers(VenueConfig("bybit", api_base=fakes["bybit"].url), "BTC", timeout_s=2)
    assert "cannot fetch bybit tiers" in str(caught.value)
    assert "the tier cache was corrupt" in str(caught.value)


def _brackets_at(tmp_path, case):
    path = tmp_path / "brackets.json"
    if case == "/dev/zero":
        return Path("/dev/zero")
    if case == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    elif case == "fifo":
        os.mkfifo(path)
    elif case == "directory":
        path.mkdir()
    elif case == "huge":
        with open(path, "wb") as f:
            f.truncate(feed.MAX_BRACKETS_BYTES + 1)
    elif case == "missing":
        pass
    else:
        path.write_bytes(
            {
                "not utf-8": b'[{"symbol": "\xff"}]',
                "not json": b"[{",
                "too deep": b"[" * 100_000 + b"]" * 100_000,
                "overflow": b'[{"symbol": "SOLUSDT", "brackets": [{"notionalFloor": 1'
                + b"0" * 400
                + b', "notionalCap": 1, '
                b'"maintMarginRatio": 0.01, "cum": 0, '
                b'"initialLeverage": 50}]}]',
            }[case]
        )
    return path


@pytest.mark.parametrize(
    "case",
    [
        "/dev/zero",
        "link to /dev/zero",
        "fifo",
        "directory",
        "huge",
        "missing",
        "not utf-8",
        "not json",
        "too deep",
        "overflow",
    ],
)
def test_a_configured_brackets_file_that_cannot_be_used_is_one_line_and_left(tmp_path, case):
    path = _brackets_at(tmp_path, case)
    before = os.path.lexists(path) and os.lstat(path)
    started = time.monotonic()
    with pytest.raises(feed.TiersUnavailable) as caught:
        feed.binance_tiers("BTC", path)  # /dev/zero used to be read for ever
    assert time.monotonic() - started < 2
    message = str(caught.value)
    assert message.startswith(f"{path}: cannot use as binance brackets: ")
    assert "\n" not in message and message.isprintable()
    if before:  # the user's file: reported, never moved
        assert os.lstat(path).st_ino == before.st_ino
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_calc_with_dev_zero_as_brackets_exits_with_one_line(tmp_path, capsys):
    from fundtui import cli

    cfg = tmp_path / "config.toml"
    cfg.write_text('[calculator]\nbinance_brackets = "/dev/zero"\n')
    argv = [
        "calc",
        "--offline",
        "--venue",
        "binance",
        "--symbol",
        "BTC",
        "--side",
        "long",
        "--equity",
        "10000",
        "--risk",
        "1",
        "--entry",
        "60000",
        "--stop",
        "58800",
        "--leverage",
        "10",
        "--config",
        str(cfg),
    ]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "/dev/zero" in err and "not a regular file" in err


def test_resolve_tiers_takes_the_source_the_facts_table_names(fakes, tmp_path):
    bundled = feed.resolve_tiers(VenueConfig("binance"), "BTC")
    assert bundled == feed.binance_tiers("BTC") and "bundled" in bundled.label
    path = tmp_path / "brackets.json"
    path.write_text(
        json.dumps(
            [
                {
                    "symbol": "BTCUSDT",
                    "brackets": [
                        {
                            "notionalFloor": 0,
                            "notionalCap": 1e12,
                            "maintMarginRatio": 0.01,
                            "cum": 0,
                            "initialLeverage": 50,
                        }
                    ],
                }
            ]
        )
    )
    assert feed.resolve_tiers(VenueConfig("binance"), "BTC", brackets=path).tiers[0].mmr == 0.01
    with pytest.raises(feed.TiersUnavailable, match="no cached bybit tiers"):
        feed.resolve_tiers(VenueConfig("bybit"), "BTC", fetch=False)
    fetched = feed.resolve_tiers(VenueConfig("bybit", api_base=fakes["bybit"].url), "BTC")
    assert fetched.label.startswith("bybit BTC/USDT:USDT tiers (fetched")
    with pytest.raises(feed.TiersUnavailable, match="--mmr"):
        feed.resolve_tiers(VenueConfig("krakenfutures"), "BTC")
