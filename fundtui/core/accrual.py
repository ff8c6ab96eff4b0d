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


def settled_from_predictions(
    points: Iterable[tuple[int, float | None, float | None]],
    now_ms: int,
    max_gap_ms: int = 15 * 60_000,
) -> list[Settlement]:
    """Settlements read off recorded predictions ``(time_ms, rate, interval_h)``.

    Venues settle at multiples of their interval (UTC); the rate paid is the
    predicted rate just before. For each window ``[k*I, (k+1)*I)`` that ended by
    ``now_ms``, the last recorded prediction becomes a settlement at ``(k+1)*I``,
    but only when it was recorded within ``max_gap_ms`` of that time: a prediction
    from long before (the app was closed) is not what was paid. Oldest first.
    """
    last: dict[tuple[float, int], tuple[int, float]] = {}
    for t, rate, iv in points:
        if rate is None or iv is None or iv <= 0 or not math.isfinite(rate):
            continue
        width = round(iv * 3_600_000)
        k = t // width
        prev = last.get((iv, k))
        if prev is None or t >= prev[0]:
            last[(iv, k)] = (t, rate)
    out = []
    for (iv, k), (t, rate) in last.items():
        end = (k + 1) * round(iv * 3_600_000)
        if end <= now_ms and end - t <= max_gap_ms:
            out.append(Settlement(end, rate, iv))
    out.sort(key=lambda s: s.funding_time_ms)
    return out
