"""A live venue, polled through ccxt: :class:`CcxtVenue`.

Each poll makes ONE bulk request for every rate the venue has (see
:mod:`fundtui.feeds.venues` for the request per venue). Market metadata
is loaded on the first poll, kept in memory and in the on-disk market cache
(:mod:`fundtui.feeds.metadata`), so later polls and restarts need no
metadata requests. ccxt itself is imported on the first poll, in a worker
thread, never at import time of this module (:mod:`fundtui.feeds.ccxt_client`
builds the exchange; :mod:`fundtui.feeds.errors` words its failures).

Keeping interval metadata honest
--------------------------------
Binance (always) and Bybit/Bitget (only for rows whose answer lacks an
interval field) take the funding interval from metadata, and those venues
change a symbol's interval at runtime when its rate hits the cap. So:

* **Schedule check, every poll.** A quote whose interval came from metadata
  is checked against its next settlement time: off that interval's UTC grid,
  or further away than one interval, means the metadata is out of date.
* **New symbol.** An id in the answer that the market list never mentioned.
* Either triggers an immediate metadata refresh (Binance: fundingInfo, plus
  exchangeInfo for a new symbol; Bybit/Bitget: the market list), after which
  the same answer is parsed again. A conflict that survives fresh metadata,
  or that could not be re-checked (refresh failed, or one was attempted in
  the last minute), is shown with an unknown interval (``None``), never with
  a guessed one. Each (symbol, settlement time) is re-checked at most once.
* **Periodic refresh** of interval metadata every 15 min while a venue relies
  on it; interval metadata older than 1 h (refreshes kept failing) is not
  used at all: those quotes get ``interval_hours=None``.
* The market list itself is reloaded when older than 24 h.

Those occasional metadata requests happen inside a poll, before or after its
bulk request; the steady state is one request per poll.

Open interest and 24 h figures the rate answer lacks (okx, bitget, binance)
come from the venue's second bulk request, made after the rates in at most
every other poll and at most once a minute, never in a poll that made any other
request (:mod:`fundtui.feeds.extras` has the cadence). Its failure, 429
included, only delays the next one: the poll still returns its rates.

Rows that carry their own timestamp (Binance ``time``, OKX ``ts``) and lag the
newest row of the same answer by more than 10 min are dropped as frozen, not
live. An answer with no usable row at all is an error, not an empty venue.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fundtui.config import VenueConfig
from fundtui.core.accrual import Settlement
from fundtui.core.quote import Quote
from fundtui.core.text import one_line
from fundtui.feeds import ccxt_client
from fundtui.feeds import settlements as history
from fundtui.feeds.ccxt_client import load_ccxt
from fundtui.feeds.errors import PayloadError, ResponseLog
from fundtui.feeds.extras import EXTRAS_TIMEOUT_S, ExtrasKeeper
from fundtui.feeds.generic import GenericSpec
from fundtui.feeds.metadata import CACHE_LAYOUT, METADATA_RETRY_S, MetadataKeeper
from fundtui.feeds.source import VenueError, VenuePoll
from fundtui.feeds.spec import Parsed, VenueSpec
from fundtui.feeds.venues import spec_for

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_TIMEOUT_S = 10.0
#: A row whose own timestamp is this much older than the newest row of the same
#: answer is a frozen quote (e.g. a market being wound down), not a live one.
STALE_ROW_S = 10 * 60.0


class CcxtVenue:
    """A :class:`~fundtui.feeds.source.QuoteSource` for one venue, through ccxt.

    ``name`` is the ccxt exchange id. The venues registered in
    :mod:`fundtui.feeds.venues` have dedicated specs; any other id is served by
    the generic unified-API path when ccxt says it has ``fetchFundingRates``.

    ``clock`` returns epoch seconds (tests move it to reach refresh times).
    """

    def __init__(
        self,
        config: VenueConfig,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        clock: Callable[[], float] = time.time,
        use_disk_cache: bool = True,
    ):
        self.name = config.name
        self.config = config
        self.timeout_s = float(timeout_s)
        self.spec: VenueSpec = spec_for(config.name)
        self._clock = clock
        self._exchange: Any = None
        self._lock = asyncio.Lock()
        self._metadata = MetadataKeeper(
            self.name,
            self.spec,
            request=self._request,
            now_ms=self._now_ms,
            cache_key=self._cache_key,
            use_disk_cache=use_disk_cache,
        )
        self._ignored_ids: set[str] = set()
        self._checked: set[tuple[str, int]] = set()
        self._responses = ResponseLog(self.name, self.spec.ccxt_id, self.timeout_s)
        self._extras = ExtrasKeeper(self.name) if self.spec.has_extras else None
        self._sent = 0  # requests made in the current poll

    def __repr__(self) -> str:
        return f"CcxtVenue({self.name!r})"

    # ------------------------------------------------------------------ public

    async def poll(self) -> VenuePoll:
        async with self._lock:
            try:
                return await self._poll()
            except VenueError:
                raise
            except Exception as exc:
                raise self._responses.venue_error(exc) from exc

    async def settlements(self, symbol: str, since_ms: int) -> list[Settlement]:
        """Settled funding of ``symbol`` (unified) since ``since_ms``, oldest first.

        Fetched on demand, never by :meth:`poll`; see :mod:`fundtui.feeds.settlements`
        for the request per venue and the page bound. Shares the poll's lock
        (one exchange object, one error bookkeeping), so a poll waits for it.
        Failures raise :class:`VenueError` with a one-line reason.
        """
        async with self._lock:
            try:
                if self.spec.history is None:  # the generic path keeps no history
                    raise VenueError(self.name, "settlement history not supported here")
                ex = await self._exchange_ready()
                market_id, interval_h = await self._history_market(ex, symbol)
                settle = symbol.rpartition(":")[2]
                return await history.fetch_history(
                    self.spec.venue,
                    ex,
                    self._request,
                    market_id,
                    since_ms,
                    self._now_ms(),
                    interval_h,
                    settle=settle,
                )
            except VenueError:
                raise
            except Exception as exc:
                raise self._responses.venue_error(exc) from exc

    async def _history_market(self, ex: Any, symbol: str) -> tuple[str, float | None]:
        """The venue's id for a unified symbol, and the interval metadata gives it, if any."""
        if not self.spec.needs_markets:
            market_id = self.spec.market_id(symbol)
            if market_id is not None:
                return market_id, None
            raise VenueError(self.name, f"unknown symbol {one_line(symbol, 40)}")
        await self._metadata.ensure(ex)
        meta = self._metadata.meta
        market = meta.by_symbol(symbol) if meta is not None else None
        if meta is None or market is None:
            raise VenueError(self.name, f"unknown symbol {one_line(symbol, 40)}")
        interval = market.interval_h
        if interval is None and meta.intervals is not None and not meta.intervals_expired:
            interval = meta.intervals.get(market.id)
        return market.id, interval

    def take_notices(self) -> list[str]:
        """One-line notices for the user (a market cache moved aside), each given once.

        Kept until asked for, so one that arose in a poll that then failed still
        reaches the app with that poll's outcome.
        """
        return self._metadata.take_notices()

    async def close(self) -> None:
        ex, self._exchange = self._exchange, None
        if ex is not None:
            try:
                await ex.close()
            except Exception as exc:  # closing must not raise into the app's shutdown
                log.debug("%s: close failed: %s", self.name, exc)

    # ------------------------------------------------------------------ poll

    async def _poll(self) -> VenuePoll:
        ex = await self._exchange_ready()
        self._sent = 0
        keeper = self._metadata
        keeper.loaded_this_poll = False
        await keeper.ensure(ex)

        started = time.perf_counter()
        raw = await self._request(self.spec.fetch(ex))
        latency_ms = (time.perf_counter() - started) * 1000.0
        fetched_ms = self._now_ms()

        parsed = self._parse(raw, fetched_ms)
        new_unknown = parsed.unknown_ids - self._ignored_ids
        new_conflicts = set(parsed.conflicts.values()) - self._checked
        if (
            (new_unknown or new_conflicts)
            and not keeper.loaded_this_poll
            and fetched_ms >= keeper.retry_ms
        ):
            log.info(
                "%s: refreshing metadata (%d new ids, %d schedule conflicts)",
                self.name,
                len(new_unknown),
                len(new_conflicts),
            )
            keeper.retry_ms = fetched_ms + int(METADATA_RETRY_S * 1000)
            try:
                await keeper.refresh(
                    ex,
                    markets=bool(new_unknown) or not self.spec.interval_table,
                    intervals=self.spec.interval_table,
                )
            except Exception as exc:
                log.warning("%s: metadata refresh failed: %s", self.name, exc)
            else:
                parsed = self._parse(raw, fetched_ms)
        if keeper.loaded_this_poll:
            # Everything still odd was judged against metadata fetched just now.
            self._ignored_ids |= parsed.unknown_ids
            self._checked |= set(parsed.conflicts.values())
        # Only what is still odd needs remembering (this also bounds both sets).
        self._ignored_ids &= parsed.unknown_ids
        self._checked &= set(parsed.conflicts.values())
        keeper.uses_intervals = self.spec.interval_table or parsed.used_metadata_intervals

        quotes = [
            dataclasses.replace(q, interval_hours=None) if q.symbol in parsed.conflicts else q
            for q in parsed.quotes
        ]
        quotes = self._without_stale_rows(quotes)
        if not quotes:
            raise PayloadError(f"no usable rows ({parsed.rows} in the answer)")
        if parsed.skipped:
            log.debug("%s: %d of %d rows unusable", self.name, parsed.skipped, parsed.rows)
        quotes = await self._with_extras(ex, quotes, fetched_ms)
        return VenuePoll(self.name, tuple(quotes), fetched_ms, latency_ms)

    async def _with_extras(self, ex: Any, quotes: list[Quote], now_ms: int) -> list[Quote]:
        """The quotes with the slower request's figures; asks for them when due.

        Only in a poll whose one request was the rate request (so a poll never
        makes three), bounded well inside the poll's own deadline, and any
        failure of it is logged and backed off, never raised.
        """
        extras, meta = self._extras, self._metadata.meta
        if extras is None or meta is None:
            return quotes
        if extras.due(now_ms) and self._sent == 1:
            extras.attempted(now_ms)
            bound_s = min(EXTRAS_TIMEOUT_S, self.timeout_s)
            try:
                async with asyncio.timeout(bound_s):
                    raw = await self._request(self.spec.fetch_extras(ex))
                table = self.spec.parse_extras(raw, meta)
                if not table:
                    raise PayloadError("no row for a known market")
            except TimeoutError:
                extras.failed(f"no answer within {bound_s:g} s", now_ms)
            except Exception as exc:
                err = self._responses.venue_error(exc)
                extras.failed(err.reason, now_ms, err.retry_after_s)
            else:
                extras.succeeded(table, self._now_ms())
        return extras.apply(quotes, now_ms)

    def _without_stale_rows(self, quotes: list[Quote]) -> list[Quote]:
        stamps = [q.timestamp_ms for q in quotes if q.timestamp_ms is not None]
        if not stamps:
            return quotes
        oldest_ok = max(stamps) - int(STALE_ROW_S * 1000)
        fresh = [q for q in quotes if q.timestamp_ms is None or q.timestamp_ms >= oldest_ok]
        if len(fresh) < len(quotes):
            log.info(
                "%s: dropped %d rows older than the answer's newest by over %d min",
                self.name,
                len(quotes) - len(fresh),
                STALE_ROW_S // 60,
            )
        return fresh

    def _parse(self, raw: Any, fetched_ms: int) -> Parsed:
        self._metadata.expire_intervals(fetched_ms)
        return self.spec.parse(raw, self._metadata.meta, fetched_ms)

    def _cache_key(self) -> str:
        # Metadata from another source, another ccxt (its market dicts and symbols
        # may differ) or another layout of ours is not reused.
        version = getattr(ccxt_client.loaded_ccxt(), "__version__", "")
        return f"{CACHE_LAYOUT}|ccxt {version}|{self.spec.ccxt_id}|{self.config.api_base or ''}"

    # ------------------------------------------------------------------ ccxt plumbing

    async def _exchange_ready(self) -> Any:
        if self._exchange is not None:
            return self._exchange
        try:
            ccxt = await load_ccxt()
        except ImportError as exc:
            raise VenueError(self.name, f"ccxt is not available ({exc})") from exc
        try:
            ex = ccxt_client.build_exchange(
                ccxt,
                self.spec.ccxt_id,
                self.config,
                timeout_s=self.timeout_s,
                options=self.spec.ccxt_options,
            )
        except ccxt_client.UnknownExchange:
            raise VenueError(
                self.name, f"unknown venue '{self.name}' (not a ccxt exchange id)"
            ) from None
        except ValueError as exc:
            raise VenueError(self.name, str(exc)) from exc
        if isinstance(self.spec, GenericSpec) and ex.has.get("fetchFundingRates") is not True:
            raise VenueError(self.name, f"ccxt's '{self.name}' cannot fetch all funding rates")
        self._responses.hook(ex)
        ccxt_client.no_silent_resend(ex)
        self._exchange = ex
        return ex

    async def _request(self, awaitable: Awaitable[T]) -> T:
        self._sent += 1
        self._responses.reset()
        return await awaitable

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)
