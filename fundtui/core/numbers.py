"""Numbers typed by people: plain ASCII decimal notation and nothing else.

``float()`` reads far more than anyone means to type: Arabic-Indic and
full-width digits (``float("٣")`` is 3.0, ``float("１２３")`` is 123.0),
underscores (``1_000``), ``nan`` and ``infinity``. For a figure someone trades on,
a surprising reading is worse than a refusal, so flags, calculator fields and
any other number that arrives as text go through :func:`parse_decimal`: an
optional sign, ASCII digits with at most one dot, and an optional exponent.
"""

from __future__ import annotations

import math
import re

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
