"""Settled funding for one market: the store's cache, brought up to date from the venue.

Used by the detail view (on opening) and by the engine for the watchlist (on start
and hourly, ``watched_up_to_date``), so a watched coin's accumulated funding is
ready without a wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from fundtui.core.accrual import Settlement
from fundtui.core.board import BoardRow
from fundtui.core.normalize import known_interval
from fundtui.core.text import describe_exception
from fundtui.engine.events import Notice
from fundtui.store.history import HistoryStore

if TYPE_CHECKING:
    from fundtui.engine.engine import Engine

HOUR_MS = 3_600_000
#: How far back settlements are kept up to date.
SETTLED_SPAN_MS = 30 * 24 * HOUR_MS

Fetch = Callable[[str, int], Awaitable[list[Settlement]]]


async def up_to_date(
    store: HistoryStore | None,
    venue: str,
    symbol: str,
    fetch: Fetch | None,
    now_ms: int,
    interval_h: float | None,
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


async def watched_up_to_date(
    store: HistoryStore | None,
    sources: Mapping[str, Any],
    rows: Mapping[str, BoardRow],
    bases: Iterable[str],
    now_ms: int,
) -> list[str]:
    """Bring the watched coins' settled funding up to date on every venue that
    quotes them live and serves history; the problems, one line each."""
    if store is None:
        return []
    problems = []
    for base in sorted(bases):
        row = rows.get(base)
        if row is None:
            continue
        for venue, q in row.quotes.items():
            fetch = getattr(sources.get(venue), "settlements", None)
            if fetch is None or venue in row.stale:
                continue
            _, _, problem = await up_to_date(
                store, venue, q.symbol, fetch, now_ms, q.interval_hours
            )
            if problem:
                problems.append(f"{base} on {venue}: {problem}")
    return problems


async def keep_watched_settled(engine: Engine, every_s: float) -> None:
    """The engine's watched coins' settled funding, brought up to date now and then
    every ``every_s``; a round's problems are one notice, and never stop the next."""
    while not engine.closed:
        recorder = engine.recorder
        try:
            problems = await watched_up_to_date(
                recorder.store if recorder is not None else None,
                {s.name: s for s in engine.sources},
                engine.market.rows,
                engine.watched(),
                engine.clock(),
            )
        except Exception as e:  # one round failing must not stop the next
            problems = [describe_exception(e)]
        engine.watch_rounds += 1
        if problems:
            text = "Settled funding of watched coins not updated:\n" + "\n".join(problems[:5])
            engine.emit(Notice(text, "warning", 8))
        await asyncio.sleep(every_s)
