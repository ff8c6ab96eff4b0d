"""Funding normalization: the interval arithmetic a trader relies on.

Test vectors TV-N1 and TV-N2 are from docs/FORMULAS.md section 1.
"""

import math

import pytest

from fundtui.core import normalize
from fundtui.core.normalize import IntervalError
from fundtui.core.quote import Quote


def test_tv_n1_same_rate_across_intervals():
    # 0.01 %/8h = 0.005 %/4h = 0.00125 %/1h = 10.95 % APR
    assert normalize.rate_8h(0.0001, 8) == pytest.approx(0.0001)
    assert normalize.rate_8h(0.00005, 4) == pytest.approx(0.0001)
    assert normalize.rate_8h(0.0000125, 1) == pytest.approx(0.0001)
    assert normalize.apr(0.0001, 8) == pytest.approx(0.1095)
    assert normalize.apr(0.00005, 4) == pytest.approx(0.1095)
    assert normalize.hourly(0.0001, 8) == pytest.approx(0.0000125)


def test_tv_n2_daily_payment():
    # $10,000 at 0.12 % per 8h pays $36 a day: three settlements.
    per_day = 10_000 * normalize.rate_8h(0.0012, 8) * 3
    assert per_day == pytest.approx(36.0)


@pytest.mark.parametrize(
    "interval,rate,expected_8h",
    [
        (1, 0.0001, 0.0008),
        (2, 0.0001, 0.0004),
        (4, 0.0001, 0.0002),
        (8, 0.0001, 0.0001),
    ],
)
def test_every_interval_scales(interval, rate, expected_8h):
    assert normalize.rate_8h(rate, interval) == pytest.approx(expected_8h)
    assert normalize.apr(rate, interval) == pytest.approx(rate * 8760 / interval)


def test_negative_rates_keep_their_sign():
    assert normalize.rate_8h(-0.0003, 4) == pytest.approx(-0.0006)
    assert normalize.apr(-0.0003, 4) < 0


@pytest.mark.parametrize("bad", [0, -8, float("nan"), float("inf"), None, "8h"])
def test_bad_interval_is_refused(bad):
    with pytest.raises(IntervalError):
        normalize.rate_8h(0.0001, bad)


def test_spread_apr_is_three_settlements_a_day():
    assert normalize.spread_apr(0.0004) == pytest.approx(0.438)


def test_quote_properties_follow_interval():
    q = Quote("bybit", "SOL/USDT:USDT", "SOL", "USDT", 0.0002, 4)
    assert q.rate_8h == pytest.approx(0.0004)
    assert q.hourly == pytest.approx(0.00005)
    assert q.apr == pytest.approx(0.438)


def test_quote_without_interval_has_no_normalized_rate():
    q = Quote("x", "A/USDT:USDT", "A", "USDT", 0.0002, None)
    assert q.rate_8h is None and q.apr is None and not q.has_rate


def test_premium_from_mark_and_index_else_venue_figure():
    q = Quote("b", "A/USDT:USDT", "A", "USDT", 0.0, 8, mark_price=101.0, index_price=100.0)
    assert q.premium == pytest.approx(0.01)
    q2 = Quote("b", "A/USDT:USDT", "A", "USDT", 0.0, 8, venue_premium=-0.002)
    assert q2.premium == pytest.approx(-0.002)
    q3 = Quote("b", "A/USDT:USDT", "A", "USDT", 0.0, 8, mark_price=1.0, index_price=0.0)
    assert q3.premium is None
    assert not math.isnan(q.premium)


@pytest.mark.parametrize("unknown", [None, 0, 0.0, -4.0, math.nan, math.inf, -math.inf])
def test_an_unknown_interval_gives_no_figure(unknown):
    # never the 8 h (or 1 h) guess: 0.01 % as if per 8 h would read 10.95 % APR
    assert normalize.known_interval(unknown) is None
    assert normalize.rate_8h_if_known(0.0001, unknown) is None
    assert normalize.apr_if_known(0.0001, unknown) is None


def test_known_intervals_give_the_same_figures_as_rate_8h_and_apr():
    # 0.01 % per 4 h = 0.02 %/8h = 21.9 % APR, by hand: 0.0001 x 8 / 4, 0.0001 x 8760 / 4
    assert normalize.known_interval(4) == 4.0
    assert normalize.rate_8h_if_known(0.0001, 4) == pytest.approx(0.0002)
    assert normalize.apr_if_known(0.0001, 4) == pytest.approx(0.219)
    for iv in normalize.KNOWN_INTERVALS_H:
        assert normalize.rate_8h_if_known(0.0003, iv) == normalize.rate_8h(0.0003, iv)
        assert normalize.apr_if_known(-0.0003, iv) == normalize.apr(-0.0003, iv)
    # an unknown or unusable rate has no figure either
    assert normalize.apr_if_known(None, 8) is None
    assert normalize.rate_8h_if_known(math.nan, 8) is None
