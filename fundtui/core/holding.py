"""Funding while holding a position, and the break-even exit (docs/FORMULAS.md sections 1 and 7).

Signs are from the holder's side: a positive amount is received, a negative
one paid. With a positive rate longs pay and shorts receive.
"""

from __future__ import annotations

from dataclasses import dataclass

from fundtui.core.sizing import side_sign


@dataclass(frozen=True, slots=True)
class Funding:
    per_settlement: float  # + received, - paid
    per_day: float
    over_period: float  # over ``settlements`` settlements
    settlements: int

    @property
    def verb(self) -> str:
        return (
            "receives"
            if self.per_settlement > 0
            else "pays"
            if self.per_settlement < 0
            else "neither pays nor receives"
        )


def funding(
    side: str, notional: float, rate: float, interval_h: float, settlements: int
) -> Funding:
    """Cash flow of ``notional`` at ``rate`` per ``interval_h`` hours."""
    if interval_h <= 0:
        raise ValueError("the funding interval must be > 0 hours")
    per = -side_sign(side) * notional * rate
    return Funding(per, per * 24.0 / interval_h, per * settlements, settlements)


def settlements_in(hours: float, interval_h: float) -> int:
    """Whole settlements in a holding period of ``hours`` (the first one interval in)."""
    return int(hours // interval_h + 1e-9) if hours > 0 else 0


def break_even(
    side: str, entry: float, fee_in: float, fee_out: float, rate: float, settlements: int
) -> float:
    """Exit price at which fees and ``settlements`` settlements at ``rate`` net to zero.

    Funding is taken on the entry notional (docs/FORMULAS.md section 7).
    """
    total = rate * settlements
    if side_sign(side) > 0:
        return entry * (1 + fee_in + total) / (1 - fee_out)
    return entry * (1 - fee_in + total) / (1 + fee_out)
