"""The board's Δ8h/h: a least-squares slope over a fixed lookback, whatever the refresh.

Before, it was the change between the last two samples scaled to an hour, so one
0.01 %/8h step read 7.2, 1.2 or 0.12 %/h at a 5 s, 30 s or 300 s refresh
(0.0001 x 3600 / 5 = 0.072 = 7.2 %).
"""

from __future__ import annotations

import pytest

from fundtui.core.quote import Quote
from fundtui.core.trend import RateVelocity

HOUR = 3_600_000
T0 = 1_767_225_600_000  # 2026-01-01 00:00 UTC
SYMBOL = "BTC/USDT:USDT"


def quote(venue: str, rate_8h: float, at: int | None) -> Quote:
    return Quote(venue, SYMBOL, "BTC", "USDT", rate_8h, 8.0, timestamp_ms=at)


def run(path, refresh_s: float, minutes: float, venue: str = "okx", stamped: bool = True):
    """Feed ``path(hours since T0)`` every ``refresh_s`` for ``minutes``; the last reading."""
    rv = RateVelocity()
    step = int(refresh_s * 1000)
    for k in range(int(minutes * 60_000 // step) + 1):
        t = T0 + k * step
        rv.update(t, [quote(venue, path((t - T0) / HOUR), t if stamped else None)])
    return rv.of(venue, SYMBOL)


def test_a_steady_climb_reads_its_slope_at_every_refresh_rate():
    # 0.01 %/8h more every hour: the slope is 0.0001 per hour, exactly, at any refresh
    def climb(h: float) -> float:
        return 0.0001 + 0.0001 * h

    for refresh_s in (5, 30, 300):
        assert run(climb, refresh_s, 90) == pytest.approx(0.0001, rel=1e-9)


def test_one_step_reads_the_same_at_5_30_and_300_seconds():
    # a 0.01 %/8h step half-way through the hour. For samples spread evenly over the
    # lookback T, the least-squares slope of a step of size d at T/2 is
    # cov(t, step) / var(t) = (d T / 8) / (T^2 / 12) = 1.5 d / T = 0.00015 per hour.
    def step(h: float) -> float:
        return 0.0001 if h < 0.5 else 0.0002

    readings = {s: run(step, s, 60) for s in (5, 30, 300)}
    for refresh_s, v in readings.items():
        assert v == pytest.approx(0.00015, rel=0.1), refresh_s
    assert max(readings.values()) / min(readings.values()) < 1.15
    # the old definition at 5 s, the sample after the step: 0.0001 x 3600 / 5 = 0.072
    assert max(readings.values()) < 0.072 / 100


def test_n_a_until_the_lookback_is_covered():
    def climb(h: float) -> float:
        return 0.0001 * h

    assert run(climb, 30, 59.5) is None
    assert run(climb, 30, 60) == pytest.approx(0.0001)


def test_a_flat_rate_is_exactly_flat_and_a_venue_without_stamps_counts_refreshes():
    assert run(lambda h: 0.000123, 5, 120) == 0.0
    assert run(lambda h: 0.0001 * h, 30, 61, stamped=False) == pytest.approx(0.0001)


def test_a_gap_longer_than_the_lookback_starts_afresh():
    rv = RateVelocity()
    for k in range(121):  # an hour at 30 s
        t = T0 + k * 30_000
        rv.update(t, [quote("okx", 0.0001 * k, t)])
    assert rv.of("okx", SYMBOL) is not None
    later = T0 + 3 * HOUR
    rv.update(later, [quote("okx", 0.0005, later)])
    assert rv.of("okx", SYMBOL) is None  # watched again for a moment only


def test_the_base_reads_the_mean_of_its_venues():
    rv = RateVelocity()
    for k in range(121):
        t = T0 + k * 30_000
        h = k * 30_000 / HOUR
        rv.update(t, [quote("okx", 0.0001 * h, t), quote("gate", 0.0003 * h, t)])
    both = [quote("okx", 0.0, None), quote("gate", 0.0, None)]
    assert rv.by_base(both)["BTC"] == pytest.approx(0.0002)


def test_many_refreshes_keep_a_bounded_number_of_samples():
    rv = RateVelocity()
    for k in range(3 * 720):  # three hours at 5 s
        t = T0 + k * 5000
        rv.update(t, [quote("okx", 0.0001, t)])
    line = rv._lines[("okx", SYMBOL)]
    assert len(line.ts) <= 61  # one per minute of the hour, the newest in its minute
