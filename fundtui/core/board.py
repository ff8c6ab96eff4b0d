"""The board model: one row per base, the chosen quote per venue.

Pure: built from venue quote lists and a time passed in. The UI renders it; the
headless snapshot prints it. Where one venue lists a base in both USDT and USDC
(or as both ``PEPE`` and ``1000PEPE``), the row shows the USDT, unbundled one.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

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
    quotes: Mapping[str, Quote]  # venue -> quote shown for this base
    spread: Spread | None
    premium: float | None  # median premium over the venues that give mark and index
    next_funding_ms: int | None  # earliest upcoming settlement across venues

    def quote(self, venue: str) -> Quote | None:
        return self.quotes.get(venue)


def choose_quotes(quotes: Iterable[Quote]) -> dict[str, dict[str, Quote]]:
    """base -> venue -> the one quote to show (USDT over USDC, unbundled first)."""
    chosen: dict[str, dict[str, Quote]] = {}
    for q in quotes:
        per_venue = chosen.setdefault(q.base, {})
        current = per_venue.get(q.venue)
        if current is None or _rank(q) < _rank(current):
            per_venue[q.venue] = q
    return chosen


def build_row(base: str, per_venue: Mapping[str, Quote], venue_order: Sequence[str],
              now_ms: int) -> BoardRow:
    ordered = {v: per_venue[v] for v in venue_order if v in per_venue}
    for v, q in per_venue.items():  # venues not in the configured order go last
        ordered.setdefault(v, q)
    premiums = [p for q in ordered.values() if (p := q.premium) is not None]
    upcoming = [t for q in ordered.values()
                if (t := q.next_funding_ms) is not None and t > now_ms]
    return BoardRow(
        base=base,
        quotes=ordered,
        spread=spread_for(base, ordered.values()),
        premium=statistics.median(premiums) if premiums else None,
        next_funding_ms=min(upcoming) if upcoming else None,
    )


def build_board(quotes_by_venue: Mapping[str, Iterable[Quote]], venue_order: Sequence[str],
                now_ms: int) -> dict[str, BoardRow]:
    """All rows, keyed by base, from each venue's latest quotes."""
    chosen = choose_quotes(q for qs in quotes_by_venue.values() for q in qs)
    return {base: build_row(base, per_venue, venue_order, now_ms)
            for base, per_venue in chosen.items()}
