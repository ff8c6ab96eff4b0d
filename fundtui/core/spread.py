"""Cross-venue funding spread per base.

Over the venues with a rate for a base: the short leg is the venue paying the
highest 8h-equivalent rate (shorts receive it), the long leg the venue with the
lowest. spread_8h = high - low; APR = spread_8h * 3 * 365.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fundtui.core.normalize import spread_apr
from fundtui.core.quote import Quote


@dataclass(frozen=True, slots=True)
class Spread:
    base: str
    long_venue: str  # lowest rate: go long here
    short_venue: str  # highest rate: go short here
    low_8h: float
    high_8h: float
    venues: int  # venues with a rate for this base

    @property
    def spread_8h(self) -> float:
        return self.high_8h - self.low_8h

    @property
    def apr(self) -> float:
        return spread_apr(self.spread_8h)


def spread_for(base: str, quotes: Iterable[Quote]) -> Spread | None:
    """The spread across ``quotes`` of one base, or None with fewer than two venues.

    Ties keep the first venue seen, so the result follows the caller's venue order.
    """
    low: tuple[float, str] | None = None
    high: tuple[float, str] | None = None
    venues: set[str] = set()
    for q in quotes:
        r = q.rate_8h
        if r is None:
            continue
        venues.add(q.venue)
        if low is None or r < low[0]:
            low = (r, q.venue)
        if high is None or r > high[0]:
            high = (r, q.venue)
    if low is None or high is None or len(venues) < 2:
        return None
    return Spread(base, low[1], high[1], low[0], high[0], len(venues))


def spreads(by_base: dict[str, Iterable[Quote]]) -> dict[str, Spread]:
    """Spreads for every base with at least two venues quoting a rate."""
    out: dict[str, Spread] = {}
    for base, qs in by_base.items():
        s = spread_for(base, qs)
        if s is not None:
            out[base] = s
    return out
