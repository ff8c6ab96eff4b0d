"""Each venue's published base-tier (lowest VIP level, no discounts) trading fees.

Fractions of notional: 0.0005 = 0.05 %. These are defaults only; the config's
``[fees]`` section overrides them (an account's real tier is usually lower).
Published schedules as of late 2026, kept in the venue facts table
(:mod:`fundtui.core.venues`); check your own account's fee page.
"""

from __future__ import annotations

from collections.abc import Mapping

from fundtui.core.venues import VENUES, Fees

#: USDT-margined perpetuals, base tier (from the venue facts table).
PERP: dict[str, Fees] = {name: row.perp for name, row in VENUES.items()}

#: Spot, base tier (the long leg of a cash-and-carry).
SPOT: dict[str, Fees] = {name: row.spot for name, row in VENUES.items()}

#: A venue not listed above: the highest base-tier perp taker fee of the six.
UNKNOWN = Fees(maker=0.0002, taker=0.0006)


def perp_fees(venue: str, overrides: Mapping[str, Fees] | None = None) -> Fees:
    if overrides and venue in overrides:
        return overrides[venue]
    return PERP.get(venue, UNKNOWN)


def spot_fees(venue: str, overrides: Mapping[str, Fees] | None = None) -> Fees:
    if overrides and venue in overrides:
        return overrides[venue]
    return SPOT.get(venue, Fees(maker=0.001, taker=0.001))
