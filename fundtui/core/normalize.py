"""Funding-rate normalization to a common basis.

A venue quotes funding as a fraction paid per funding interval (0.0001 = 0.01 %).
Intervals of 1, 2, 4 and 8 hours all occur, so rates only compare once they are
put on one basis (see docs/FORMULAS.md section 1, "Funding normalisation"):

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


def known_interval(interval_h: float | None) -> float | None:
    """``interval_h`` as a float when it is a usable interval, else None.

    An interval that is missing, zero, negative or not finite is unknown, and an
    unknown interval is never replaced by a guess (8 h or 1 h): a figure built on
    a wrong interval is off by up to 8x, so the callers show none.
    """
    if interval_h is None:
        return None
    try:
        value = float(interval_h)
    except (TypeError, ValueError):
        return None
    return value if 0.0 < value < math.inf else None


# The two below run for every quote of every refresh (the sector figures), so
# they test with chained comparisons (False for NaN) instead of calling through.


def rate_8h_if_known(rate: float | None, interval_h: float | None) -> float | None:
    """:func:`rate_8h`, or None when the rate or the interval is unknown or not finite."""
    if (
        rate is None
        or interval_h is None
        or not 0.0 < interval_h < math.inf
        or not -math.inf < rate < math.inf
    ):
        return None
    return rate * 8.0 / interval_h


def apr_if_known(rate: float | None, interval_h: float | None) -> float | None:
    """:func:`apr`, or None when the rate or the interval is unknown or not finite."""
    if (
        rate is None
        or interval_h is None
        or not 0.0 < interval_h < math.inf
        or not -math.inf < rate < math.inf
    ):
        return None
    return rate * HOURS_PER_YEAR / interval_h


def spread_apr(spread_8h: float) -> float:
    """APR of an 8h-equivalent spread: three settlements a day, 365 days."""
    return spread_8h * 3.0 * 365.0
