"""Sizing, liquidation, funding and carry maths: docs/FORMULAS.md worked examples to the cent,
plus properties that must hold for any input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fundtui.core import carry, holding, liquidation, sizing
from fundtui.core.tiers import (
    BASE,
    Tier,
    TierError,
    check_tiers,
    single_tier,
    tier_for,
    with_cumulative_deduction,
)

DATA = Path(__file__).parents[1] / "fundtui" / "data" / "binance_brackets.json"


def binance_table(symbol: str) -> tuple[Tier, ...]:
    rows = json.loads(DATA.read_text())["brackets"]
    brackets = next(r["brackets"] for r in rows if r["symbol"] == symbol)
    return check_tiers(
        Tier(
            b["notionalFloor"],
            b["notionalCap"],
            b["maintMarginRatio"],
            b["cum"],
            b["initialLeverage"],
        )
        for b in brackets
    )


BTC = binance_table("BTCUSDT")


# --- docs/FORMULAS.md test vectors ------------------------------------------------------


def test_tv_l1_binance_isolated_long():
    liq = liquidation.binance("long", 1, 60000, 6000, BTC)
    assert round(liq.price, 2) == 54216.87
    assert liq.tier.mmr == 0.004


def test_tv_l2_binance_isolated_short():
    liq = liquidation.binance("short", 1, 60000, 6000, BTC)
    assert round(liq.price, 2) == 65737.05


def test_tv_l3_bracket_at_liquidation_notional():
    liq = liquidation.binance("long", 10, 60000, 30000, BTC)
    assert round(liq.price, 2) == 57256.28
    assert (liq.tier.mmr, liq.tier.cum) == (0.005, 300.0)
    assert round(liq.price * 10, 2) == 572562.81
    assert liq.consistent


def test_isolated_dispatch_uses_margin_from_leverage():
    assert (
        round(liquidation.isolated("binance", "long", 10, 60000, 20, BTC, 0.0005).price, 2)
        == 57256.28
    )


def test_bracket_choice_differs_from_entry_notional():
    # Entry notional 303,000 is in bracket 2, but the liquidation notional falls into
    # bracket 1: the bracket-1 answer is the right one, not the bracket-2 one.
    qty, entry = 5.05, 60000
    liq = liquidation.binance("long", qty, entry, qty * entry / 10, BTC)
    assert liq.tier.floor == 0
    assert liq.price * qty < 300000
    wrong = liquidation.binance("long", qty, entry, qty * entry / 10, BTC[1:2])
    assert wrong.price != pytest.approx(liq.price)


@pytest.mark.parametrize(
    ("side", "entry", "lev", "want"), [("long", 20000, 50, 19700.00), ("short", 8000, 40, 8160.00)]
)
def test_tv_b_bybit(side, entry, lev, want):
    liq = liquidation.bybit(side, 2.5, entry, lev, single_tier(0.005))
    assert round(liq.price, 2) == want


def test_okx_gate_form_by_hand():
    # margin 6000 on 1 @ 60000, MMR 0.4 %, taker 0.05 %
    long = liquidation.okx_gate("long", 1, 60000, 6000, single_tier(0.004), 0.0005)
    assert long.price == pytest.approx((60000 - 6000) / (1 - 0.0045))
    short = liquidation.okx_gate("short", 1, 60000, 6000, single_tier(0.004), 0.0005)
    assert short.price == pytest.approx((60000 + 6000) / (1 + 0.0045))
    # equity at that price equals maintenance plus the closing fee
    p = long.price
    assert 6000 + (p - 60000) == pytest.approx(p * 0.0045)


def test_hyperliquid_is_the_okx_form_without_fee():
    tiers = single_tier(0.01)
    hl = liquidation.isolated("hyperliquid", "long", 1, 100, 10, tiers, 0.0005)
    assert hl.price == pytest.approx((100 - 10) / (1 - 0.01))


def test_size_bounded_tiers():
    tiers = check_tiers([Tier(0, 50, 0.004, unit=BASE), Tier(50, math.inf, 0.01, unit=BASE)])
    assert tier_for(tiers, 49.9, 1e9).mmr == 0.004
    assert tier_for(tiers, 50, 1.0).mmr == 0.01


def test_binance_cross_uses_other_positions():
    alone = liquidation.binance("long", 1, 60000, 10000, BTC)
    # another position's maintenance eats wallet: liquidation comes closer
    crowded = liquidation.binance("long", 1, 60000, 10000, BTC, other_maintenance=2000)
    assert crowded.price > alone.price
    helped = liquidation.binance("long", 1, 60000, 10000, BTC, other_upnl=2000)
    assert helped.price < alone.price
    assert crowded.price == pytest.approx((10000 - 2000 - 60000) / (0.004 - 1))


def test_long_at_1x_is_never_liquidated():
    assert liquidation.isolated("binance", "long", 1, 60000, 1, BTC, 0.0005).price is None


def test_tv_s1_risk_size():
    size = sizing.risk_size(
        side="long",
        equity=10000,
        risk=0.01,
        entry=60000,
        stop=58800,
        leverage=10,
        fee_in=0.0005,
        fee_out=0.0005,
        step=0.001,
        min_notional=100,
    )
    assert round(size.raw_qty, 6) == 0.079403
    assert size.qty == 0.079
    assert round(size.notional, 2) == 4740.00
    assert round(size.margin, 2) == 474.00
    assert round(size.loss_at_stop, 2) == round(0.079 * 1259.4, 2)
    assert not size.below_min_notional
    assert size.r_multiple("long", 60000, 58800, 63600) == pytest.approx(3.0)


def test_size_below_min_notional_and_wrong_stop():
    size = sizing.risk_size(
        side="long",
        equity=100,
        risk=0.001,
        entry=60000,
        stop=50000,
        leverage=1,
        fee_in=0,
        fee_out=0,
        step=0.001,
        min_notional=100,
    )
    assert size.qty == 0.0 and size.below_min_notional
    with pytest.raises(ValueError, match="below"):
        sizing.risk_size(
            side="long", equity=1, risk=0.01, entry=100, stop=101, leverage=1, fee_in=0, fee_out=0
        )
    with pytest.raises(ValueError, match="above"):
        sizing.risk_size(
            side="short", equity=1, risk=0.01, entry=100, stop=99, leverage=1, fee_in=0, fee_out=0
        )


def test_round_down_is_exact():
    assert sizing.round_down(0.3, 0.1) == 0.3  # 0.3/0.1 is 2.9999... in binary
    assert sizing.round_down(1.23456, 0.01) == 1.23
    assert sizing.round_down(7.9, None) == 7.9


def test_tv_n2_funding_per_day_and_sign():
    long = holding.funding("long", 10000, 0.0012, 8, settlements=3)
    assert round(long.per_day, 2) == -36.00 and long.verb == "pays"
    short = holding.funding("short", 10000, 0.0012, 8, settlements=3)
    assert round(short.per_day, 2) == 36.00 and short.verb == "receives"
    assert round(short.over_period, 2) == 36.00
    assert holding.funding("long", 10000, -0.0001, 4, 1).verb == "receives"
    assert holding.settlements_in(24, 8) == 3 and holding.settlements_in(23.9, 8) == 2


def test_break_even_exit():
    # no funding: only fees
    assert holding.break_even("long", 100, 0.001, 0.001, 0, 0) == pytest.approx(100.2002002)
    # positive funding raises both break-evens (section 7)
    long0 = holding.break_even("long", 100, 0.0005, 0.0005, 0.0, 3)
    long1 = holding.break_even("long", 100, 0.0005, 0.0005, 0.0001, 3)
    short0 = holding.break_even("short", 100, 0.0005, 0.0005, 0.0, 3)
    short1 = holding.break_even("short", 100, 0.0005, 0.0005, 0.0001, 3)
    assert long1 > long0 and short1 > short0
    # flat at that price: exit proceeds minus costs equal entry cost
    p = long1
    assert p * (1 - 0.0005) - 100 * (1 + 0.0005) - 100 * 0.0003 == pytest.approx(0, abs=1e-9)


def test_warnings_stop_beyond_liquidation_and_max_leverage():
    lev = liquidation.max_leverage_for_stop("binance", "long", 0.079, 60000, 58800, BTC, 0.0005)
    assert lev is not None
    ok = liquidation.isolated("binance", "long", 0.079, 60000, lev, BTC, 0.0005)
    too = liquidation.isolated("binance", "long", 0.079, 60000, lev + 1, BTC, 0.0005)
    assert liquidation.stop_before_liquidation("long", 58800, ok.price)
    assert not liquidation.stop_before_liquidation("long", 58800, too.price)
    # capped by the tier's own maximum
    assert (
        liquidation.max_leverage_for_stop("binance", "long", 0.001, 60000, 59999, BTC, 0.0005)
        == 150
    )
    # a far stop: only 1x keeps the liquidation beyond it
    assert (
        liquidation.max_leverage_for_stop("binance", "long", 0.001, 60000, 1000, BTC, 0.0005) == 1
    )


def test_leverage_beyond_margin_is_liquidated_at_entry():
    # 6.3M notional sits in the 50x bracket; 125x margin is below maintenance
    liq = liquidation.isolated("binance", "long", 105, 60000, 125, BTC, 0.0005)
    assert liq.immediate("long", 60000)
    assert not liquidation.isolated("binance", "long", 105, 60000, 50, BTC, 0.0005).immediate(
        "long", 60000
    )


def test_cash_and_carry():
    c = carry.cash_and_carry(
        qty=1,
        spot=100,
        perp=100,
        rate=0.0001,
        interval_h=8,
        spot_fee_in=0.001,
        spot_fee_out=0.001,
        perp_fee_in=0.0005,
        perp_fee_out=0.0005,
        horizon_h=24 * 30,
    )
    assert c.funding_per_day == pytest.approx(0.03)
    assert c.fees == pytest.approx(0.3)
    assert c.break_even_settlements == 30 and c.break_even_hours == 240
    assert c.net == pytest.approx(90 * 0.01 - 0.3)
    assert c.net_apr == pytest.approx((0.9 - 0.3) / 100 * 365 / 30)


def test_perp_perp_mixed_intervals():
    # long A pays 0.01 %/8h, short B receives 0.01 %/1h: 8 - 1 = 7 per 8 h on 10,000
    c = carry.perp_perp(
        qty=1,
        long_price=10000,
        long_rate=0.0001,
        long_interval_h=8,
        short_price=10000,
        short_rate=0.0001,
        short_interval_h=1,
        long_fee_in=0,
        long_fee_out=0,
        short_fee_in=0.0001,
        short_fee_out=0.0001,
        horizon_h=24,
    )
    assert c.funding_per_day == pytest.approx(21.0)
    assert c.fees == pytest.approx(2.0)
    assert c.break_even_settlements == 2 and c.break_even_hours == 2
    assert c.net == pytest.approx(21.0 - 2.0)


def test_carry_that_never_pays_back():
    c = carry.cash_and_carry(
        qty=1,
        spot=100,
        perp=100,
        rate=-0.0001,
        interval_h=8,
        spot_fee_in=0,
        spot_fee_out=0,
        perp_fee_in=0,
        perp_fee_out=0,
        horizon_h=24,
    )
    assert c.break_even_settlements is None and c.net < 0


def test_tier_tables():
    assert tier_for(BTC, 1, 299999.99).floor == 0
    assert tier_for(BTC, 1, 300000).floor == 300000
    assert tier_for(BTC, 1, 1e12) is BTC[-1]
    # Binance's own cum column satisfies the identity
    assert [t.cum for t in with_cumulative_deduction(BTC)] == pytest.approx([t.cum for t in BTC])
    with pytest.raises(TierError, match="gap"):
        check_tiers([Tier(0, 10, 0.01), Tier(20, 30, 0.02)])
    with pytest.raises(TierError):
        check_tiers([Tier(0, 10, 1.5)])
    with pytest.raises(TierError):
        check_tiers([])


# --- properties -------------------------------------------------------------------

prices = st.floats(min_value=1e-4, max_value=1e6, allow_nan=False)
qtys = st.floats(min_value=1e-4, max_value=1e4, allow_nan=False)
venues = st.sampled_from(sorted(liquidation.VENUE_FORMULAS))


def allowed(qty: float, entry: float, lev: int) -> bool:
    return lev <= tier_for(BTC, qty, entry).max_leverage


@settings(max_examples=300, deadline=None)
@given(venue=venues, qty=qtys, entry=prices, lev=st.integers(1, 150))
def test_long_liquidates_below_entry_short_above(venue, qty, entry, lev):
    assume(allowed(qty, entry, lev))
    long = liquidation.isolated(venue, "long", qty, entry, lev, BTC, 0.0005).price
    short = liquidation.isolated(venue, "short", qty, entry, lev, BTC, 0.0005).price
    assert long is None or long < entry
    assert short is not None and short > entry


@settings(max_examples=200, deadline=None)
@given(
    venue=venues,
    qty=qtys,
    entry=prices,
    lev=st.integers(1, 149),
    side=st.sampled_from(["long", "short"]),
)
def test_liquidation_moves_toward_entry_as_leverage_rises(venue, qty, entry, lev, side):
    assume(allowed(qty, entry, lev + 1))
    lo = liquidation.isolated(venue, side, qty, entry, lev, BTC, 0.0005).price
    hi = liquidation.isolated(venue, side, qty, entry, lev + 1, BTC, 0.0005).price
    if lo is None:
        return
    assert hi is not None
    assert abs(hi - entry) <= abs(lo - entry) * (1 + 1e-12)


@settings(max_examples=200, deadline=None)
@given(
    equity=st.floats(1, 1e8),
    k=st.floats(0.01, 100),
    entry=prices,
    frac=st.floats(0.001, 0.5),
    side=st.sampled_from(["long", "short"]),
)
def test_size_scales_linearly_with_equity(equity, k, entry, frac, side):
    stop = entry * (1 - frac) if side == "long" else entry * (1 + frac)
    kw = dict(
        side=side, risk=0.01, entry=entry, stop=stop, leverage=5, fee_in=0.0005, fee_out=0.0005
    )
    one = sizing.risk_size(equity=equity, **kw)
    scaled = sizing.risk_size(equity=equity * k, **kw)
    assert scaled.raw_qty == pytest.approx(one.raw_qty * k, rel=1e-9)
    assert one.loss_at_stop == pytest.approx(equity * 0.01, rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(qty=st.floats(1e-6, 1e6), step=st.sampled_from([1e-3, 0.01, 0.1, 1.0, 5.0]))
def test_rounding_never_rounds_up(qty, step):
    r = sizing.round_down(qty, step)
    assert r <= qty and qty - r < step + 1e-9


def test_okx_gate_form_with_a_maintenance_deduction():
    # equity = maintenance + closing fee, with MM = N x MMR - cum
    tiers = check_tiers([Tier(0, math.inf, 0.01, 2500.0)])
    long = liquidation.okx_gate("long", 10, 60000, 30000, tiers, 0.0005).price
    assert 30000 + 10 * (long - 60000) == pytest.approx(10 * long * 0.0105 - 2500)
    short = liquidation.okx_gate("short", 10, 60000, 30000, tiers, 0.0005).price
    assert 30000 - 10 * (short - 60000) == pytest.approx(10 * short * 0.0105 - 2500)
    # a deduction lowers maintenance: liquidation further from entry
    plain = liquidation.okx_gate("long", 10, 60000, 30000, single_tier(0.01), 0.0005).price
    assert long < plain


@settings(max_examples=300, deadline=None)
@given(qty=qtys, entry=prices, lev=st.integers(1, 150), side=st.sampled_from(["long", "short"]))
def test_binance_bracket_is_the_one_holding_the_liquidation_notional(qty, entry, lev, side):
    assume(allowed(qty, entry, lev))
    liq = liquidation.isolated("binance", side, qty, entry, lev, BTC, 0.0005)
    if liq.price is None:
        return
    assert liq.consistent
    notional = liq.price * qty
    assert liq.tier.floor <= notional and (notional < liq.tier.cap or liq.tier is BTC[-1])
    # and it is a root: wallet + PnL equals that bracket's maintenance there
    s = 1 if side == "long" else -1
    equity = qty * entry / lev + s * qty * (liq.price - entry)
    assert equity == pytest.approx(notional * liq.tier.mmr - liq.tier.cum, rel=1e-6, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(qty=qtys, entry=prices, lev=st.integers(1, 20), side=st.sampled_from(["long", "short"]))
def test_cross_with_nothing_else_is_isolated_with_the_same_wallet(qty, entry, lev, side):
    iso = liquidation.isolated("binance", side, qty, entry, lev, BTC, 0.0005)
    cross = liquidation.binance(side, qty, entry, qty * entry / lev, BTC)
    assert cross == iso
