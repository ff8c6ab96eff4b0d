"""The pure readers under the venue parsers: numbers, times, intervals, schedule checks."""

from __future__ import annotations

import math

import pytest

from fundtui.feeds import rows as R

H = R.HOUR_MS
MIDNIGHT = 1732665600000  # 2024-11-27 00:00 UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.0001", 0.0001),
        (" -2.5 ", -2.5),
        (3, 3.0),
        (1.5, 1.5),
        ("1e-4", 0.0001),
        ("", None),
        ("  ", None),
        (None, None),
        ("NaN", None),
        ("inf", None),
        (math.nan, None),
        ("abc", None),
        ({"a": 1}, None),
        ([1], None),
        (True, None),
    ],
)
def test_num(value, expected):
    assert R.num(value) == expected


def test_epoch_ms_and_positive():
    assert R.epoch_ms("1673280000000") == 1673280000000
    assert R.epoch_ms(1610035200, unit_ms=1000) == 1610035200000
    assert R.epoch_ms(0) is None and R.epoch_ms("") is None and R.epoch_ms("-1") is None
    assert R.positive("0") is None and R.positive("0.5") == 0.5


@pytest.mark.parametrize(
    ("value", "unit_s", "hours"),
    [
        (480, 60, 8.0),
        ("240", 60, 4.0),
        (60, 60, 1.0),  # bybit minutes
        (28800, 1, 8.0),
        ("7200", 1, 2.0),
        (3600, 1, 1.0),  # gate seconds
        ("8", 3600, 8.0),
        (4, 3600, 4.0),  # binance/bitget/bybit-ticker hours
        (14_400_000, 0.001, 4.0),  # okx ms difference
        (0, 1, None),
        ("", 60, None),
        (None, 3600, None),
        (-28800, 1, None),
    ],
)
def test_interval_hours(value, unit_s, hours):
    assert R.interval_hours(value, unit_s=unit_s) == hours


@pytest.mark.parametrize(
    ("value", "hours"),
    [
        ("8h", 8.0),
        ("1h", 1.0),
        ("4h", 4.0),
        ("30m", 0.5),
        ("1d", 24.0),
        ("7200000", 2.0),  # ccxt's gate leaves 2 h unmapped, as milliseconds
        ("28800", None),  # a bare number that is not whole minutes of ms: unknown, not 8 h
        ("8", None),
        (None, None),
        ("", None),
        ("soon", None),
        ("0h", None),
    ],
)
def test_ccxt_interval_hours(value, hours):
    assert R.ccxt_interval_hours(value) == hours


def test_schedule_conflict():
    four = MIDNIGHT + 4 * H
    assert not R.schedule_conflict(four, four - 30 * 60_000, 4.0)  # on grid, 30 min away
    assert not R.schedule_conflict(four, None, 4.0)
    assert R.schedule_conflict(four, four - 30 * 60_000, 8.0)  # 04:00 is off the 8 h grid
    eight = MIDNIGHT + 8 * H
    assert R.schedule_conflict(eight, MIDNIGHT + 5 * 60_000, 4.0)  # 7 h 55 away: longer
    assert not R.schedule_conflict(eight, MIDNIGHT + 4 * H + 1, 4.0)
    assert not R.schedule_conflict(eight + 500, None, 8.0)  # a stray half second is fine
    assert not R.schedule_conflict(None, MIDNIGHT, 8.0)
    assert not R.schedule_conflict(eight, MIDNIGHT, None)


def test_products_and_changes():
    assert R.product(2.0, 3.0, 0.5) == 3.0
    assert R.product(2.0, None) is None
    assert R.fraction_change(105.0, 100.0) == pytest.approx(0.05)
    assert R.fraction_change(105.0, 0.0) is None and R.fraction_change(None, 1.0) is None
