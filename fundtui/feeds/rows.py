"""Tolerant readers for venue payload values, and funding-schedule sanity checks.

Venues send numbers as strings ("0.0001"), as JSON numbers, as "" or null for
"n/a", and occasionally garbage. Every reader here returns ``None`` for anything
it cannot read as a finite number, so one bad field never breaks a row and one
bad row never breaks a venue. Pure: no ccxt, no IO.
"""

from __future__ import annotations

import math
import re
from typing import Any

HOUR_MS = 3_600_000

#: Slack when comparing a venue's settlement time with a funding grid. Venues
#: publish exact multiples; this only absorbs a stray millisecond or second.
GRID_TOLERANCE_MS = 1_000

#: Slack when comparing "time until the next settlement" with the interval: the
#: venue's clock and its published schedule may differ by a little.
GAP_TOLERANCE_MS = 60_000


def num(value: Any) -> float | None:
    """A finite float from a number or a numeric string; ``None`` otherwise."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            result = float(text)
        except ValueError:
            return None
    else:
        return None
    return result if math.isfinite(result) else None


def positive(value: Any) -> float | None:
    """Like :func:`num`, but only values > 0 (prices, sizes, intervals)."""
    result = num(value)
    return result if result is not None and result > 0 else None


def epoch_ms(value: Any, *, unit_ms: int = 1) -> int | None:
    """An epoch timestamp in ms from ms (``unit_ms=1``) or seconds (``unit_ms=1000``).

    Zero, negative and non-numeric values (Binance sends ``0`` for "no
    settlement", Bybit/OKX send ``""``) give ``None``.
    """
    result = positive(value)
    if result is None:
        return None
    return int(round(result * unit_ms))


def text(value: Any) -> str | None:
    """A non-empty string, or ``None``."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def product(*values: float | None) -> float | None:
    """The product of the values, ``None`` if any is missing."""
    result = 1.0
    for v in values:
        if v is None:
            return None
        result *= v
    return result if math.isfinite(result) else None


def fraction_change(price: float | None, previous: float | None) -> float | None:
    """``price / previous - 1``, or ``None`` without both (and a non-zero previous)."""
    if price is None or not previous:
        return None
    return price / previous - 1.0


def interval_hours(value: Any, *, unit_s: float) -> float | None:
    """A funding interval in hours from a value counted in ``unit_s`` seconds.

    Bybit instruments: minutes (``unit_s=60``); Gate: seconds (``unit_s=1``);
    Binance/Bitget/Bybit tickers: hours (``unit_s=3600``); OKX: a difference of
    ms timestamps (``unit_s=0.001``).
    """
    raw = positive(value)
    if raw is None:
        return None
    return raw * unit_s / 3600.0


_CCXT_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhd])\s*$")
_CCXT_UNIT_H = {"m": 1 / 60, "h": 1.0, "d": 24.0}


def ccxt_interval_hours(value: Any) -> float | None:
    """Hours from a ccxt funding-rate ``interval`` field.

    ccxt writes ``"8h"``, ``"1h"``, ``"30m"``; where its lookup table has no
    entry it leaves the raw value, which for the venues seen so far is a
    millisecond count as a string (Gate's 2 h comes through as ``"7200000"``).
    A bare number is only accepted as milliseconds when it is a whole number of
    minutes; anything else is unknown, never guessed.
    """
    if value is None:
        return None
    if isinstance(value, str) and (m := _CCXT_INTERVAL.match(value)):
        hours = float(m.group(1)) * _CCXT_UNIT_H[m.group(2)]
        return hours if hours > 0 else None
    raw = positive(value)
    if raw is None or raw < 60_000 or raw % 60_000:
        return None
    return raw / HOUR_MS


def schedule_conflict(next_ms: int | None, ref_ms: int | None, interval_h: float | None) -> bool:
    """True when a settlement time cannot belong to a schedule of ``interval_h`` hours.

    Venues settle on a grid counted from 00:00 UTC (every 1, 2, 4 or 8 h), so
    a next settlement off that grid, or further away than one interval, means
    the interval we hold is out of date. Without the times nothing is claimed.
    """
    if next_ms is None or interval_h is None or interval_h <= 0:
        return False
    step = int(round(interval_h * HOUR_MS))
    offset = next_ms % step
    if min(offset, step - offset) > GRID_TOLERANCE_MS:
        return True
    return ref_ms is not None and next_ms - ref_ms > step + GAP_TOLERANCE_MS
