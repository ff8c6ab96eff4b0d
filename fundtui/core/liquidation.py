"""Liquidation prices of a single linear-perpetual position (docs/FORMULAS.md sections 3-5).

Every function returns a :class:`Liquidation`: the price (``None`` when the
position cannot be liquidated, e.g. a 1x long whose price would have to go
below zero) and the maintenance tier used. Quantities are base units, prices
quote currency, rates fractions.

Per venue (the isolated margin is described at the end):

* binance, one-way mode:
  ``LP = (WB - TMM + UPNL + cum - s Q EP) / (Q MMR - s Q)``; the bracket is the
  one containing the *liquidation* notional ``|LP Q|`` (each bracket is tried
  and the one consistent with its own result kept). Cross margin is the same
  formula with the cross wallet balance and the other positions' maintenance
  (TMM) and unrealised PnL (UPNL).
* bybit: ``LP = EP -/+ (IM - MM) / Q`` with ``MM = EP Q MMR - mmDeduction``;
  the risk-limit tier is chosen by position value at entry, as Bybit does.
* okx, gate, bitget: liquidation when equity equals maintenance plus the
  closing fee, ``margin + s Q (P - EP) = Q P (MMR + taker) - cum`` (``cum``
  the tier's maintenance deduction, 0 where the venue gives none). bitget is
  given this form too (its published formula has the same terms).
* hyperliquid: its documented ``price - side * margin_available / size /
  (1 - l * side)`` with ``l`` = maintenance rate, which is the form above with
  no closing fee.

Where the tier depends on the liquidation notional (all but bybit and
size-bounded OKX tiers), every tier is tried and the first one hit as the price
moves against the position is kept.

Isolated margin is ``notional / leverage + added margin``, less the opening fee
(``notional x fee_in``) where the venue takes that fee out of the position's
margin: binance, okx, gate, bitget and hyperliquid (a 2x SOL long on hyperliquid
at 0.045 % taker liquidates 0.09 % of the price gap higher than the fee-free
figure, which is what the venue showed). Bybit charges the opening fee to the
available balance when the order is placed (its "order cost"), so its position
margin is the initial margin plus what was added, as in its help examples
(docs/FORMULAS.md section 4; added margin can be negative: a deduction).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fundtui.core.sizing import side_sign
from fundtui.core.tiers import NOTIONAL, Tier, tier_for
from fundtui.core.venues import VENUES

#: Venue -> formula name, from the venue facts table.
VENUE_FORMULAS = {name: row.liquidation for name, row in VENUES.items()}

#: Formulas whose venue pays the opening fee out of the isolated position's margin.
FEE_FROM_MARGIN = frozenset({"binance", "okx_gate", "hyperliquid"})

#: Leverage scanned up to when the tiers give no maximum.
LEVERAGE_SCAN_CAP = 200


@dataclass(frozen=True, slots=True)
class Liquidation:
    price: float | None  # None: no liquidation above zero
    tier: Tier
    consistent: bool = True  # False: no tier contains its own liquidation size (bad table)

    def immediate(self, side: str, entry: float) -> bool:
        """Margin below maintenance already at entry: liquidated on opening."""
        if self.price is None:
            return False
        return self.price >= entry if side_sign(side) > 0 else self.price <= entry


def _in_tier(t: Tier, tiers: Sequence[Tier], qty: float, price: float) -> bool:
    size = qty * price if t.unit == NOTIONAL else qty
    if t is tiers[-1]:
        return size >= t.floor  # beyond the table: the last tier still applies
    return t.floor <= size < t.cap


def _solve(
    side: str, qty: float, entry: float, tiers: Sequence[Tier], price_for: Callable[[Tier], float]
) -> Liquidation:
    """The liquidation first reached as the price moves against the position."""
    s = side_sign(side)
    hits: list[tuple[float, Tier]] = []
    for t in tiers:
        lp = price_for(t)
        if not math.isfinite(lp):
            continue
        if lp <= 0:
            if s > 0 and t.unit == NOTIONAL and t.floor == 0:
                hits.append((0.0, t))  # a long this safe never liquidates in this tier
            continue
        if _in_tier(t, tiers, qty, lp):
            hits.append((lp, t))
    if hits:
        lp, t = max(hits, key=lambda h: h[0]) if s > 0 else min(hits, key=lambda h: h[0])
        return Liquidation(lp if lp > 0 else None, t)
    t = tier_for(tiers, qty, entry)  # a table that is not continuous: best effort
    lp = price_for(t)
    return Liquidation(lp if lp > 0 else None, t, consistent=False)


def binance(
    side: str,
    qty: float,
    entry: float,
    wallet: float,
    tiers: Sequence[Tier],
    *,
    other_maintenance: float = 0.0,
    other_upnl: float = 0.0,
) -> Liquidation:
    """Binance one-way mode; ``wallet`` is the isolated margin (or the cross wallet balance)."""
    s = side_sign(side)

    def price_for(t: Tier) -> float:
        denominator = qty * t.mmr - s * qty
        return (wallet - other_maintenance + other_upnl + t.cum - s * qty * entry) / denominator

    return _solve(side, qty, entry, tiers, price_for)


def bybit(
    side: str,
    qty: float,
    entry: float,
    leverage: float,
    tiers: Sequence[Tier],
    added_margin: float = 0.0,
) -> Liquidation:
    """Bybit isolated, fees ignored; the tier is the one at the entry position value.

    ``LP = EP -/+ (IM - MM)/Q -/+ added/Q`` (Bybit's help, examples 1-3).
    """
    s = side_sign(side)
    t = tier_for(tiers, qty, entry)
    im = entry * qty / leverage
    mm = entry * qty * t.mmr - t.cum
    lp = entry - s * (im + added_margin - mm) / qty
    return Liquidation(lp if lp > 0 else None, t)


def okx_gate(
    side: str, qty: float, entry: float, margin: float, tiers: Sequence[Tier], taker: float
) -> Liquidation:
    """``margin + s Q (P - EP) = Q P (MMR + taker) - cum`` solved for P."""
    s = side_sign(side)

    def price_for(t: Tier) -> float:
        return (entry - s * (margin + t.cum) / qty) / (1 - s * (t.mmr + taker))

    return _solve(side, qty, entry, tiers, price_for)


def isolated(
    venue: str,
    side: str,
    qty: float,
    entry: float,
    leverage: float,
    tiers: Sequence[Tier],
    taker: float,
    *,
    opening_fee: float = 0.0,
    added_margin: float = 0.0,
) -> Liquidation:
    """The isolated liquidation of ``qty`` at ``entry`` and ``leverage`` on ``venue``.

    ``taker`` is the closing fee (okx/gate/bitget form), ``opening_fee`` the entry fee
    rate (taken out of the margin where the venue does so), ``added_margin`` money
    moved into the position after opening (negative: taken out, e.g. a funding payment).
    """
    formula = VENUE_FORMULAS.get(venue)
    if formula is None:
        raise ValueError(
            f"no liquidation formula for {venue!r}; known: {', '.join(VENUE_FORMULAS)}"
        )
    if qty <= 0 or entry <= 0 or leverage <= 0:
        raise ValueError("quantity, entry and leverage must be > 0")
    if formula == "bybit":
        return bybit(side, qty, entry, leverage, tiers, added_margin)
    margin = isolated_margin(formula, qty, entry, leverage, opening_fee, added_margin)
    if formula == "binance":
        return binance(side, qty, entry, margin, tiers)
    return okx_gate(side, qty, entry, margin, tiers, taker if formula == "okx_gate" else 0.0)


def isolated_margin(
    formula: str,
    qty: float,
    entry: float,
    leverage: float,
    opening_fee: float = 0.0,
    added_margin: float = 0.0,
) -> float:
    """What backs an isolated position: ``notional / leverage + added``, less the opening
    fee where ``formula``'s venue takes it from the margin (:data:`FEE_FROM_MARGIN`)."""
    notional = qty * entry
    fee = notional * opening_fee if formula in FEE_FROM_MARGIN else 0.0
    return notional / leverage + added_margin - fee


def stop_before_liquidation(side: str, stop: float, liq: float | None) -> bool:
    """The stop is reached before the liquidation price as the price moves against the position."""
    if liq is None:
        return True
    return stop > liq if side_sign(side) > 0 else stop < liq


def max_leverage_for_stop(
    venue: str,
    side: str,
    qty: float,
    entry: float,
    stop: float,
    tiers: Sequence[Tier],
    taker: float,
    *,
    opening_fee: float = 0.0,
    added_margin: float = 0.0,
) -> int | None:
    """The highest whole leverage whose liquidation lies beyond the stop; None if none does.

    Bounded by the tier's maximum at the entry size; fees and added margin as in
    :func:`isolated`.
    """
    cap = tier_for(tiers, qty, entry).max_leverage
    top = int(min(cap, LEVERAGE_SCAN_CAP)) if math.isfinite(cap) else LEVERAGE_SCAN_CAP
    for lev in range(top, 0, -1):
        liq = isolated(
            venue,
            side,
            qty,
            entry,
            lev,
            tiers,
            taker,
            opening_fee=opening_fee,
            added_margin=added_margin,
        )
        if stop_before_liquidation(side, stop, liq.price):
            return lev
    return None
