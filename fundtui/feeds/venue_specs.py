"""Where the venue specs used to live; kept so old imports keep working.

The specs now live one per venue under :mod:`fundtui.feeds.venues`, their
base in :mod:`fundtui.feeds.spec`, market metadata in
:mod:`fundtui.feeds.metadata`, the generic path in :mod:`fundtui.feeds.generic`.
"""

from __future__ import annotations

from fundtui.feeds.errors import PayloadError  # noqa: F401  (moved)
from fundtui.feeds.generic import GenericSpec  # noqa: F401  (moved)
from fundtui.feeds.metadata import LoadedMarkets, Market, Metadata  # noqa: F401  (moved)
from fundtui.feeds.spec import (  # noqa: F401  (moved)
    STABLE_SETTLE,
    Parsed,
    VenueSpec,
    keep_ccxt_market,
    rows_of,
)
from fundtui.feeds.venues import SPECS as DEDICATED  # noqa: F401  (moved)
from fundtui.feeds.venues import spec_for  # noqa: F401  (moved)
from fundtui.feeds.venues.binance import BINANCE_DEFAULT_INTERVAL_H, BinanceSpec  # noqa: F401
from fundtui.feeds.venues.bitget import BITGET_LIVE_STATES, BitgetSpec  # noqa: F401  (moved)
from fundtui.feeds.venues.bybit import BybitSpec  # noqa: F401  (moved)
from fundtui.feeds.venues.gate import GateSpec  # noqa: F401  (moved)
from fundtui.feeds.venues.hyperliquid import HyperliquidSpec  # noqa: F401  (moved)
from fundtui.feeds.venues.okx import OkxSpec  # noqa: F401  (moved)
