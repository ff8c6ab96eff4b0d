"""Short per-base histories for the board's sparkline column, and sparklines as text.

``SpreadTrend`` keeps, per base, the cross-venue spread (8h-equivalent) of the
last ``length`` refreshes it was given. A refresh where a base had no spread (one
fresh venue only) records a gap, so a sparkline never joins readings that were
not next to each other. Pure: times are passed in, nothing reads a clock.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence

from fundtui.core.quote import Quote

HOUR_MS = 3_600_000

#: Eight levels, lowest first; a gap (no value) is a space.
BLOCKS = "▁▂▃▄▅▆▇█"


class SpreadTrend:
    """The last ``length`` spreads of each base, oldest first; ``None`` marks a gap."""

    def __init__(self, length: int = 12) -> None:
        if length < 1:
            raise ValueError("length must be >= 1")
        self.length = length
        self._values: dict[str, deque[float | None]] = {}
        self._last_ms: int | None = None  # newest refresh taken
        self._start_ms: int | None = None  # when the newest point was started

    def push(self, at_ms: int, spreads: Mapping[str, float | None], min_step_ms: int = 0) -> None:
        """One refresh's spreads by base.

        A refresh no newer than the last is ignored, so repainting without new
        data never shifts the line. One less than ``min_step_ms`` after the point
        last started replaces that point's values instead of adding a point
        (venues answering a moment apart are one refresh). Bases absent here get
        a gap; a base absent for a whole window is forgotten.
        """
        if self._last_ms is not None and at_ms <= self._last_ms:
            return
        merge = self._start_ms is not None and at_ms - self._start_ms < min_step_ms
        self._last_ms = at_ms
        if not merge:
            self._start_ms = at_ms
        for base, value in spreads.items():
            value = value if value is not None and math.isfinite(value) else None
            line = self._values.get(base)
            if line is None:
                line = self._values[base] = deque(maxlen=self.length)
            elif merge and line:
                line[-1] = value
                continue
            line.append(value)
        for base in [b for b in self._values if b not in spreads]:
            line = self._values[base]
            if merge and line:
                line[-1] = None
            else:
                line.append(None)
            if all(v is None for v in line):
                del self._values[base]

    def values(self, base: str) -> tuple[float | None, ...]:
        line = self._values.get(base)
        return tuple(line) if line is not None else ()


def sparkline(values: Sequence[float | None], width: int, min_span: float = 0.0) -> str:
    """The last ``width`` values as block characters scaled between their own min
    and max, but over at least ``min_span`` (centred) so that noise far below
    what matters is not drawn as a full swing; a flat line sits at mid-height,
    gaps are spaces. Right-aligned: fewer values than ``width`` leave spaces on
    the left."""
    tail = list(values)[-width:] if width > 0 else []
    present = [v for v in tail if v is not None]
    if not present:
        return " " * max(width, 0)
    lo, hi = min(present), max(present)
    span = hi - lo
    if 0 < span < min_span:
        lo -= (min_span - span) / 2
        span = min_span
    top = len(BLOCKS) - 1
    chars = []
    for v in tail:
        if v is None:
            chars.append(" ")
        elif span <= 0:
            chars.append(BLOCKS[3])  # flat: mid-height, not "low"
        else:
            chars.append(BLOCKS[min(top, int((v - lo) / span * top + 0.5))])
    return " " * (width - len(chars)) + "".join(chars)


def mean_of(values: Iterable[float | None]) -> float | None:
    """Mean of the values present, or None when there are none."""
    present = [v for v in values if v is not None]
    return math.fsum(present) / len(present) if present else None


class RateVelocity:
    """Per market, the change of its 8h-equivalent rate per hour between its last two
    samples: the signal engine's ``velocity``, kept beside the board so the column is
    computed in the same refresh as the rates it sits next to.

    A sample's time is the quote's ``timestamp_ms``, else the refresh time; a quote no
    newer than the market's last sample changes nothing (a venue that did not answer
    again is not a move).
    """

    def __init__(self) -> None:
        # (venue, symbol) -> (time, 8h rate, velocity or None)
        self._last: dict[tuple[str, str], tuple[int, float, float | None]] = {}

    def update(self, now_ms: int, quotes: Iterable[Quote]) -> None:
        last = self._last
        for q in quotes:
            r8 = q.rate_8h
            if r8 is None or not math.isfinite(r8):
                continue
            t = q.timestamp_ms if q.timestamp_ms is not None else now_ms
            key = (q.venue, q.symbol)
            prev = last.get(key)
            if prev is None:
                last[key] = (t, r8, None)
            elif t > prev[0]:
                last[key] = (t, r8, (r8 - prev[1]) * HOUR_MS / (t - prev[0]))

    def of(self, venue: str, symbol: str) -> float | None:
        entry = self._last.get((venue, symbol))
        return None if entry is None else entry[2]

    def by_base(self, quotes: Iterable[Quote]) -> dict[str, float | None]:
        """Mean velocity per base over ``quotes`` (the markets that have one)."""
        per_base: dict[str, list[float | None]] = {}
        for q in quotes:
            per_base.setdefault(q.base, []).append(self.of(q.venue, q.symbol))
        return {b: mean_of(vs) for b, vs in per_base.items()}
