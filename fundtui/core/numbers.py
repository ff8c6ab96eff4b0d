"""Numbers typed by people: plain ASCII decimal notation and nothing else.

``float()`` reads far more than anyone means to type: Arabic-Indic and
full-width digits (``float("٣")`` is 3.0, ``float("１２３")`` is 123.0),
underscores (``1_000``), ``nan`` and ``infinity``. For a figure someone trades on,
a surprising reading is worse than a refusal, so flags, calculator fields and
any other number that arrives as text go through :func:`parse_decimal`: an
optional sign, ASCII digits with at most one dot, and an optional exponent.

Numbers leave as text through :func:`fixed`, which rounds the decimal a person
reads, half away from zero, rather than the binary float behind it.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

#: ``0``, ``42``, ``0065535``: a whole number as people type it; nothing else.
WHOLE = re.compile(r"[0-9]+")
#: ``-12``, ``+0.5``, ``.5``, ``5.``, ``1e-4``, ``2.5E3``; nothing else.
DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def is_decimal(text: str) -> bool:
    """Whether ``text`` (already stripped) is plain ASCII decimal notation."""
    return DECIMAL.fullmatch(text) is not None


def parse_decimal(text: str) -> float:
    """``text`` (surrounding spaces ignored) as a finite float.

    ValueError ``"not a number"`` for anything but ASCII decimal notation,
    ``"not finite"`` when it overflows (``1e999``).
    """
    raw = text.strip()
    if not is_decimal(raw):
        raise ValueError("not a number")
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value


def parse_whole(text: str, most_digits: int = 18) -> int:
    """``text`` (surrounding spaces ignored) as a non-negative int: ASCII digits only
    (no sign, underscore, dot or exponent), at most ``most_digits`` of them.

    ValueError ``"not a whole number"`` otherwise.
    """
    raw = text.strip()
    if len(raw) > most_digits or WHOLE.fullmatch(raw) is None:
        raise ValueError("not a whole number")
    return int(raw)


# Numbers written for people ------------------------------------------------------------
#
# A float holds the binary value nearest to what was meant: 5.475 is stored as
# 5.47499999999999964..., so ``f"{5.475:.2f}"`` prints 5.47 while 27.375 (exact in
# binary) prints 27.38. People read the shortest decimal that names the float
# (``repr``), so that is the value rounded here, half away from zero: 5.475 -> 5.48,
# -5.475 -> -5.48, every time.

#: Past this many units of the last shown decimal, the fast path's float error could
#: reach a half-way point; such values take the exact path.
_FAST_LIMIT = 1e9
#: How near to half a unit of the last decimal a value must be to count as a tie.
_TIE_BAND = 1e-6


def _exact(x: float, digits: int, shift: int) -> Decimal:
    d = Decimal(repr(x))
    if shift:
        d = d.scaleb(shift)
    return d.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def fixed(x: float, digits: int, *, shift: int = 0, group: bool = False) -> str:
    """``x * 10**shift`` written with exactly ``digits`` decimals, half-way values
    (in the shortest decimal that names ``x``) rounded away from zero.

    ``shift=2`` writes a fraction as a percent without the float error of
    ``x * 100``; ``group`` separates thousands with commas. A value that rounds to
    zero never shows a minus sign. ``nan``/``inf``/``-inf`` are written as such.

    Most values are not near a half-way point, and for them Python's own float
    formatting already gives this answer; only those within a hair of one (or too
    large for that test) go through :mod:`decimal`.
    """
    if digits < 0:
        raise ValueError("digits must be >= 0")
    if not math.isfinite(x):
        return repr(x)
    y = x * 10.0**shift if shift else x
    z = abs(y) * 10.0**digits
    spec = f",.{digits}f" if group else f".{digits}f"
    if z < _FAST_LIMIT and abs(z - math.floor(z) - 0.5) > _TIE_BAND:
        text = format(y, spec)
    else:
        text = format(_exact(x, digits, shift), spec)
    if text[0] == "-" and not text.strip("-0.,"):
        return text[1:]
    return text


def round_half_away(x: float, digits: int) -> float:
    """``x`` rounded to ``digits`` decimals as :func:`fixed` writes it, as a float
    (``round(5.475, 2)`` is 5.47; this is 5.48)."""
    if not math.isfinite(x):
        return x
    return float(_exact(x, digits, 0)) + 0.0  # + 0.0: no -0.0


def decimals_for(x: float, significant: int, least: int, most: int, *, shift: int = 0) -> int:
    """How many decimals show ``x * 10**shift`` with at least ``significant``
    significant digits, kept within ``least..most`` (zero gets ``least``).

    0.00125 with 3 significant digits needs 5 decimals; 0.0100 needs 4.
    """
    y = abs(x) * 10.0**shift if shift else abs(x)
    if y == 0 or not math.isfinite(y):
        return least
    exponent = int(f"{y:.{significant - 1}e}".rpartition("e")[2])
    return min(most, max(least, significant - 1 - exponent))
