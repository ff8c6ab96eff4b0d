"""Numbers written for people (core/numbers.py ``fixed``, ``round_half_away``,
``decimals_for``): the shortest decimal of a float, rounded half away from zero.

``f"{5.475:.2f}"`` is ``5.47`` (the float is 5.47499999...) while 27.375 (exact in
binary) gives ``27.38``; a carry APR of 19.345 printed ``19.34``. These pin the
consistent answer, and that the fast path agrees with the exact decimal one.
"""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundtui.core.numbers import decimals_for, fixed, round_half_away

HALVES = [
    (5.475, 2, "5.48"),
    (-5.475, 2, "-5.48"),
    (27.375, 2, "27.38"),
    (-27.375, 2, "-27.38"),
    (19.345, 2, "19.35"),
    (-19.345, 2, "-19.35"),
    (0.125, 2, "0.13"),
    (2.5, 0, "3"),
    (-2.5, 0, "-3"),
    (0.5, 0, "1"),
    (1.0005, 3, "1.001"),
    (0.00125, 4, "0.0013"),
    (1.005, 2, "1.01"),
    (8.08571, 4, "8.0857"),
]


@pytest.mark.parametrize("x, digits, text", HALVES)
def test_half_way_values_round_away_from_zero(x, digits, text):
    assert fixed(x, digits) == text
    assert round_half_away(x, digits) == float(text)


def test_binary_formatting_disagrees_on_the_issue_numbers():
    """The defect itself: Python's float formatting splits 5.475 and 27.375."""
    assert f"{5.475:.2f}" == "5.47" and f"{27.375:.2f}" == "27.38"
    assert f"{19.345:.2f}" == "19.34"
    assert round(5.475, 2) == 5.47
    assert (fixed(5.475, 2), fixed(27.375, 2), fixed(19.345, 2)) == ("5.48", "27.38", "19.35")


@pytest.mark.parametrize(
    "x, digits, text",
    [
        (0.05475, 2, "5.48"),
        (-0.05475, 2, "-5.48"),
        (0.0000125, 5, "0.00125"),
        (0.0001, 4, "0.0100"),
    ],
)
def test_shift_writes_a_fraction_as_a_percent_without_float_error(x, digits, text):
    assert fixed(x, digits, shift=2) == text


@pytest.mark.parametrize("x", [-0.001, -0.0049, -0.0, -1e-12])
def test_a_value_that_rounds_to_zero_has_no_minus_sign(x):
    assert fixed(x, 2) == "0.00"
    assert str(round_half_away(x, 2)) == "0.0"


def test_grouping_and_non_finite_values():
    assert fixed(1234567.125, 2, group=True) == "1,234,567.13"
    assert fixed(-1234.5, 0, group=True) == "-1,235"
    assert fixed(-0.4, 0, group=True) == "0"
    assert fixed(1e20, 0) == "100000000000000000000"
    assert [fixed(v, 2) for v in (float("nan"), float("inf"), float("-inf"))] == [
        "nan",
        "inf",
        "-inf",
    ]
    with pytest.raises(ValueError):
        fixed(1.0, -1)


def _reference(x: float, digits: int, shift: int) -> str:
    d = Decimal(repr(x)).scaleb(shift).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    text = f"{d:.{digits}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


@given(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.integers(0, 8),
    st.sampled_from([0, 2]),
)
def test_fast_path_agrees_with_exact_decimal_rounding(x, digits, shift):
    assert fixed(x, digits, shift=shift) == _reference(x, digits, shift)


@given(st.integers(-(10**9), 10**9), st.integers(0, 6), st.sampled_from([0, 2]))
def test_every_half_way_decimal_rounds_away(n, digits, shift):
    """Decimals ending in 5 one place past the last shown: the cases binary floats
    round either way."""
    text = f"{n}5"
    x = float(Decimal(text).scaleb(-(digits + 1 + shift)))
    assert fixed(x, digits, shift=shift) == _reference(x, digits, shift)


@pytest.mark.parametrize(
    "x, significant, least, most, shift, expected",
    [
        (0.0000125, 3, 4, 6, 2, 5),  # 0.00125 %
        (0.0001, 3, 4, 6, 2, 4),  # 0.0100 %
        (0.012, 3, 4, 6, 2, 4),  # 1.2000 %
        (0.00000123, 3, 4, 6, 2, 6),  # 0.000123 %
        (1e-12, 3, 4, 6, 2, 6),  # capped
        (0.0, 3, 4, 6, 2, 4),
        (-0.0000125, 3, 4, 6, 2, 5),
    ],
)
def test_decimals_for_reaches_the_significant_digits_within_bounds(
    x, significant, least, most, shift, expected
):
    assert decimals_for(x, significant, least, most, shift=shift) == expected
