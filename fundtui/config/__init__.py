"""User configuration: the TOML file's shape, defaults and validation.

The file (``fundtui config path`` says where) looks like::

    [general]
    exchanges = ["binance", "bybit", "okx", "bitget", "gate", "hyperliquid"]
    refresh_seconds = 30

    [exchanges.binance]
    api_base = "http://127.0.0.1:18100"
    proxy = "socks5://127.0.0.1:1080"
    enabled = true

Every problem is reported as a ConfigError with one line naming the file, the
key and what is allowed. Nothing unknown is silently ignored: a typo in a key
would otherwise leave a setting at its default without anyone noticing.

The package: :mod:`~fundtui.config.model` (the shape and defaults),
:mod:`~fundtui.config.venue_ids` (which exchange ids are accepted),
:mod:`~fundtui.config.sections` (one parser per section),
:mod:`~fundtui.config.load` (text and file to Config) and
:mod:`~fundtui.config.template` (the file ``config init`` writes).
"""

from __future__ import annotations

from fundtui.config.load import load_config, parse_config
from fundtui.config.model import (
    DEFAULT_REFRESH_S,
    MAX_CONFIG_BYTES,
    MAX_REFRESH_S,
    MIN_REFRESH_S,
    SUPPORTED_VENUES,
    Config,
    ConfigError,
    VenueConfig,
)
from fundtui.config.sections import MAX_SIGNAL_COUNT, MAX_SIGNAL_WINDOW_H, SECTIONS
from fundtui.config.template import default_config_text
from fundtui.config.venue_ids import (
    MAX_VENUE_ID_CHARS,
    _ccxt_exchange_ids,
    is_known_venue,
    shown_id,
    unknown_venue_hint,
)

__all__ = [
    "DEFAULT_REFRESH_S",
    "MAX_CONFIG_BYTES",
    "MAX_REFRESH_S",
    "MAX_SIGNAL_COUNT",
    "MAX_SIGNAL_WINDOW_H",
    "MAX_VENUE_ID_CHARS",
    "MIN_REFRESH_S",
    "SECTIONS",
    "SUPPORTED_VENUES",
    "Config",
    "ConfigError",
    "VenueConfig",
    "_ccxt_exchange_ids",
    "default_config_text",
    "is_known_venue",
    "load_config",
    "parse_config",
    "shown_id",
    "unknown_venue_hint",
]
