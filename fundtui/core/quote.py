"""The quote: one venue's funding snapshot for one perpetual."""

from __future__ import annotations

from dataclasses import dataclass

from fundtui.core import normalize

_INF = float("inf")


@dataclass(frozen=True, slots=True)
class Quote:
    """A funding snapshot for one linear perpetual on one venue.

    Rates are decimal fractions per funding interval (0.0001 = 0.01 %). Times are
    epoch milliseconds, UTC. Prices are per venue contract unit: for a bundled
    contract (``1000PEPE``) divide by ``multiplier`` to get one coin's price.
    Anything a venue did not give is ``None``; nothing is guessed.

    Open interest is counted twice: ``open_interest_coins`` in coins (contracts x
    contract size, then x ``multiplier``: PEPE, not 1000PEPE bundles), the figure
    that moves only when positions do; ``open_interest_usd`` at the venue's price,
    for display and weights (it also moves with the price). Where a venue's rate
    request lacks them, open interest and the 24 h figures come from a second,
    slower request (:mod:`fundtui.feeds.extras`); ``extras_ms`` is when that
    answer arrived, so those figures are older than the rate by ``timestamp - extras_ms``.
    ``None`` there: they came with the rate, or not at all.
    """

    venue: str
    symbol: str  # unified symbol, e.g. "BTC/USDT:USDT" or "1000PEPE/USDT:USDT"
    base: str  # normalized base, e.g. "PEPE"
    quote: str  # settlement currency: "USDT" or "USDC"
    funding_rate: float | None
    interval_hours: float | None
    next_funding_ms: int | None = None
    mark_price: float | None = None
    index_price: float | None = None
    open_interest_usd: float | None = None
    open_interest_coins: float | None = None
    volume_24h_usd: float | None = None
    price_change_24h: float | None = None  # fraction: 0.05 = +5 %
    multiplier: int = 1
    timestamp_ms: int | None = None
    venue_premium: float | None = None  # the venue's own premium figure, when it gives one
    extras_ms: int | None = None  # when the slower request's figures arrived (epoch ms)

    @property
    def has_rate(self) -> bool:
        ih = self.interval_hours  # None, 0, negative or NaN: unknown, no normalized figure
        return self.funding_rate is not None and ih is not None and 0 < ih < _INF

    @property
    def hourly(self) -> float | None:
        if not self.has_rate:
            return None
        return normalize.hourly(self.funding_rate, self.interval_hours)  # type: ignore[arg-type]

    @property
    def rate_8h(self) -> float | None:
        if not self.has_rate:
            return None
        return normalize.rate_8h(self.funding_rate, self.interval_hours)  # type: ignore[arg-type]

    @property
    def apr(self) -> float | None:
        if not self.has_rate:
            return None
        return normalize.apr(self.funding_rate, self.interval_hours)  # type: ignore[arg-type]

    @property
    def premium(self) -> float | None:
        """(mark - index) / index; the venue's own premium figure without both prices."""
        if self.mark_price is None or not self.index_price:
            return self.venue_premium
        return (self.mark_price - self.index_price) / self.index_price
