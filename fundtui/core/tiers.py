"""Maintenance-margin tiers (Binance "brackets", Bybit "risk limits", OKX "position tiers").

A tier covers position sizes in ``[floor, cap)``. Most venues bound tiers by
notional (quote currency); OKX bounds them by size (contracts, converted to
base units by the feed), so ``unit`` says which. ``cum`` is the maintenance
amount subtracted from ``notional x mmr`` (Binance ``cum``, Bybit
``mmDeduction``); maintenance margin = ``notional x mmr - cum``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

NOTIONAL = "notional"
BASE = "base"


class TierError(ValueError):
    """A tier table that cannot be used (gaps, nonsense rates), as one line."""


@dataclass(frozen=True, slots=True)
class Tier:
    floor: float
    cap: float  # math.inf for an open last tier
    mmr: float  # maintenance-margin rate, fraction
    cum: float = 0.0  # maintenance amount (deduction), quote currency
    max_leverage: float = math.inf
    unit: str = NOTIONAL  # what floor/cap measure: NOTIONAL (quote) or BASE (coins)

    def contains(self, qty: float, price: float) -> bool:
        size = qty * price if self.unit == NOTIONAL else qty
        return self.floor <= size < self.cap

    def maintenance(self, notional: float) -> float:
        return notional * self.mmr - self.cum


def check_tiers(tiers: Iterable[Tier]) -> tuple[Tier, ...]:
    """The tiers sorted by floor; TierError when they are empty, overlap or make no sense."""
    out = tuple(sorted(tiers, key=lambda t: t.floor))
    if not out:
        raise TierError("no maintenance tiers")
    for t in out:
        for name in ("floor", "mmr", "cum", "max_leverage"):
            value = getattr(t, name)
            if not isinstance(value, int | float) or math.isnan(value):
                raise TierError(f"tier {name} is not a number: {value!r}")
        if not 0 < t.mmr < 1 or t.floor < 0 or t.cap <= t.floor or t.max_leverage <= 0:
            raise TierError(
                f"tier [{t.floor:g}, {t.cap:g}) with mmr {t.mmr:g}, "
                f"max leverage {t.max_leverage:g} makes no sense"
            )
        if t.unit not in (NOTIONAL, BASE):
            raise TierError(f"tier unit {t.unit!r} is neither {NOTIONAL!r} nor {BASE!r}")
    for a, b in zip(out, out[1:], strict=False):
        if b.floor != a.cap:
            raise TierError(f"tiers leave a gap or overlap between {a.cap:g} and {b.floor:g}")
        if b.unit != a.unit:
            raise TierError("tiers mix notional and size bounds")
    return out


def with_cumulative_deduction(tiers: Sequence[Tier]) -> tuple[Tier, ...]:
    """Tiers with ``cum`` filled by Binance's identity.

    ``cum_k = cum_(k-1) + floor_k x (mmr_k - mmr_(k-1))``, ``cum_1 = 0``.

    Only meaningful for notional-bounded tiers; it makes the maintenance margin
    continuous across tier boundaries, as Binance's own tables are.
    """
    out: list[Tier] = []
    cum = 0.0
    for i, t in enumerate(tiers):
        if i:
            cum += t.floor * (t.mmr - tiers[i - 1].mmr)
        out.append(Tier(t.floor, t.cap, t.mmr, cum, t.max_leverage, t.unit))
    return tuple(out)


def tier_for(tiers: Sequence[Tier], qty: float, price: float) -> Tier:
    """The tier holding a position of ``qty`` at ``price``; the last tier beyond the table."""
    for t in tiers:
        if t.contains(qty, price):
            return t
    return tiers[-1]


def single_tier(mmr: float, max_leverage: float = math.inf) -> tuple[Tier, ...]:
    """One tier for every size: a user-given maintenance rate."""
    return check_tiers([Tier(0.0, math.inf, mmr, 0.0, max_leverage)])
