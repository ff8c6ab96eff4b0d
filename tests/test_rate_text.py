"""How rates and APRs are written: three significant digits, half away from zero.

The figures are the display-precision audit's: hyperliquid's base rate
0.00125 %/h printed as 0.0013 with four fixed decimals, and eight times that
read 0.0104 where the 8h-equivalent is 0.0100; 5.475 printed 5.47 while 27.375
printed 27.38, and a carry APR of 19.345 printed 19.34.
"""

from __future__ import annotations

import pytest

from fundtui.core import rate_text as rt
from fundtui.ui import format as fmt
from fundtui.ui.format import DEFAULT_PALETTE as P
from fundtui.ui.format import Unit
from tests.fakesource import quote


def test_an_hourly_base_rate_keeps_its_digits_in_every_unit():
    q = quote("hyperliquid", "BTC", 0.0000125, interval_h=1)
    assert fmt.rate_cell(q, Unit.RAW, P).plain == "0.00125%·1h"
    assert fmt.rate_cell(q, Unit.H8, P).plain == "0.0100%·1h"  # 0.00125 x 8, not 0.0013 x 8
    assert fmt.rate_cell(q, Unit.APR, P).plain == "10.95%·1h"  # 0.00125 % x 24 x 365


@pytest.mark.parametrize(
    "x,expected",
    [
        (0.0001, "0.0100%"),
        (0.0000125, "0.00125%"),
        (0.00000125, "0.000125%"),
        (-0.0000125, "-0.00125%"),
        (0.012345, "1.2345%"),
        (0.0000000001, "0.000000%"),  # below the most decimals a column takes
    ],
)
def test_a_rate_gets_at_least_three_significant_digits(x, expected):
    assert rt.rate_pct(x) == expected


@pytest.mark.parametrize(
    "x,expected",
    [
        (0.05475, "5.48%"),  # 5.475 %: the float is 5.47499..., the decimal is a half
        (-0.05475, "-5.48%"),
        (0.27375, "27.38%"),
        (0.19345, "19.35%"),
        (1.2345, "123.5%"),
        (17.52, "1752%"),
        (0.00876, "0.876%"),  # under 1 %: more decimals for three digits
    ],
)
def test_aprs_round_half_away_from_zero(x, expected):
    assert rt.apr_pct(x) == expected


def test_a_cell_never_outgrows_its_column():
    tiny = quote("hyperliquid", "BTC", -0.00000125, interval_h=1)
    text = fmt.rate_cell(tiny, Unit.RAW, P, stale=True).plain
    assert len(text) <= fmt.RATE_WIDTH
    assert text == "~-0.0001%·1h"  # the extra decimals given back, the usual four kept
    assert len(fmt.velocity_cell(-0.00000125, P).plain) <= fmt.VELOCITY_WIDTH
    assert fmt.premium_cell(0.0000125, P).plain == "+0.0013%"  # 8 wide: four decimals


def test_no_negative_zero():
    assert rt.rate_pct(-0.0000000001) == "0.000000%"
    assert rt.apr_pct(-0.00000001) == "0.0000%"
