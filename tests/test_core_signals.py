"""Signal rules on hand-computed series. Rates are fractions: 1 bp = 0.0001."""

import ast
from pathlib import Path

import pytest

from fundtui.core import signals
from fundtui.core.quote import Quote
from fundtui.core.signals import Hit, SignalConfig, SignalEngine, implied_rate

H = 3_600_000
T0 = 1_790_006_400_000  # a multiple of 8 h: settlement slots start here
BP = 0.0001


#: the rules as they were before windows had to be covered and the EMA threshold
#: became historical: for the tests of each rule's arithmetic on short series
BARE = {"min_coverage": 0.0, "ema_threshold_mode": "fixed"}


def q(rate, interval=8, venue="binance", base="BTC", mark=None, index=None, oi=None, oi_usd=None):
    """``oi`` is open interest in coins (what oi_regime compares), ``oi_usd`` in USD."""
    return Quote(
        venue,
        f"{base}/USDT:USDT",
        base,
        "USDT",
        rate,
        interval,
        mark_price=mark,
        index_price=index,
        open_interest_usd=oi_usd,
        open_interest_coins=oi,
    )


def only(hits, rule):
    return [h for h in hits if h.rule == rule]


def feed(engine, series):
    """series: (time_ms, [quotes]); returns the hits of every update."""
    return [engine.update(t, qs) for t, qs in series]


# --- implied funding (docs/FORMULAS.md sections 2 and 9) ---------------------------


def test_implied_rate_rests_at_the_interest_scaled_to_the_interval():
    # TV: 0.01 %/8h = 0.005 %/4h = 0.00125 %/1h when the premium is inside the band
    assert implied_rate(0.0, 8) == pytest.approx(0.0001, abs=1e-15)
    assert implied_rate(0.0, 4) == pytest.approx(0.00005, abs=1e-15)
    assert implied_rate(0.0, 1) == pytest.approx(0.0000125, abs=1e-15)
    # inside the +/-0.05 % band around I the premium is absorbed
    assert implied_rate(-0.0003, 8) == pytest.approx(0.0001, abs=1e-15)
    assert implied_rate(0.0006, 8) == pytest.approx(0.0001, abs=1e-15)


def test_implied_rate_follows_the_premium_beyond_the_clamp():
    # P = 0.1 %: I - P = -0.09 % clamps to -0.05 % -> F = 0.05 %/8h
    assert implied_rate(0.001, 8) == pytest.approx(0.0005, abs=1e-15)
    # P = 0.061 %: F = 0.061 - 0.05 = 0.011 %/8h; on a 4h venue half that
    assert implied_rate(0.00061, 8) == pytest.approx(0.00011, abs=1e-15)
    assert implied_rate(0.00061, 4) == pytest.approx(0.000055, abs=1e-15)
    # P = -0.1 %: I - P = 0.11 % clamps to 0.05 % -> F = -0.05 %/8h
    assert implied_rate(-0.001, 8) == pytest.approx(-0.0005, abs=1e-15)
    # Hyperliquid's recorded clamp: +/-0.03 %
    assert implied_rate(0.001, 8, clamp=0.0003) == pytest.approx(0.0007, abs=1e-15)


def test_implied_rule_flags_a_rate_the_premium_does_not_support():
    e = SignalEngine(SignalConfig(cooldown_s=0, **BARE))
    # premium 0.1 % implies 0.05 %/8h; paying 0.01 % is 0.04 % under: below 0.05 %
    assert only(e.update(T0, [q(BP, mark=100.1, index=100.0)]), "implied") == []
    # premium 0.3 %: the interval's mean premium (0.1 + 0.3) / 2 = 0.2 % implies
    # 0.2 - 0.05 = 0.15 %/8h: 0.14 % above what is paid
    (h,) = only(e.update(T0 + H, [q(BP, mark=100.3, index=100.0)]), "implied")
    assert h.value == pytest.approx(-0.0014)
    assert h.threshold == 0.0005
    assert h.venues == ("binance",)
    assert h.extras["implied_8h"] == pytest.approx(0.0015)
    assert h.extras["premium_samples"] == 2
    assert "mean premium 0.200% over the last 1h of the 8h interval implies 0.150%/8h" in (
        h.explanation
    )
    assert "rise" in h.explanation
    # a 4h venue at rest: 0.005 %/4h is exactly what the zero premium implies
    e4 = SignalEngine(SignalConfig(implied_gap_8h=0.0, **BARE))
    hits = only(e4.update(T0, [q(0.00005, 4, mark=100.0, index=100.0)]), "implied")
    assert [h.value for h in hits] == [pytest.approx(0.0, abs=1e-15)]


# --- EMA divergence (docs/FORMULAS.md section 10) ------------------------------------

EMA_BP = [1, 1, 1.2, 1.5, 1, 2, 3.5, 5]
# alpha = 2/(3+1) = 0.5, seeded with the first value:
# EMA: 1, 1, 1.1, 1.3, 1.15, 1.575, 2.5375, 3.76875
# d:   0, 0, 0.1, 0.2, -0.15, 0.425, 0.9625, 1.23125


def ema_series():
    return [(T0 + i * H, [q(r * BP, 1)]) for i, r in enumerate(EMA_BP)]


def test_ema_vector_and_divergence():
    e = SignalEngine(
        SignalConfig(ema_periods=3, ema_divergence_hourly=0.4 * BP, cooldown_s=0, **BARE)
    )
    per = [only(h, "ema_divergence") for h in feed(e, ema_series())]
    assert e.ema("binance", "BTC/USDT:USDT") == pytest.approx(3.76875 * BP)
    assert [len(x) for x in per] == [0, 0, 0, 0, 0, 1, 1, 1]
    last = per[-1][0]
    assert last.value == pytest.approx(1.23125 * BP)
    assert round(last.value / BP, 2) == 1.23
    assert round(last.extras["ema_hourly"] / BP, 2) == 3.77
    # beyond 0.4 bp for 3 consecutive periods (0.425, 0.9625, 1.23125) -> persistent at the third
    assert [x[0].extras["persistent"] for x in per[5:]] == [False, False, True]
    assert "3 periods in a row" in last.explanation
    assert "hot" in last.explanation


def test_ema_streak_breaks_on_a_period_inside_the_threshold():
    # threshold 0.15 bp: d = 0.2 (hit), -0.15 (hit, other sign: streak restarts), 0.425, 0.9625
    e = SignalEngine(
        SignalConfig(ema_periods=3, ema_divergence_hourly=0.15 * BP - 1e-12, cooldown_s=0, **BARE)
    )
    per = [only(h, "ema_divergence") for h in feed(e, ema_series())]
    assert [x[0].extras["periods"] if x else 0 for x in per] == [0, 0, 0, 1, 1, 1, 2, 3]


def test_ema_takes_one_value_per_period_the_last_one():
    e = SignalEngine(SignalConfig(ema_periods=3))
    series = []
    for i, r in enumerate(EMA_BP):
        # an earlier, different sample inside the same hour is replaced by the later one
        series.append((T0 + i * H + 60_000, [q(9 * BP, 1)]))
        series.append((T0 + i * H + 120_000, [q(r * BP, 1)]))
    feed(e, series)
    assert e.ema("binance", "BTC/USDT:USDT") == pytest.approx(3.76875 * BP)


def test_ema_uses_hourly_normalized_rates():
    # the same vector quoted per 8 h (8x the hourly figure) gives the same hourly EMA
    e = SignalEngine(SignalConfig(ema_periods=3))
    feed(e, [(T0 + i * H, [q(8 * r * BP, 8)]) for i, r in enumerate(EMA_BP)])
    assert e.ema("binance", "BTC/USDT:USDT") == pytest.approx(3.76875 * BP)


def test_warm_up_continues_as_if_never_stopped():
    cfg = SignalConfig(ema_periods=3, ema_divergence_hourly=0.4 * BP, cooldown_s=0, **BARE)
    series = ema_series()
    straight = SignalEngine(cfg)
    hits_straight = feed(straight, series)
    restarted = SignalEngine(cfg)
    restarted.warm_up((t, qs[0]) for t, qs in series[:5])
    assert restarted.ema("binance", "BTC/USDT:USDT") == pytest.approx(1.15 * BP)
    hits_restarted = feed(restarted, series[5:])
    assert hits_restarted == hits_straight[5:]
    assert [h.extras for hs in hits_restarted for h in hs] == [
        h.extras for hs in hits_straight[5:] for h in hs
    ]
    assert restarted.ema("binance", "BTC/USDT:USDT") == straight.ema("binance", "BTC/USDT:USDT")
    # the same from a stored (time_ms, rate) series
    stored = SignalEngine(cfg)
    stored.warm_up_series(
        "binance", "BTC/USDT:USDT", "BTC", 1, [(t, qs[0].funding_rate) for t, qs in series[:5]]
    )
    assert feed(stored, series[5:]) == hits_straight[5:]


def test_warm_up_emits_nothing_and_update_skips_samples_that_are_not_newer():
    e = SignalEngine(SignalConfig(cooldown_s=0))
    e.warm_up([(T0, q(BP)), (T0 + H, q(50 * BP))])  # a 0.49 % spike, silent
    assert (
        e.update(
            T0 + H,
            [Quote("binance", "BTC/USDT:USDT", "BTC", "USDT", 99 * BP, 8, timestamp_ms=T0 + H)],
        )
        == []
    )


def test_quotes_without_a_rate_or_interval_are_skipped():
    e = SignalEngine()
    e.warm_up([(T0, q(None)), (T0, q(BP, 0)), (T0, q(BP, -8))])
    assert e.update(T0 + H, [q(None), q(BP, None), q(BP, -8)]) == []
    assert e.velocity("binance", "BTC/USDT:USDT") is None


# --- velocity -------------------------------------------------------------------


def test_velocity_is_the_slope_over_the_last_hour_in_8h_equivalent_per_hour():
    """A climb of 0.02 %/8h per hour, sampled every 30 s or every 5 min: each closed
    quarter-hour's mean sits on the line at the quarter-hour's middle, so the slope
    is 2 bp per hour either way (the last-two-samples change read the same climb
    10x apart between those refresh rates). hyperliquid's hourly rate is 1/8 of
    the 8h-equivalent: the same slope."""
    for step_s in (30, 300):
        e = SignalEngine()
        for k in range(int(3600 / step_s) + 1):
            t = T0 + k * step_s * 1000
            r8 = BP + 2 * BP * (t - T0) / H
            e.update(t, [q(r8, 8), q(r8 / 8, 1, venue="hyperliquid")])
            if t - T0 < 0.75 * H:  # three points spanning 45 minutes first
                assert e.velocity("binance", "BTC/USDT:USDT") is None
        assert e.velocity("binance", "BTC/USDT:USDT") == pytest.approx(2 * BP, rel=1e-6)
        assert e.velocity("hyperliquid", "BTC/USDT:USDT") == pytest.approx(2 * BP, rel=1e-6)


# --- deviation from the rolling 24 h mean ----------------------------------------


def deviation_engine():
    e = SignalEngine(SignalConfig(cooldown_s=0))
    e.update(T0, [q(30 * BP)])
    e.update(T0 + H, [q(2 * BP)])
    e.update(T0 + 2 * H, [q(4 * BP)])
    return e


def test_deviation_against_the_mean_of_the_last_24h():
    # the window is the 96 quarter-hours ending with the current one: 24 h - 1 ms after the
    # first sample it still counts, mean (0.30 + 0.02 + 0.04) / 3 = 0.12 %: 0.14 % is close
    e = deviation_engine()
    assert only(e.update(T0 + 24 * H - 1, [q(14 * BP)]), "deviation") == []
    # 24 h after, it has left: mean of the 1h and 2h samples 0.03 %; 0.14 % is 0.11 % above
    e = deviation_engine()
    (h,) = only(e.update(T0 + 24 * H, [q(14 * BP)]), "deviation")
    assert h.value == pytest.approx(11 * BP)
    assert h.extras["mean_8h"] == pytest.approx(3 * BP)
    assert h.explanation == "BTC on binance at 0.140%/8h vs its 24h mean 0.0300%/8h (+0.110%)"


def test_deviation_window_after_a_gap_longer_than_24h():
    e = SignalEngine(SignalConfig(cooldown_s=0, **BARE))
    e.update(T0, [q(30 * BP)])
    # 30 h later nothing earlier is in the window: no mean, no hit
    assert only(e.update(T0 + 30 * H, [q(BP)]), "deviation") == []
    (h,) = only(e.update(T0 + 30 * H + 60_000, [q(14 * BP)]), "deviation")
    assert h.extras["mean_8h"] == pytest.approx(BP)
    assert h.value == pytest.approx(13 * BP)
    assert "vs its mean over the last 1m 0.0100%/8h" in h.explanation  # not "24h"


def test_deviation_below_threshold_and_inclusive():
    e = SignalEngine(SignalConfig(cooldown_s=0, **BARE))
    e.update(T0, [q(2 * BP)])
    e.update(T0 + H, [q(4 * BP)])
    assert only(e.update(T0 + 2 * H, [q(12.9 * BP)]), "deviation") == []  # 0.099 % from 0.03 %
    # exactly at the threshold fires (>=): threshold set to the computed difference
    mean = (2 * BP + 4 * BP + 12.9 * BP) / 3
    e2 = SignalEngine(SignalConfig(deviation_8h=abs(-20 * BP - mean), cooldown_s=0, **BARE))
    for i, r in enumerate((2 * BP, 4 * BP, 12.9 * BP)):
        e2.update(T0 + i * H, [q(r)])
    (h,) = only(e2.update(T0 + 3 * H, [q(-20 * BP)]), "deviation")
    assert h.value < 0


# --- spike within 8 h -----------------------------------------------------------------


def test_spike_within_the_32_quarter_hours_ending_now():
    # the window is the 32 UTC quarter-hours ending with the current one: 7h45 to 8h
    # back, never more than 8 h (T0 is on a quarter-hour)
    move = 16 * BP - BP
    e = SignalEngine(SignalConfig(spike_8h=move, cooldown_s=0))
    e.update(T0, [q(BP)])
    (h,) = only(e.update(T0 + 8 * H - 1, [q(16 * BP)]), "spike")  # 1 ms short of 8 h
    assert h.value == move
    assert h.explanation == "BTC on binance rose 0.150%/8h within 8h (from 0.0100% to 0.160%)"
    # and down again: the 0.16 % high sits in the quarter-hour T0 + 7h45 .. T0 + 8h,
    # the oldest of the window while the current one starts no later than T0 + 15h30
    (h,) = only(e.update(T0 + 15 * H + 45 * 60_000 - 1, [q(BP)]), "spike")
    assert h.value == -move
    assert "fell 0.150%/8h" in h.explanation


def test_no_spike_when_the_move_spans_more_than_8h():
    e = SignalEngine(SignalConfig(cooldown_s=0))
    e.update(T0, [q(BP)])
    e.update(T0 + 4 * H, [q(8 * BP)])
    # 0.15 % above the first sample, but that is exactly 8 h old: its quarter-hour is
    # the 33rd; 0.08 % above the 4h one
    assert only(e.update(T0 + 8 * H, [q(16 * BP)]), "spike") == []
    # the default threshold is 0.15 %: 0.14 % within the window does not fire
    e = SignalEngine(SignalConfig(cooldown_s=0))
    e.update(T0, [q(BP)])
    assert only(e.update(T0 + H, [q(15 * BP)]), "spike") == []


def test_spike_window_is_cut_on_quarter_hours():
    # a sample at T0 + 14 min belongs to the quarter-hour starting at T0, which
    # leaves the window at T0 + 8h: a move 7h46 apart is then not counted, one
    # 7h59.999 apart (same start, one ms earlier) is
    e = SignalEngine(SignalConfig(cooldown_s=0))
    e.update(T0 + 14 * 60_000, [q(BP)])
    assert only(e.update(T0 + 8 * H, [q(17 * BP)]), "spike") == []
    e = SignalEngine(SignalConfig(cooldown_s=0))
    e.update(T0 + 14 * 60_000, [q(BP)])
    (h,) = only(e.update(T0 + 8 * H - 1, [q(17 * BP)]), "spike")
    assert h.value == pytest.approx(16 * BP)
    # the window's low and high come from every sample in it, not only the first
    e = SignalEngine(SignalConfig(cooldown_s=0))
    e.update(T0, [q(5 * BP)])
    e.update(T0 + 2 * H + 1, [q(-BP)])  # the low, inside a later quarter-hour
    e.update(T0 + 2 * H + 2, [q(3 * BP)])
    (h,) = only(e.update(T0 + 9 * H, [q(15 * BP)]), "spike")  # T0 is out, the low is in
    assert h.value == pytest.approx(16 * BP)
    assert "from -0.0100% to 0.150%" in h.explanation


# --- spread ---------------------------------------------------------------------------


def test_spread_hit_names_the_legs_and_the_apr():
    e = SignalEngine()
    quotes = [
        q(BP, 8, "binance"),
        q(7.2 * BP, 8, "okx"),
        q(0.2 * BP, 1, "hyperliquid"),
        q(BP, 8, "binance", base="ETH"),
        q(5 * BP, 8, "okx", base="ETH"),
    ]
    (h,) = only(e.update(T0, quotes), "spread")
    # okx 0.072 %/8h - binance 0.01 %/8h = 0.062 %/8h; x 3 x 365 = 67.89 % APR
    assert (h.base, h.venues) == ("BTC", ("okx", "binance"))
    assert h.value == pytest.approx(6.2 * BP)
    assert h.extras["apr"] == pytest.approx(0.6789)
    assert h.explanation == (
        "okx pays 0.0620%/8h more than binance: short okx, long binance, 67.9% APR"
    )
    # ETH's 0.04 % stays under 0.05 %


def test_spread_threshold_is_inclusive():
    spread = 7.2 * BP - BP
    hits = SignalEngine(SignalConfig(spread_8h=spread)).update(
        T0, [q(BP, 8, "binance"), q(7.2 * BP, 8, "okx")]
    )
    assert len(only(hits, "spread")) == 1
    hits = SignalEngine(SignalConfig(spread_8h=spread * 1.0001)).update(
        T0, [q(BP, 8, "binance"), q(7.2 * BP, 8, "okx")]
    )
    assert only(hits, "spread") == []


# --- cooldown ---------------------------------------------------------------------------


def test_cooldown_per_rule_base_and_venue():
    e = SignalEngine(SignalConfig(cooldown_s=600))
    pair = [q(BP, 8, "binance"), q(10 * BP, 8, "okx")]
    assert len(only(e.update(T0, pair), "spread")) == 1
    assert only(e.update(T0 + 599_999, pair), "spread") == []
    # another base is not held back by BTC's hit
    eth = [q(BP, 8, "binance", base="ETH"), q(10 * BP, 8, "okx", base="ETH")]
    assert len(only(e.update(T0 + 599_999, pair + eth), "spread")) == 1
    # the other direction is another pair of venues
    flipped = [q(10 * BP, 8, "binance"), q(BP, 8, "okx")]
    assert [h.venues for h in only(e.update(T0 + 599_999, flipped), "spread")] == [
        ("binance", "okx")
    ]
    # BTC okx/binance fires again once the cooldown has passed
    assert len(only(e.update(T0 + 600_000, pair), "spread")) == 1


# --- open-interest regime ---------------------------------------------------------------


def oi_run(rate, ois, cfg=None, extra=()):
    e = SignalEngine(cfg or SignalConfig(cooldown_s=0))
    out = []
    for i, oi in enumerate(ois):
        out = e.update(T0 + 2 * i * H, [q(rate, oi=oi), *extra])
    return only(out, "oi_regime")


def test_oi_rising_with_extreme_funding_is_crowding():
    # 0.08 %/8h >= 0.05 %; OI 100 -> 110 over 4 h: +10 %
    (h,) = oi_run(8 * BP, [100e6, 105e6, 110e6])
    assert h.extras["regime"] == "crowding"
    assert h.value == pytest.approx(0.10)
    assert h.explanation == (
        "longs pay 0.0800%/8h on binance BTC with open interest up 10.0% in coins "
        "over 4h: crowding, the move is building"
    )


def test_oi_falling_with_extreme_negative_funding_is_unwind():
    (h,) = oi_run(-8 * BP, [100e6, 95e6, 90e6])
    assert h.extras["regime"] == "unwind"
    assert h.value == pytest.approx(-0.10)
    assert h.explanation.startswith("shorts pay 0.0800%/8h")
    assert "down 10.0% in coins over 4h: unwind, reversal risk" in h.explanation


def test_oi_regime_needs_extreme_funding_a_big_enough_change_and_the_full_lookback():
    assert oi_run(4.9 * BP, [100e6, 105e6, 110e6]) == []  # not extreme
    assert oi_run(8 * BP, [100e6, 102e6, 104.9e6]) == []  # +4.9 %
    assert oi_run(8 * BP, [100e6, 110e6]) == []  # only 2 h of history


def test_oi_regime_counts_the_top_decile_as_extreme():
    # ten quotes: nine at the neutral 0.01 %, BTC at 0.03 % (under 0.05 %) is strictly
    # above the 90th percentile of |8h rate|
    rest = [q(BP, base=f"C{i}") for i in range(9)]
    (h,) = oi_run(3 * BP, [100e6, 105e6, 110e6], extra=rest)
    assert h.extras["regime"] == "crowding"
    off = SignalConfig(cooldown_s=0, extreme_quantile=1.0)
    assert oi_run(3 * BP, [100e6, 105e6, 110e6], cfg=off, extra=rest) == []


# --- exhaustion -----------------------------------------------------------------------------


def exhaustion_run(rates, marks):
    """One sample per 8h slot, a minute after each settlement."""
    e = SignalEngine(SignalConfig(cooldown_s=0))
    return [
        only(e.update(T0 + i * 8 * H + 60_000, [q(r, mark=m)]), "exhaustion")
        for i, (r, m) in enumerate(zip(rates, marks, strict=True))
    ]


def test_exhaustion_after_three_extreme_settlements_without_the_price():
    # longs paid 0.08 % at three settlements; price 100 -> 99.5: did not go their way
    per = exhaustion_run([8 * BP] * 4, [100.0, 101.0, 99.0, 99.5])
    assert [len(x) for x in per] == [0, 0, 0, 1]
    (h,) = per[3]
    assert h.value == pytest.approx(-0.005)
    assert h.extras["settlements"] == 3
    assert h.explanation == (
        "longs paid extreme funding on binance BTC for 3 settlements but "
        "price went -0.500%: crowd exhausted, reversal risk"
    )


def test_exhaustion_negative_cases():
    # the price followed the longs: 100 -> 101
    assert exhaustion_run([8 * BP] * 4, [100.0, 99.0, 99.0, 101.0])[3] == []
    # shorts paying while the price rises did not follow them: fires
    (h,) = exhaustion_run([-8 * BP] * 4, [100.0, 100.0, 100.0, 100.5])[3]
    assert h.value == pytest.approx(-0.005)
    # only two extreme settlements (the first settled rate was 0.04 %)
    assert exhaustion_run([4 * BP] + [8 * BP] * 3, [100.0] * 4)[3] == []
    # many samples inside one 8h slot are one settlement, not several
    e = SignalEngine(SignalConfig(cooldown_s=0))
    for t in (60_000, 2 * H, 4 * H, 6 * H):
        e.update(T0 + t, [q(8 * BP, mark=100.0)])
    assert only(e.update(T0 + 8 * H + 60_000, [q(8 * BP, mark=99.0)]), "exhaustion") == []
    # the sign flipped: the streak restarts
    assert exhaustion_run([8 * BP, -8 * BP, 8 * BP, 8 * BP], [100.0] * 4)[3] == []


# --- config and purity ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"spread_8h": -0.1},
        {"cooldown_s": float("nan")},
        {"ema_periods": 0},
        {"ema_periods": 2.5},
        {"spike_window_h": 0},
        {"extreme_quantile": 1.5},
        {"deviation_8h": True},
    ],
)
def test_signal_config_rejects_bad_values(kwargs):
    with pytest.raises(ValueError):
        SignalConfig(**kwargs)


def test_defaults_are_the_issue_thresholds():
    c = SignalConfig()
    assert (c.spread_8h, c.deviation_8h, c.deviation_window_h) == (0.0005, 0.0010, 24.0)
    assert (c.ema_periods, c.ema_divergence_hourly, c.ema_persist_periods) == (12, 0.0005, 3)
    assert (c.spike_8h, c.spike_window_h, c.exhaustion_settlements) == (0.0015, 8.0, 3)


def test_hit_is_frozen():
    h = Hit(T0, "spike", "BTC", ("okx",), 1.0, 0.5, "x")
    with pytest.raises(AttributeError):
        h.rule = "spread"  # type: ignore[misc]


def test_signals_module_is_pure():
    tree = ast.parse(Path(signals.__file__).read_text())
    names = {
        a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    names |= {
        n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
    }
    assert not names & {"textual", "ccxt", "httpx", "sqlite3", "time", "datetime", "asyncio"}


def test_engine_keeps_no_quote_after_an_update():
    # a quote queued for the rules must not stay referenced from the per-market
    # state: it would keep old boards alive, and the saved state leaves it out
    e = SignalEngine()
    quotes = [
        q((i - 10) * BP, venue=v, base=f"B{i}", mark=100.0, index=100.0 + i / 10)
        for i in range(20)
        for v in ("binance", "okx")
    ]
    e.update(T0, quotes)
    e.update(T0 + 30_000, quotes[::-1])
    states = [k for by_symbol in e._keys.values() for k in by_symbol.values()]
    assert len(states) == 40
    assert all(k.q is None for k in states)
