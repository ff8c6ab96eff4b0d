"""One module per venue with a dedicated adapter, and the table naming them.

Each module holds everything about talking to its venue: the one bulk request
per refresh and how its rows parse, where intervals come from, how settled
funding history pages, its market-id rule, and its tier quirks. Any other ccxt
id goes through :class:`~fundtui.feeds.generic.GenericSpec`.

Adding a venue: its module here, one line in :data:`SPECS`, its row in the
venue facts table (:mod:`fundtui.core.venues`) and its payloads for the test
suite's fake venue (``tests/fakevenue/payloads/<venue>/``);
``tests/test_venues_complete.py`` fails, naming what is missing, until all four
agree.
"""

from __future__ import annotations

from fundtui.feeds.generic import GenericSpec
from fundtui.feeds.spec import VenueSpec
from fundtui.feeds.venues.binance import BinanceSpec
from fundtui.feeds.venues.bitget import BitgetSpec
from fundtui.feeds.venues.bybit import BybitSpec
from fundtui.feeds.venues.gate import GateSpec
from fundtui.feeds.venues.hyperliquid import HyperliquidSpec
from fundtui.feeds.venues.okx import OkxSpec

#: The registry: one line per dedicated venue.
SPECS: dict[str, type[VenueSpec]] = {
    "binance": BinanceSpec,
    "bybit": BybitSpec,
    "okx": OkxSpec,
    "bitget": BitgetSpec,
    "gate": GateSpec,
    "hyperliquid": HyperliquidSpec,
}


def spec_for(venue: str) -> VenueSpec:
    """The dedicated spec for one of the registered venues, else the generic ccxt path."""
    cls = SPECS.get(venue)
    return cls() if cls is not None else GenericSpec(venue)
