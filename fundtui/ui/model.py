"""What the board shows per base, with stale venues kept apart.

A stale venue's last quotes stay on screen (greyed) but never feed the figures a
trader acts on: spread, legs, premium and the next-funding countdown come from
the fresh venues only, via core.board.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from fundtui.core.board import build_board, choose_quotes
from fundtui.core.quote import Quote
from fundtui.core.spread import Spread


@dataclass(frozen=True, slots=True)
class RowView:
    base: str
    quotes: Mapping[str, Quote]  # venue -> quote, every venue incl. stale ones
    stale: frozenset[str]  # venues whose quote here is stale
    spread: Spread | None  # fresh venues only
    premium: float | None  # fresh venues only

    def next_funding_ms(self, now_ms: int) -> int | None:
        """Earliest settlement still ahead among the fresh venues."""
        times = [t for v, q in self.quotes.items()
                 if v not in self.stale and (t := q.next_funding_ms) is not None and t > now_ms]
        return min(times) if times else None


def build_rows(quotes_by_venue: Mapping[str, Iterable[Quote]], venue_order: Sequence[str],
               stale_venues: Iterable[str], now_ms: int) -> dict[str, RowView]:
    stale = frozenset(stale_venues)
    fresh = build_board({v: qs for v, qs in quotes_by_venue.items() if v not in stale},
                        venue_order, now_ms)
    chosen = choose_quotes(q for qs in quotes_by_venue.values() for q in qs)
    rows: dict[str, RowView] = {}
    for base, per_venue in chosen.items():
        ordered = {v: per_venue[v] for v in venue_order if v in per_venue}
        for v, q in per_venue.items():
            ordered.setdefault(v, q)
        row = fresh.get(base)
        rows[base] = RowView(
            base=base,
            quotes=ordered,
            stale=stale.intersection(ordered),
            spread=row.spread if row else None,
            premium=row.premium if row else None,
        )
    return rows
