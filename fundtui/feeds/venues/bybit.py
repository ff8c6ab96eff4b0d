"""Bybit linear: the tickers list per refresh, risk limits through ccxt.

* Refresh: ``GET /v5/market/tickers?category=linear``. Interval: the ticker's
  ``fundingIntervalHour``; else the instrument's ``fundingInterval``
  (minutes, market-list metadata).
  Open interest: ``openInterest`` is counted in the base coin of the contract
  (1000PEPE units for ``1000PEPEUSDT``: linear contracts are quantities of it),
  ``openInterestValue`` in USD.
* History: ``GET /v5/market/funding/history`` category=linear, symbol,
  startTime, endTime, limit=200, in fixed 200 h windows (200 rows at 1 h, so a
  window is never cut).
* Tiers: ccxt's ``fetch_market_leverage_tiers``; its ``maintenanceMargin`` is
  given in percent by some responses (see :meth:`BybitSpec.tier_mmr`).
"""

from __future__ import annotations

import math
from typing import Any

from fundtui.feeds import rows as R
from fundtui.feeds.metadata import Metadata
from fundtui.feeds.spec import (
    WINDOW,
    HistoryPage,
    Parsed,
    Rows,
    VenueSpec,
    amount,
    read_history,
    rows_of,
)


class BybitSpec(VenueSpec):
    venue = "bybit"
    ccxt_options = {"fetchMarkets": {"types": ["linear"]}}
    history = WINDOW
    history_rows = 200

    def market_interval(self, m: dict[str, Any]) -> float | None:
        info = m.get("info") or {}
        return R.interval_hours(info.get("fundingInterval"), unit_s=60)

    async def fetch(self, ex: Any) -> Any:
        return await ex.publicGetV5MarketTickers({"category": "linear"})

    def parse(self, raw: Any, meta: Metadata | None, fetched_ms: int) -> Parsed:
        assert meta is not None
        rows = Rows(self.venue)
        ts = R.epoch_ms(raw.get("time")) if isinstance(raw, dict) else None

        def handle(row: Any) -> None:
            m = rows.market(meta, R.text(row.get("symbol")))
            if m is None:
                return
            next_ms = R.epoch_ms(row.get("nextFundingTime"))
            interval = rows.row_or_metadata_interval(
                meta, m, row.get("fundingIntervalHour"), next_ms, ts or fetched_ms
            )
            rows.add(
                m,
                funding_rate=R.num(row.get("fundingRate")),
                interval_hours=interval,
                next_funding_ms=next_ms,
                mark_price=R.positive(row.get("markPrice")),
                index_price=R.positive(row.get("indexPrice")),
                open_interest_usd=amount(row.get("openInterestValue")),
                oi_base_units=amount(row.get("openInterest")),
                volume_24h_usd=amount(row.get("turnover24h")),
                price_change_24h=R.num(row.get("price24hPcnt")),  # already a fraction
                timestamp_ms=ts,
            )

        return rows.run(rows_of(raw, "result", "list"), handle)

    async def history_page(
        self, ex: Any, market_id: str, cursor: int, end: int, settle: str, limit: int
    ) -> HistoryPage:
        raw = await ex.publicGetV5MarketFundingHistory(
            {
                "category": "linear",
                "symbol": market_id,
                "startTime": cursor,
                "endTime": end - 1,
                "limit": limit,
            }
        )
        return read_history(
            rows_of(raw, "result", "list"), "fundingRateTimestamp", lambda r: r.get("fundingRate")
        )

    def tier_mmr(self, mmr: float, initial_margin: float | None, max_leverage: float) -> float:
        """Bybit's docs example gives ``"0.5"`` with ``initialMargin`` ``"1"`` at 100x:
        when initial margin x max leverage is ~100, the rate is in percent."""
        if (
            initial_margin
            and math.isfinite(max_leverage)
            and abs(initial_margin * max_leverage - 100) < 1
        ):
            return mmr / 100
        return mmr

    async def load_tier_markets(self, ex: Any) -> None:
        ex.options["fetchMarkets"] = {"types": ["linear"]}
        await super().load_tier_markets(ex)
