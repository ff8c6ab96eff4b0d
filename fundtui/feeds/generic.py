"""The generic path: any ccxt exchange with ``fetchFundingRates``, through the unified API.

Venues without a module under :mod:`fundtui.feeds.venues` are served here
(see :mod:`fundtui.feeds.registry` for the ids this was tried with).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from fundtui.feeds import rows as R
from fundtui.feeds.errors import PayloadError
from fundtui.feeds.metadata import LoadedMarkets, Market, Metadata
from fundtui.feeds.spec import Parsed, Rows, VenueSpec, kind

log = logging.getLogger(__name__)


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
            raise PayloadError(f"market list is {kind(raw)}")
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
            raise PayloadError(f"expected funding rates, got {kind(raw)}")
        rows = Rows(self.venue)

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
            rows.add(
                m,
                funding_rate=R.num(fr.get("fundingRate")),
                interval_hours=interval,
                next_funding_ms=settle_ms,
                mark_price=R.positive(fr.get("markPrice")),
                index_price=R.positive(fr.get("indexPrice")),
                timestamp_ms=R.epoch_ms(fr.get("timestamp")),
            )

        return rows.run(entries, handle)
