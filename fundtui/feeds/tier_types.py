"""What a tier lookup returns: the tiers with where they came from, order limits, or why not.

Shared by :mod:`fundtui.feeds.tiers` and the venue modules that read their own
tier tables (binance's brackets, hyperliquid's margin tables).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from fundtui.core.tiers import Tier


class TiersUnavailable(Exception):
    """No tier table for this venue and symbol, as one line saying what to do."""


class TiersUnusable(TiersUnavailable):
    """The configured tier source itself cannot be used (a brackets file that is not a
    regular file, or not brackets): bad input, so ``fundtui calc`` stops (exit 1) rather
    than computing without it."""


def num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


@dataclass(frozen=True, slots=True)
class Limits:
    """A market's order limits in base units (coins) and quote currency."""

    step: float | None = None  # quantity step
    min_qty: float | None = None
    min_cost: float | None = None  # minimum order notional

    def min_notional(self, price: float) -> float:
        return max(self.min_cost or 0.0, (self.min_qty or 0.0) * price)

    def to_json(self) -> dict[str, float | None]:
        return {"step": self.step, "min_qty": self.min_qty, "min_cost": self.min_cost}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Limits:
        return cls(num(d.get("step")), num(d.get("min_qty")), num(d.get("min_cost")))


def limits_from_ccxt(market: dict[str, Any]) -> Limits:
    """Step and minimums of a ccxt market (TICK_SIZE precision), in base units.

    Contract venues (okx, gate) count in contracts: x ``contractSize``.
    """
    size = num(market.get("contractSize")) or 1.0
    step = num((market.get("precision") or {}).get("amount"))
    limits = market.get("limits") or {}
    min_qty = num((limits.get("amount") or {}).get("min"))
    min_cost = num((limits.get("cost") or {}).get("min"))
    return Limits(
        None if step is None else step * size, None if min_qty is None else min_qty * size, min_cost
    )


@dataclass(frozen=True, slots=True)
class TierSource:
    tiers: tuple[Tier, ...]
    label: str  # where they came from, for the user: "binance BTCUSDT brackets as of ..."
    symbol: str = ""
