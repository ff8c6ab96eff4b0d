"""Numbers as the calculators print and pre-fill them.

The calculator screens and ``fundtui calc``/``carry`` show the same figures, so
they format them in one place: amounts with thousands separators, prices with
six significant digits (a sub-cent coin's 0.0000108 keeps its digits), quantities
in plain digits with thousands separators, and the text a form field is
pre-filled with (percent fields in percent, nothing for an unknown value, never
a guess). Never exponent notation: ``1.09933e-05`` in a price field or
``4.7415837e+08`` as a size is a number nobody can trade on at a glance.
Rounding is :func:`fundtui.core.numbers.fixed`'s: half away from zero on the
decimal people read.
"""

from __future__ import annotations

from fundtui.core.numbers import decimals_for, fixed, round_half_away

#: Significant digits of a price in results, of a quantity, and of a field's text.
PRICE_DIGITS = 6
QTY_DIGITS = 8
FIELD_DIGITS = 10
#: The most decimals any of them is written with (a price of 1e-12 and below reads 0).
MOST_DECIMALS = 18


def _exponent(x: float, significant: int) -> int:
    """The decimal exponent of ``x`` once rounded to ``significant`` digits."""
    return int(f"{abs(x):.{significant - 1}e}".rpartition("e")[2])


def _trim(text: str) -> str:
    """``0.0790000`` -> ``0.079``, ``60000.00`` -> ``60000``."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def significant(x: float, digits: int, *, group: bool = False, shift: int = 0) -> str:
    """``x * 10**shift`` to ``digits`` significant digits in plain decimal notation,
    trailing zeros dropped: 474158368.89 -> ``474158370`` (``474,158,370`` grouped),
    1.09933e-05 -> ``0.0000109933``."""
    y = x * 10.0**shift if shift else x
    if y == 0:
        return "0"
    places = digits - 1 - _exponent(y, digits)
    if places < 0:  # more integer digits than significant ones: round them off
        return fixed(round_half_away(y, places), 0, group=group)
    return _trim(fixed(x, min(places, MOST_DECIMALS), shift=shift, group=group))


def amount(x: float | None, digits: int = 2) -> str:
    """An amount with thousands separators; ``-`` when there is none."""
    return "-" if x is None else fixed(x, digits, group=True)


def price(x: float | None, none: str = "none") -> str:
    """A price with :data:`PRICE_DIGITS` significant digits and at least two decimals,
    grouped (``54,216.87``, ``0.00000990455``); ``none`` when there is no price (a
    position that cannot be liquidated)."""
    if x is None:
        return none
    return fixed(x, decimals_for(x, PRICE_DIGITS, 2, MOST_DECIMALS), group=True)


def quantity(x: float) -> str:
    """A quantity in plain digits with thousands separators, :data:`QTY_DIGITS`
    significant digits: ``474,158,370``, ``0.079``."""
    return significant(x, QTY_DIGITS, group=True)


def pct_text(x: float | None) -> str:
    """A fraction as the text of a percent field (0.0005 -> ``0.05``); empty when unknown."""
    return "" if x is None else significant(x, 6, shift=2)


def num_text(x: float | None) -> str:
    """A number as the text of a field, never in exponent form; empty when unknown."""
    return "" if x is None else significant(x, FIELD_DIGITS)
