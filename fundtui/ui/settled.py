"""Settled funding for one market: the store's cache, brought up to date from the venue.

Used by the detail view (on opening) and by the app for the watchlist (on start
and hourly), so a watched coin's accumulated funding is ready without a wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fundtui.core.accrual import Settlement
from fundtui.core.normalize import known_interval
from fundtui.core.text import describe_exception
from fundtui.store.history import HistoryStore

HOUR_MS = 3_600_000
#: How far back settlements are kept up to date.
SETTLED_SPAN_MS = 30 * 24 * HOUR_MS

Fetch = Callable[[str, int], Awaitable[list[Settlement]]]


async def up_to_date(store: HistoryStore | None, venue: str, symbol: str,
                     fetch: Fetch | None, now_ms: int, interval_h: float | None,
                     ) -> tuple[list[Settlement], str, str]:
    """``(settlements of the last 30 days, source, problem)``.

    The cache is read; when it is behind by more than an interval and the venue
    offers history, only what is missing is fetched and saved. With the interval
    unknown (None, 0, not finite) nothing says the cache is current, so what is
    missing is fetched: a guessed interval could hide a settlement that was paid.
    ``source`` is "venue" (fetched now), "cache", or "" when neither gave
    anything; ``problem`` a one-line reason when something failed.
    """
    since = now_ms - SETTLED_SPAN_MS
    cached: list[Settlement] = []
    problem = ""
    if store is not None:
        try:
            cached = await asyncio.to_thread(store.settlements, venue, symbol, since)
        except Exception as e:  # a damaged file: say so, carry on without the cache
            problem = describe_exception(e)
    if fetch is not None:
        iv = known_interval(interval_h)
        if not cached or iv is None or cached[-1].funding_time_ms < now_ms - iv * HOUR_MS:
            start = cached[-1].funding_time_ms + 1 if cached else since
            try:
                fresh = await fetch(symbol, start)
                if store is not None and fresh:
                    await asyncio.to_thread(store.save_settlements, venue, symbol, fresh)
                merged = {s.funding_time_ms: s for s in cached}
                merged.update({s.funding_time_ms: s for s in fresh})
                return [merged[t] for t in sorted(merged) if t >= since], "venue", problem
            except Exception as e:  # VenueError is one line already
                problem = getattr(e, "reason", None) or describe_exception(e)
    return cached, "cache" if cached else "", problem
