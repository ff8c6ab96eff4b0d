"""Accumulated settled funding over a trailing window (pure; time is passed in).

Sign convention: a settlement ``rate`` is the fraction of notional that longs pay
shorts at that settlement, so a positive sum means longs paid (a long position
lost that fraction of its notional, a short earned it); a negative sum means
shorts paid.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class Settlement:
    """One settled funding payment: the rate charged at ``funding_time_ms`` (epoch ms, UTC)."""

    funding_time_ms: int
    rate: float  # fraction of notional per interval; positive = longs pay shorts
    interval_hours: float | None = None


def accumulated(settlements: Iterable[Settlement], now_ms: int, days: float) -> float:
    """Sum of settled rates in the window ``(now_ms - days, now_ms]``.

    The window is half-open at its start so that back-to-back windows (e.g. 1 d
    and the day before it) never count one settlement twice; a settlement exactly
    at ``now_ms`` has been paid and counts. Settlements after ``now_ms`` are
    ignored. Summed with ``math.fsum`` so many small rates add up exactly as far
    as floats allow.
    """
    start = now_ms - days * DAY_MS
    return math.fsum(s.rate for s in settlements if start < s.funding_time_ms <= now_ms)
