"""The second, slower request: open interest and 24 h figures the rate answer lacks.

OKX's and Bitget's bulk rate answers carry no open interest and Binance's no
24 h volume, but each venue has one more bulk request that does (see the venue
modules). Asking it on every refresh would double the venue's load, so it is
made at a slower cadence, inside a poll, after the rates:

* **Cadence.** At most once every ``EXTRAS_REFRESH_S`` (60 s) AND never in two
  polls in a row, so a venue sees at most 1.5 requests per refresh on average
  (1 + 1/2 at refreshes of 30 s or more; 1 + 5/60 at 5 s). Never in a poll that
  already made metadata requests, never two at once (the adapter's lock).
* **Failure.** A failed or rate-limited extra request fails nothing: the rates
  of that poll are returned as usual, the figures keep the age of the last
  answer that worked (``Quote.extras_ms``), and the next attempt waits twice
  as long each time (up to ``MAX_BACKOFF`` cadences) or the venue's
  Retry-After if longer: fewer requests, never more.
* **Age.** Figures older than ``MAX_AGE_S`` are dropped (absent, not shown as current).

Pure bookkeeping: the adapter passes the times in.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fundtui.core.quote import Quote
from fundtui.core.symbols import split_base
from fundtui.feeds import rows as R
from fundtui.feeds.metadata import Market, Metadata

log = logging.getLogger(__name__)

#: The shortest time between two extra requests of one venue.
EXTRAS_REFRESH_S = 60.0
#: Polls (with a working rate answer) from one extra request to the next, at least.
MIN_POLLS = 2
#: Failures in a row stretch the cadence up to this many times.
MAX_BACKOFF = 8
#: Figures older than this are not put on quotes at all.
MAX_AGE_S = 30 * 60.0
#: The extra request's own bound, well inside the poll's: rates plus extras stay under it.
EXTRAS_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class Extra:
    """One market's figures from the extra request; ``None``: not given or unusable."""

    open_interest_coins: float | None = None
    open_interest_usd: float | None = None
    volume_24h_usd: float | None = None
    price_change_24h: float | None = None


FIELDS = tuple(f.name for f in dataclasses.fields(Extra))


def collect(
    venue: str,
    meta: Metadata,
    rows: Iterable[Any],
    market_id: Callable[[dict[str, Any]], Any],
    build: Callable[[dict[str, Any], Market, int], Extra],
) -> dict[str, Extra]:
    """symbol -> Extra for the rows of markets the metadata knows; a bad row is skipped.

    ``build`` gets the row, its market and the market's bundle multiplier
    (1000 for ``1000PEPE``: coins = base units x multiplier).
    """
    out: dict[str, Extra] = {}
    skipped = 0
    for row in rows:
        try:
            if not isinstance(row, dict):
                raise TypeError("row is not an object")
            m = meta.markets.get(R.text(market_id(row)) or "")
            if m is None:
                continue
            extra = build(row, m, split_base(m.base_id)[1])
        except Exception as exc:  # one bad row never fails the rest
            skipped += 1
            log.debug("%s: skipped an extras row (%s: %s)", venue, type(exc).__name__, exc)
            continue
        if any(getattr(extra, f) is not None for f in FIELDS):
            out[m.symbol] = extra
    if skipped:
        log.debug("%s: %d extras rows unusable", venue, skipped)
    return out


def coins(base_units: float | None, multiplier: int) -> float | None:
    """Coins from a count in the contract's base unit (``1000PEPE`` units x 1000)."""
    return R.product(base_units, float(multiplier))


class ExtrasKeeper:
    """When a venue's extra request is due, and the figures of the last one that worked."""

    def __init__(self, venue: str):
        self.venue = venue
        self.table: dict[str, Extra] = {}
        self.fetched_ms: int | None = None  # when the last good answer arrived
        self.attempt_ms: int | None = None
        self.not_before_ms = 0
        self.polls_since = MIN_POLLS - 1  # the first working poll may ask at once
        self.failures = 0  # in a row
        self.last_error: str | None = None

    def due(self, now_ms: int) -> bool:
        """Count one poll whose rates worked; True when the extra request should go now."""
        self.polls_since += 1
        if self.attempt_ms is not None and now_ms < self.attempt_ms:
            # The clock went back: the whole wait still lies ahead, counted from now.
            self.not_before_ms = now_ms + (self.not_before_ms - self.attempt_ms)
            self.attempt_ms = now_ms
        return self.polls_since >= MIN_POLLS and now_ms >= self.not_before_ms

    def attempted(self, now_ms: int) -> None:
        self.attempt_ms = now_ms
        self.polls_since = 0
        self.not_before_ms = now_ms + int(EXTRAS_REFRESH_S * 1000)

    def succeeded(self, table: dict[str, Extra], now_ms: int) -> None:
        self.table = table
        self.fetched_ms = now_ms
        self.failures = 0
        self.last_error = None

    def failed(self, reason: str, now_ms: int, retry_after_s: float | None = None) -> None:
        self.failures += 1
        self.last_error = reason
        stretch = min(MAX_BACKOFF, 2 ** (self.failures - 1))
        wait_s = EXTRAS_REFRESH_S * stretch
        if retry_after_s is not None and retry_after_s > wait_s:  # NaN compares False
            wait_s = min(retry_after_s, 24 * 3600.0)
        self.not_before_ms = max(self.not_before_ms, now_ms + int(wait_s * 1000))
        log.info(
            "%s: open interest / 24 h request failed (%s); rates unaffected", self.venue, reason
        )

    def apply(self, quotes: list[Quote], now_ms: int) -> list[Quote]:
        """The quotes with the last good figures filled in, where the rate answer had none."""
        at = self.fetched_ms
        if at is None or not self.table:
            return quotes
        if now_ms - at > MAX_AGE_S * 1000:
            self.table = {}  # too old to show as anything but absent
            return quotes
        out: list[Quote] = []
        for q in quotes:
            extra = self.table.get(q.symbol)
            if extra is None:
                out.append(q)
                continue
            fill = {
                f: getattr(extra, f)
                for f in FIELDS
                if getattr(q, f) is None and getattr(extra, f) is not None
            }
            out.append(dataclasses.replace(q, extras_ms=at, **fill) if fill else q)
        return out
