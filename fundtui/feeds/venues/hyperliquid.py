"""Hyperliquid perpetuals: metaAndAssetCtxs per refresh, hourly funding, its own margin tables.

* Refresh: ``POST /info {"type": "metaAndAssetCtxs"}``; interval 1 h
  (Hyperliquid funds hourly, on the hour). No market list needed; the market
  id of a unified ``COIN/USDC:USDC`` is the coin name.
* History: ``POST /info {"type": "fundingHistory", coin, startTime}`` (oldest
  first, up to 500 rows); next startTime = newest time + 1; stop on a short page.
* Tiers: its ``meta`` margin tables (maintenance = half the initial margin at
  a tier's maximum leverage), not ccxt's.
"""

from __future__ import annotations

import math
from typing import Any

from fundtui.core.tiers import Tier, TierError, check_tiers, with_cumulative_deduction
from fundtui.feeds import rows as R
from fundtui.feeds.errors import PayloadError
from fundtui.feeds.metadata import Market, Metadata
from fundtui.feeds.spec import (
    CURSOR,
    HistoryPage,
    Parsed,
    Rows,
    VenueSpec,
    amount,
    kind,
    read_history,
    rows_of,
)
from fundtui.feeds.tier_types import Limits, TiersUnavailable, num

#: Hyperliquid's documented minimum order value, USDC.
HYPERLIQUID_MIN_ORDER = 10.0


class HyperliquidSpec(VenueSpec):
    venue = "hyperliquid"
    needs_markets = False
    interval_h = 1.0  # Hyperliquid settles funding every hour, on the hour
    history = CURSOR
    history_rows = 500

    def market_id(self, symbol: str) -> str | None:
        base, _, settle = symbol.partition("/")
        settle = settle.partition(":")[2] or settle
        return base if base and settle == "USDC" else None

    async def fetch(self, ex: Any) -> Any:
        return await ex.publicPostInfo({"type": "metaAndAssetCtxs"})

    def parse(self, raw: Any, meta: Metadata | None, fetched_ms: int) -> Parsed:
        if not isinstance(raw, list) or len(raw) < 2:
            raise PayloadError(f"expected [meta, contexts], got {kind(raw)}")
        universe = rows_of(raw[0], "universe")
        contexts = rows_of(raw[1])
        # Contexts are positional: the i-th belongs to the i-th universe entry. If
        # the lengths differ the pairing is unknowable, and a rate shown against
        # the wrong coin is worse than none.
        if len(universe) != len(contexts):
            raise PayloadError(f"{len(universe)} markets but {len(contexts)} contexts")
        hour = R.HOUR_MS
        next_ms = (fetched_ms // hour + 1) * hour
        rows = Rows(self.venue)

        def handle(pair: tuple[Any, Any]) -> None:
            asset, ctx = pair
            name = R.text(asset.get("name"))
            if not name or asset.get("isDelisted") is True or not isinstance(ctx, dict):
                return
            m = Market(id=name, symbol=f"{name}/USDC:USDC", base_id=name, settle="USDC")
            mark = R.positive(ctx.get("markPx"))
            held = amount(ctx.get("openInterest"))  # coins (kPEPE units for kPEPE)
            rows.add(
                m,
                funding_rate=R.num(ctx.get("funding")),
                interval_hours=self.interval_h,
                next_funding_ms=next_ms,
                mark_price=mark,
                index_price=R.positive(ctx.get("oraclePx")),
                open_interest_usd=R.product(held, mark),
                oi_base_units=held,
                volume_24h_usd=amount(ctx.get("dayNtlVlm")),
                price_change_24h=R.fraction_change(mark, R.positive(ctx.get("prevDayPx"))),
                venue_premium=R.num(ctx.get("premium")),
            )

        return rows.run(zip(universe, contexts, strict=True), handle)

    async def history_page(
        self, ex: Any, market_id: str, cursor: int, end: int, settle: str, limit: int
    ) -> HistoryPage:
        raw = await ex.publicPostInfo(
            {"type": "fundingHistory", "coin": market_id, "startTime": cursor}
        )
        return read_history(rows_of(raw), "time", lambda r: r.get("fundingRate"))

    async def own_tiers(self, ex: Any, base: str) -> tuple[str, tuple[Tier, ...], Limits]:
        return hyperliquid_tiers(await ex.publicPostInfo({"type": "meta"}), base)


def hyperliquid_tiers(meta: Any, base: str) -> tuple[str, tuple[Tier, ...], Limits]:
    """(symbol, tiers, limits) from Hyperliquid's ``meta``: the asset's margin table.

    Hyperliquid's maintenance rate is half the initial margin at a tier's maximum
    leverage, ``1 / (2 x maxLeverage)``, with the deduction that keeps it
    continuous across tiers (the same identity as Binance's ``cum``). A
    ``marginTableId`` below 50 is a single tier at that leverage.
    """
    if not isinstance(meta, dict) or not isinstance(meta.get("universe"), list):
        raise TierError("hyperliquid meta has no universe")
    b = base.upper()
    asset = next(
        (
            a
            for name in (b, f"k{b}")
            for a in meta["universe"]
            if isinstance(a, dict) and a.get("name") == name
        ),
        None,
    )
    if asset is None:
        raise TiersUnavailable(f"hyperliquid lists no perpetual for {base}")
    tables = {
        t[0]: t[1] for t in meta.get("marginTables") or [] if isinstance(t, list) and len(t) == 2
    }
    table = tables.get(asset.get("marginTableId"))
    if isinstance(table, dict) and table.get("marginTiers"):
        steps = [(float(t["lowerBound"]), float(t["maxLeverage"])) for t in table["marginTiers"]]
    elif num(asset.get("maxLeverage")):
        steps = [(0.0, float(asset["maxLeverage"]))]
    else:
        raise TierError(f"hyperliquid gives no margin table for {base}")
    tiers = [
        Tier(lo, steps[i + 1][0] if i + 1 < len(steps) else math.inf, 1 / (2 * lev), 0.0, lev)
        for i, (lo, lev) in enumerate(steps)
    ]
    decimals = asset.get("szDecimals")
    step = 10.0 ** -int(decimals) if isinstance(decimals, int) else None
    return (
        f"{asset['name']}/USDC:USDC",
        check_tiers(with_cumulative_deduction(tiers)),
        Limits(step, None, HYPERLIQUID_MIN_ORDER),
    )
