"""User configuration: the TOML file's shape, defaults and validation."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Venues with a dedicated, tested adapter, in default column order.
SUPPORTED_VENUES = ("binance", "bybit", "okx", "bitget", "gate", "hyperliquid")

DEFAULT_REFRESH_S = 30.0


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
    venues: dict[str, VenueConfig] = field(default_factory=dict)
    source: str | None = None  # the file it was read from, None for defaults

    def venue(self, name: str) -> VenueConfig:
        return self.venues.get(name) or VenueConfig(name)

    def active_venues(self) -> list[VenueConfig]:
        """Venues to poll, in the configured order, without disabled ones."""
        return [v for v in (self.venue(n) for n in self.exchanges) if v.enabled]
