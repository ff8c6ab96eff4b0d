"""Each venue's published base-tier (lowest VIP level, no discounts) trading fees.

Fractions of notional: 0.0005 = 0.05 %. These are defaults only; the config's
``[fees]`` section overrides them (an account's real tier is usually lower).
Published schedules as of late 2026; check your own account's fee page.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Fees:
    maker: float
    taker: float


#: USDT-margined perpetuals, base tier.
PERP: dict[str, Fees] = {
    "binance": Fees(maker=0.0002, taker=0.0005),
    "bybit": Fees(maker=0.0002, taker=0.00055),
    "okx": Fees(maker=0.0002, taker=0.0005),
    "bitget": Fees(maker=0.0002, taker=0.0006),
    "gate": Fees(maker=0.0002, taker=0.0005),
    "hyperliquid": Fees(maker=0.00015, taker=0.00045),
}

#: Spot, base tier (the long leg of a cash-and-carry).
SPOT: dict[str, Fees] = {
    "binance": Fees(maker=0.001, taker=0.001),
    "bybit": Fees(maker=0.001, taker=0.001),
    "okx": Fees(maker=0.0008, taker=0.001),
    "bitget": Fees(maker=0.001, taker=0.001),
    "gate": Fees(maker=0.001, taker=0.001),
    "hyperliquid": Fees(maker=0.0004, taker=0.0007),
}

#: A venue not listed above: the highest base-tier perp taker fee of the six.
UNKNOWN = Fees(maker=0.0002, taker=0.0006)


def perp_fees(venue: str, overrides: dict[str, Fees] | None = None) -> Fees:
    if overrides and venue in overrides:
        return overrides[venue]
    return PERP.get(venue, UNKNOWN)


def spot_fees(venue: str, overrides: dict[str, Fees] | None = None) -> Fees:
    if overrides and venue in overrides:
        return overrides[venue]
    return SPOT.get(venue, Fees(maker=0.001, taker=0.001))
