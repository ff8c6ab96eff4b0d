"""``fundtui calc`` and ``fundtui carry``: results, JSON, offline tiers and every bad-flag class."""

from __future__ import annotations

import json

import pytest

from fundtui import cli
from fundtui.config import VenueConfig
from fundtui.core import liquidation
from fundtui.feeds import tiers as feed
from fundtui.store import tier_cache

pytest_plugins = ("tests.fakevenue.fixtures",)

from tests.netguard import loopback_only  # noqa: E402,F401 - autouse: no internet

CALC = [
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
]
CARRY = [
    "carry",
    "--symbol",
    "BTC",
    "--long",
    "binance",
    "--short",
    "bybit",
    "--price",
    "60000",
    "--notional",
    "10000",
    "--long-rate",
    "0.01",
    "--long-interval",
    "8",
    "--short-rate",
    "0.03",
    "--short-interval",
    "8",
]


def main_json(capsys, argv):
    assert cli.main([*argv, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def one_line_error(capsys, argv, code=2):
    assert cli.main(argv) == code
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("fundtui") and "Traceback" not in err, err
    return lines[0]


def with_flag(argv, flag, value):
    out = list(argv)
    out[out.index(flag) + 1] = value
    return out


def test_calc_issue_example_matches_formulas(capsys):
    out = main_json(capsys, [*CALC, "--step", "0.001", "--min-notional", "100"])
    assert out["qty"] == 0.079 and round(out["qty_unrounded"], 6) == 0.079403
    # TV-L1 at 10x with the 0.05 % opening fee out of the isolated margin (issue 12):
    # (60,000 x (0.1 - 0.0005) - 60,000) / (0.004 - 1) = 54,246.99 (54,216.87 fee-free)
    assert round(out["liquidation_price"], 2) == 54246.99
    assert round(out["margin"], 2) == 474.00
    assert out["maintenance_rate"] == 0.004 and "2026-09-29" in out["tiers"]
    assert out["warnings"] == []
    assert out["funding"] is None


def test_calc_text_has_the_numbers(capsys):
    assert cli.main([*CALC, "--rate", "0.01", "--interval", "8", "--target", "63600"]) == 0
    text = capsys.readouterr().out
    assert "54,246.99" in text and "pays" in text and "R multiple    3.00" in text


def test_calc_warns_when_the_stop_is_beyond_liquidation(capsys):
    out = main_json(capsys, with_flag(CALC, "--leverage", "75"))
    assert any("beyond the liquidation" in w for w in out["warnings"])
    lev = out["max_leverage_stop_before_liquidation"]
    ok = main_json(capsys, with_flag(CALC, "--leverage", str(lev)))
    assert not any("beyond the liquidation" in w for w in ok["warnings"])
    assert liquidation.stop_before_liquidation("long", 58800, ok["liquidation_price"])


def test_calc_warns_above_tier_leverage(capsys):
    big = with_flag(with_flag(CALC, "--equity", "10000000"), "--leverage", "120")
    out = main_json(capsys, big)
    assert 3_000_000 < out["notional"] < 12_000_000
    assert any("above this size's tier maximum 50x" in w for w in out["warnings"])


def test_calc_short_and_funding_sign(capsys):
    argv = with_flag(with_flag(CALC, "--side", "short"), "--stop", "61200")
    out = main_json(capsys, [*argv, "--rate", "0.01", "--interval", "8"])
    assert out["liquidation_price"] > 60000
    assert out["funding"]["verb"] == "receives" and out["funding"]["per_day"] > 0


def test_calc_mmr_flag_and_bybit_formula(capsys):
    out = main_json(capsys, [*with_flag(CALC, "--venue", "bybit"), "--mmr", "0.5"])
    assert out["liquidation_price"] == pytest.approx(60000 * (1 - 0.1 + 0.005))


def test_calc_offline_uses_the_tier_cache(capsys):
    tiers = feed.tiers_from_ccxt(
        "okx",
        [
            {"maxNotional": 200, "maintenanceMarginRate": 0.004, "maxLeverage": 125},
            {"maxNotional": 500, "maintenanceMarginRate": 0.005, "maxLeverage": 100},
        ],
        1.0,
    )
    tier_cache.save("okx", "BTC/USDT:USDT", tiers, key="")
    out = main_json(capsys, [*with_flag(CALC, "--venue", "okx"), "--offline"])
    assert "okx BTC/USDT:USDT tiers (fetched" in out["tiers"]
    # margin per coin 6,000 less the 30 opening fee (okx taker 0.05 %), closing fee 0.05 %
    assert out["liquidation_price"] == pytest.approx((60000 - 6000 + 30) / (1 - 0.0045))


def test_calc_without_tiers_says_what_to_do(capsys):
    # issue 12: no tiers still gives every figure but the liquidation (exit 0, was 1)
    out = main_json(capsys, [*with_flag(CALC, "--venue", "gate"), "--offline"])
    assert "no cached gate tiers" in out["tiers"] and "--mmr" in out["tiers"]
    assert out["liquidation_price"] is None and out["liquidation_missing"]
    out = main_json(capsys, with_flag(CALC, "--symbol", "NOSUCH"))
    assert "no binance brackets for NOSUCH" in out["tiers"]
    assert out["qty_unrounded"] == pytest.approx(0.079403, abs=1e-6)  # TV-S1 all the same
    assert feed.venue_tiers is not None and VenueConfig("gate")


@pytest.mark.parametrize(
    ("flag", "value", "said"),
    [
        ("--equity", "-5", "equity must be > 0"),
        ("--equity", "0", "equity must be > 0"),
        ("--equity", "nan", "equity must be a finite number"),
        ("--equity", "inf", "equity must be a finite number"),
        ("--equity", "ten", "equity must be a number, got 'ten'"),
        ("--risk", "0", "risk must be > 0"),
        ("--risk", "100", "risk must be under 100 %"),
        ("--entry", "abc", "entry must be a number"),
        ("--stop", "-1", "stop must be > 0"),
        ("--leverage", "0", "leverage must be > 0"),
        ("--leverage", "NaN", "leverage must be a finite number"),
        ("--stop", "61000", "stop 61000 is on the wrong side: a long's stop must be below"),
        ("--stop", "60000", "stop must differ from entry"),
        ("--side", "up", "invalid choice: 'up'"),
        ("--venue", "kraken", "invalid choice: 'kraken'"),
        ("--symbol", "B-T-C", "symbol must be a coin like BTC"),
        # float() reads these as 3, 123 and 1000: ASCII decimal notation only
        ("--leverage", "٣", "leverage must be a number, got '٣'"),
        ("--equity", "１２３", "equity must be a number, got '１２３'"),
        ("--equity", "1_000", "equity must be a number, got '1_000'"),
        ("--equity", "1,000", "equity must be a number, got '1,000'"),
        ("--entry", "1e999", "entry must be a finite number"),
    ],
)
def test_calc_bad_flags_exit_2_with_one_line(capsys, flag, value, said):
    assert said in one_line_error(capsys, with_flag(CALC, flag, value))


def test_calc_short_with_stop_below_entry(capsys):
    line = one_line_error(capsys, with_flag(CALC, "--side", "short"))
    assert "a short's stop must be above its entry" in line


def test_calc_bad_optional_flags(capsys):
    assert "mmr must be under 100 %" in one_line_error(capsys, [*CALC, "--mmr", "150"])
    assert "fee-in must be >= 0" in one_line_error(capsys, [*CALC, "--fee-in", "-0.1"])
    assert "target must be above entry" in one_line_error(capsys, [*CALC, "--target", "59000"])
    assert "interval must be > 0" in one_line_error(capsys, [*CALC, "--interval", "0"])
    assert "required" in one_line_error(capsys, CALC[:-2])


def test_carry_perp_perp(capsys):
    out = main_json(capsys, CARRY)
    assert out["funding_per_day"] == pytest.approx(6.0)  # 10,000 x 0.02 % x 3
    assert out["fees"] == pytest.approx(21.0)  # binance 0.05 % + bybit 0.055 %, in and out
    assert out["break_even_settlements"] == 11 and out["break_even_hours"] == 88
    assert out["net"] == pytest.approx(6.0 * 30 - 21.0)


def test_carry_cash_and_carry_text(capsys):
    argv = [
        "carry",
        "--symbol",
        "BTC",
        "--spot",
        "binance",
        "--short",
        "bybit",
        "--price",
        "60000",
        "--qty",
        "0.2",
        "--short-rate",
        "0.01",
        "--short-interval",
        "8",
        "--fee",
        "0.1",
    ]
    assert cli.main(argv) == 0
    text = capsys.readouterr().out
    # 12,000 x 0.01 % = 1.20 per settlement; fees 12,000 x 0.1 % x 4 = 48 -> 40 settlements
    assert "receives 3.60 per day" in text and "48.00" in text and "40 settlements" in text


def test_carry_negative_carry_never_breaks_even(capsys):
    out = main_json(capsys, with_flag(CARRY, "--short-rate", "-0.05"))
    assert out["break_even_settlements"] is None and out["net"] < 0


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (with_flag(CARRY, "--price", "0"), "price must be > 0"),
        (with_flag(CARRY, "--notional", "-100"), "notional must be > 0"),
        (with_flag(CARRY, "--short-rate", "nan"), "short-rate must be a finite number"),
        (with_flag(CARRY, "--long-rate", "x"), "long-rate must be a number"),
        ([*CARRY, "--short-interval", "0"], "short-interval must be > 0"),
        ([*CARRY, "--horizon", "-1"], "horizon must be > 0"),
        (with_flag(CARRY, "--short", "binance"), "both binance"),
        ([a for a in CARRY if a not in ("--long-rate", "0.01")], "needs --long-rate"),
        ([*CARRY, "--spot", "okx"], "not allowed with argument"),
        (with_flag(CARRY, "--notional", "１０"), "notional must be a number, got '１０'"),
        (with_flag(CARRY, "--short-rate", "0_03"), "short-rate must be a number, got '0_03'"),
    ],
)
def test_carry_bad_flags(capsys, argv, said):
    assert said in one_line_error(capsys, argv)


def without(argv, flag):
    i = argv.index(flag)
    return argv[:i] + argv[i + 2 :]


def test_carry_never_guesses_an_interval_it_was_not_given(capsys):
    # a rate per settlement means nothing without the settlement's hours: no 8 h default
    line = one_line_error(capsys, without(CARRY, "--long-interval"))
    assert "--long-interval is required (hours per settlement, or --live)" in line
    line = one_line_error(capsys, without(CARRY, "--short-interval"))
    assert "--short-interval is required" in line
    spot = [
        "carry",
        "--symbol",
        "BTC",
        "--spot",
        "binance",
        "--short",
        "bybit",
        "--price",
        "60000",
        "--qty",
        "0.2",
        "--short-rate",
        "0.01",
    ]
    assert "--short-interval is required" in one_line_error(capsys, spot)
    # a missing rate is still named first
    line = one_line_error(capsys, without(without(CARRY, "--long-rate"), "--long-interval"))
    assert "needs --long-rate" in line


def test_carry_known_intervals_give_the_hand_computed_figures(capsys):
    # long 0.01 % per 8 h (3 a day), short 0.01 % per 4 h (6 a day) on 10,000:
    # the short leg receives 6 x 1.00, the long pays 3 x 1.00: +3.00 a day
    argv = with_flag(with_flag(CARRY, "--short-rate", "0.01"), "--short-interval", "4")
    out = main_json(capsys, argv)
    assert out["short_interval_h"] == 4 and out["long_interval_h"] == 8
    assert out["funding_per_day"] == pytest.approx(3.0)
    assert out["net"] == pytest.approx(3.0 * 30 - 21.0)  # 30 days less 21.00 of fees
    assert out["net_apr"] == pytest.approx((3.0 * 30 - 21.0) / 10000 * 8760 / 720)


@pytest.fixture
def _quick_close(monkeypatch):
    from ccxt.async_support.base.exchange import Exchange

    monkeypatch.setattr(Exchange, "timeout_on_exit", 0)


def test_calc_takes_step_and_minimum_from_the_market(capsys, fakes, tmp_path, _quick_close):
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[exchanges.binance]\napi_base = "{fakes["binance"].url}"\n')
    argv = [a for a in CALC if a != "--offline"]
    out = main_json(capsys, [*argv, "--config", str(cfg)])
    # the fake serves the recorded 2022 exchangeInfo: BTCUSDT step 0.001, minQty 0.001,
    # MIN_NOTIONAL 10; at 60,000 the minimum quantity is the larger bound (60)
    assert out["limits"] == "market" and out["qty"] == 0.079
    assert out["inputs"]["step"] == 0.001 and out["inputs"]["min_notional"] == 60.0
    assert fakes["binance"].hits("/fapi/v1/exchangeInfo") == 1
    # cached: the second run makes no request, and works offline
    out = main_json(capsys, [*CALC, "--config", str(cfg)])
    assert out["qty"] == 0.079 and fakes["binance"].hits("/fapi/v1/exchangeInfo") == 1
    # a tiny account: below the market minimum
    out = main_json(capsys, [*with_flag(CALC, "--equity", "50"), "--config", str(cfg)])
    assert any("below the venue minimum" in w or "rounds down to 0" in w for w in out["warnings"])


def test_calc_offline_without_limits_says_it_did_not_round(capsys):
    assert cli.main(CALC) == 0
    assert "market limits unknown: size not rounded" in capsys.readouterr().out


def test_calc_cross_margin_uses_the_wallet_and_other_positions(capsys):
    # TV-L1 in cross form: a 6,000 wallet and nothing else behaves like 6,000 isolated
    # 1,260 at risk / 1,259.40 per coin (move plus fees) = 1.0005 -> 1 BTC at step 1
    base = [*with_flag(with_flag(CALC, "--equity", "1000000"), "--risk", "0.126"), "--step", "1"]
    out = main_json(capsys, [*base, "--cross-wallet", "6000"])
    assert out["qty"] == 1 and out["margin_mode"] == "cross"
    assert round(out["liquidation_price"], 2) == 54216.87
    assert out["max_leverage_stop_before_liquidation"] is None
    worse = main_json(
        capsys,
        [*base, "--cross-wallet", "6000", "--other-maintenance", "500", "--other-upnl", "-1000"],
    )
    assert worse["liquidation_price"] == pytest.approx((6000 - 500 - 1000 - 60000) / (0.004 - 1))
    line = one_line_error(capsys, [*CALC, "--other-upnl", "5"])
    assert "need --cross-wallet" in line
    line = one_line_error(
        capsys, [*with_flag(CALC, "--venue", "bybit"), "--mmr", "0.5", "--cross-wallet", "100"]
    )
    assert "binance's formula only" in line


def test_carry_live_takes_rates_and_price_from_the_venues(capsys, fakes, tmp_path, _quick_close):
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        "".join(f'[exchanges.{v}]\napi_base = "{fakes[v].url}"\n' for v in ("binance", "bybit"))
    )
    argv = [
        "carry",
        "--symbol",
        "BTC",
        "--long",
        "binance",
        "--short",
        "bybit",
        "--notional",
        "10000",
        "--live",
        "--config",
        str(cfg),
    ]
    out = main_json(capsys, argv)
    # premiumIndex BTCUSDT lastFundingRate / markPrice; bybit tickers BTCUSDT fundingRate
    assert out["long_rate"] == 0.00013062 and out["long_interval_h"] == 8
    assert out["short_rate"] == -0.000212 and out["short_interval_h"] == 8
    assert out["price"] == 93951.8
    assert out["funding_per_day"] == pytest.approx(10000 * (-0.000212 - 0.00013062) * 3)
    # a flag beats the live value
    out = main_json(capsys, [*argv, "--short-rate", "0.05"])
    assert out["short_rate"] == 0.0005 and out["long_rate"] == 0.00013062


def test_carry_live_failures_are_one_line(capsys, fakes, tmp_path, _quick_close):
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        f'[exchanges.binance]\napi_base = "{fakes["binance"].url}"\n'
        f'[exchanges.bybit]\napi_base = "{fakes["bybit"].url}"\n'
    )
    argv = [
        "carry",
        "--symbol",
        "NOSUCH",
        "--long",
        "binance",
        "--short",
        "bybit",
        "--notional",
        "10000",
        "--live",
        "--config",
        str(cfg),
    ]
    assert "binance has no live funding rate for NOSUCH" in one_line_error(capsys, argv, 1)
    fakes["bybit"].fail(503)
    line = one_line_error(capsys, with_flag(argv, "--symbol", "BTC"), 1)
    assert line.startswith("fundtui: bybit: ") and "503" in line


def test_carry_live_leg_with_an_unknown_interval_asks_for_it(capsys, fakes, tmp_path, _quick_close):
    # okx's LPT row with a fundingTime of "NaN": the rate is there, the interval is not
    rows = fakes["okx"].payload("funding_rate_any")["data"]
    next(r for r in rows if r["instId"] == "LPT-USDT-SWAP")["fundingTime"] = "NaN"
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[exchanges.okx]\napi_base = "{fakes["okx"].url}"\n')
    argv = [
        "carry",
        "--symbol",
        "LPT",
        "--spot",
        "binance",
        "--short",
        "okx",
        "--price",
        "5",
        "--notional",
        "10000",
        "--fee",
        "0",
        "--live",
        "--config",
        str(cfg),
    ]
    line = one_line_error(capsys, argv)
    assert "--short-interval is required: okx gives no funding interval for LPT" in line
    # the interval the user gives is used with the live rate: -0.12 % per 4 h, 6 a day
    out = main_json(capsys, [*argv, "--short-interval", "4"])
    assert out["short_rate"] == -0.0012 and out["short_interval_h"] == 4
    assert out["funding_per_day"] == pytest.approx(10000 * -0.0012 * 6)


def test_carry_without_rates_or_live(capsys):
    argv = [a for a in CARRY if a not in ("--short-rate", "0.03")]
    assert "--short-rate is required (or --live)" in one_line_error(capsys, argv)
    argv = [a for a in CARRY if a not in ("--price", "60000")]
    assert "--price is required (or --live)" in one_line_error(capsys, argv)


def test_carry_live_demo(capsys):
    out = main_json(
        capsys,
        [
            "carry",
            "--symbol",
            "BTC",
            "--long",
            "binance",
            "--short",
            "okx",
            "--notional",
            "10000",
            "--live",
            "--demo",
        ],
    )
    assert out["price"] > 0 and out["long_rate"] is not None and out["short_rate"] is not None
    assert out["notional"] == pytest.approx(10000)


def test_a_rate_without_its_interval_is_refused_never_assumed_8h(capsys):
    # 0.01 % per settlement is 0.01 %/8h on an 8 h venue but 0.08 %/8h on a 1 h one:
    # the funding figures depend on the interval, so none is guessed
    assert cli.main([*CALC, "--rate", "0.01"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--interval is required" in err[0]
    assert cli.main([*CALC, "--rate", "0.01", "--interval", "1", "--json"]) == 0
    one_hour = json.loads(capsys.readouterr().out)
    assert cli.main([*CALC, "--rate", "0.01", "--interval", "8", "--json"]) == 0
    eight_hours = json.loads(capsys.readouterr().out)
    assert one_hour["inputs"]["interval_h"] == 1 and eight_hours["inputs"]["interval_h"] == 8
    # the same rate per settlement, settled 24 times a day instead of 3
    assert one_hour["funding"]["settlements"] == 24 and eight_hours["funding"]["settlements"] == 3
    assert one_hour["funding"]["per_day"] == pytest.approx(8 * eight_hours["funding"]["per_day"])
