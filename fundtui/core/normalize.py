"""Funding-rate normalization to a common basis.

A venue quotes funding as a fraction paid per funding interval (0.0001 = 0.01 %).
Intervals of 1, 2, 4 and 8 hours all occur, so rates only compare once they are
put on one basis (see shared reference FORMULAS.md, "funding normalisation"):

    hourly        = rate / interval_h
    8h-equivalent = rate * 8 / interval_h
    APR           = rate * 8760 / interval_h      (simple, not compounded)
"""

from __future__ import annotations

import math

HOURS_PER_YEAR = 8760.0

#: Funding intervals (hours) that venues are known to use. Anything else is
#: still accepted when positive, but a caller can flag it as unusual.
KNOWN_INTERVALS_H = (1.0, 2.0, 4.0, 8.0)


class IntervalError(ValueError):
    """An interval that cannot be used to normalize a rate."""


def check_interval(interval_h: float) -> float:
    """Return ``interval_h`` as a float, or raise if it is not a positive finite number."""
    try:
        value = float(interval_h)
    except (TypeError, ValueError):
        raise IntervalError(f"funding interval {interval_h!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise IntervalError(f"funding interval {interval_h!r} h is not a positive number")
    return value


def hourly(rate: float, interval_h: float) -> float:
    """Rate per hour."""
    return rate / check_interval(interval_h)


def rate_8h(rate: float, interval_h: float) -> float:
    """Rate expressed as if it were paid every 8 hours."""
    return rate * 8.0 / check_interval(interval_h)


def apr(rate: float, interval_h: float) -> float:
    """Simple annualized rate (fraction per year, not compounded)."""
    return rate * HOURS_PER_YEAR / check_interval(interval_h)


def spread_apr(spread_8h: float) -> float:
    """APR of an 8h-equivalent spread: three settlements a day, 365 days."""
    return spread_8h * 3.0 * 365.0
