"""A venue's market metadata and its life: loaded, cached on disk, refreshed, expired.

Market metadata (which ids are live linear USD-stablecoin perpetuals, the
venue's own base spelling, contract size, and for some venues the funding
interval) comes from the venue's market list, loaded on the first poll, kept
in memory and in the on-disk market cache (:mod:`fundtui.store.market_cache`),
so later polls and restarts need no metadata requests. gate and hyperliquid
need none: their one answer describes every contract.

:class:`MetadataKeeper` owns the timing rules the adapter's docstring
(:mod:`fundtui.feeds.ccxt_venue`) describes: the market list is reloaded when
older than 24 h, interval metadata every 15 min while a venue relies on it, and
interval metadata older than 1 h is not used at all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fundtui.feeds.errors import PayloadError
from fundtui.store import market_cache

if TYPE_CHECKING:
    from fundtui.feeds.spec import VenueSpec

log = logging.getLogger(__name__)

MARKETS_MAX_AGE_S = market_cache.MAX_AGE_S  # 24 h
INTERVALS_REFRESH_S = 15 * 60.0
INTERVALS_MAX_AGE_S = 60 * 60.0
#: After a metadata refresh fails, or was triggered, wait this long before another.
METADATA_RETRY_S = 60.0
#: Bump when the cached metadata's layout or meaning changes (2: a contract size the
#: venue did not send is None, no longer a guessed 1.0).
CACHE_LAYOUT = 2


@dataclass(frozen=True, slots=True)
class Market:
    """One live linear USD-stablecoin perpetual, as far as the adapter needs it."""

    id: str  # the venue's market id, as it appears in rate rows
    symbol: str  # ccxt-style unified symbol, e.g. "1000PEPE/USDT:USDT"
    base_id: str  # the venue's own base spelling ("1000PEPE", "kPEPE")
    settle: str  # "USDT" or "USDC"
    #: coins (of ``base_id``) per contract, as the venue gives it; None: not given
    contract_size: float | None = None
    interval_h: float | None = None  # when the market list itself carries the interval

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "symbol": self.symbol,
            "base_id": self.base_id,
            "settle": self.settle,
            "contract_size": self.contract_size,
            "interval_h": self.interval_h,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Market:
        interval = d.get("interval_h")
        size = d.get("contract_size")
        if size is not None:
            size = float(size)
            if not 0 < size < float("inf"):  # NaN fails too: the file is unusable
                raise ValueError(f"contract size {size!r}")
        return cls(
            id=str(d["id"]),
            symbol=str(d["symbol"]),
            base_id=str(d["base_id"]),
            settle=str(d["settle"]),
            contract_size=size,
            interval_h=None if interval is None else float(interval),
        )


@dataclass(slots=True)
class Metadata:
    """A venue's loaded market metadata, with the times each part was fetched."""

    markets: dict[str, Market]
    known_ids: frozenset[str]  # every id in the market list, kept or not
    markets_ms: int
    intervals: dict[str, float] | None = None  # separate interval table (binance)
    intervals_ms: int | None = None  # when the intervals we hold were fetched
    ccxt_markets: list[dict[str, Any]] | None = None  # generic path: ccxt's own market dicts
    #: Set by the adapter when interval metadata is too old to trust: intervals
    #: that would come from it are reported as unknown instead.
    intervals_expired: bool = False
    _by_symbol: dict[str, Market] = field(default_factory=dict, repr=False)

    def by_symbol(self, symbol: str) -> Market | None:
        if not self._by_symbol:
            self._by_symbol = {m.symbol: m for m in self.markets.values()}
        return self._by_symbol.get(symbol)

    def to_json(self) -> dict[str, Any]:
        return {
            "markets": [m.to_json() for m in self.markets.values()],
            "known_ids": sorted(self.known_ids),
            "markets_ms": self.markets_ms,
            "intervals": self.intervals,
            "intervals_ms": self.intervals_ms,
            "ccxt_markets": self.ccxt_markets,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Metadata:
        markets = [Market.from_json(m) for m in d["markets"]]
        intervals = d.get("intervals")
        if intervals is not None:
            intervals = {str(k): float(v) for k, v in intervals.items()}
        ccxt_markets = d.get("ccxt_markets")
        if ccxt_markets is not None and not isinstance(ccxt_markets, list):
            raise ValueError("ccxt_markets is not a list")
        intervals_ms = d.get("intervals_ms")
        return cls(
            markets={m.id: m for m in markets},
            known_ids=frozenset(str(i) for i in d.get("known_ids") or ()),
            markets_ms=int(d["markets_ms"]),
            intervals=intervals,
            intervals_ms=None if intervals_ms is None else int(intervals_ms),
            ccxt_markets=ccxt_markets,
        )


@dataclass(slots=True)
class LoadedMarkets:
    markets: list[Market]
    known_ids: set[str]
    ccxt_markets: list[dict[str, Any]] | None = None


class MetadataKeeper:
    """One venue's metadata: what the adapter holds, when it is due, where it is cached.

    ``request`` wraps each venue call (the adapter's error bookkeeping);
    ``now_ms`` is the adapter's clock; ``cache_key`` names the source the
    cached metadata must come from.
    """

    def __init__(
        self,
        name: str,
        spec: VenueSpec,
        *,
        request: Callable[[Awaitable[Any]], Awaitable[Any]],
        now_ms: Callable[[], int],
        cache_key: Callable[[], str],
        use_disk_cache: bool = True,
    ):
        self.name = name
        self.spec = spec
        self._request = request
        self._now_ms = now_ms
        self._cache_key = cache_key
        self._use_disk_cache = use_disk_cache
        self.meta: Metadata | None = None
        self._cache_checked = False
        #: whether this venue's intervals come from metadata (refreshed and aged)
        self.uses_intervals = spec.interval_table
        #: no triggered or retried refresh before this time
        self.retry_ms = 0
        #: a refresh ran in the current poll (set False by the adapter per poll)
        self.loaded_this_poll = False
        self._notices: list[str] = []  # see take_notices

    def expire_intervals(self, fetched_ms: int) -> None:
        """Mark interval metadata too old to trust (refreshes kept failing)."""
        meta = self.meta
        if meta is not None:
            age_ms = fetched_ms - (meta.intervals_ms or 0)
            meta.intervals_expired = self.uses_intervals and age_ms > INTERVALS_MAX_AGE_S * 1000

    async def ensure(self, ex: Any) -> None:
        if not self.spec.needs_markets:
            return
        now = self._now_ms()
        if self.meta is None and not self._cache_checked:
            self._cache_checked = True
            self.meta = self._read_cache(now)
            if self.meta is not None:
                self._install_ccxt_markets(ex)
        meta = self.meta
        if meta is None:
            await self.refresh(ex, markets=True, intervals=self.spec.interval_table)
            return
        markets_due = now - meta.markets_ms > MARKETS_MAX_AGE_S * 1000
        intervals_due = (
            self.uses_intervals and now - (meta.intervals_ms or 0) > INTERVALS_REFRESH_S * 1000
        )
        if not (markets_due or intervals_due) or now < self.retry_ms:
            return
        try:
            await self.refresh(
                ex,
                markets=markets_due or not self.spec.interval_table,
                intervals=self.spec.interval_table,
            )
        except Exception as exc:
            # Keep polling with what we have; the interval age limit guards the rest.
            log.warning("%s: metadata refresh failed: %s", self.name, exc)
            self.retry_ms = now + int(METADATA_RETRY_S * 1000)

    async def refresh(self, ex: Any, *, markets: bool, intervals: bool) -> None:
        now = self._now_ms()
        old = self.meta
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
            meta = Metadata(
                markets={m.id: m for m in loaded.markets},
                known_ids=frozenset(loaded.known_ids),
                markets_ms=now,
                ccxt_markets=loaded.ccxt_markets,
            )
            if not self.spec.interval_table:
                meta.intervals_ms = now  # intervals travel with the market list
            elif old is not None:
                meta.intervals, meta.intervals_ms = old.intervals, old.intervals_ms
        else:
            assert old is not None
            meta = old
        if table is not None:
            meta.intervals, meta.intervals_ms = table, now
        self.meta = meta
        self.loaded_this_poll = True
        self._install_ccxt_markets(ex)
        if self._use_disk_cache:
            market_cache.save(
                self.name, meta.to_json(), key=self._cache_key(), saved_ms=meta.markets_ms
            )

    def _read_cache(self, now_ms: int) -> Metadata | None:
        if not self._use_disk_cache:
            return None
        meta, notice = market_cache.read(
            self.name,
            key=self._cache_key(),
            max_age_s=MARKETS_MAX_AGE_S,
            now_ms=now_ms,
            parse=self._parse_cache,
        )
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

    def _install_ccxt_markets(self, ex: Any) -> None:
        # Only the generic path calls ccxt's unified methods, which want ccxt's markets.
        if self.meta is not None and self.meta.ccxt_markets is not None:
            ex.set_markets(self.meta.ccxt_markets)
