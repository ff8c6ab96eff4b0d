"""What each venue is asked, once per refresh, and how its answer becomes quotes.

One spec per venue with a dedicated adapter, plus :class:`GenericSpec` for any
other ccxt exchange. A spec names the ONE bulk request made per refresh (a ccxt
implicit-API call, so ccxt still does URLs, proxies, rate limiting and error
mapping) and parses its raw rows itself, row by row: a bad row is skipped or
gets ``None`` fields, it never fails the venue.

Per refresh (steady state, one request each):

============  ==============================================  =============================
venue         request                                          funding interval
============  ==============================================  =============================
binance       GET /fapi/v1/premiumIndex (all symbols)         /fapi/v1/fundingInfo table
                                                               (metadata); symbols not listed
                                                               there are 8 h, Binance's rule
bybit         GET /v5/market/tickers?category=linear          ticker ``fundingIntervalHour``;
                                                               else instrument
                                                               ``fundingInterval`` (minutes)
okx           GET /api/v5/public/funding-rate?instId=ANY      nextFundingTime - fundingTime
bitget        GET /api/v2/mix/market/current-fund-rate        row ``fundingRateInterval`` (h);
              ?productType=USDT-FUTURES                        else contract ``fundInterval``
gate          GET /api/v4/futures/usdt/contracts              row ``funding_interval`` (s)
hyperliquid   POST /info {"type": "metaAndAssetCtxs"}         1 h (Hyperliquid funds hourly)
============  ==============================================  =============================

Market metadata (which ids are live linear USD-stablecoin perpetuals, the
venue's own base spelling, contract size) comes from the venue's market list,
loaded once and cached on disk; gate and hyperliquid need none, their one
answer describes every contract. No ccxt import here: specs get the exchange
object passed in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from fundtui.core.quote import Quote
from fundtui.core.symbols import split_base
from fundtui.feeds import rows as R

log = logging.getLogger(__name__)

#: Settlement currencies kept: perpetuals settled in a USD stablecoin.
STABLE_SETTLE = frozenset({"USDT", "USDC"})

#: Binance's documented rule: a USDⓈ-M symbol missing from fundingInfo funds every 8 h.
BINANCE_DEFAULT_INTERVAL_H = 8.0


class PayloadError(Exception):
    """The venue answered, but not in the shape its API documents."""


# --------------------------------------------------------------------------- metadata


@dataclass(frozen=True, slots=True)
class Market:
    """One live linear USD-stablecoin perpetual, as far as the adapter needs it."""

    id: str  # the venue's market id, as it appears in rate rows
    symbol: str  # ccxt-style unified symbol, e.g. "1000PEPE/USDT:USDT"
    base_id: str  # the venue's own base spelling ("1000PEPE", "kPEPE")
    settle: str  # "USDT" or "USDC"
    contract_size: float = 1.0
    interval_h: float | None = None  # when the market list itself carries the interval

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "symbol": self.symbol, "base_id": self.base_id,
                "settle": self.settle, "contract_size": self.contract_size,
                "interval_h": self.interval_h}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Market:
        interval = d.get("interval_h")
        return cls(id=str(d["id"]), symbol=str(d["symbol"]), base_id=str(d["base_id"]),
                   settle=str(d["settle"]), contract_size=float(d.get("contract_size") or 1.0),
                   interval_h=None if interval is None else float(interval))


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


class _Rows:
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

    def metadata_interval(self, meta: Metadata, m: Market, next_ms: int | None,
                          ref_ms: int | None, table_default: float | None = None) -> float | None:
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

    def row_or_metadata_interval(self, meta: Metadata, m: Market, row_hours: Any,
                                 next_ms: int | None, ref_ms: int | None) -> float | None:
        """The row's own interval field (hours) when it has one, else the metadata's."""
        interval = R.interval_hours(row_hours, unit_s=3600)
        if interval is None:
            interval = self.metadata_interval(meta, m, next_ms, ref_ms)
        return interval

    def add(self, m: Market, **fields: Any) -> None:
        base, multiplier = split_base(m.base_id)
        self.out.quotes.append(Quote(venue=self.venue, symbol=m.symbol, base=base,
                                     quote=m.settle, multiplier=multiplier, **fields))


def rows_of(container: Any, *path: str) -> list[Any]:
    """The row list at ``path`` inside a response, or PayloadError naming what is wrong."""
    node = container
    for key in path:
        if not isinstance(node, dict):
            raise PayloadError(f"expected an object with '{key}', got {_kind(node)}")
        node = node.get(key)
    if not isinstance(node, list):
        where = ".".join(path) or "top level"
        raise PayloadError(f"expected a list at {where}, got {_kind(node)}")
    return node


def _kind(value: Any) -> str:
    if isinstance(value, str):
        snippet = " ".join(value.split())[:40]
        return f"a non-JSON body {snippet!r}" if snippet else "an empty body"
    return type(value).__name__ if value is not None else "null"


def _amount(value: Any) -> float | None:
    v = R.num(value)
    return v if v is not None and v >= 0 else None


# --------------------------------------------------------------------------- specs


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
            raise PayloadError(f"market list is {_kind(raw)}")
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
            contract_size=R.positive(m.get("contractSize")) or 1.0,
            interval_h=self.market_interval(m),
        )

    def market_interval(self, m: dict[str, Any]) -> float | None:
        return None

    async def load_intervals(self, ex: Any) -> dict[str, float]:
        raise NotImplementedError

    # -- the one request per refresh
    async def fetch(self, ex: Any) -> Any:
        raise NotImplementedError

    def parse(self, raw: Any, meta: Metadata | None, fetched_ms: int) -> Parsed:
        raise NotImplementedError


def keep_ccxt_market(m: dict[str, Any]) -> bool:
    """A live linear perpetual settled in a USD stablecoin (ccxt unified market)."""
    return (m.get("swap") is True and m.get("linear") is True
            and m.get("settle") in STABLE_SETTLE and m.get("active") is not False)


class BinanceSpec(VenueSpec):
    venue = "binance"
    ccxt_options = {"fetchMarkets": {"types": ["linear"]}}
    interval_table = True

    async def load_intervals(self, ex: Any) -> dict[str, float]:
        raw = await ex.fapiPublicGetFundingInfo()
        table: dict[str, float] = {}
        for row in rows_of(raw):
            if not isinstance(row, dict):
                continue
            symbol = R.text(row.get("symbol"))
            hours = R.interval_hours(row.get("fundingIntervalHours"), unit_s=3600)
            if symbol and hours:
                table[symbol] = hours
        return table

    async def fetch(self, ex: Any) -> Any:
        return await ex.fapiPublicGetPremiumIndex()

    def parse(self, raw: Any, meta: Metadata | None, fetched_ms: int) -> Parsed:
        assert meta is not None
        rows = _Rows(self.venue)

        def handle(row: Any) -> None:
            m = rows.market(meta, R.text(row.get("symbol")))
            if m is None:
                return
            next_ms = R.epoch_ms(row.get("nextFundingTime"))
            ts = R.epoch_ms(row.get("time"))
            interval = rows.metadata_interval(meta, m, next_ms, ts or fetched_ms,
                                              BINANCE_DEFAULT_INTERVAL_H)
            rows.add(m, funding_rate=R.num(row.get("lastFundingRate")), interval_hours=interval,
                     next_funding_ms=next_ms, mark_price=R.positive(row.get("markPrice")),
                     index_price=R.positive(row.get("indexPrice")), timestamp_ms=ts)

        return rows.run(rows_of(raw), handle)


class BybitSpec(VenueSpec):
    venue = "bybit"
    ccxt_options = {"fetchMarkets": {"types": ["linear"]}}

    def market_interval(self, m: dict[str, Any]) -> float | None:
        info = m.get("info") or {}
        return R.interval_hours(info.get("fundingInterval"), unit_s=60)

    async def fetch(self, ex: Any) -> Any:
        return await ex.publicGetV5MarketTickers({"category": "linear"})

    def parse(self, raw: Any, meta: Metadata | None, fetched_ms: int) -> Parsed:
        assert meta is not None
        rows = _Rows(self.venue)
        ts = R.epoch_ms(raw.get("time")) if isinstance(raw, dict) else None

        def handle(row: Any) -> None:
            m = rows.market(meta, R.text(row.get("symbol")))
            if m is None:
                return
            next_ms = R.epoch_ms(row.get("nextFundingTime"))
            interval = rows.row_or_metadata_interval(meta, m, row.get("fundingIntervalHour"),
                                                     next_ms, ts or fetched_ms)
            rows.add(m, funding_rate=R.num(row.get("fundingRate")), interval_hours=interval,
                     next_funding_ms=next_ms, mark_price=R.positive(row.get("markPrice")),
                     index_price=R.positive(row.get("indexPrice")),
                     open_interest_usd=_amount(row.get("openInterestValue")),
                     volume_24h_usd=_amount(row.get("turnover24h")),
                     price_change_24h=R.num(row.get("price24hPcnt")),  # already a fraction
                     timestamp_ms=ts)

        return rows.run(rows_of(raw, "result", "list"), handle)


class OkxSpec(VenueSpec):
    venue = "okx"
    ccxt_options = {"fetchMarkets": {"types": ["swap"]}}

    async def fetch(self, ex: Any) -> Any:
        return await ex.publicGetPublicFundingRate({"instId": "ANY"})

    def parse(self, raw: Any, meta: Metadata | None, fetched_ms: int) -> Parsed:
        assert meta is not None
        rows = _Rows(self.venue)

        def handle(row: Any) -> None:
            m = rows.market(meta, R.text(row.get("instId")))
            if m is None:
                return
            # fundingTime is the coming settlement (the one fundingRate is for),
            # nextFundingTime the one after it.
            settle_ms = R.epoch_ms(row.get("fundingTime"))
            after_ms = R.epoch_ms(row.get("nextFundingTime"))
            interval = None
            if settle_ms is not None and after_ms is not None:
                interval = R.interval_hours(after_ms - settle_ms, unit_s=0.001)
            rows.add(m, funding_rate=R.num(row.get("fundingRate")), interval_hours=interval,
                     next_funding_ms=settle_ms, timestamp_ms=R.epoch_ms(row.get("ts")),
                     venue_premium=R.num(row.get("premium")))

        return rows.run(rows_of(raw, "data"), handle)


#: Bitget contract states that still trade and settle funding.
BITGET_LIVE_STATES = frozenset({"normal", "limit_open", "restrictedAPI"})


class BitgetSpec(VenueSpec):
    venue = "bitget"
    product_type = "USDT-FUTURES"

    async def load_markets(self, ex: Any) -> LoadedMarkets:
        # ccxt's bitget fetch_markets asks for all six product types (coin-margined
        # and simulated ones included) with no option to narrow it; the USDT one is
        # all this adapter polls, so it is asked directly.
        raw = await ex.publicMixGetV2MixMarketContracts({"productType": self.product_type})
        known: set[str] = set()
        kept: list[Market] = []
        for row in rows_of(raw, "data"):
            if not isinstance(row, dict) or not (mid := R.text(row.get("symbol"))):
                continue
            known.add(mid)
            base, quote = R.text(row.get("baseCoin")), R.text(row.get("quoteCoin"))
            if (row.get("symbolType") != "perpetual" or quote not in STABLE_SETTLE or not base
                    or row.get("symbolStatus") not in BITGET_LIVE_STATES):
                continue
            kept.append(Market(id=mid, symbol=f"{base}/{quote}:{quote}", base_id=base,
                               settle=quote,
                               interval_h=R.interval_hours(row.get("fundInterval"), unit_s=3600)))
        return LoadedMarkets(kept, known)

    async def fetch(self, ex: Any) -> Any:
        return await ex.publicMixGetV2MixMarketCurrentFundRate({"productType": self.product_type})

    def parse(self, raw: Any, meta: Metadata | None, fetched_ms: int) -> Parsed:
        assert meta is not None
        rows = _Rows(self.venue)
        ts = R.epoch_ms(raw.get("requestTime")) if isinstance(raw, dict) else None

        def handle(row: Any) -> None:
            m = rows.market(meta, R.text(row.get("symbol")))
            if m is None:
                return
            next_ms = R.epoch_ms(row.get("nextUpdate"))
            interval = rows.row_or_metadata_interval(meta, m, row.get("fundingRateInterval"),
                                                     next_ms, ts or fetched_ms)
            rows.add(m, funding_rate=R.num(row.get("fundingRate")), interval_hours=interval,
                     next_funding_ms=next_ms, timestamp_ms=ts)

        return rows.run(rows_of(raw, "data"), handle)


class GateSpec(VenueSpec):
    venue = "gate"
    needs_markets = False

    async def fetch(self, ex: Any) -> Any:
        return await ex.publicFuturesGetSettleContracts({"settle": "usdt"})

    def parse(self, raw: Any, meta: Metadata | None, fetched_ms: int) -> Parsed:
        rows = _Rows(self.venue)

        def handle(row: Any) -> None:
            name = R.text(row.get("name"))
            parts = name.split("_") if name else []
            if len(parts) != 2 or parts[1] not in STABLE_SETTLE or not parts[0]:
                return  # dated contracts carry a third part; other settles are not ours
            # Live only: "status" is "trading" (older answers omit it); contracts being
            # delisted (reduce-only) and pre-market ones are not.
            status = row.get("status")
            if (status is not None and status != "trading") or row.get("in_delisting") is True \
                    or row.get("is_pre_market") is True:
                return
            size = R.positive(row.get("quanto_multiplier"))
            m = Market(id=name, symbol=f"{parts[0]}/{parts[1]}:{parts[1]}", base_id=parts[0],
                       settle=parts[1], contract_size=size or 1.0)
            mark = R.positive(row.get("mark_price"))
            rows.add(m, funding_rate=R.num(row.get("funding_rate")),
                     interval_hours=R.interval_hours(row.get("funding_interval"), unit_s=1),
                     next_funding_ms=R.epoch_ms(row.get("funding_next_apply"), unit_ms=1000),
                     mark_price=mark, index_price=R.positive(row.get("index_price")),
                     open_interest_usd=R.product(_amount(row.get("position_size")), size, mark))

        return rows.run(rows_of(raw), handle)


class HyperliquidSpec(VenueSpec):
    venue = "hyperliquid"
    needs_markets = False
    interval_h = 1.0  # Hyperliquid settles funding every hour, on the hour

    async def fetch(self, ex: Any) -> Any:
        return await ex.publicPostInfo({"type": "metaAndAssetCtxs"})

    def parse(self, raw: Any, meta: Metadata | None, fetched_ms: int) -> Parsed:
        if not isinstance(raw, list) or len(raw) < 2:
            raise PayloadError(f"expected [meta, contexts], got {_kind(raw)}")
        universe = rows_of(raw[0], "universe")
        contexts = rows_of(raw[1])
        # Contexts are positional: the i-th belongs to the i-th universe entry. If
        # the lengths differ the pairing is unknowable, and a rate shown against
        # the wrong coin is worse than none.
        if len(universe) != len(contexts):
            raise PayloadError(f"{len(universe)} markets but {len(contexts)} contexts")
        hour = R.HOUR_MS
        next_ms = (fetched_ms // hour + 1) * hour
        rows = _Rows(self.venue)

        def handle(pair: tuple[Any, Any]) -> None:
            asset, ctx = pair
            name = R.text(asset.get("name"))
            if not name or asset.get("isDelisted") is True or not isinstance(ctx, dict):
                return
            m = Market(id=name, symbol=f"{name}/USDC:USDC", base_id=name, settle="USDC")
            mark = R.positive(ctx.get("markPx"))
            rows.add(m, funding_rate=R.num(ctx.get("funding")), interval_hours=self.interval_h,
                     next_funding_ms=next_ms, mark_price=mark,
                     index_price=R.positive(ctx.get("oraclePx")),
                     open_interest_usd=R.product(_amount(ctx.get("openInterest")), mark),
                     volume_24h_usd=_amount(ctx.get("dayNtlVlm")),
                     price_change_24h=R.fraction_change(mark, R.positive(ctx.get("prevDayPx"))),
                     venue_premium=R.num(ctx.get("premium")))

        return rows.run(zip(universe, contexts, strict=True), handle)


class GenericSpec(VenueSpec):
    """Any other ccxt exchange with ``fetchFundingRates``, through the unified API.

    Markets come from ccxt's unified ``fetch_markets`` (all types the venue's
    defaults load, then filtered), rates from unified ``fetch_funding_rates``;
    the interval is ccxt's ``interval`` field, else the distance between
    ``fundingTimestamp`` and ``nextFundingTimestamp``, else unknown. How many
    HTTP requests those unified calls make is up to ccxt's venue code.
    """

    async def load_markets(self, ex: Any) -> LoadedMarkets:
        raw = await ex.fetch_markets()
        if not isinstance(raw, list):
            raise PayloadError(f"market list is {_kind(raw)}")
        known: set[str] = set()
        kept: list[Market] = []
        kept_raw: list[dict[str, Any]] = []
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
                kept_raw.append(m)
        return LoadedMarkets(kept, known, kept_raw)

    async def fetch(self, ex: Any) -> Any:
        return await ex.fetch_funding_rates()

    def parse(self, raw: Any, meta: Metadata | None, fetched_ms: int) -> Parsed:
        assert meta is not None
        if isinstance(raw, dict):
            entries: Iterable[Any] = raw.values()
        elif isinstance(raw, list):
            entries = raw
        else:
            raise PayloadError(f"expected funding rates, got {_kind(raw)}")
        rows = _Rows(self.venue)

        def handle(fr: Any) -> None:
            m = meta.by_symbol(str(fr.get("symbol")))
            if m is None:
                return
            settle_ms = R.epoch_ms(fr.get("fundingTimestamp"))
            interval = R.ccxt_interval_hours(fr.get("interval"))
            if interval is None:
                after_ms = R.epoch_ms(fr.get("nextFundingTimestamp"))
                if settle_ms is not None and after_ms is not None:
                    gap_h = (after_ms - settle_ms) / R.HOUR_MS
                    if 0 < gap_h <= 24 and gap_h == int(gap_h):
                        interval = gap_h
            rows.add(m, funding_rate=R.num(fr.get("fundingRate")), interval_hours=interval,
                     next_funding_ms=settle_ms, mark_price=R.positive(fr.get("markPrice")),
                     index_price=R.positive(fr.get("indexPrice")),
                     timestamp_ms=R.epoch_ms(fr.get("timestamp")))

        return rows.run(entries, handle)


DEDICATED: dict[str, type[VenueSpec]] = {
    cls.venue: cls
    for cls in (BinanceSpec, BybitSpec, OkxSpec, BitgetSpec, GateSpec, HyperliquidSpec)
}


def spec_for(venue: str) -> VenueSpec:
    """The dedicated spec for one of the six venues, else the generic ccxt path."""
    cls = DEDICATED.get(venue)
    return cls() if cls is not None else GenericSpec(venue)
