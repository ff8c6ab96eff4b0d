"""OKX swaps: one funding-rate call for every instrument, size-bounded position tiers.

* Refresh: ``GET /api/v5/public/funding-rate?instId=ANY``. Interval:
  nextFundingTime - fundingTime.
* Open interest (the slower second request, :mod:`fundtui.feeds.extras`):
  ``GET /api/v5/public/open-interest?instType=SWAP``, every swap at once. ``oi``
  is in contracts, so coins are ``oi`` x ``ctVal`` (the market's contract size);
  ``oiCcy`` (coins as OKX counts them) only without ``oi`` or ``ctVal``. USD is
  OKX's own ``oiUsd``; without it none (the rate answer has no price to use).
* History: ``GET /api/v5/public/funding-rate-history`` instId, before (> t),
  after (< t), limit=100, in fixed 100 h windows (100 rows at 1 h). The rate
  is ``realizedRate`` (what was charged; ``fundingRate`` there is the rate as
  predicted).
* Tiers: ccxt's leverage tiers asked for isolated margin; OKX bounds them by
  size in contracts, so they become base-unit tiers (x ``contractSize``).
"""

from __future__ import annotations

from typing import Any

from fundtui.core.tiers import BASE
from fundtui.feeds import rows as R
from fundtui.feeds.extras import Extra, coins, collect
from fundtui.feeds.metadata import Market, Metadata
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


def _okx_rate(row: dict[str, Any]) -> Any:
    # realizedRate is what was charged; older answers without the field only have fundingRate.
    return row.get("realizedRate") if "realizedRate" in row else row.get("fundingRate")


class OkxSpec(VenueSpec):
    venue = "okx"
    ccxt_options = {"fetchMarkets": {"types": ["swap"]}}
    history = WINDOW
    history_rows = 100
    tier_unit = BASE
    tier_params = {"marginMode": "isolated"}

    async def fetch(self, ex: Any) -> Any:
        return await ex.publicGetPublicFundingRate({"instId": "ANY"})

    def parse(self, raw: Any, meta: Metadata | None, fetched_ms: int) -> Parsed:
        assert meta is not None
        rows = Rows(self.venue)

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
            rows.add(
                m,
                funding_rate=R.num(row.get("fundingRate")),
                interval_hours=interval,
                next_funding_ms=settle_ms,
                timestamp_ms=R.epoch_ms(row.get("ts")),
                venue_premium=R.num(row.get("premium")),
            )

        return rows.run(rows_of(raw, "data"), handle)

    has_extras = True

    async def fetch_extras(self, ex: Any) -> Any:
        return await ex.publicGetPublicOpenInterest({"instType": "SWAP"})

    def parse_extras(self, raw: Any, meta: Metadata) -> dict[str, Extra]:
        def build(row: dict[str, Any], m: Market, multiplier: int) -> Extra:
            base_units = R.product(amount(row.get("oi")), m.contract_size)
            if base_units is None:  # no oi or no ctVal: OKX's own count of coins, if any
                base_units = amount(row.get("oiCcy"))
            return Extra(
                open_interest_coins=coins(base_units, multiplier),
                open_interest_usd=amount(row.get("oiUsd")),
            )

        return collect(self.venue, meta, rows_of(raw, "data"), lambda r: r.get("instId"), build)

    async def history_page(
        self, ex: Any, market_id: str, cursor: int, end: int, settle: str, limit: int
    ) -> HistoryPage:
        raw = await ex.publicGetPublicFundingRateHistory(
            {"instId": market_id, "before": cursor - 1, "after": end, "limit": limit}
        )
        return read_history(rows_of(raw, "data"), "fundingTime", _okx_rate)
