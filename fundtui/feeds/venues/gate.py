"""Gate USDT futures: the contracts list is the refresh, and describes every contract.

* Refresh: ``GET /api/v4/futures/usdt/contracts``. Interval: the row's
  ``funding_interval`` (s). Open interest: ``position_size`` contracts x
  ``quanto_multiplier`` (coins per contract; a row without it gives none).
  No market list needed; the market id of a unified
  symbol is ``BASE_SETTLE``.
* History: ``GET /api/v4/futures/{settle}/funding_rate`` contract, from, to
  (epoch s), limit=1000, in fixed 1,000 h windows (1,000 rows at 1 h).
* Tiers: ccxt's leverage tiers (the deduction is ``cum``), with ccxt's market
  load narrowed to USDT settlement.
"""

from __future__ import annotations

from typing import Any

from fundtui.feeds import rows as R
from fundtui.feeds.metadata import Market, Metadata
from fundtui.feeds.spec import (
    STABLE_SETTLE,
    WINDOW,
    HistoryPage,
    Parsed,
    Rows,
    VenueSpec,
    amount,
    read_history,
    rows_of,
)


class GateSpec(VenueSpec):
    venue = "gate"
    needs_markets = False
    history = WINDOW
    history_rows = 1000

    def market_id(self, symbol: str) -> str | None:
        base, _, settle = symbol.partition("/")
        settle = settle.partition(":")[2] or settle
        return f"{base}_{settle}" if base and settle in STABLE_SETTLE else None

    async def fetch(self, ex: Any) -> Any:
        return await ex.publicFuturesGetSettleContracts({"settle": "usdt"})

    def parse(self, raw: Any, meta: Metadata | None, fetched_ms: int) -> Parsed:
        rows = Rows(self.venue)

        def handle(row: Any) -> None:
            name = R.text(row.get("name"))
            if name is None:
                return
            parts = name.split("_")
            if len(parts) != 2 or parts[1] not in STABLE_SETTLE or not parts[0]:
                return  # dated contracts carry a third part; other settles are not ours
            # Live only: "status" is "trading" (older answers omit it); contracts being
            # delisted (reduce-only) and pre-market ones are not.
            status = row.get("status")
            if (
                (status is not None and status != "trading")
                or row.get("in_delisting") is True
                or row.get("is_pre_market") is True
            ):
                return
            size = R.positive(row.get("quanto_multiplier"))
            m = Market(
                id=name,
                symbol=f"{parts[0]}/{parts[1]}:{parts[1]}",
                base_id=parts[0],
                settle=parts[1],
                contract_size=size,
            )
            mark = R.positive(row.get("mark_price"))
            units = R.product(amount(row.get("position_size")), size)  # None without a size
            rows.add(
                m,
                funding_rate=R.num(row.get("funding_rate")),
                interval_hours=R.interval_hours(row.get("funding_interval"), unit_s=1),
                next_funding_ms=R.epoch_ms(row.get("funding_next_apply"), unit_ms=1000),
                mark_price=mark,
                index_price=R.positive(row.get("index_price")),
                open_interest_usd=R.product(units, mark),
                oi_base_units=units,
            )

        return rows.run(rows_of(raw), handle)

    async def history_page(
        self, ex: Any, market_id: str, cursor: int, end: int, settle: str, limit: int
    ) -> HistoryPage:
        # Epoch seconds: from the first whole second at or after start, to the last before end.
        raw = await ex.publicFuturesGetSettleFundingRate(
            {
                "settle": settle.lower(),
                "contract": market_id,
                "from": -(-cursor // 1000),
                "to": (end - 1) // 1000,
                "limit": limit,
            }
        )
        return read_history(rows_of(raw), "t", lambda r: r.get("r"), unit_ms=1000)

    async def load_tier_markets(self, ex: Any) -> None:
        swap = ex.options.setdefault("swap", {})
        swap["fetchMarkets"] = {**swap.get("fetchMarkets", {}), "settlementCurrencies": ["usdt"]}
        await super().load_tier_markets(ex)
