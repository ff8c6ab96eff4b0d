"""The headless snapshot as a JSON-ready dict. Scripts depend on this shape:

    {"generated_at": "2024-05-01T07:59:12Z",
     "quotes": [{"exchange", "symbol", "base", "quote", "funding_rate",
                 "interval_hours", "rate_8h", "apr", "next_funding_time",
                 "mark_price", "index_price", "premium",
                 "open_interest_usd", "volume_24h_usd"}, ...],
     "spreads": [{"base", "long_exchange", "short_exchange", "spread_8h", "apr",
                  "venues", "net_apr", "break_even_hours", "net_horizon_hours"}, ...],
     "errors": {"gate": "one-line reason"}}

``quotes`` holds every quote polled (USDC and bundled contracts included), in
venue order then symbol. ``spreads`` come from the board, which picks one quote
per venue and base (USDT over USDC, unbundled first), largest spread_8h first.
Rates are fractions (0.0001 = 0.01 %); rate_8h and apr are the rate normalized by
its own interval. ``net_apr`` is the spread's APR after both legs' taker fees in
and out, spread over ``net_horizon_hours`` of holding, and ``break_even_hours``
the hours of the spread that pay those fees (:mod:`fundtui.core.net_spread`;
null when the spread is zero). Times are ISO-8601 UTC with ``Z``; anything
unknown is null.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from fundtui.core.board import BoardRow
from fundtui.core.quote import Quote
from fundtui.core.timefmt import iso_utc


def _num(x: float | None) -> float | None:
    """A finite float or None (JSON has no NaN or infinity)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _hours(h: float | None) -> int | float | None:
    h = _num(h)
    if h is None:
        return None
    return int(h) if h.is_integer() else h


def _venue_rank(venue_order: Sequence[str]) -> Callable[[str], tuple[int, str]]:
    pos = {v: i for i, v in enumerate(venue_order)}
    return lambda venue: (pos.get(venue, len(pos)), venue)


def quote_json(q: Quote) -> dict[str, Any]:
    return {
        "exchange": q.venue,
        "symbol": q.symbol,
        "base": q.base,
        "quote": q.quote,
        "funding_rate": _num(q.funding_rate),
        "interval_hours": _hours(q.interval_hours),
        "rate_8h": _num(q.rate_8h),
        "apr": _num(q.apr),
        "next_funding_time": None if q.next_funding_ms is None else iso_utc(q.next_funding_ms),
        "mark_price": _num(q.mark_price),
        "index_price": _num(q.index_price),
        "premium": _num(q.premium),
        "open_interest_usd": _num(q.open_interest_usd),
        "volume_24h_usd": _num(q.volume_24h_usd),
    }


def build_snapshot(
    quotes: Iterable[Quote],
    board: Mapping[str, BoardRow],
    errors: Mapping[str, str],
    generated_at_ms: int,
    venue_order: Sequence[str] = (),
) -> dict[str, Any]:
    """The snapshot dict. ``quotes`` are all quotes polled (every venue's poll,
    flattened); ``venue_order`` orders venues, others follow by name."""
    rank = _venue_rank(venue_order)
    ordered = sorted(quotes, key=lambda q: (rank(q.venue), q.symbol))
    spreads = sorted(
        ((row.spread, row.net) for row in board.values() if row.spread is not None),
        key=lambda sn: (-sn[0].spread_8h, sn[0].base),
    )
    return {
        "generated_at": iso_utc(generated_at_ms),
        "quotes": [quote_json(q) for q in ordered],
        "spreads": [
            {
                "base": s.base,
                "long_exchange": s.long_venue,
                "short_exchange": s.short_venue,
                "spread_8h": _num(s.spread_8h),
                "apr": _num(s.apr),
                "venues": s.venues,
                "net_apr": None if net is None else _num(net.net_apr),
                "break_even_hours": None if net is None else _num(net.break_even_h),
                "net_horizon_hours": None if net is None else _hours(net.horizon_h),
            }
            for s, net in spreads
        ],
        "errors": {v: errors[v] for v in sorted(errors, key=rank)},
    }
