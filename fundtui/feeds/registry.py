"""Build the live quote sources for the configured venues.

Nothing here imports ccxt: adapters import it on their first poll (in a worker
thread), so building sources costs nothing on the way to the first frame.

Dedicated, tested adapters: the venues registered in
:data:`fundtui.feeds.venues.SPECS`, one module each under ``feeds/venues/``
(binance USDⓈ-M, bybit, okx, bitget, gate, hyperliquid). Any other ccxt id
whose ``has['fetchFundingRates']`` is true goes
through the same :class:`~fundtui.feeds.ccxt_venue.CcxtVenue` on its generic
unified-API path. With ccxt 4.5.90 those ids are: aster, bequant,
binancecoinm, binanceusdm, bingx, bitfinex, btse, bybiteu, bybitid, deepcoin,
delta, fmfwio, gateeu, hashkey, hitbtc, htx, krakenfutures, kucoin,
kucoinfutures, lbank, lighter, modetrade, myokx, nado, okxus, pacifica,
paradex, polymarket, toobit, weex, whitebit, woo, woofipro. Each of them was
only constructed offline through this adapter (URLs rewritten, no request
made); binanceusdm and myokx were also polled end to end against the test
suite's fake venue. None has been polled against its real API from here.
An id ccxt does not know, or one without ``fetchFundingRates``, fails its
first poll with a one-line VenueError.
"""

from __future__ import annotations

from collections.abc import Iterable

from fundtui.config import VenueConfig
from fundtui.feeds.ccxt_venue import DEFAULT_TIMEOUT_S, CcxtVenue
from fundtui.feeds.source import QuoteSource
from fundtui.feeds.venues import SPECS, spec_for  # noqa: F401  (the venue registry)


def make_sources(
    venues: Iterable[VenueConfig], *, timeout_s: float = DEFAULT_TIMEOUT_S
) -> list[QuoteSource]:
    """One adapter per enabled venue, in the given order (duplicates dropped)."""
    sources: list[QuoteSource] = []
    seen: set[str] = set()
    for venue in venues:
        if not venue.enabled or venue.name in seen:
            continue
        seen.add(venue.name)
        sources.append(CcxtVenue(venue, timeout_s=timeout_s))
    return sources
