"""The commented config that ``fundtui config init`` writes."""

from __future__ import annotations

import dataclasses
import json

from fundtui.config.alerts import alerts_template_text
from fundtui.config.model import (
    DEFAULT_REFRESH_S,
    MAX_REFRESH_S,
    MIN_REFRESH_S,
    SUPPORTED_VENUES,
)
from fundtui.core.net_spread import DEFAULT_HORIZON_H
from fundtui.core.signal_types import SignalConfig


def _signals_text() -> str:
    return "\n".join(
        f"# {f.name} = {json.dumps(getattr(SignalConfig(), f.name))}"
        for f in dataclasses.fields(SignalConfig)
    )


def default_config_text() -> str:
    """The commented config that ``fundtui config init`` writes; it loads as the defaults."""
    venues = ", ".join(json.dumps(v) for v in SUPPORTED_VENUES)
    return f"""\
# fundtui configuration.
# Every key is optional; a missing key keeps the default shown here.

[general]
# Venues to poll, in column order. Besides these six, any ccxt exchange id works
# (best effort: the six above have dedicated, tested handling).
exchanges = [{venues}]

# Seconds between polls of each venue ({MIN_REFRESH_S:g} to {MAX_REFRESH_S:g}).
refresh_seconds = {DEFAULT_REFRESH_S:g}

# Ring the terminal bell when a signal fires (signals always raise a toast and
# are appended to the signals log in the data folder).
bell = false

# The colours: fundtui-dark (the default), fundtui-light, fundtui-high-contrast,
# fundtui-colourblind (blue/orange for the sign of funding), a theme file of your
# own in the themes folder beside this file (by its name), or a file's path.
# Without it, the theme last chosen in the command palette (ctrl+p) is used.
# theme = "fundtui-dark"

# Per-venue settings, one table per venue. A venue configured here is still
# polled only when it is listed in [general] exchanges.
#
# [exchanges.binance]
# enabled = true                         # false: keep listed but do not poll
# api_base = "http://127.0.0.1:18100"    # replaces scheme and host of REST URLs
# proxy = "socks5://127.0.0.1:1080"      # http://, https:// or socks5://

# Sectors for the sector board (t): a list replaces that sector's bases or adds a
# new sector (an empty list removes it); [sectors.bases] sets one coin's sectors.
#
# [sectors]
# Meme = ["DOGE", "PEPE", "WIF", "BONK"]
# "My basket" = ["ENA", "ETHFI", "PENDLE"]
#
# [sectors.bases]
# HYPE = ["DEX", "L1"]

# The board's net spread column: the spread's APR after both legs' taker fees in
# and out, spread over this many hours of holding (1 to 8760).
#
# [board]
# net_horizon_hours = {DEFAULT_HORIZON_H:g}

# Calculator (c) and the board's net spread: trading fees per venue as fractions
# (default: each venue's public base tier), and a Binance brackets file (its
# leverageBracket answer, which needs an API key) to use instead of the bundled one.
#
# [fees.binance]
# maker = 0.0002
# taker = 0.0005
#
# [calculator]
# binance_brackets = "binance_brackets.json"    # relative to this file

{alerts_template_text()}
# Signal thresholds (uncomment to change). Rates are fractions (0.0005 = 0.05 %),
# per 8 h unless the key says hourly; windows in hours (ema_history_days in days);
# cooldown in seconds per rule, base and venue. A windowed rule fires once its data
# covers min_coverage of its window. ema_threshold_mode: "historical" (beyond the
# ema_percentile of the market's own divergence) or "fixed" (ema_divergence_hourly).
#
# [signals]
{_signals_text()}
# toast_min_apr = 0.5          # spread hits toast from this APR up (0.5: 50 %)
#
# [signals.toast]              # which hits raise a toast (all are on the g screen)
# spread = true
# oi_regime = true
# exhaustion = true
# sector = true
# deviation = false
# ema_divergence = false
# spike = false
# implied = false"""
