"""The configuration's shape: :class:`Config`, :class:`VenueConfig`, their defaults.

Parsed from the TOML file by :mod:`fundtui.config.load`; every problem is a
:class:`ConfigError` of one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fundtui.config.alerts import AlertsConfig
from fundtui.config.toasts import ToastConfig
from fundtui.core.fees import Fees
from fundtui.core.net_spread import DEFAULT_HORIZON_H
from fundtui.core.sectors import SectorOverrides
from fundtui.core.signal_types import SignalConfig
from fundtui.core.venues import SUPPORTED

#: Venues with a dedicated, tested adapter, in default column order (the venue facts table).
SUPPORTED_VENUES = SUPPORTED

#: A config file is a few kilobytes; anything past this is not one (``/dev/zero``
#: and FIFOs are refused before reading, see ``fundtui.store.files.read_bytes``).
MAX_CONFIG_BYTES = 4 * 1024 * 1024

DEFAULT_REFRESH_S = 30.0
MIN_REFRESH_S = 5.0
MAX_REFRESH_S = 3600.0


class ConfigError(Exception):
    """A config problem, as one line naming the file, the key and what is allowed."""


@dataclass(frozen=True, slots=True)
class VenueConfig:
    name: str
    enabled: bool = True
    api_base: str | None = None  # replaces scheme+host of every REST URL of the venue
    proxy: str | None = None  # http://, https:// or socks5:// proxy URL passed to ccxt


@dataclass(frozen=True, slots=True)
class Config:
    exchanges: tuple[str, ...] = SUPPORTED_VENUES
    refresh_seconds: float = DEFAULT_REFRESH_S
    bell: bool = False  # ring the terminal bell when a signal fires
    venues: dict[str, VenueConfig] = field(default_factory=dict)
    signals: SignalConfig = field(default_factory=SignalConfig)
    fees: dict[str, Fees] = field(default_factory=dict)  # [fees.<venue>] perp fee overrides
    net_horizon_hours: float = DEFAULT_HORIZON_H  # [board] the net spread's holding horizon
    binance_brackets: Path | None = None  # [calculator] brackets file replacing the bundled one
    sectors: SectorOverrides = field(default_factory=SectorOverrides)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)  # [alerts] where hits are sent
    toasts: ToastConfig = field(default_factory=ToastConfig)  # [signals.toast] what toasts
    theme: str | None = None  # [general] a theme's name or file; None: the default dark
    source: str | None = None  # the file it was read from, None for defaults

    def venue(self, name: str) -> VenueConfig:
        return self.venues.get(name) or VenueConfig(name)

    def active_venues(self) -> list[VenueConfig]:
        """Venues to poll, in the configured order, without disabled ones."""
        return [v for v in (self.venue(n) for n in self.exchanges) if v.enabled]
