"""Calculator edges of issue 12 section 3, each pinned by a hand computation
(formulas: docs/FORMULAS.md sections 3-7)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundtui import cli
from fundtui.core import liquidation
from fundtui.core.tiers import Tier, check_tiers, single_tier
from tests.netguard import loopback_only  # noqa: F401 - autouse: no internet


def run_json(capsys, argv: list[str]) -> dict:
    assert cli.main([*argv, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


OKX_ETH = (
    "calc --venue okx --symbol ETH --side long --equity 100 --risk 1 --entry 10 --stop 9 "
    "--leverage 5 --fee-in 0 --fee-out 0.06 --mmr 1 --step 0.001 --offline"
).split()


@pytest.mark.parametrize("venue", ["okx", "gate", "bitget"])
def test_the_given_closing_fee_is_the_one_in_the_liquidation(capsys, venue):
    """docs/FORMULAS.md section 5, long: LP = (EP - margin/Q) / (1 - (MMR + fee_out)).

    margin/Q = EP/leverage = 10/5 = 2 (no opening fee: --fee-in 0), MMR 1 %,
    fee out 0.06 %: LP = 8 / (1 - 0.0106) = 8 / 0.9894 = 8.085708...
    The venue's default taker (okx 0.05 %) gave 8 / 0.9895 = 8.084891.
    """
    argv = [venue if a == "okx" else a for a in OKX_ETH]
    out = run_json(capsys, argv)
    assert round(out["liquidation_price"], 5) == 8.08571
    assert cli.main(argv) == 0
    assert "liquidation   8.08571" in capsys.readouterr().out


def test_the_closing_fee_reaches_the_max_leverage_scan_too():
    """The same closing fee moves the leverage at which the stop is still before liquidation:
    at 0.06 % + 1 % a long's LP at leverage L is EP(1 - 1/L)/(0.9894); with a stop at 9.2
    (EP 10) 5x gives 8.0857 < 9.2 and 9x gives 10 x 0.8889 / 0.9894 = 8.984 < 9.2,
    10x gives 9 / 0.9894 = 9.0964 < 9.2, 11x: 10 x 0.90909 / 0.9894 = 9.188 < 9.2,
    12x: 10 x 0.91667 / 0.9894 = 9.2649 > 9.2: the answer is 11."""
    tiers = single_tier(0.01)
    assert liquidation.max_leverage_for_stop("okx", "long", 1, 10, 9.2, tiers, 0.0006) == 11


# --- opening fee and added margin (issue 12 section 3, bullet 4) ---------------------------

BYBIT_1BTC = (
    "calc --venue bybit --symbol BTC --entry 20000 --leverage 50 --mmr 0.5 --step 1 "
    "--fee-in 0 --fee-out 0 --risk 1 --offline"
).split()


def test_bybit_help_example_2_short_with_added_margin(capsys):
    """Bybit's help (Liquidation Price, USDT contract), example 2: short 1 BTC at 20,000,
    50x, MMR 0.5 %, 3,000 USDT added: IM = 20,000/50 = 400, MM = 20,000 x 0.5 % = 100,
    LP = 20,000 + (400 - 100) + 3,000/1 = 23,300. (Size: 1 % of 10,000 over a 100 stop
    distance, no fees = 1 BTC.)"""
    argv = [*BYBIT_1BTC, "--side", "short", "--equity", "10000", "--stop", "20100"]
    out = run_json(capsys, [*argv, "--added-margin", "3000"])
    assert out["qty"] == 1 and out["inputs"]["added_margin"] == 3000
    assert round(out["liquidation_price"], 2) == 23300.00
    assert round(run_json(capsys, argv)["liquidation_price"], 2) == 20300.00  # none added


def test_bybit_help_example_3_margin_taken_out_moves_liquidation_closer(capsys):
    """Example 3: the long of example 1 (1 BTC at 20,000, 50x, MMR 0.5 %: LP 19,700)
    after 200 USDT leave the position margin: LP = 20,000 - (400 - 100) + 200 = 19,900.
    (Size: 1 % of 5,000 over a 50 stop distance = 1 BTC.)"""
    argv = [*BYBIT_1BTC, "--side", "long", "--equity", "5000", "--stop", "19950"]
    assert round(run_json(capsys, argv)["liquidation_price"], 2) == 19700.00
    out = run_json(capsys, [*argv, "--added-margin", "-200"])
    assert round(out["liquidation_price"], 2) == 19900.00


HL_LONG = "calc --venue hyperliquid --side long --equity 10000 --risk 1 --offline".split()


def test_hyperliquid_1x_long_is_liquidated_once_the_opening_fee_is_paid(capsys):
    """A 1x long's margin is its whole notional, so without fees it can never be
    liquidated; hyperliquid takes the opening fee out of it. docs/FORMULAS.md section 5
    with no closing fee: LP = (EP - margin/Q)/(1 - l), margin/Q = EP(1/1 - f_in):
    LP = EP f_in / (1 - l) = 2,000 x 0.00045 / 0.98 = 0.918367 (ETH's maintenance 2 %:
    half the 4 % initial margin at its 25x maximum; taker 0.045 %). The issue's real
    liquidation at 0.869 is this form at an entry near 1,892, which it does not give."""
    argv = [*HL_LONG, "--symbol", "ETH", "--entry", "2000", "--stop", "1900", "--leverage", "1"]
    out = run_json(capsys, [*argv, "--mmr", "2", "--fee-in", "0.045"])
    assert round(out["liquidation_price"], 6) == 0.918367
    fee_free = run_json(capsys, [*argv, "--mmr", "2", "--fee-in", "0"])
    assert fee_free["liquidation_price"] is None  # what calc said for every fee before


def test_hyperliquid_2x_sol_long_matches_the_venue(capsys):
    """2x SOL long, maintenance 2.5 % (half of 5 % at 20x), taker 0.045 %.
    LP = EP (1 - 1/2 + f_in)/(1 - 0.025). The issue gives calc's old 74.78 and the
    venue's 74.84 but not the entry; 145.8125 is an entry consistent with the old figure:
    fee-free 145.8125 x 0.5/0.975 = 74.7756 (74.78), with the fee
    145.8125 x 0.50045/0.975 = 74.8429 (74.84, the venue's)."""
    argv = [*HL_LONG, "--symbol", "SOL", "--entry", "145.8125", "--stop", "140", "--leverage"]
    out = run_json(capsys, [*argv, "2", "--mmr", "2.5", "--fee-in", "0.045"])
    assert round(out["liquidation_price"], 2) == 74.84
    old = run_json(capsys, [*argv, "2", "--mmr", "2.5", "--fee-in", "0"])
    assert round(old["liquidation_price"], 2) == 74.78


def test_binance_isolated_margin_pays_the_opening_fee():
    """TV-L1 (1 BTC at 60,000, 10x, bracket MMR 0.4 %) with a 0.05 % opening fee:
    WB = 6,000 - 30 = 5,970, LP = (5,970 - 60,000)/(0.004 - 1) = 54,246.99 (54,216.87
    without the fee). bybit keeps its help formula: the fee is not in its position margin."""
    tiers = single_tier(0.004)
    liq = liquidation.isolated("binance", "long", 1, 60000, 10, tiers, 0.0005, opening_fee=0.0005)
    assert round(liq.price, 2) == 54246.99
    bybit = liquidation.isolated("bybit", "long", 1, 20000, 50, tiers, 0, opening_fee=0.0005)
    assert round(bybit.price, 2) == round(20000 * (1 - 0.02 + 0.004), 2)


def test_added_margin_is_refused_in_cross(capsys):
    argv = [*BYBIT_1BTC, "--side", "long", "--equity", "5000", "--stop", "19950"]
    argv = [("binance" if a == "bybit" else a) for a in argv]
    assert cli.main([*argv, "--cross-wallet", "1000", "--added-margin", "5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "added margin is for an isolated position" in err[0]


# --- no tier table: every figure but the liquidation (bullet 2) -----------------------------

SOL = (
    "calc --venue binance --symbol SOL --side long --equity 10000 --risk 1 --entry 150 "
    "--stop 145 --leverage 10 --offline"
).split()


def test_binance_coin_without_brackets_still_gets_its_numbers(capsys):
    """No bundled bracket for SOL. Size by docs/FORMULAS.md section 6 with the 0.05 %
    taker in and out: Q = 100 / (5 + 150 x 0.0005 + 145 x 0.0005) = 100 / 5.1475
    = 19.426906 SOL; notional 19.426906 x 150 = 2,914.04, margin at 10x 291.40, loss at
    stop 100.00; break-even (section 7) 150 x 1.0005 / 0.9995 = 150.150."""
    assert cli.main(SOL) == 0
    text = capsys.readouterr().out
    assert "size          19.426906 SOL" in text
    assert "notional      2,914.04" in text and "margin        291.40 at 10x" in text
    assert "loss at stop  100.00" in text and "break-even    150.150" in text
    assert "liquidation   needs the maintenance rate (MMR %)" in text and "--mmr" in text
    assert "no binance brackets for SOL" in text  # the reason, once, in the tiers line
    out = run_json(capsys, SOL)
    assert out["liquidation_price"] is None and "maintenance rate" in out["liquidation_missing"]
    assert round(out["notional"], 2) == 2914.04 and out["maintenance_rate"] is None
    assert out["max_leverage_stop_before_liquidation"] is None
    with_mmr = run_json(capsys, [*SOL, "--mmr", "1"])  # the MMR brings the liquidation
    assert with_mmr["liquidation_missing"] is None
    # (150 x (1 - 0.1 + 0.0005)) / (1 - 0.01) = 136.439...
    assert round(with_mmr["liquidation_price"], 3) == round(150 * 0.9005 / 0.99, 3)


# --- sub-cent coins and bundled contracts (bullet 1) ----------------------------------------

PEPE = (
    "calc --venue binance --symbol PEPE --side long --equity 10000 --risk 1 "
    "--entry 0.0000110 --stop 0.0000108 --leverage 10 --offline"
).split()


def test_sub_cent_prices_keep_their_digits_and_sizes_are_plain(capsys):
    """Size: 100 / (0.0000002 + 0.000011 x 0.0005 + 0.0000108 x 0.0005) = 100 / 2.109e-7
    = 474,158,368.9 PEPE, shown to 8 significant digits: 474,158,370 (was 4.7415837e+08).
    Liquidation, binance 1000PEPEUSDT bracket 1 (MMR 0.65 %, notional 5,215.74 < 20,000),
    opening fee out of the margin: 0.000011 x (1 - 0.1 + 0.0005) / (1 - 0.0065)
    = 0.00000997031 (was 0.00001). Break-even 0.000011 x 1.0005 / 0.9995 = 0.0000110110."""
    assert cli.main(PEPE) == 0
    text = capsys.readouterr().out
    assert "size          474,158,370 PEPE" in text
    assert "liquidation   0.00000997031 (maintenance 0.65 %)" in text
    assert "break-even    0.0000110110" in text
    assert "e-0" not in text and "e+0" not in text
    # the contract is 1000PEPE: the quantity in contracts too
    assert "= 474,158.37 contracts of 1000PEPE (1,000 PEPE each)" in text
    out = run_json(capsys, PEPE)
    assert out["bundle"]["contract"] == "1000PEPE" and out["bundle"]["coins_per_contract"] == 1000
    assert out["bundle"]["contracts"] == pytest.approx(474158.3689, rel=1e-9)


def test_a_bundle_asked_by_name_is_sized_in_bundles_and_coins(capsys):
    """--symbol 1000PEPE at 0.011 per bundle (0.000011 per coin): 474,158.37 bundles,
    474,158,370 coins (the bundle's own size x 1,000)."""
    argv = [
        {"PEPE": "1000PEPE", "0.0000110": "0.0110", "0.0000108": "0.0108"}.get(a, a) for a in PEPE
    ]
    assert cli.main(argv) == 0
    text = capsys.readouterr().out
    assert "size          474,158.37 1000PEPE" in text
    assert "= 474,158,370 PEPE (1,000 PEPE each)" in text


# --- properties of the opening fee and added margin -----------------------------------------


TIERS = check_tiers([Tier(0, 1e6, 0.005, 0, 100), Tier(1e6, float("inf"), 0.01, 5000, 50)])


@settings(max_examples=200, deadline=None)
@given(
    venue=st.sampled_from(sorted(liquidation.VENUE_FORMULAS)),
    side=st.sampled_from(["long", "short"]),
    qty=st.floats(1e-3, 1e3),
    entry=st.floats(1e-6, 1e5),
    lev=st.integers(1, 50),
    fee=st.floats(0, 0.002),
    added=st.floats(0, 1.0),
)
def test_fees_bring_liquidation_closer_and_added_margin_pushes_it_away(
    venue, side, qty, entry, lev, fee, added
):
    """Paying the opening fee out of the margin can only move the liquidation toward the
    entry (bybit: not at all); adding margin (here up to one notional) only away."""
    kw = dict(side=side, qty=qty, entry=entry, leverage=lev, tiers=TIERS, taker=0.0005)
    base = liquidation.isolated(venue, **kw).price
    fee_paid = liquidation.isolated(venue, **kw, opening_fee=fee).price
    more = liquidation.isolated(venue, **kw, added_margin=added * qty * entry).price

    def gap(p):
        return entry if p is None else abs(entry - p)  # a long never liquidated: all of it

    assert gap(fee_paid) <= gap(base) * (1 + 1e-9) + 1e-12
    if venue == "bybit":
        assert fee_paid == base
    assert gap(more) >= gap(base) * (1 - 1e-9) - 1e-12


# --- number text: never exponent form, rounded half away from zero --------------------------


def test_number_text_examples_from_the_issue():
    from fundtui.core.number_text import amount, num_text, pct_text, price, quantity

    assert num_text(1.09933e-05) == "0.0000109933"  # the TUI pre-fill was 1.09933e-05
    assert quantity(474158368.89521104) == "474,158,370"  # was 4.7415837e+08
    assert quantity(0.079) == "0.079" and quantity(1.0) == "1"
    assert price(0.000009970306995) == "0.00000997031" and price(54216.8674) == "54,216.87"
    assert pct_text(1e-9) == "0.0000001" and pct_text(0.00055) == "0.055"
    # half away from zero on the decimal people read (5.475 is 5.4749999... in binary)
    assert amount(5.475) == "5.48" and amount(-5.475) == "-5.48" and amount(27.375) == "27.38"


@settings(max_examples=300, deadline=None)
@given(x=st.floats(1e-12, 1e12))
def test_number_text_is_plain_and_reads_back(x):
    from fundtui.core.number_text import num_text, price, quantity

    for text, digits in ((num_text(x), 10), (quantity(x), 8)):
        assert "e" not in text.lower()
        assert float(text.replace(",", "")) == pytest.approx(x, rel=10.0 ** (1 - digits))
    shown = price(x)
    assert "e" not in shown.lower()
    if x >= 1e-11:  # within the 18 decimals a price is written with
        assert float(shown.replace(",", "")) == pytest.approx(x, rel=1e-5)
