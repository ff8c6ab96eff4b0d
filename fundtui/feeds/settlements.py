"""Settled funding history of one market, fetched on demand (never on the refresh path).

:meth:`fundtui.feeds.ccxt_venue.CcxtVenue.settlements` resolves the unified
symbol to the venue's id and hands over to :func:`fetch_history` here, which
pages FORWARD from ``since_ms`` through the venue's raw endpoint (ccxt's
implicit API, so URLs, proxies and error mapping stay ccxt's and the
adapter's), at most :data:`MAX_PAGES` requests per call. Each venue's page
request lives in its module under :mod:`fundtui.feeds.venues`; the paging
styles are here:

============  ==================================================  ===========================
venue         request per page                                     paging
============  ==================================================  ===========================
binance       GET /fapi/v1/fundingRate symbol, startTime,          next startTime = newest
              limit=1000 (oldest first)                            time + 1; stop on a short page
bybit         GET /v5/market/funding/history category=linear,      fixed 200 h windows (200 rows
              symbol, startTime, endTime, limit=200                at 1 h, so a window is never cut)
okx           GET /api/v5/public/funding-rate-history instId,      fixed 100 h windows
              before (> t), after (< t), limit=100                 (100 rows at 1 h)
hyperliquid   POST /info {"type": "fundingHistory", coin,          next startTime = newest
              startTime} (oldest first, up to 500 rows)            time + 1; stop on a short page
gate          GET /api/v4/futures/{settle}/funding_rate contract,  fixed 1,000 h windows
              from, to (epoch s), limit=1000                       (1,000 rows at 1 h)
bitget        GET /api/v2/mix/market/history-fund-rate symbol,     BACKWARD by pageNo from the
              productType, pageSize=100, pageNo (newest first)     newest: the endpoint takes no
                                                                   start time; stop at a page
                                                                   reaching past ``since_ms``
============  ==================================================  ===========================

Paging also stops when a page brings nothing new, or a window starts after
now. With the bound a call covers at least 2,000 h on bybit, 1,000 h on okx
(OKX keeps about three months anyway) and 10,000 h on gate; binance and
hyperliquid reach back as far as the venue keeps, up to 10,000 / 5,000 rows;
bitget returns at most the newest 1,000 settlements since ``since_ms``.

Rates are the rate actually charged at each settlement (OKX: ``realizedRate``;
its ``fundingRate`` there is the rate as predicted). The interval of a
settlement is the gap since the previous one, rounded to the minute
(Hyperliquid's recorded times carry a few ms of jitter); the oldest row takes
the gap to the next one; a lone row takes the venue metadata's interval if
the adapter has one, else ``None`` — never an assumed 8 h. Rows with a
missing or unreadable rate or time are skipped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fundtui.core.accrual import Settlement
from fundtui.feeds import rows as R
from fundtui.feeds.errors import PayloadError
from fundtui.feeds.spec import CURSOR, PAGES, WINDOW
from fundtui.feeds.venues import SPECS

#: At most this many requests per :func:`fetch_history` call.
MAX_PAGES = 10

#: Rows per page asked of the venues that page by cursor (their maxima).
PAGE_ROWS = {v: s.history_rows for v, s in SPECS.items() if s.history in (CURSOR, PAGES)}

#: Window per request for the venues that page by time window: the page's row
#: limit times the shortest interval any venue uses (1 h), so no window can
#: hold more rows than one page returns.
WINDOW_ROWS = {v: s.history_rows for v, s in SPECS.items() if s.history == WINDOW}

SUPPORTED = tuple(v for v, s in SPECS.items() if s.history is not None)

MINUTE_MS = 60_000

Request = Callable[[Awaitable[Any]], Awaitable[Any]]


async def fetch_history(
    venue: str,
    ex: Any,
    request: Request,
    market_id: str,
    since_ms: int,
    now_ms: int,
    fallback_interval_h: float | None = None,
    settle: str = "USDT",
) -> list[Settlement]:
    """Settlements of ``market_id`` at or after ``since_ms``, oldest first, one per time.

    ``request`` wraps each venue call (the adapter's error bookkeeping);
    ``settle`` picks gate's settle path and bitget's product type. The page
    request itself is the venue module's ``history_page``.
    """
    cls = SPECS.get(venue)
    if cls is None or cls.history is None:
        raise PayloadError(f"no settlement history for venue '{venue}'")
    spec = cls()
    found: dict[int, float] = {}
    start = max(0, int(since_ms))
    if spec.history == CURSOR:
        for _ in range(MAX_PAGES):
            limit = PAGE_ROWS[venue]
            page = await request(spec.history_page(ex, market_id, start, 0, settle, limit))
            new = [(t, r) for t, r in page.rows if t >= start and t not in found]
            found.update(new)
            if page.count < limit or not new:
                break
            start = max(t for t, _ in new) + 1
    elif spec.history == WINDOW:
        limit = WINDOW_ROWS[venue]
        window = limit * R.HOUR_MS
        for _ in range(MAX_PAGES):
            if start > now_ms:
                break
            end = start + window
            page = await request(spec.history_page(ex, market_id, start, end, settle, limit))
            found.update((t, r) for t, r in page.rows if start <= t < end)
            start = end
    else:
        for page_no in range(1, MAX_PAGES + 1):
            limit = PAGE_ROWS[venue]
            page = await request(spec.history_page(ex, market_id, page_no, 0, settle, limit))
            new = [(t, r) for t, r in page.rows if t not in found]
            found.update((t, r) for t, r in new if t >= start)
            if page.count < limit or not new or min(t for t, _ in new) < start:
                break
    return with_intervals(sorted(found.items()), fallback_interval_h)


def gap_hours(earlier_ms: int, later_ms: int) -> float | None:
    """The gap between two settlements in hours, rounded to the minute."""
    minutes = round((later_ms - earlier_ms) / MINUTE_MS)
    return minutes / 60.0 if minutes > 0 else None


def with_intervals(
    rows: list[tuple[int, float]], fallback_interval_h: float | None = None
) -> list[Settlement]:
    """Settlements from sorted, distinct (time, rate) rows, each with the gap since the last."""
    if len(rows) == 1:
        t, rate = rows[0]
        return [Settlement(t, rate, fallback_interval_h)]
    out: list[Settlement] = []
    for i, (t, rate) in enumerate(rows):
        hours = gap_hours(t, rows[1][0]) if i == 0 else gap_hours(rows[i - 1][0], t)
        out.append(Settlement(t, rate, hours))
    return out
