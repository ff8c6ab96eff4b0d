"""The calculator's inputs are decided once: the ``c`` screen and ``fundtui calc`` start
from the same fees, tiers and quantity step for the same config, venue and coin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fundtui import cli
from fundtui.config import load_config
from fundtui.core.board import build_row
from fundtui.core.number_text import pct_text
from fundtui.engine import calc_inputs
from fundtui.feeds import tiers as feed
from fundtui.store import tier_cache
from fundtui.ui.calculator import calculator_screen, carry_screen
from tests.fakesource import quote
from tests.fresh_process import last_json
from tests.netguard import loopback_only  # noqa: E402,F401 - autouse: no internet

REPO = Path(__file__).resolve().parent.parent

CALC = [
    "calc",
    "--offline",
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
    "--json",
]


def _cli(capsys, venue: str, cfg: Path) -> dict:
    assert cli.main([*CALC, "--venue", venue, "--symbol", "BTC", "--config", str(cfg)]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("venue", ["binance", "okx"])
def test_the_screen_and_the_command_take_the_same_fees_tiers_and_step(capsys, tmp_path, venue):
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"[fees.{venue}]\ntaker = 0.0003\n")  # not the base tier: the config's
    tier_cache.save(
        "okx",
        "BTC/USDT:USDT",
        feed.tiers_from_ccxt(
            "okx",
            [
                {"maxNotional": 200, "maintenanceMarginRate": 0.004, "maxLeverage": 125},
                {"maxNotional": 500, "maintenanceMarginRate": 0.005, "maxLeverage": 100},
            ],
            1.0,
        ),
    )
    tier_cache.save_limits(
        venue, "BTC/USDT:USDT", {"step": 0.001, "min_qty": 0.001, "min_cost": 100.0}
    )
    row = build_row("BTC", {venue: quote(venue, "BTC", 0.0001, mark=60000.0)}, [venue])
    screen = calculator_screen(row, load_config(str(cfg)), demo=True)
    out = _cli(capsys, venue, cfg)

    assert out["inputs"]["fee_in"] == out["inputs"]["fee_out"] == 0.0003
    assert screen.fees_for(venue).taker == out["inputs"]["fee_in"]
    assert screen.initial["fee_in"] == screen.initial["fee_out"] == pct_text(0.0003)
    source = screen.resolve(venue, "BTC")
    assert source.label == out["tiers"]
    want = feed.resolve_tiers(load_config(str(cfg)).venue(venue), "BTC", fetch=False)
    assert source.tiers == want.tiers
    assert out["limits"] == "market" and out["inputs"]["step"] == 0.001
    assert screen.initial["step"] == "0.001"


def test_without_cached_limits_neither_rounds_the_size(capsys, tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text("")
    row = build_row("BTC", {"binance": quote("binance", "BTC", 0.0001, mark=60000.0)}, ["binance"])
    screen = calculator_screen(row, load_config(str(cfg)), demo=True)
    out = _cli(capsys, "binance", cfg)
    assert "step" not in screen.initial
    assert out["inputs"]["step"] is None and "not rounded" in out["limits"]


def test_a_venue_without_tiers_gives_the_same_reason_in_both(capsys, tmp_path):
    # issue 12: the command still sizes the trade (exit 0) and says why there is no
    # liquidation, with the resolver's own reason
    cfg = tmp_path / "config.toml"
    cfg.write_text("")
    config = load_config(str(cfg))
    with pytest.raises(feed.TiersUnavailable) as e:
        calc_inputs.tier_resolver(config)("bybit", "BTC")
    out = _cli(capsys, "bybit", cfg)
    assert out["tiers"] == str(e.value) and out["liquidation_price"] is None


def test_the_carry_screen_needs_a_spread_and_says_so_in_one_line(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text("[fees.bybit]\ntaker = 0.0002\n")
    config = load_config(str(cfg))
    lone = build_row("BTC", {"okx": quote("okx", "BTC", 0.0001, mark=60000.0)}, ["okx"])
    said = carry_screen(lone, config)
    assert isinstance(said, str) and "\n" not in said and "spread" in said
    assert isinstance(carry_screen(None, config), str)
    pair = build_row(
        "BTC",
        {
            "okx": quote("okx", "BTC", 0.0001, mark=60000.0),
            "bybit": quote("bybit", "BTC", 0.0005, mark=60010.0),
        },
        ["okx", "bybit"],
    )
    screen = carry_screen(pair, config)
    assert not isinstance(screen, str)
    legs = {
        screen.initial["long_venue"]: screen.initial["long_fee"],
        screen.initial["short_venue"]: screen.initial["short_fee"],
    }
    assert legs["bybit"] == pct_text(0.0002)  # the config's fee, as the command takes it
    assert legs["okx"] == pct_text(calc_inputs.fee_table(config)("okx").taker)


def test_the_calculator_inputs_import_no_textual():
    code = (
        "import json, sys, fundtui.engine.calc_inputs, fundtui.core.number_text\n"
        "print(json.dumps('textual' in sys.modules))\n"
    )
    assert last_json(code) is False
