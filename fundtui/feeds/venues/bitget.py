"""Bitget USDT-FUTURES: the current-fund-rate list per refresh, contracts asked directly.

* Refresh: ``GET /api/v2/mix/market/current-fund-rate?productType=USDT-FUTURES``.
  Interval: the row's ``fundingRateInterval`` (h); else the contract's
  ``fundInterval`` (market-list metadata).
* Open interest and 24 h figures (the slower second request,
  :mod:`fundtui.feeds.extras`): ``GET /api/v2/mix/market/tickers?productType=
  USDT-FUTURES``. ``holdingAmount`` is in coins (base coin), USD is that x
  ``markPrice`` (``lastPr`` in answers without a mark); ``usdtVolume`` is the
  24 h volume and ``change24h`` the 24 h change as a fraction. The rate request
  stays ``current-fund-rate``: tickers carry neither interval nor next settlement.
* History: ``GET /api/v2/mix/market/history-fund-rate`` symbol, productType,
  pageSize=100, pageNo (newest first), BACKWARD by pageNo from the newest: the
  endpoint takes no start time; stop at a page reaching past ``since_ms``.
* Tiers: ccxt's leverage tiers, with ccxt's market load narrowed to the one
  product type polled.
"""

from __future__ import annotations

from typing import Any

from fundtui.feeds import rows as R
from fundtui.feeds.extras import Extra, coins, collect
from fundtui.feeds.metadata import LoadedMarkets, Market, Metadata
from fundtui.feeds.spec import (
    PAGES,
    STABLE_SETTLE,
    HistoryPage,
    Parsed,
    Rows,
    VenueSpec,
    amount,
    read_history,
    rows_of,
)

#: Bitget contract states that still trade and settle funding.
BITGET_LIVE_STATES = frozenset({"normal", "limit_open", "restrictedAPI"})


class BitgetSpec(VenueSpec):
    venue = "bitget"
    product_type = "USDT-FUTURES"
    history = PAGES
    history_rows = 100

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
            if (
                row.get("symbolType") != "perpetual"
                or quote not in STABLE_SETTLE
                or not base
                or row.get("symbolStatus") not in BITGET_LIVE_STATES
            ):
                continue
            kept.append(
                Market(
                    id=mid,
                    symbol=f"{base}/{quote}:{quote}",
                    base_id=base,
                    settle=quote,
                    interval_h=R.interval_hours(row.get("fundInterval"), unit_s=3600),
                )
            )
        return LoadedMarkets(kept, known)

    async def fetch(self, ex: Any) -> Any:
        return await ex.publicMixGetV2MixMarketCurrentFundRate({"productType": self.product_type})

    def parse(self, raw: Any, meta: Metadata | None, fetched_ms: int) -> Parsed:
        assert meta is not None
        rows = Rows(self.venue)
        ts = R.epoch_ms(raw.get("requestTime")) if isinstance(raw, dict) else None

        def handle(row: Any) -> None:
            m = rows.market(meta, R.text(row.get("symbol")))
            if m is None:
                return
            next_ms = R.epoch_ms(row.get("nextUpdate"))
            interval = rows.row_or_metadata_interval(
                meta, m, row.get("fundingRateInterval"), next_ms, ts or fetched_ms
            )
            rows.add(
                m,
                funding_rate=R.num(row.get("fundingRate")),
                interval_hours=interval,
                next_funding_ms=next_ms,
                timestamp_ms=ts,
            )

        return rows.run(rows_of(raw, "data"), handle)

    has_extras = True

    async def fetch_extras(self, ex: Any) -> Any:
        return await ex.publicMixGetV2MixMarketTickers({"productType": self.product_type})

    def parse_extras(self, raw: Any, meta: Metadata) -> dict[str, Extra]:
        def build(row: dict[str, Any], m: Market, multiplier: int) -> Extra:
            held = amount(row.get("holdingAmount"))
            price = R.positive(row.get("markPrice")) or R.positive(row.get("lastPr"))
            return Extra(
                open_interest_coins=coins(held, multiplier),
                open_interest_usd=R.product(held, price),
                volume_24h_usd=amount(row.get("usdtVolume")),
                price_change_24h=R.num(row.get("change24h")),  # already a fraction
            )

        return collect(self.venue, meta, rows_of(raw, "data"), lambda r: r.get("symbol"), build)

    async def history_page(
        self, ex: Any, market_id: str, cursor: int, end: int, settle: str, limit: int
    ) -> HistoryPage:
        raw = await ex.publicMixGetV2MixMarketHistoryFundRate(
            {
                "symbol": market_id,
                "productType": f"{settle.upper()}-FUTURES",
                "pageSize": limit,
                "pageNo": cursor,
            }
        )
        return read_history(rows_of(raw, "data"), "fundingTime", lambda r: r.get("fundingRate"))

    async def load_tier_markets(self, ex: Any) -> None:
        # ccxt asks for all six bitget product types; only USDT-FUTURES is wanted.
        contracts = ex.publicMixGetV2MixMarketContracts

        async def usdt_only(params: dict | None = None, *args: Any) -> Any:
            if (params or {}).get("productType") != "USDT-FUTURES":
                return {"code": "00000", "data": []}
            return await contracts(params, *args)

        ex.publicMixGetV2MixMarketContracts = usdt_only
        await super().load_tier_markets(ex)
