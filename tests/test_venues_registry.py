"""Building sources from the config: enabled venues only, and no ccxt import on the way."""

from __future__ import annotations

import subprocess
import sys

from fundtui.config import VenueConfig
from fundtui.feeds.ccxt_venue import CcxtVenue
from fundtui.feeds.generic import GenericSpec
from fundtui.feeds.registry import make_sources
from fundtui.feeds.venues.binance import BinanceSpec
from fundtui.feeds.venues.hyperliquid import HyperliquidSpec


def test_make_sources_keeps_order_skips_disabled_and_duplicates():
    sources = make_sources(
        [
            VenueConfig("hyperliquid"),
            VenueConfig("bybit", enabled=False),
            VenueConfig("binance", api_base="http://127.0.0.1:1"),
            VenueConfig("hyperliquid"),
            VenueConfig("kucoinfutures"),
        ]
    )
    assert [s.name for s in sources] == ["hyperliquid", "binance", "kucoinfutures"]
    assert all(isinstance(s, CcxtVenue) for s in sources)
    assert isinstance(sources[0].spec, HyperliquidSpec)
    assert isinstance(sources[1].spec, BinanceSpec)
    assert sources[1].config.api_base == "http://127.0.0.1:1"
    assert isinstance(sources[2].spec, GenericSpec)


def test_building_sources_does_not_import_ccxt():
    code = (
        "import sys\n"
        "from fundtui.config import VenueConfig\n"
        "from fundtui.feeds.registry import make_sources\n"
        "make_sources([VenueConfig(n) for n in ('binance', 'okx', 'woo')])\n"
        "assert not any(m == 'ccxt' or m.startswith('ccxt.') for m in sys.modules), 'ccxt'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
