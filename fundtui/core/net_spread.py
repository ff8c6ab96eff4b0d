"""What a spread leaves after fees: the net APR of a row's long/short pair.

A spread trade opens a long on the low venue and a short on the high one, each
with the same notional N, and closes both later. Each leg pays its venue's taker
fee in and out, so the round trip costs ``fees = 2 x (taker_long + taker_short)``
of N. Held for ``horizon_h`` hours, that cost is spread over the holding:

    net APR     = spread_8h x 3 x 365  -  fees x 8760 / horizon_h
    break-even  = fees / (spread_8h / 8)   hours (none when the spread is not > 0)

Both on the notional of one leg, as the spread APR is; funding is taken to accrue
evenly at today's spread (the settlement steps and a spread that moves are the
carry calculator's business, ``fundtui carry``). Fees are each venue's configured
perp fees (``[fees.<venue>]``), else its published base tier (:mod:`fundtui.core.fees`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fundtui.core.fees import Fees, perp_fees
from fundtui.core.normalize import spread_apr
from fundtui.core.spread import Spread

#: The holding horizon the board amortizes fees over unless ``[board]`` says otherwise.
DEFAULT_HORIZON_H = 72.0


@dataclass(frozen=True, slots=True)
class NetSpread:
    net_apr: float  # the spread's APR less the round trip's fees spread over the horizon
    break_even_h: float | None  # hours of today's spread that pay the fees; None: never
    fees: float  # the round trip: both legs' taker fee in and out, of one leg's notional
    horizon_h: float


def net_spread(
    spread_8h: float, taker_long: float, taker_short: float, horizon_h: float
) -> NetSpread:
    if not horizon_h > 0:
        raise ValueError("the holding horizon must be > 0 hours")
    fees = 2.0 * (taker_long + taker_short)
    net = spread_apr(spread_8h) - fees * 8760.0 / horizon_h
    per_hour = spread_8h / 8.0
    return NetSpread(net, fees / per_hour if per_hour > 0 else None, fees, horizon_h)


def net_for(
    spread: Spread, horizon_h: float, fee_overrides: Mapping[str, Fees] | None = None
) -> NetSpread:
    """The net figures of ``spread``'s own legs, with each venue's configured fees."""
    return net_spread(
        spread.spread_8h,
        perp_fees(spread.long_venue, fee_overrides).taker,
        perp_fees(spread.short_venue, fee_overrides).taker,
        horizon_h,
    )
