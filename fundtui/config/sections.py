"""The config file's sections, each checked by its own parser into Config fields.

Every problem is reported as a ConfigError with one line naming the file, the
key and what is allowed. Nothing unknown is silently ignored.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit

from fundtui.config.alerts import parse_alerts
from fundtui.config.model import MAX_REFRESH_S, MIN_REFRESH_S, ConfigError, VenueConfig
from fundtui.config.toasts import TOAST_KEYS, parse_toasts
from fundtui.config.venue_ids import is_known_venue, shown_id, unknown_venue_hint
from fundtui.core.fees import Fees, perp_fees
from fundtui.core.sectors import SectorOverrides, normalize_base
from fundtui.core.signal_types import EMA_MODES, MAX_EMA_HISTORY_DAYS, SignalConfig

_PROXY_SCHEMES = ("http", "https", "socks5")


#: A theme name, or a path to a theme file.
MAX_THEME_CHARS = 1024


def _show(value: Any) -> str:
    """A value as it would look in TOML, on one line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return str(value)


@dataclass(frozen=True, slots=True)
class _Ctx:
    source: str

    def error(self, where: str, message: str) -> ConfigError:
        return ConfigError(
            f"{self.source}: {where} {message}" if where else f"{self.source}: {message}"
        )

    def check_keys(self, where: str, table: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
        for key in table:
            if key not in allowed:
                raise self.error(
                    where, f"unknown key {json.dumps(key)}; allowed: {', '.join(allowed)}"
                )


def _parse_general(ctx: _Ctx, table: Mapping[str, Any]) -> dict[str, Any]:
    ctx.check_keys("[general]", table, ("exchanges", "refresh_seconds", "bell", "theme"))
    out: dict[str, Any] = {}
    if "exchanges" in table:
        names = table["exchanges"]
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise ctx.error(
                "[general]",
                "exchanges must be a non-empty list of exchange ids "
                f'like ["binance", "okx"], got {_show(names)}',
            )
        seen: set[str] = set()
        for n in names:
            if not is_known_venue(n):
                raise ctx.error(
                    "[general]",
                    "exchanges: unknown exchange "
                    f"{json.dumps(shown_id(n))}; {unknown_venue_hint()}",
                )
            if n in seen:
                raise ctx.error("[general]", f"exchanges lists {json.dumps(n)} twice")
            seen.add(n)
        out["exchanges"] = tuple(names)
    if "refresh_seconds" in table:
        value = table["refresh_seconds"]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not MIN_REFRESH_S <= value <= MAX_REFRESH_S
        ):
            raise ctx.error(
                "[general]",
                "refresh_seconds must be a number of seconds between "
                f"{MIN_REFRESH_S:g} and {MAX_REFRESH_S:g}, "
                f"got {_show(value)}",
            )
        out["refresh_seconds"] = float(value)
    if "bell" in table:
        if not isinstance(table["bell"], bool):
            raise ctx.error("[general]", f"bell must be true or false, got {_show(table['bell'])}")
        out["bell"] = table["bell"]
    if "theme" in table:
        theme = table["theme"]
        if not isinstance(theme, str) or not theme.strip() or len(theme) > MAX_THEME_CHARS:
            raise ctx.error(
                "[general]",
                'theme must be a theme name like "fundtui-light" or a theme file\'s path, '
                f"got {_show(theme)[:80]}",
            )
        path = Path(theme).expanduser()
        if theme.lower().endswith((".toml", ".json")) and not path.is_absolute():
            theme = str(Path(ctx.source).parent / path)  # a file beside the config
        out["theme"] = theme
    return out


def _parse_url(ctx: _Ctx, where: str, value: Any, msg: str) -> SplitResult:
    """``value`` split as a URL, or the config error ``msg`` when it is none."""
    if not isinstance(value, str):
        raise ctx.error(where, msg)
    try:
        url = urlsplit(value)
        url.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ctx.error(where, msg) from None
    return url


def _check_api_base(ctx: _Ctx, where: str, value: Any) -> str:
    msg = (
        "api_base must be an http:// or https:// URL with a host and no path, "
        f'like "http://127.0.0.1:18100", got {_show(value)}'
    )
    url = _parse_url(ctx, where, value, msg)
    if (
        url.scheme not in ("http", "https")
        or not url.hostname
        or url.path not in ("", "/")
        or url.query
        or url.fragment
    ):
        raise ctx.error(where, msg)
    return value.rstrip("/")


def _check_proxy(ctx: _Ctx, where: str, value: Any) -> str:
    msg = (
        "proxy must be an http://, https:// or socks5:// URL like "
        f'"socks5://127.0.0.1:1080", got {_show(value)}'
    )
    url = _parse_url(ctx, where, value, msg)
    if url.scheme not in _PROXY_SCHEMES or not url.hostname:
        raise ctx.error(where, msg)
    return value


def _venue_tables(
    ctx: _Ctx,
    table: Mapping[str, Any],
    section: str,
) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """``(venue, "[section.venue]", its table)`` of a per-venue section, checked."""
    for name, sub in table.items():
        if not is_known_venue(name):
            raise ctx.error(
                f"[{section}.{shown_id(name)}]",
                f"unknown exchange {json.dumps(shown_id(name))}; {unknown_venue_hint()}",
            )
        where = f"[{section}.{name}]"
        if not isinstance(sub, dict):
            raise ctx.error(
                f"[{section}]", f"{name} must be a table ([{section}.{name}]), got {_show(sub)}"
            )
        yield name, where, sub


def _parse_exchanges(ctx: _Ctx, table: Mapping[str, Any]) -> dict[str, Any]:
    venues: dict[str, VenueConfig] = {}
    for name, where, section in _venue_tables(ctx, table, "exchanges"):
        ctx.check_keys(where, section, ("api_base", "enabled", "proxy"))
        enabled = section.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ctx.error(where, f"enabled must be true or false, got {_show(enabled)}")
        api_base = section.get("api_base")
        proxy = section.get("proxy")
        venues[name] = VenueConfig(
            name=name,
            enabled=enabled,
            api_base=None if api_base is None else _check_api_base(ctx, where, api_base),
            proxy=None if proxy is None else _check_proxy(ctx, where, proxy),
        )
    return {"venues": venues}


#: [signals] keys that count something (whole numbers >= 1) and windows (hours > 0).
_SIGNAL_COUNTS = ("ema_periods", "ema_persist_periods", "exhaustion_settlements")
_SIGNAL_WINDOWS = (
    "deviation_window_h",
    "ema_period_h",
    "spike_window_h",
    "oi_lookback_h",
    "ema_min_history_h",
)
#: Bounds past any useful setting. The engine keeps a ring slot per quarter hour of a
#: window for every market: a year-long window took 900 MB, and 1e300 h overflowed.
MAX_SIGNAL_COUNT = 10_000
MAX_SIGNAL_WINDOW_H = 24.0 * 7


def _signal_keys() -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(SignalConfig))


def _parse_signals(ctx: _Ctx, table: Mapping[str, Any]) -> dict[str, Any]:
    """Rule thresholds: fractions (0.0005 = 0.05 %), hours, counts and seconds."""
    where = "[signals]"
    toasts = parse_toasts(ctx, table)  # which hits raise a toast: not the rules' business
    table = {k: v for k, v in table.items() if k not in TOAST_KEYS}
    ctx.check_keys(where, table, _signal_keys())
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key == "ema_threshold_mode":
            if value not in EMA_MODES:
                modes = " or ".join(f'"{m}"' for m in EMA_MODES)
                raise ctx.error(where, f"{key} must be {modes}, got {_show(value)}")
            out[key] = value
            continue
        if key in _SIGNAL_COUNTS:
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 1 <= value <= MAX_SIGNAL_COUNT
            ):
                raise ctx.error(
                    where,
                    f"{key} must be a whole number from 1 to "
                    f"{MAX_SIGNAL_COUNT:,}, got {_show(value)}",
                )
            out[key] = value
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ctx.error(where, f"{key} must be a number, got {_show(value)}")
        if key in _SIGNAL_WINDOWS:
            if not 0 < value <= MAX_SIGNAL_WINDOW_H:
                raise ctx.error(
                    where,
                    f"{key} must be a number of hours > 0 and at most "
                    f"{MAX_SIGNAL_WINDOW_H:g}, got {_show(value)}",
                )
        elif key == "ema_history_days":
            if not 0 < value <= MAX_EMA_HISTORY_DAYS:
                raise ctx.error(
                    where,
                    f"{key} must be a number of days > 0 and at most "
                    f"{MAX_EMA_HISTORY_DAYS:g}, got {_show(value)}",
                )
        elif key == "ema_percentile":
            if not 0 < value <= 100:
                raise ctx.error(where, f"{key} must be > 0 and at most 100, got {_show(value)}")
        elif key in ("extreme_quantile", "min_coverage"):
            if not 0 <= value <= 1:
                raise ctx.error(where, f"{key} must be between 0 and 1, got {_show(value)}")
        elif value < 0:
            what = "seconds" if key == "cooldown_s" else "a fraction like 0.0005 (0.05 %)"
            raise ctx.error(where, f"{key} must be >= 0 ({what}), got {_show(value)}")
        out[key] = float(value)
    return {"signals": SignalConfig(**out), "toasts": toasts}


def _symbols(ctx: _Ctx, where: str, key: str, value: Any) -> tuple[str, ...]:
    msg = f'{key} must be a list of coin symbols like ["PEPE", "WIF"], got {_show(value)}'
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise ctx.error(where, msg)
    out = []
    for x in value:
        base = normalize_base(x)
        if base is None:
            raise ctx.error(where, f'{key}: {json.dumps(x)} is not a coin symbol like "PEPE"')
        out.append(base)
    return tuple(out)


def _parse_sectors(ctx: _Ctx, table: Mapping[str, Any]) -> dict[str, Any]:
    """Sector overrides: ``Name = ["BASE", ...]`` replaces or adds a sector;
    ``[sectors.bases]`` ``BASE = ["Name", ...]`` sets one base's sectors."""
    sectors: dict[str, tuple[str, ...]] = {}
    bases: dict[str, tuple[str, ...]] = {}
    for key, value in table.items():
        if key == "bases" and isinstance(value, dict):
            where = "[sectors.bases]"
            for raw, names in value.items():
                base = normalize_base(raw)
                if base is None:
                    raise ctx.error(where, f'{json.dumps(raw)} is not a coin symbol like "PEPE"')
                if not isinstance(names, list) or not all(
                    isinstance(n, str) and n.strip() for n in names
                ):
                    raise ctx.error(
                        where,
                        f'{raw} must be a list of sector names like ["Meme"], got {_show(names)}',
                    )
                bases[base] = tuple(" ".join(n.split()) for n in names)
            continue
        name = " ".join(key.split())
        if not name:
            raise ctx.error("[sectors]", "a sector name must not be empty")
        sectors[name] = _symbols(ctx, "[sectors]", json.dumps(key), value)
    return {"sectors": SectorOverrides(sectors, bases)}


def _parse_fees(ctx: _Ctx, table: Mapping[str, Any]) -> dict[str, Any]:
    """Perpetual fee overrides per venue: ``[fees.binance] maker = 0.0002 taker = 0.0004``."""
    out: dict[str, Fees] = {}
    for name, where, section in _venue_tables(ctx, table, "fees"):
        ctx.check_keys(where, section, ("maker", "taker"))
        values = {"maker": perp_fees(name).maker, "taker": perp_fees(name).taker}
        for key, value in section.items():
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or not 0 <= value < 0.01
            ):
                raise ctx.error(
                    where,
                    f"{key} must be a fraction between 0 and 0.01 "
                    f"(0.0005 = 0.05 %), got {_show(value)}",
                )
            values[key] = float(value)
        out[name] = Fees(**values)
    return {"fees": out}


#: The net spread's horizon: an hour at least, a year at most.
NET_HORIZON_H = (1.0, 8760.0)


def _parse_board(ctx: _Ctx, table: Mapping[str, Any]) -> dict[str, Any]:
    """The board: ``net_horizon_hours``, how long a spread trade is held for its net APR."""
    where = "[board]"
    ctx.check_keys(where, table, ("net_horizon_hours",))
    if "net_horizon_hours" not in table:
        return {}
    value = table["net_horizon_hours"]
    lo, hi = NET_HORIZON_H
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not lo <= value <= hi
    ):
        raise ctx.error(
            where,
            f"net_horizon_hours must be a number of hours between {lo:g} and {hi:g}, "
            f"got {_show(value)}",
        )
    return {"net_horizon_hours": float(value)}


def _parse_calculator(ctx: _Ctx, table: Mapping[str, Any]) -> dict[str, Any]:
    where = "[calculator]"
    ctx.check_keys(where, table, ("binance_brackets",))
    value = table.get("binance_brackets")
    if value is None:
        return {}
    if not isinstance(value, str) or not value.strip():
        raise ctx.error(
            where,
            "binance_brackets must be the path of a JSON file in Binance's "
            f"leverageBracket shape, got {_show(value)}",
        )
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = Path(ctx.source).parent / path
    return {"binance_brackets": path}


#: Top-level sections and their parsers. A parser checks its table and returns
#: Config fields. A new section ([signals], [sectors]) is a new Config field
#: plus an entry here; until then such a section is reported as unknown.
SECTIONS: dict[str, Callable[[_Ctx, Mapping[str, Any]], dict[str, Any]]] = {
    "general": _parse_general,
    "exchanges": _parse_exchanges,
    "signals": _parse_signals,
    "sectors": _parse_sectors,
    "fees": _parse_fees,
    "calculator": _parse_calculator,
    "board": _parse_board,
    "alerts": parse_alerts,
}
