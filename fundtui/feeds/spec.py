"""What a venue spec is: the ONE bulk request per refresh and how its rows become quotes.

Each venue with a dedicated adapter has a spec in its own module under
:mod:`fundtui.feeds.venues`; any other ccxt exchange goes through
:class:`~fundtui.feeds.generic.GenericSpec`. A spec names the one bulk request
made per refresh (a ccxt implicit-API call, so ccxt still does URLs, proxies,
rate limiting and error mapping) and parses its raw rows itself, row by row: a
bad row is skipped or gets ``None`` fields, it never fails the venue.

A spec may name a second, slower bulk request for what the rate answer lacks
(open interest, 24 h figures; see :mod:`fundtui.feeds.extras` for its cadence).

A spec also holds the venue's other quirks, as data or small hooks with a
default here: how its settled funding history pages, its market-id rule for
venues without a market list, and how its maintenance tiers are asked for.
No ccxt import here: specs get the exchange object passed in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from fundtui.core.quote import Quote
from fundtui.core.symbols import split_base
from fundtui.core.tiers import NOTIONAL, Tier
from fundtui.feeds import rows as R
from fundtui.feeds.errors import PayloadError
from fundtui.feeds.extras import Extra
from fundtui.feeds.metadata import LoadedMarkets, Market, Metadata

log = logging.getLogger(__name__)

#: Settlement currencies kept: perpetuals settled in a USD stablecoin.
STABLE_SETTLE = frozenset({"USDT", "USDC"})

#: Settlement history paging styles (see :mod:`fundtui.feeds.settlements`).
CURSOR = "cursor"  # forward from a start time, oldest first
WINDOW = "window"  # fixed time windows
PAGES = "pages"  # backward by page number from the newest


# --------------------------------------------------------------------------- parse results


@dataclass(slots=True)
class Parsed:
    """Quotes from one bulk answer, and what the metadata could not vouch for."""

    quotes: list[Quote] = field(default_factory=list)
    rows: int = 0
    skipped: int = 0
    #: market ids in the answer that the market list did not mention at all
    unknown_ids: set[str] = field(default_factory=set)
    #: quote symbol -> (market id, next settlement ms) for quotes whose interval
    #: came from metadata and whose settlement time contradicts it
    conflicts: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: whether any quote's interval came from metadata rather than the answer
    used_metadata_intervals: bool = False


class Rows:
    """Collects quotes from rows, isolating each row's failure."""

    def __init__(self, venue: str):
        self.venue = venue
        self.out = Parsed()

    def run(self, rows: Iterable[Any], handle: Callable[[Any], None]) -> Parsed:
        for row in rows:
            self.out.rows += 1
            try:
                handle(row)
            except Exception as exc:  # one bad row never fails the venue
                self.out.skipped += 1
                log.debug("%s: skipped a row (%s: %s)", self.venue, type(exc).__name__, exc)
        return self.out

    def market(self, meta: Metadata, market_id: str | None) -> Market | None:
        if market_id is None:
            self.out.skipped += 1
            return None
        m = meta.markets.get(market_id)
        if m is None and market_id not in meta.known_ids:
            self.out.unknown_ids.add(market_id)
        return m

    def metadata_interval(
        self,
        meta: Metadata,
        m: Market,
        next_ms: int | None,
        ref_ms: int | None,
        table_default: float | None = None,
    ) -> float | None:
        """The interval metadata gives for ``m``, noting schedule conflicts."""
        self.out.used_metadata_intervals = True
        if meta.intervals_expired:
            return None
        if meta.intervals is not None:
            interval = meta.intervals.get(m.id, table_default)
        else:
            interval = m.interval_h
        if next_ms is not None and R.schedule_conflict(next_ms, ref_ms, interval):
            self.out.conflicts[m.symbol] = (m.id, next_ms)
        return interval

    def row_or_metadata_interval(
        self, meta: Metadata, m: Market, row_hours: Any, next_ms: int | None, ref_ms: int | None
    ) -> float | None:
        """The row's own interval field (hours) when it has one, else the metadata's."""
        interval = R.interval_hours(row_hours, unit_s=3600)
        if interval is None:
            interval = self.metadata_interval(meta, m, next_ms, ref_ms)
        return interval

    def add(self, m: Market, *, oi_base_units: float | None = None, **fields: Any) -> None:
        """A quote for ``m``; ``oi_base_units``: open interest counted in the contract's
        base unit (1000PEPE units for ``1000PEPE``), stored in coins."""
        base, multiplier = split_base(m.base_id)
        self.out.quotes.append(
            Quote(
                venue=self.venue,
                symbol=m.symbol,
                base=base,
                quote=m.settle,
                multiplier=multiplier,
                open_interest_coins=R.product(oi_base_units, float(multiplier)),
                **fields,
            )
        )


def rows_of(container: Any, *path: str) -> list[Any]:
    """The row list at ``path`` inside a response, or PayloadError naming what is wrong."""
    node = container
    for key in path:
        if not isinstance(node, dict):
            raise PayloadError(f"expected an object with '{key}', got {kind(node)}")
        node = node.get(key)
    if not isinstance(node, list):
        where = ".".join(path) or "top level"
        raise PayloadError(f"expected a list at {where}, got {kind(node)}")
    return node


def kind(value: Any) -> str:
    if isinstance(value, str):
        snippet = " ".join(value.split())[:40]
        return f"a non-JSON body {snippet!r}" if snippet else "an empty body"
    return type(value).__name__ if value is not None else "null"


def amount(value: Any) -> float | None:
    v = R.num(value)
    return v if v is not None and v >= 0 else None


# --------------------------------------------------------------------------- history pages


@dataclass(frozen=True, slots=True)
class HistoryPage:
    rows: list[tuple[int, float]]  # (funding time ms, rate), usable rows only
    count: int  # rows in the answer, usable or not


def read_history(
    rows: list[Any], time_key: str, rate_of: Callable[[dict[str, Any]], Any], *, unit_ms: int = 1
) -> HistoryPage:
    usable: list[tuple[int, float]] = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        t = R.epoch_ms(row.get(time_key), unit_ms=unit_ms)
        rate = R.num(rate_of(row))
        if t is not None and rate is not None:
            usable.append((t, rate))
    return HistoryPage(usable, len(rows))


# --------------------------------------------------------------------------- the base spec


class VenueSpec:
    """Base: a venue served through ccxt's unified market list and a raw bulk call."""

    venue: str = ""
    ccxt_id: str = ""
    #: merged into the ccxt constructor's ``options``
    ccxt_options: dict[str, Any] = {}
    #: False when the bulk answer describes every contract itself
    needs_markets: bool = True
    #: True when intervals come from a separate endpoint (see load_intervals)
    interval_table: bool = False
    #: settlement history: paging style (CURSOR, WINDOW, PAGES; None: not offered)
    #: and rows per page (WINDOW: the window is this many hours)
    history: str | None = None
    history_rows: int = 0
    #: what its ccxt leverage tiers are bounded by, and the params they are asked with
    tier_unit: str = NOTIONAL
    tier_params: dict[str, Any] = {}

    def __init__(self, venue: str | None = None):
        if venue is not None:
            self.venue = venue
        if not self.ccxt_id:
            self.ccxt_id = self.venue

    # -- metadata
    async def load_markets(self, ex: Any) -> LoadedMarkets:
        """Market list through ccxt's ``fetch_markets`` (types limited by ccxt_options).

        ``fetch_markets`` is called directly rather than ``load_markets``: the
        latter also calls ``fetch_currencies`` for most venues, a request (and
        on some venues several) this app has no use for.
        """
        raw = await ex.fetch_markets()
        if not isinstance(raw, list):
            raise PayloadError(f"market list is {kind(raw)}")
        known: set[str] = set()
        kept: list[Market] = []
        for m in raw:
            try:
                if isinstance(m, dict) and m.get("id") is not None:
                    known.add(str(m["id"]))
                market = self.market_from_ccxt(m)
            except Exception as exc:
                log.debug("%s: skipped a market (%s)", self.venue, exc)
                continue
            if market is not None:
                kept.append(market)
        return LoadedMarkets(kept, known)

    def market_from_ccxt(self, m: Any) -> Market | None:
        if not isinstance(m, dict) or not keep_ccxt_market(m):
            return None
        return Market(
            id=str(m["id"]),
            symbol=str(m["symbol"]),
            base_id=str(m.get("baseId") or m["base"]),
            settle=str(m["settle"]),
            contract_size=R.positive(m.get("contractSize")),
            interval_h=self.market_interval(m),
        )

    def market_interval(self, m: dict[str, Any]) -> float | None:
        return None

    async def load_intervals(self, ex: Any) -> dict[str, float]:
        raise NotImplementedError

    def market_id(self, symbol: str) -> str | None:
        """The venue's id for a unified symbol, for venues without a market list."""
        return None

    # -- the one request per refresh
    async def fetch(self, ex: Any) -> Any:
        raise NotImplementedError

    def parse(self, raw: Any, meta: Metadata | None, fetched_ms: int) -> Parsed:
        raise NotImplementedError

    # -- the slower second request (open interest, 24 h figures), when the venue needs one
    #: True when the rate answer lacks figures another bulk request gives
    has_extras: bool = False

    async def fetch_extras(self, ex: Any) -> Any:
        raise NotImplementedError

    def parse_extras(self, raw: Any, meta: Metadata) -> dict[str, Extra]:
        """unified symbol -> figures; PayloadError when the answer is not the documented shape."""
        raise NotImplementedError

    # -- settled funding history
    async def history_page(
        self, ex: Any, market_id: str, cursor: int, end: int, settle: str, limit: int
    ) -> HistoryPage:
        """One page: ``cursor`` is the start time (CURSOR, WINDOW) or page number (PAGES)."""
        raise PayloadError(f"no settlement history for venue '{self.venue}'")

    # -- maintenance tiers through ccxt
    def tier_mmr(self, mmr: float, initial_margin: float | None, max_leverage: float) -> float:
        """A tier row's maintenance rate as a fraction (a venue may answer in percent)."""
        return mmr

    async def load_tier_markets(self, ex: Any) -> None:
        """ccxt's markets for the venue's linear perpetuals only, with the fewest requests."""
        ex.set_markets(await ex.fetch_markets())

    async def own_tiers(self, ex: Any, base: str) -> tuple[str, tuple[Tier, ...], Any] | None:
        """(symbol, tiers, limits) from the venue's own endpoint; None: ccxt's tiers."""
        return None


def keep_ccxt_market(m: dict[str, Any]) -> bool:
    """A live linear perpetual settled in a USD stablecoin (ccxt unified market)."""
    return (
        m.get("swap") is True
        and m.get("linear") is True
        and m.get("settle") in STABLE_SETTLE
        and m.get("active") is not False
    )
