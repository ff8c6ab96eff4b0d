"""Spread trend lines and sparklines, and settlements read off recorded predictions."""

from __future__ import annotations

import math

import pytest

from fundtui.core.accrual import Settlement, settled_from_predictions
from fundtui.core.trend import BLOCKS, SpreadTrend, mean_of, sparkline

HOUR = 3_600_000


def test_sparkline_scales_to_its_own_range_and_keeps_gaps():
    # 0 -> lowest block, 7 -> highest, 3.5 -> int(3.5 + 0.5) = level 4
    assert sparkline([0.0, 7.0, None, 3.5], 4) == BLOCKS[0] + BLOCKS[7] + " " + BLOCKS[4]


def test_sparkline_is_right_aligned_and_keeps_only_the_last_values():
    assert sparkline([1.0, 2.0], 4) == "  " + BLOCKS[0] + BLOCKS[7]
    assert sparkline([9.0, 1.0, 2.0], 2) == BLOCKS[0] + BLOCKS[7]


def test_flat_line_sits_mid_height_and_empty_is_blank():
    assert sparkline([0.0005, 0.0005], 3) == " " + BLOCKS[3] * 2
    assert sparkline([None, None], 3) == "   "
    assert sparkline([], 2) == "  "


def test_trend_appends_per_refresh_and_merges_answers_close_together():
    t = SpreadTrend(3)
    t.push(0, {"BTC": 1.0, "ETH": 2.0}, min_step_ms=15_000)
    t.push(500, {"BTC": 1.5}, min_step_ms=15_000)  # same refresh: replaces, ETH now a gap
    assert t.values("BTC") == (1.5,)
    assert t.values("ETH") == (None,) or t.values("ETH") == ()
    t.push(30_000, {"BTC": 2.0, "ETH": 3.0}, min_step_ms=15_000)
    t.push(60_000, {"BTC": None, "ETH": math.nan}, min_step_ms=15_000)
    t.push(90_000, {"BTC": 4.0}, min_step_ms=15_000)
    assert t.values("BTC") == (2.0, None, 4.0)  # length 3, the oldest dropped


def test_trend_ignores_a_repaint_without_new_data_and_forgets_absent_bases():
    t = SpreadTrend(2)
    t.push(1000, {"BTC": 1.0})
    t.push(1000, {"BTC": 9.0})  # not newer: ignored
    assert t.values("BTC") == (1.0,)
    t.push(2000, {})
    t.push(3000, {})  # absent for a whole window: gone
    assert t.values("BTC") == ()


def test_mean_of_skips_missing_values():
    assert mean_of([1.0, None, 3.0]) == 2.0
    assert mean_of([None]) is None


def test_trend_length_must_be_positive():
    with pytest.raises(ValueError):
        SpreadTrend(0)


def test_predictions_become_settlements_at_the_end_of_their_window():
    t0 = 1000 * 8 * HOUR
    points = [
        (t0 + 1 * HOUR, 0.0001, 8.0),
        (t0 + 8 * HOUR - 60_000, 0.0003, 8.0),  # last of window 0, 1 min before settlement
        (t0 + 9 * HOUR, 0.0002, 8.0),  # window 1: last seen 7 h before its end
        (t0 + 16 * HOUR + 10, 0.0004, 8.0),  # window 2: not over yet
    ]
    got = settled_from_predictions(points, now_ms=t0 + 17 * HOUR)
    assert got == [Settlement(t0 + 8 * HOUR, 0.0003, 8.0)]


def test_prediction_gap_limit_and_bad_points():
    t0 = 1000 * 8 * HOUR
    points = [
        (t0 + 50 * 60_000, 0.0001, 1.0),
        (t0 + 2 * HOUR - 20 * 60_000, 0.0002, 1.0),
        (t0 + 30, None, 1.0),
        (t0 + 40, 0.1, None),
        (t0 + 50, math.nan, 1.0),
    ]
    assert settled_from_predictions(points, t0 + 3 * HOUR) == [Settlement(t0 + HOUR, 0.0001, 1.0)]
    assert settled_from_predictions(points, t0 + 3 * HOUR, max_gap_ms=30 * 60_000) == [
        Settlement(t0 + HOUR, 0.0001, 1.0),
        Settlement(t0 + 2 * HOUR, 0.0002, 1.0),
    ]


def test_a_minimum_span_keeps_small_wobbles_small():
    # 0.59860 % vs 0.59858 %: two millionths apart; over a 0.005 % span, both mid-height
    assert sparkline([0.0059860, 0.0059858], 2, min_span=0.00005) == BLOCKS[4] + BLOCKS[3]
    # a move as large as the span or larger still uses the full height
    assert sparkline([0.0, 0.0001], 2, min_span=0.00005) == BLOCKS[0] + BLOCKS[7]


def test_a_repeated_answer_is_not_a_move():
    from fundtui.core.quote import Quote
    from fundtui.core.trend import RateVelocity

    rv = RateVelocity()
    q = Quote("okx", "X/USDT:USDT", "X", "USDT", 0.0001, 8.0, timestamp_ms=1000)
    rv.update(5000, [q])
    rv.update(9000, [q])  # the same answer again: same time stamp
    assert rv.of("okx", "X/USDT:USDT") is None
    rv.update(
        9000, [Quote("okx", "X/USDT:USDT", "X", "USDT", 0.0002, 8.0, timestamp_ms=1000 + HOUR)]
    )
    assert rv.of("okx", "X/USDT:USDT") == pytest.approx(0.0001)


def test_signal_figures_read_in_each_rules_unit():
    from fundtui.core.signal_units import figure

    assert figure("spread", 0.0007) == "0.0700%/8h"
    assert figure("ema_divergence", -0.00051) == "-0.0510%/h"
    assert figure("oi_regime", 0.06) == "+6.0% OI"
    assert figure("exhaustion", -0.0) == "+0.0% px"
    assert figure("exhaustion", -0.012) == "-1.2% px"
    assert figure("sector", 0.155) == "+15.5% APR"
    assert figure("no-such-rule", 0.123456) == "0.1235"
