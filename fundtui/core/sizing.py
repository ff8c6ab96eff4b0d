"""Risk-based position size (docs/FORMULAS.md section 6) and what follows from it.

    Q = E x r / (|entry - stop| + entry x fee_in + stop x fee_out)

rounded down to the market's quantity step and checked against its minimum
notional. Quantities are in base units (coins), prices in quote currency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

LONG = "long"
SHORT = "short"


def side_sign(side: str) -> int:
    if side == LONG:
        return 1
    if side == SHORT:
        return -1
    raise ValueError(f"side must be {LONG!r} or {SHORT!r}, got {side!r}")


def round_down(qty: float, step: float | None) -> float:
    """``qty`` rounded down to a multiple of ``step`` (exactly, in decimal)."""
    if not step:
        return qty
    d_step = Decimal(repr(step))
    n = (Decimal(repr(qty)) / d_step).to_integral_value(rounding=ROUND_FLOOR)
    return float(n * d_step)


def stop_on_right_side(side: str, entry: float, stop: float) -> bool:
    return stop < entry if side_sign(side) > 0 else stop > entry


@dataclass(frozen=True, slots=True)
class Size:
    raw_qty: float  # before rounding
    qty: float  # rounded down to the step
    notional: float  # qty x entry
    margin: float  # notional / leverage
    loss_at_stop: float  # price loss plus both fees, for qty
    below_min_notional: bool

    def r_multiple(self, side: str, entry: float, stop: float, target: float) -> float:
        """Reward at ``target`` over risk at ``stop`` (prices only)."""
        s = side_sign(side)
        return s * (target - entry) / abs(entry - stop)


def risk_size(
    *,
    side: str,
    equity: float,
    risk: float,
    entry: float,
    stop: float,
    leverage: float,
    fee_in: float,
    fee_out: float,
    step: float | None = None,
    min_notional: float = 0.0,
) -> Size:
    """Size risking the fraction ``risk`` of ``equity`` between ``entry`` and ``stop``."""
    if not stop_on_right_side(side, entry, stop):
        raise ValueError(
            f"a {side}'s stop must be {'below' if side == LONG else 'above'} its entry"
        )
    per_unit = abs(entry - stop) + entry * fee_in + stop * fee_out
    raw = equity * risk / per_unit
    qty = round_down(raw, step)
    notional = qty * entry
    return Size(
        raw_qty=raw,
        qty=qty,
        notional=notional,
        margin=notional / leverage,
        loss_at_stop=qty * per_unit,
        below_min_notional=qty <= 0 or notional < min_notional,
    )


def is_number(x: float) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)
