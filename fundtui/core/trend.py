"""Short per-base histories for the board's sparkline column, and sparklines as text.

``SpreadTrend`` keeps, per base, the cross-venue spread (8h-equivalent) of the
last ``length`` refreshes it was given. A refresh where a base had no spread (one
fresh venue only) records a gap, so a sparkline never joins readings that were
not next to each other. Pure: times are passed in, nothing reads a clock.
"""

from __future__ import annotations

import math
from array import array
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


class _Line:
    """One market's samples over the lookback, at most one per bin (the bin's latest),
    with the running sums of the least-squares fit: times in hours after ``t0`` and
    rates less ``r0``, so the sums stay small and a flat rate is exactly flat. The
    sums are rebuilt from the samples about once a lookback, so rounding from
    replacing and dropping samples never accumulates."""

    __slots__ = ("first_ms", "ts", "rs", "t0", "r0", "st", "sr", "stt", "sxy")

    def __init__(self, t: int, r8: float) -> None:
        self.first_ms = t  # since when the market has been watched without a long gap
        self.ts = array("d", (t,))
        self.rs = array("d", (r8,))
        self.t0: float = t
        self.r0 = r8
        self.st = self.sr = self.stt = self.sxy = 0.0

    def _add(self, t: float, r8: float, sign: float) -> None:
        x = (t - self.t0) / HOUR_MS
        y = r8 - self.r0
        self.st += sign * x
        self.sr += sign * y
        self.stt += sign * x * x
        self.sxy += sign * x * y

    def replace_last(self, t: int, r8: float) -> None:
        self._add(self.ts[-1], self.rs[-1], -1.0)
        self.ts[-1], self.rs[-1] = t, r8
        self._add(t, r8, 1.0)

    def append(self, t: int, r8: float, lookback_ms: int) -> None:
        ts, rs = self.ts, self.rs
        ts.append(t)
        rs.append(r8)
        self._add(t, r8, 1.0)
        cutoff = t - lookback_ms
        while ts[0] < cutoff:
            self._add(ts[0], rs[0], -1.0)
            del ts[0], rs[0]
        if ts[0] - self.t0 > lookback_ms:
            self._rebase()

    def _rebase(self) -> None:
        self.t0, self.r0 = self.ts[0], self.rs[0]
        self.st = self.sr = self.stt = self.sxy = 0.0
        for t, r8 in zip(self.ts, self.rs, strict=True):
            self._add(t, r8, 1.0)

    def slope(self) -> float | None:
        """Least-squares slope of the samples, in rate per hour."""
        n = len(self.ts)
        den = n * self.stt - self.st * self.st
        if n < 2 or den <= 0:
            return None
        return (n * self.sxy - self.st * self.sr) / den


class RateVelocity:
    """Per market, how fast its 8h-equivalent rate moves: the least-squares slope, per
    hour, of its samples over the last ``lookback_ms`` (1 h by default), ``None``
    until the market has been watched that long.

    A slope over a fixed span reads the same whatever the refresh rate: the change
    between the last two samples scaled to an hour made a 0.01 %/8h step read 7.2 %/h
    at a 5 s refresh and 0.12 %/h at 300 s. Kept beside the board so the column is
    computed in the same refresh as the rates it sits next to.

    Memory is bounded: per market at most one sample per ``lookback_ms / bins``
    (a later sample in the same bin replaces it, so the newest always counts),
    and the fit's sums are kept up to date, so a refresh costs O(1) per quote.

    A sample's time is the quote's ``timestamp_ms``, else the refresh time; a quote no
    newer than the market's last sample changes nothing (a venue that did not answer
    again is not a move). After a gap longer than the lookback a market starts afresh.
    """

    def __init__(self, lookback_ms: int = HOUR_MS, bins: int = 60) -> None:
        if lookback_ms <= 0 or bins < 1:
            raise ValueError("lookback_ms must be > 0 and bins >= 1")
        self.lookback_ms = lookback_ms
        self._bin_ms = max(1, lookback_ms // bins)
        self._lines: dict[tuple[str, str], _Line] = {}

    def update(self, now_ms: int, quotes: Iterable[Quote]) -> None:
        lines, lookback, bin_ms = self._lines, self.lookback_ms, self._bin_ms
        isfinite = math.isfinite
        for q in quotes:
            r8 = q.rate_8h
            if r8 is None or not isfinite(r8):
                continue
            t = q.timestamp_ms if q.timestamp_ms is not None else now_ms
            key = (q.venue, q.symbol)
            line = lines.get(key)
            if line is None:
                lines[key] = _Line(t, r8)
                continue
            last = line.ts[-1]
            if t <= last:
                continue
            if t - last > lookback:  # nothing of the lookback left: start afresh
                lines[key] = _Line(t, r8)
            elif t // bin_ms == last // bin_ms:
                line.replace_last(t, r8)
            else:
                line.append(t, r8, lookback)

    def of(self, venue: str, symbol: str) -> float | None:
        """The market's velocity (8h-equivalent rate per hour), None until covered."""
        line = self._lines.get((venue, symbol))
        if line is None or line.ts[-1] - line.first_ms < self.lookback_ms:
            return None
        return line.slope()

    def by_base(self, quotes: Iterable[Quote]) -> dict[str, float | None]:
        """Mean velocity per base over ``quotes`` (the markets that have one)."""
        per_base: dict[str, list[float | None]] = {}
        for q in quotes:
            per_base.setdefault(q.base, []).append(self.of(q.venue, q.symbol))
        return {b: mean_of(vs) for b, vs in per_base.items()}
