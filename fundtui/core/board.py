"""The board model: one row per base, the chosen quote per venue.

Pure: built from venue quote lists and a time passed in. The UI renders it; the
headless snapshot prints it. Where one venue lists a base in both USDT and USDC
(or as both ``PEPE`` and ``1000PEPE``), the row shows the USDT, unbundled one.

A stale venue's last quotes stay in the row (so they can be shown, marked as
stale) but never feed the figures a trader acts on: spread, legs, premium and
next funding come from the fresh venues only.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from fundtui.core.fees import Fees
from fundtui.core.net_spread import NetSpread, net_for
from fundtui.core.quote import Quote
from fundtui.core.spread import Spread, spread_for

_QUOTE_PREFERENCE = {"USDT": 0, "USDC": 1}


def _rank(q: Quote) -> tuple[int, int, int]:
    # USDT before USDC before anything else; then a quote with a rate; then the
    # smallest bundle.
    return (_QUOTE_PREFERENCE.get(q.quote, 9), 0 if q.has_rate else 1, q.multiplier)


@dataclass(frozen=True, slots=True)
class BoardRow:
    base: str
    quotes: Mapping[str, Quote]  # venue -> quote shown for this base, stale venues included
    stale: frozenset[str]  # venues whose quote here is stale
    spread: Spread | None  # fresh venues only
    premium: float | None  # median premium over the fresh venues that give one
    #: the base's spread (8h) over the last refreshes, oldest first; None = a gap
    trend: tuple[float | None, ...] = ()
    #: mean over the fresh venues of the slope of the 8h rate per hour (core.trend)
    velocity: float | None = None
    #: the spread after both legs' fees over the holding horizon (core.net_spread)
    net: NetSpread | None = None

    def fresh_quotes(self) -> Iterable[Quote]:
        return (q for v, q in self.quotes.items() if v not in self.stale)

    def next_funding_ms(self, now_ms: int) -> int | None:
        """Earliest settlement still ahead among the fresh venues."""
        times = [
            t for q in self.fresh_quotes() if (t := q.next_funding_ms) is not None and t > now_ms
        ]
        return min(times) if times else None


def choose_quotes(quotes: Iterable[Quote]) -> dict[str, dict[str, Quote]]:
    """base -> venue -> the one quote to show (USDT over USDC, unbundled first)."""
    chosen: dict[str, dict[str, Quote]] = {}
    for q in quotes:
        per_venue = chosen.setdefault(q.base, {})
        current = per_venue.get(q.venue)
        if current is None or _rank(q) < _rank(current):
            per_venue[q.venue] = q
    return chosen


def build_row(
    base: str,
    per_venue: Mapping[str, Quote],
    venue_order: Sequence[str],
    stale: Collection[str] = (),
    net_horizon_h: float | None = None,
    fees: Mapping[str, Fees] | None = None,
) -> BoardRow:
    """One base's row; with ``net_horizon_h``, its spread's net figures too (each
    venue's ``fees`` overriding its published base tier)."""
    ordered = {v: per_venue[v] for v in venue_order if v in per_venue}
    for v, q in per_venue.items():  # venues not in the configured order go last
        ordered.setdefault(v, q)
    stale_here = frozenset(v for v in ordered if v in stale)
    fresh = [q for v, q in ordered.items() if v not in stale_here]
    premiums = [p for q in fresh if (p := q.premium) is not None]
    spread = spread_for(base, fresh)
    return BoardRow(
        base=base,
        quotes=ordered,
        stale=stale_here,
        spread=spread,
        premium=statistics.median(premiums) if premiums else None,
        net=None
        if spread is None or net_horizon_h is None
        else net_for(spread, net_horizon_h, fees),
    )


def build_board(
    quotes_by_venue: Mapping[str, Iterable[Quote]],
    venue_order: Sequence[str],
    stale_venues: Collection[str] = (),
    net_horizon_h: float | None = None,
    fees: Mapping[str, Fees] | None = None,
) -> dict[str, BoardRow]:
    """All rows, keyed by base, from each venue's latest quotes."""
    chosen = choose_quotes(q for qs in quotes_by_venue.values() for q in qs)
    stale = frozenset(stale_venues)
    return {
        base: build_row(base, per_venue, venue_order, stale, net_horizon_h, fees)
        for base, per_venue in chosen.items()
    }
