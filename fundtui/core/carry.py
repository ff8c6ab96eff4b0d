"""Funding carry trades (docs/FORMULAS.md section 8): cash-and-carry and perp-perp.

* cash-and-carry: long ``qty`` spot at ``spot``, short ``qty`` perp at ``perp``;
  the short receives ``qty x perp x rate`` per settlement when the rate is > 0.
* perp-perp: long ``qty`` on venue A, short ``qty`` on venue B.

Each leg settles on its own interval, the first settlement one interval after
entry (the phase of the venues' clocks is not modelled). Fees are paid in and
out on every leg at the entry prices; the basis is taken as unchanged. Net APR
is net PnL over the horizon on the notional of one leg, simple (x 8760 h / horizon).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: Break-even is searched this far ahead; later counts as never.
SEARCH_HOURS = 24.0 * 365


@dataclass(frozen=True, slots=True)
class Flow:
    """One leg's funding: ``amount`` (+ received, - paid) every ``interval_h`` hours."""

    amount: float
    interval_h: float


@dataclass(frozen=True, slots=True)
class Carry:
    notional: float  # of one leg: the capital the APR is on
    funding_per_day: float  # + received, - paid
    fees: float  # every leg in and out
    break_even_settlements: int | None  # settlement times until funding covers the fees
    break_even_hours: float | None
    horizon_h: float
    net: float  # funding settled within the horizon minus fees
    net_apr: float  # net / notional, annualised simply


def _events(flows: Sequence[Flow], until_h: float) -> list[tuple[float, float]]:
    """(hour, amount) of every settlement up to ``until_h``, merged by time."""
    by_time: dict[float, float] = {}
    for f in flows:
        n = int(until_h // f.interval_h + 1e-9)
        for k in range(1, n + 1):
            t = round(k * f.interval_h, 9)
            by_time[t] = by_time.get(t, 0.0) + f.amount
    return sorted(by_time.items())


def _carry(flows: Sequence[Flow], notional: float, fees: float, horizon_h: float) -> Carry:
    if horizon_h <= 0:
        raise ValueError("the horizon must be > 0 hours")
    for f in flows:
        if not f.interval_h > 0:
            raise ValueError("funding intervals must be > 0 hours")
    per_day = sum(f.amount * 24.0 / f.interval_h for f in flows)
    be_n = be_h = None
    if per_day > 0:
        total = 0.0
        for count, (t, amount) in enumerate(_events(flows, SEARCH_HOURS), start=1):
            total += amount
            if total >= fees - 1e-12:
                be_n, be_h = count, t
                break
    settled = sum(a for t, a in _events(flows, horizon_h))
    net = settled - fees
    return Carry(
        notional,
        per_day,
        fees,
        be_n,
        be_h,
        horizon_h,
        net,
        net / notional * 8760.0 / horizon_h if notional else math.nan,
    )


def cash_and_carry(
    *,
    qty: float,
    spot: float,
    perp: float,
    rate: float,
    interval_h: float,
    spot_fee_in: float,
    spot_fee_out: float,
    perp_fee_in: float,
    perp_fee_out: float,
    horizon_h: float,
) -> Carry:
    fees = qty * (spot * (spot_fee_in + spot_fee_out) + perp * (perp_fee_in + perp_fee_out))
    flow = Flow(qty * perp * rate, interval_h)  # the short perp receives a positive rate
    return _carry([flow], qty * spot, fees, horizon_h)


def perp_perp(
    *,
    qty: float,
    long_price: float,
    long_rate: float,
    long_interval_h: float,
    short_price: float,
    short_rate: float,
    short_interval_h: float,
    long_fee_in: float,
    long_fee_out: float,
    short_fee_in: float,
    short_fee_out: float,
    horizon_h: float,
) -> Carry:
    fees = qty * (
        long_price * (long_fee_in + long_fee_out) + short_price * (short_fee_in + short_fee_out)
    )
    flows = [
        Flow(-qty * long_price * long_rate, long_interval_h),
        Flow(qty * short_price * short_rate, short_interval_h),
    ]
    return _carry(flows, qty * long_price, fees, horizon_h)
