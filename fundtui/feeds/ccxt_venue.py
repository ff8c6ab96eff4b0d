"""A live venue, polled through ccxt: :class:`CcxtVenue`.

Each poll makes ONE bulk request for every rate the venue has (see
:mod:`fundtui.feeds.venue_specs` for the request per venue). Market metadata
is loaded on the first poll, kept in memory and in the on-disk market cache
(:mod:`fundtui.store.market_cache`), so later polls and restarts need no
metadata requests. ccxt itself is imported on the first poll, in a worker
thread, never at import time of this module.

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

Rows that carry their own timestamp (Binance ``time``, OKX ``ts``) and lag the
newest row of the same answer by more than 10 min are dropped as frozen, not
live. An answer with no usable row at all is an error, not an empty venue.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import json
import logging
import os
import re
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from fundtui.config import VenueConfig
from fundtui.core.accrual import Settlement
from fundtui.core.quote import Quote
from fundtui.core.text import one_line
from fundtui.feeds import settlements as history
from fundtui.feeds import venue_specs
from fundtui.feeds.source import VenueError, VenuePoll
from fundtui.feeds.venue_specs import Metadata, Parsed, PayloadError, VenueSpec
from fundtui.store import market_cache

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_TIMEOUT_S = 10.0
MARKETS_MAX_AGE_S = market_cache.MAX_AGE_S  # 24 h
INTERVALS_REFRESH_S = 15 * 60.0
INTERVALS_MAX_AGE_S = 60 * 60.0
#: After a metadata refresh fails, or was triggered, wait this long before another.
METADATA_RETRY_S = 60.0
#: Bump when the cached metadata's layout or meaning changes.
CACHE_LAYOUT = 1
#: A row whose own timestamp is this much older than the newest row of the same
#: answer is a frozen quote (e.g. a market being wound down), not a live one.
STALE_ROW_S = 10 * 60.0

_ccxt_module: Any = None


def _import_ccxt() -> Any:
    global _ccxt_module
    if _ccxt_module is None:
        from fundtui.feeds import ccxt_loader

        _ccxt_module = ccxt_loader.load()
    return _ccxt_module


async def load_ccxt() -> Any:
    """ccxt's async clients (see ccxt_loader: only the exchanges used are imported),
    loaded off the event loop the first time."""
    if _ccxt_module is not None:
        return _ccxt_module
    return await asyncio.to_thread(_import_ccxt)


# --------------------------------------------------------------------------- config helpers

_SCHEME_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")


def rewrite_api_urls(api: Any, api_base: str) -> Any:
    """ccxt's ``urls['api']`` with every URL's scheme+host replaced by ``api_base``.

    Walks nested dicts and lists; the path part of each URL is kept, so
    ``https://fapi.binance.com/fapi/v1`` with ``http://127.0.0.1:9000`` becomes
    ``http://127.0.0.1:9000/fapi/v1``. Templates like ``https://api.{hostname}``
    are replaced whole-host too. A path in ``api_base`` is kept as a prefix.
    """
    base = api_base.rstrip("/")
    if isinstance(api, str):
        m = _SCHEME_HOST.match(api)
        return base + api[m.end():] if m else api
    if isinstance(api, dict):
        return {k: rewrite_api_urls(v, api_base) for k, v in api.items()}
    if isinstance(api, list):
        return [rewrite_api_urls(v, api_base) for v in api]
    return api


def check_api_base(api_base: str) -> str:
    parts = urlsplit(api_base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"api_base {api_base!r} is not an http(s)://host URL")
    return api_base


def proxy_settings(proxy: str) -> dict[str, str]:
    """ccxt constructor settings for a proxy URL, chosen by its scheme."""
    scheme = urlsplit(proxy).scheme.lower()
    if scheme == "http":
        return {"httpProxy": proxy}
    if scheme == "https":
        return {"httpsProxy": proxy}
    if scheme.startswith("socks"):
        return {"socksProxy": proxy}
    raise ValueError(f"proxy {proxy!r}: use http://, https:// or socks5:// "
                     f"(got {scheme or 'no'} scheme)")


def retry_after_seconds(headers: dict[str, Any] | None, now_s: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not headers:
        return None
    value = next((v for k, v in headers.items() if str(k).lower() == "retry-after"), None)
    if value is None:
        return None
    value = str(value).strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now_s is None else now_s)
    return max(0.0, seconds) if seconds == seconds else None  # NaN guard


#: VenueError reasons are cut to this length: they go on a status line.
REASON_CHARS = 140


def _network_detail(cause: BaseException | None) -> str:
    """A short why for a failed connection: "Connection refused", "Name or service not known"."""
    if cause is None:
        return ""
    err = getattr(cause, "os_error", None) or cause
    if isinstance(err, socket.gaierror) and err.strerror:
        return err.strerror
    if isinstance(err, OSError) and err.errno and err.errno > 0:
        return os.strerror(err.errno)
    return one_line(str(err), 60)


_RECEIVED = re.compile(r"received (\d+) of (\d+) bytes")


def _cut_short(exc: BaseException) -> str | None:
    """How much of a body arrived, when the connection closed before all of it had.

    aiohttp raises ``ClientPayloadError`` (a ``ContentLengthError`` or
    ``TransferEncodingError`` inside) and ccxt wraps it in a bare ExchangeError
    whose text is only the request line.
    """
    cause: BaseException | None = exc
    for _ in range(4):
        cause = cause.__cause__ if cause is not None else None
        if cause is None:
            return None
        if type(cause).__name__ == "ClientPayloadError":
            m = _RECEIVED.search(str(cause))
            return f"{m.group(1)} of {m.group(2)} bytes" if m else "connection closed mid-body"
    return None


def _echoed_body(message: str) -> str | None:
    """``message`` when it is a JSON answer with nothing of a venue's reply in it.

    ccxt reports a 200 answer that lacks the venue's result code (``{}``, ``[]``,
    a bare string) by quoting the body as its error message.
    """
    try:
        value = json.loads(message)
    except ValueError:
        return None
    return None if isinstance(value, dict) and value else message


def _fmt_s(seconds: float) -> str:
    return f"{seconds:.0f}" if seconds >= 10 or seconds == int(seconds) else f"{seconds:.1f}"


def _no_silent_resend(ex: Any) -> None:
    """Make a dropped connection one request, not two.

    aiohttp sends a GET again at once when the server closes the connection
    without answering (``ServerDisconnectedError``), so a venue shedding load
    would see twice our normal rate; the poller's own retry, a refresh later,
    is the only one we want. ccxt makes its session lazily in ``open()``.
    """
    original = ex.open

    def open_session(*args: Any, **kwargs: Any) -> Any:
        opened = original(*args, **kwargs)
        session = getattr(ex, "session", None)
        if session is not None and hasattr(session, "_retry_connection"):
            session._retry_connection = False
        return opened

    ex.open = open_session


# --------------------------------------------------------------------------- the adapter


class CcxtVenue:
    """A :class:`~fundtui.feeds.source.QuoteSource` for one venue, through ccxt.

    ``name`` is the ccxt exchange id. binance, bybit, okx, bitget, gate and
    hyperliquid have dedicated specs; any other id is served by the generic
    unified-API path when ccxt says it has ``fetchFundingRates``.

    ``clock`` returns epoch seconds (tests move it to reach refresh times).
    """

    def __init__(self, config: VenueConfig, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                 clock: Callable[[], float] = time.time, use_disk_cache: bool = True):
        self.name = config.name
        self.config = config
        self.timeout_s = float(timeout_s)
        self.spec: VenueSpec = venue_specs.spec_for(config.name)
        self._clock = clock
        self._use_disk_cache = use_disk_cache
        self._exchange: Any = None
        self._lock = asyncio.Lock()
        self._meta: Metadata | None = None
        self._cache_checked = False
        self._uses_metadata_intervals = self.spec.interval_table
        self._metadata_retry_ms = 0
        self._loaded_this_poll = False
        self._ignored_ids: set[str] = set()
        self._checked: set[tuple[str, int]] = set()
        self._http_error: tuple[int, str, dict[str, Any]] | None = None
        self._last_url: str | None = None
        self._notices: list[str] = []  # see take_notices

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
                raise self._venue_error(exc) from exc

    async def settlements(self, symbol: str, since_ms: int) -> list[Settlement]:
        """Settled funding of ``symbol`` (unified) since ``since_ms``, oldest first.

        Fetched on demand, never by :meth:`poll`; see :mod:`fundtui.feeds.settlements`
        for the request per venue and the page bound. Shares the poll's lock
        (one exchange object, one error bookkeeping), so a poll waits for it.
        Failures raise :class:`VenueError` with a one-line reason.
        """
        async with self._lock:
            try:
                if self.spec.venue not in history.SUPPORTED or \
                        isinstance(self.spec, venue_specs.GenericSpec):
                    raise VenueError(self.name, "settlement history not supported here")
                ex = await self._exchange_ready()
                market_id, interval_h = await self._history_market(ex, symbol)
                settle = symbol.rpartition(":")[2]
                return await history.fetch_history(self.spec.venue, ex, self._request,
                                                   market_id, since_ms, self._now_ms(),
                                                   interval_h, settle=settle)
            except VenueError:
                raise
            except Exception as exc:
                raise self._venue_error(exc) from exc

    async def _history_market(self, ex: Any, symbol: str) -> tuple[str, float | None]:
        """The venue's id for a unified symbol, and the interval metadata gives it, if any."""
        if not self.spec.needs_markets:
            base, _, settle = symbol.partition("/")
            settle = settle.partition(":")[2] or settle
            if self.spec.venue == "hyperliquid" and base and settle == "USDC":
                return base, None
            if self.spec.venue == "gate" and base and settle in venue_specs.STABLE_SETTLE:
                return f"{base}_{settle}", None
            raise VenueError(self.name, f"unknown symbol {one_line(symbol, 40)}")
        await self._ensure_metadata(ex)
        meta = self._meta
        market = meta.by_symbol(symbol) if meta is not None else None
        if meta is None or market is None:
            raise VenueError(self.name, f"unknown symbol {one_line(symbol, 40)}")
        interval = market.interval_h
        if interval is None and meta.intervals is not None and not meta.intervals_expired:
            interval = meta.intervals.get(market.id)
        return market.id, interval

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
        self._loaded_this_poll = False
        await self._ensure_metadata(ex)

        started = time.perf_counter()
        raw = await self._request(self.spec.fetch(ex))
        latency_ms = (time.perf_counter() - started) * 1000.0
        fetched_ms = self._now_ms()

        parsed = self._parse(raw, fetched_ms)
        new_unknown = parsed.unknown_ids - self._ignored_ids
        new_conflicts = set(parsed.conflicts.values()) - self._checked
        if (new_unknown or new_conflicts) and not self._loaded_this_poll \
                and fetched_ms >= self._metadata_retry_ms:
            log.info("%s: refreshing metadata (%d new ids, %d schedule conflicts)",
                     self.name, len(new_unknown), len(new_conflicts))
            self._metadata_retry_ms = fetched_ms + int(METADATA_RETRY_S * 1000)
            try:
                await self._refresh(ex, markets=bool(new_unknown) or not self.spec.interval_table,
                                    intervals=self.spec.interval_table)
            except Exception as exc:
                log.warning("%s: metadata refresh failed: %s", self.name, exc)
            else:
                parsed = self._parse(raw, fetched_ms)
        if self._loaded_this_poll:
            # Everything still odd was judged against metadata fetched just now.
            self._ignored_ids |= parsed.unknown_ids
            self._checked |= set(parsed.conflicts.values())
        # Only what is still odd needs remembering (this also bounds both sets).
        self._ignored_ids &= parsed.unknown_ids
        self._checked &= set(parsed.conflicts.values())
        self._uses_metadata_intervals = self.spec.interval_table or parsed.used_metadata_intervals

        quotes = [
            dataclasses.replace(q, interval_hours=None) if q.symbol in parsed.conflicts else q
            for q in parsed.quotes
        ]
        quotes = self._without_stale_rows(quotes)
        if not quotes:
            raise PayloadError(f"no usable rows ({parsed.rows} in the answer)")
        if parsed.skipped:
            log.debug("%s: %d of %d rows unusable", self.name, parsed.skipped, parsed.rows)
        return VenuePoll(self.name, tuple(quotes), fetched_ms, latency_ms)

    def _without_stale_rows(self, quotes: list[Quote]) -> list[Quote]:
        stamps = [q.timestamp_ms for q in quotes if q.timestamp_ms is not None]
        if not stamps:
            return quotes
        oldest_ok = max(stamps) - int(STALE_ROW_S * 1000)
        fresh = [q for q in quotes if q.timestamp_ms is None or q.timestamp_ms >= oldest_ok]
        if len(fresh) < len(quotes):
            log.info("%s: dropped %d rows older than the answer's newest by over %d min",
                     self.name, len(quotes) - len(fresh), STALE_ROW_S // 60)
        return fresh

    def _parse(self, raw: Any, fetched_ms: int) -> Parsed:
        meta = self._meta
        if meta is not None:
            age_ms = fetched_ms - (meta.intervals_ms or 0)
            meta.intervals_expired = (self._uses_metadata_intervals
                                      and age_ms > INTERVALS_MAX_AGE_S * 1000)
        return self.spec.parse(raw, meta, fetched_ms)

    # ------------------------------------------------------------------ metadata

    async def _ensure_metadata(self, ex: Any) -> None:
        if not self.spec.needs_markets:
            return
        now = self._now_ms()
        if self._meta is None and not self._cache_checked:
            self._cache_checked = True
            self._meta = self._read_cache(now)
            if self._meta is not None:
                self._install_ccxt_markets(ex)
        meta = self._meta
        if meta is None:
            await self._refresh(ex, markets=True, intervals=self.spec.interval_table)
            return
        markets_due = now - meta.markets_ms > MARKETS_MAX_AGE_S * 1000
        intervals_due = self._uses_metadata_intervals and \
            now - (meta.intervals_ms or 0) > INTERVALS_REFRESH_S * 1000
        if not (markets_due or intervals_due) or now < self._metadata_retry_ms:
            return
        try:
            await self._refresh(ex, markets=markets_due or not self.spec.interval_table,
                                intervals=self.spec.interval_table)
        except Exception as exc:
            # Keep polling with what we have; the interval age limit guards the rest.
            log.warning("%s: metadata refresh failed: %s", self.name, exc)
            self._metadata_retry_ms = now + int(METADATA_RETRY_S * 1000)

    async def _refresh(self, ex: Any, *, markets: bool, intervals: bool) -> None:
        now = self._now_ms()
        old = self._meta
        want_markets = markets or old is None
        want_intervals = intervals and self.spec.interval_table
        jobs: list[Awaitable[Any]] = []
        if want_markets:
            jobs.append(self.spec.load_markets(ex))
        if want_intervals:
            jobs.append(self.spec.load_intervals(ex))
        results = await self._request(asyncio.gather(*jobs))
        loaded = results.pop(0) if want_markets else None
        table = results.pop(0) if want_intervals else None

        if loaded is not None:
            if not loaded.markets:
                raise PayloadError("the market list has no linear USD-stablecoin perpetuals")
            meta = Metadata(markets={m.id: m for m in loaded.markets},
                            known_ids=frozenset(loaded.known_ids), markets_ms=now,
                            ccxt_markets=loaded.ccxt_markets)
            if not self.spec.interval_table:
                meta.intervals_ms = now  # intervals travel with the market list
            elif old is not None:
                meta.intervals, meta.intervals_ms = old.intervals, old.intervals_ms
        else:
            assert old is not None
            meta = old
        if table is not None:
            meta.intervals, meta.intervals_ms = table, now
        self._meta = meta
        self._loaded_this_poll = True
        self._install_ccxt_markets(ex)
        if self._use_disk_cache:
            market_cache.save(self.name, meta.to_json(), key=self._cache_key(),
                              saved_ms=meta.markets_ms)

    def _read_cache(self, now_ms: int) -> Metadata | None:
        if not self._use_disk_cache:
            return None
        meta, notice = market_cache.read(self.name, key=self._cache_key(),
                                         max_age_s=MARKETS_MAX_AGE_S, now_ms=now_ms,
                                         parse=self._parse_cache)
        if notice:  # the file was moved aside: the next save must not pass unseen
            log.info("%s", notice)  # the app and the commands show it (take_notices)
            self._notices.append(notice)
        return meta

    def _parse_cache(self, data: dict[str, Any]) -> Metadata:
        """The cached metadata, or raise: what this venue cannot use makes the file
        unusable (moved aside and reported), not silently replaced by the next save."""
        meta = Metadata.from_json(data)
        if not meta.markets:
            raise ValueError("no markets")
        if self.spec.interval_table and meta.intervals is None:
            raise ValueError("no interval table")
        return meta

    def take_notices(self) -> list[str]:
        """One-line notices for the user (a market cache moved aside), each given once.

        Kept until asked for, so one that arose in a poll that then failed still
        reaches the app with that poll's outcome.
        """
        notices, self._notices = self._notices, []
        return notices

    def _cache_key(self) -> str:
        # Metadata from another source, another ccxt (its market dicts and symbols
        # may differ) or another layout of ours is not reused.
        version = getattr(_ccxt_module, "__version__", "")
        return f"{CACHE_LAYOUT}|ccxt {version}|{self.spec.ccxt_id}|{self.config.api_base or ''}"

    def _install_ccxt_markets(self, ex: Any) -> None:
        # Only the generic path calls ccxt's unified methods, which want ccxt's markets.
        if self._meta is not None and self._meta.ccxt_markets is not None:
            ex.set_markets(self._meta.ccxt_markets)

    # ------------------------------------------------------------------ ccxt plumbing

    async def _exchange_ready(self) -> Any:
        if self._exchange is not None:
            return self._exchange
        try:
            ccxt = await load_ccxt()
        except ImportError as exc:
            raise VenueError(self.name, f"ccxt is not available ({exc})") from exc
        cls = getattr(ccxt, self.spec.ccxt_id, None)
        if cls is None or self.spec.ccxt_id not in getattr(ccxt, "exchanges", ()):
            raise VenueError(self.name, f"unknown venue '{self.name}' (not a ccxt exchange id)")
        settings: dict[str, Any] = {
            "timeout": int(self.timeout_s * 1000),
            # ccxt's client-side throttle waits out a bulk request's weight by
            # waking the event loop every millisecond (hundreds of wake-ups per
            # poll). One request per venue per refresh is far inside every venue's
            # limit, and a 429/418 is honoured from its Retry-After by the poller.
            "enableRateLimit": False,
            "options": {"adjustForTimeDifference": False, **self.spec.ccxt_options},
        }
        try:
            if self.config.proxy:
                settings.update(proxy_settings(self.config.proxy))
            api_base = check_api_base(self.config.api_base) if self.config.api_base else None
        except ValueError as exc:
            raise VenueError(self.name, str(exc)) from exc
        ex = cls(settings)
        if isinstance(self.spec, venue_specs.GenericSpec) \
                and ex.has.get("fetchFundingRates") is not True:
            raise VenueError(self.name, f"ccxt's '{self.name}' cannot fetch all funding rates")
        if api_base:
            ex.urls["api"] = rewrite_api_urls(ex.urls["api"], api_base)
        self._hook_responses(ex)
        _no_silent_resend(ex)
        self._exchange = ex
        return ex

    def _hook_responses(self, ex: Any) -> None:
        """Remember the status, URL and headers of error responses.

        ccxt's exceptions carry neither the status code reliably nor the
        headers (Retry-After); its ``on_rest_response`` hook sees every
        response before its error mapping runs.
        """
        original = ex.on_rest_response

        def on_rest_response(code, reason, url, method, headers, body, req_headers, req_body):
            self._last_url = url
            try:
                status = int(code)
            except (TypeError, ValueError):
                status = 0
            if status >= 400 and self._http_error is None:
                self._http_error = (status, url, dict(headers or {}))
            return original(code, reason, url, method, headers, body, req_headers, req_body)

        ex.on_rest_response = on_rest_response

    async def _request(self, awaitable: Awaitable[T]) -> T:
        self._http_error = None
        self._last_url = None
        return await awaitable

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    # ------------------------------------------------------------------ errors

    def _venue_error(self, exc: BaseException) -> VenueError:
        reason, retry_after = self._describe(exc)
        ccxt = _ccxt_module
        limited = (self._http_error is not None and self._http_error[0] in (429, 418)) or (
            ccxt is not None and isinstance(exc, ccxt.RateLimitExceeded | ccxt.DDoSProtection))
        return VenueError(self.name, one_line(reason, REASON_CHARS), retry_after,
                          rate_limited=limited)

    def _describe(self, exc: BaseException) -> tuple[str, float | None]:
        ccxt = _ccxt_module
        if isinstance(exc, PayloadError):
            return f"unexpected payload: {exc}", None
        if self._http_error is not None:
            status, url, headers = self._http_error
            host = urlsplit(url).netloc or self.name
            if status in (429, 418):
                retry = retry_after_seconds(headers)
                what = "rate limited" if status == 429 else "IP banned for rate limit (HTTP 418)"
                if retry is not None:
                    return f"{what}, retry in {_fmt_s(retry)} s", retry
                return f"{what} by {host}", None
            return f"HTTP {status} from {host}", None
        if ccxt is None:
            return f"{type(exc).__name__}: {exc}", None
        url = self._url_in(exc)
        host = urlsplit(url).netloc if url else self.name
        if isinstance(exc, ccxt.RequestTimeout):
            return f"timed out after {_fmt_s(self.timeout_s)} s", None
        if isinstance(exc, ccxt.RateLimitExceeded | ccxt.DDoSProtection):
            return "rate limited", None
        if isinstance(exc, ccxt.NotSupported) and "socks" in str(exc).lower():
            return "SOCKS proxy needs the aiohttp_socks package", None
        if isinstance(exc, ccxt.ExchangeNotAvailable | ccxt.NetworkError):
            detail = _network_detail(exc.__cause__)
            return f"cannot reach {host}" + (f" ({detail})" if detail else ""), None
        received = _cut_short(exc)
        if received is not None:
            return f"body cut short by {host} ({received})", None
        if isinstance(exc, ccxt.BaseError):
            message = str(exc)
            if message.startswith(self.spec.ccxt_id + " "):
                message = message[len(self.spec.ccxt_id) + 1:]
            echoed = _echoed_body(message)
            if echoed is not None:
                return f"unexpected payload: expected the venue's reply object, got {echoed}", None
            return f"venue error: {message}", None
        # ccxt's own parsing choking on a body it did not expect (e.g. not JSON).
        return f"unexpected payload: {type(exc).__name__}: {exc}", None

    def _url_in(self, exc: BaseException) -> str | None:
        m = re.search(r"https?://\S+", str(exc))
        return m.group(0) if m else self._last_url
