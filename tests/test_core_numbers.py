"""Numbers typed by people: ASCII decimal notation only (core/numbers.py and the
calculator's ``number``, shared by ``fundtui calc``/``carry`` and the calculator screen)."""

import pytest

from fundtui.core.calculator import number
from fundtui.core.numbers import parse_decimal, parse_whole

GOOD = [
    ("5", 5.0),
    (" 5 ", 5.0),
    ("+5", 5.0),
    ("-0.5", -0.5),
    ("5.", 5.0),
    (".5", 0.5),
    ("1e3", 1000.0),
    ("2.5E-3", 0.0025),
    ("0", 0.0),
    ("007", 7.0),
]
#: float() reads several of these (Unicode digits, underscores); none is plain notation.
BAD = [
    "٣",
    "١.٥",
    "１２３",
    "1_000",
    "1,000",
    "1,5",
    "0x10",
    "1.2.3",
    "",
    " ",
    "++1",
    "1e",
    "e5",
    ".",
    "\u200b5",
    "5\x00",
    "5 5",
    "½",
    "²",
    "1e1.5",
    "١e٣",
]


@pytest.mark.parametrize("text, value", GOOD)
def test_ascii_decimal_notation_is_read(text, value):
    assert parse_decimal(text) == value


@pytest.mark.parametrize("text", [*BAD, "nan", "NaN", "inf", "-Infinity", "1e999"])
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


@pytest.mark.parametrize("text, value", [("5", 5), (" 42 ", 42), ("007", 7), ("0", 0)])
def test_whole_numbers_are_ascii_digits(text, value):
    assert parse_whole(text) == value


@pytest.mark.parametrize("text", [*BAD, "+5", "-5", "5.", "5.0", "1e3", "9" * 19])
def test_whole_numbers_refuse_signs_dots_exponents_and_other_digits(text):
    with pytest.raises(ValueError):
        parse_whole(text)


@pytest.mark.parametrize("text", BAD)
def test_number_names_the_field_and_what_was_typed(text):
    with pytest.raises(ValueError) as e:
        number("leverage", text)
    assert str(e.value).startswith("leverage must be a number, got ")


@pytest.mark.parametrize("text", ["nan", "-nan", "inf", "+inf", "Infinity", "1e999"])
def test_number_says_finite_for_nan_and_infinities(text):
    with pytest.raises(ValueError, match="equity must be a finite number"):
        number("equity", text)


def test_number_percent_takes_one_trailing_percent_sign_only_in_percent_fields():
    assert number("risk", "1", percent=True) == 0.01
    assert number("risk", "1 %", percent=True) == 0.01
    assert number("risk", " 0.5% ", percent=True) == 0.005
    for text in ("1%%", "%", "1%2"):
        with pytest.raises(ValueError, match="risk must be a number"):
            number("risk", text, percent=True)
    with pytest.raises(ValueError, match="equity must be a number, got '100%'"):
        number("equity", "100%")


def test_number_sign_rules_are_unchanged():
    assert number("rate", "-0.01", positive=False, percent=True) == -0.0001
    assert number("fee", "0", allow_zero=True) == 0.0
    with pytest.raises(ValueError, match="fee must be >= 0, got '-1'"):
        number("fee", "-1", allow_zero=True)
    with pytest.raises(ValueError, match="equity must be > 0"):
        number("equity", "0")


def test_a_long_input_is_cut_in_the_message():
    with pytest.raises(ValueError) as e:
        number("equity", "٣" * 500)
    assert len(str(e.value)) < 100
