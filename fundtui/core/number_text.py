"""Numbers as the calculators print and pre-fill them.

The calculator screens and ``fundtui calc``/``carry`` show the same figures, so
they format them in one place: amounts with thousands separators, prices with
about six significant digits, and the text a form field is pre-filled with
(percent fields in percent, nothing for an unknown value, never a guess).
"""

from __future__ import annotations


def amount(x: float | None, digits: int = 2) -> str:
    """An amount with thousands separators; ``-`` when there is none."""
    return "-" if x is None else f"{x:,.{digits}f}"


def price(x: float | None, none: str = "none") -> str:
    """A price to about six significant digits (two decimals at least); ``none``
    when there is no price (a position that cannot be liquidated)."""
    if x is None:
        return none
    return f"{x:,.{max(2, 6 - len(str(int(abs(x)))))}f}"


def pct_text(x: float | None) -> str:
    """A fraction as the text of a percent field (0.0005 -> ``0.05``); empty when unknown."""
    return "" if x is None else f"{x * 100:.6g}"


def num_text(x: float | None) -> str:
    """A number as the text of a field; empty when unknown."""
    return "" if x is None else f"{x:.10g}"
