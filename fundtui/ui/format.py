"""Cell text for the board: numbers as strings, and the colours they get.

Pure apart from the palette, which is built from the active theme's colours so
every theme keeps the same meaning: positive funding (longs pay shorts) in the
theme's success colour, negative (shorts pay longs) in its error colour, brighter
and bolder the larger the 8h-equivalent rate. Stale data is grey, italic and
prefixed ``~`` so it can never pass for live in any terminal, colour or not.

Rates are written by ``fundtui.core.rate_text`` (at least three significant
digits, rounded half away from zero); a cell never grows past its column: when the
stale mark, a sign and the interval suffix leave no room, a small rate gives back
decimals it took beyond the usual four (never fewer than those).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from rich.style import Style
from rich.text import Text
from textual.color import Color

from fundtui.core.net_spread import NetSpread
from fundtui.core.numbers import fixed
from fundtui.core.quote import Quote
from fundtui.core.rate_text import RATE_LEAST, apr_decimals, rate_decimals
from fundtui.core.rate_text import apr_pct as apr_pct  # the board's views write with these too
from fundtui.core.rate_text import pct as pct
from fundtui.core.rate_text import signed_pct as signed_pct
from fundtui.core.spread import Spread
from fundtui.core.text import visible
from fundtui.core.timefmt import countdown
from fundtui.core.trend import sparkline
from fundtui.core.venues import VENUES
from fundtui.core.venues import code as venue_code


class Unit(Enum):
    RAW = "raw"  # the venue's own rate per its funding interval
    H8 = "8h"  # 8h-equivalent
    APR = "apr"  # simple annualized

    @property
    def label(self) -> str:
        return {"raw": "per interval", "8h": "8h-equivalent", "apr": "APR"}[self.value]

    def next(self) -> Unit:
        units = list(Unit)
        return units[(units.index(self) + 1) % len(units)]


#: |8h-equivalent rate| thresholds for colour intensity. 0.01 %/8h is the common
#: baseline rate; 0.05 %/8h (about 55 % APR) is rich.
FLAT_8H = 0.000005
ELEVATED_8H = 0.0001
EXTREME_8H = 0.0005

STALE_MARK = "~"
EMPTY = Text("")

#: Short venue codes for the spread legs column (the venue columns use full names).
VENUE_CODES = {name: row.code for name, row in VENUES.items()}


@dataclass(frozen=True, slots=True)
class Palette:
    pos: tuple[Style, Style, Style]  # normal, elevated, extreme
    neg: tuple[Style, Style, Style]
    flat: Style
    muted: Style
    stale: Style
    warn: Style
    hot: Style  # a spread worth looking at
    watch: Style

    @classmethod
    def from_variables(cls, v: Mapping[str, str]) -> Palette:
        bg = Color.parse(v.get("background", "#000000"))

        def c(name: str, fallback: str) -> str:
            try:
                color = Color.parse(v.get(name, fallback))
            except Exception:  # "auto 60%" style values do not parse to one colour
                color = Color.parse(fallback)
            return (bg + color).hex6  # flatten any alpha against the background

        fg, bg_hex = c("foreground", "#e0e0e0"), bg.hex6
        muted = (bg + Color.parse(fg).with_alpha(0.45)).hex6
        success, error = c("success", "#4ebf71"), c("error", "#b93c5b")
        return cls(
            pos=(
                Style(color=success),
                Style(color=c("text-success", success), bold=True),
                Style(color=bg_hex, bgcolor=success, bold=True),
            ),
            neg=(
                Style(color=error),
                Style(color=c("text-error", error), bold=True),
                Style(color=bg_hex, bgcolor=error, bold=True),
            ),
            flat=Style(color=(bg + Color.parse(fg).with_alpha(0.7)).hex6),
            muted=Style(color=muted),
            stale=Style(color=muted, italic=True),
            warn=Style(color=c("warning", "#fea62b"), bold=True),
            hot=Style(color=c("accent", "#fea62b"), bold=True),
            watch=Style(color=c("warning", "#fea62b")),
        )


DEFAULT_PALETTE = Palette.from_variables({})


#: Widths of the columns that show rates (ui.columns), which a cell never exceeds.
RATE_WIDTH = 12
SPREAD_WIDTH = 9
VELOCITY_WIDTH = 9
PREMIUM_WIDTH = 8
NET_WIDTH = 9


def fitted_rate(x: float, unit: Unit, room: int, sign: bool = False) -> str:
    """``x`` written for ``unit`` (a rate, or an APR) in at most ``room`` characters
    when its extra decimals can be given back; never fewer decimals than usual."""
    if unit is Unit.APR:
        d, least = apr_decimals(x), 2
    else:
        d, least = rate_decimals(x), RATE_LEAST
    text = _written(x, d, sign)
    over = len(text) - room
    if over > 0 and d > least:
        return _written(x, max(least, d - over), sign)
    return text


def _written(x: float, decimals: int, sign: bool) -> str:
    text = fixed(x, decimals, shift=2) + "%"
    return "+" + text if sign and text[0] != "-" else text


def interval_suffix(interval_h: float | None) -> str:
    if interval_h is None:
        return "·?h"
    return "" if interval_h == 8 else f"·{interval_h:g}h"


def rate_style(rate_8h: float, p: Palette) -> Style:
    a = abs(rate_8h)
    if a < FLAT_8H:
        return p.flat
    tiers = p.pos if rate_8h > 0 else p.neg
    return tiers[0] if a <= ELEVATED_8H else tiers[1] if a <= EXTREME_8H else tiers[2]


def rate_value(q: Quote, unit: Unit) -> float | None:
    """The number shown for ``q`` in ``unit`` (a fraction), None when unknown."""
    if unit is Unit.RAW:
        return q.funding_rate
    return q.rate_8h if unit is Unit.H8 else q.apr


def rate_cell(
    q: Quote | None, unit: Unit, p: Palette, stale: bool = False, width: int = RATE_WIDTH
) -> Text:
    """One venue's rate, e.g. ``0.0100%``, ``0.00125%·1h``; ``~`` and grey when stale."""
    if q is None:
        return EMPTY
    value = rate_value(q, unit)
    suffix = interval_suffix(q.interval_hours)
    if value is None:  # listed, but no usable rate or interval
        return Text("?" + suffix, style=p.stale if stale else p.warn, justify="right")
    number = fitted_rate(value, unit, width - len(suffix) - stale)
    if stale:
        return Text(STALE_MARK + number + suffix, style=p.stale, justify="right")
    r8 = q.rate_8h
    style = rate_style(r8, p) if r8 is not None else p.warn
    return Text.assemble((number, style), (suffix, p.muted), justify="right")


def spread_value_cell(
    spread: Spread | None, unit: Unit, p: Palette, width: int = SPREAD_WIDTH
) -> Text:
    if spread is None:
        return EMPTY
    s = spread.spread_8h
    text = fitted_rate(spread.apr if unit is Unit.APR else s, unit, width)
    style = p.muted if s < ELEVATED_8H else p.hot if s >= EXTREME_8H else Style()
    return Text(text, style=style, justify="right")


def legs_cell(spread: Spread | None, p: Palette) -> Text:
    """``L OKX  S GATE``: go long on the lowest-rate venue, short on the highest."""
    if spread is None:
        return EMPTY
    return Text.assemble(
        ("L ", p.muted),
        f"{venue_code(spread.long_venue):<5}",
        ("S ", p.muted),
        venue_code(spread.short_venue),
    )


def net_cell(net: NetSpread | None, p: Palette) -> Text:
    """The spread's APR after fees over the horizon: ``7.30%``; muted when fees eat it."""
    if net is None:
        return EMPTY
    style = p.muted if net.net_apr <= 0 else p.pos[0]
    return Text(fitted_rate(net.net_apr, Unit.APR, NET_WIDTH), style=style, justify="right")


def break_even_cell(net: NetSpread | None, p: Palette) -> Text:
    """Hours of today's spread that pay both legs' fees: ``56h``, ``9.5h``, ``12d``."""
    if net is None:
        return EMPTY
    h = net.break_even_h
    style = p.muted if h is None or h > net.horizon_h else Style()
    return Text(hours_text(h), style=style, justify="right")


def hours_text(h: float | None) -> str:
    """A duration in hours, short: ``9.5h`` under 10 h, ``56h`` under 100 days
    (2,400 h shows as ``100d``), ``never`` for none."""
    if h is None:
        return "never"
    if h < 10:
        return fixed(h, 1) + "h"
    if h < 100:
        return fixed(h, 0) + "h"
    days = h / 24
    return fixed(days, 0) + "d" if days < 1000 else ">999d"


def premium_cell(premium: float | None, p: Palette) -> Text:
    if premium is None:
        return EMPTY
    style = p.flat if abs(premium) < 0.00005 else p.pos[0] if premium > 0 else p.neg[0]
    text = fitted_rate(premium, Unit.H8, PREMIUM_WIDTH, sign=True)
    return Text(text, style=style, justify="right")


#: The trend column draws at least this range (0.005 %/8h, about 5.5 % APR) from
#: bottom to top, so a spread wobbling in its fifth decimal reads as flat.
TREND_MIN_SPAN_8H = 0.00005


def trend_cell(values: tuple[float | None, ...], width: int, p: Palette) -> Text:
    """The spread's recent path as blocks, scaled to its own range; bright when the
    latest spread is rich."""
    if not values:
        return EMPTY
    last = next((v for v in reversed(values) if v is not None), None)
    style = p.hot if last is not None and last >= EXTREME_8H else p.muted
    return Text(sparkline(values, width, TREND_MIN_SPAN_8H), style=style, justify="right")


def velocity_cell(velocity: float | None, p: Palette, width: int = VELOCITY_WIDTH) -> Text:
    """8h-equivalent change per hour, e.g. ``+0.0021%``, ``-0.00125%``; flat moves muted;
    ``n/a`` until the market has been watched for the velocity's lookback."""
    if velocity is None:
        return Text("n/a", style=p.muted, justify="right")
    style = p.flat if abs(velocity) < FLAT_8H else p.pos[0] if velocity > 0 else p.neg[0]
    return Text(fitted_rate(velocity, Unit.H8, width, sign=True), style=style, justify="right")


#: Under this, the countdown shows seconds (and ticks every second); above it,
#: whole minutes. Any changed cell makes the table repaint every visible cell, and
#: hourly venues settle every hour, so seconds are kept to the last minute.
SECONDS_UNDER_MS = 60_000


def countdown_changes_at(next_ms: int | None, now_ms: int) -> int | None:
    """When the countdown text for ``next_ms`` next changes (None: never).

    Whole minutes (rounded down) until the last SECONDS_UNDER_MS, then whole
    seconds (rounded up); the text changes as the time left drops below a whole
    minute, or through a whole second.
    """
    if next_ms is None:
        return None
    left = next_ms - now_ms
    if left <= 0:
        return None
    if left < SECONDS_UNDER_MS:
        return now_ms + (left % 1000 or 1000)
    return now_ms + left % 60_000 + 1


def countdown_cell(next_ms: int | None, now_ms: int, p: Palette) -> Text:
    if next_ms is None:
        return EMPTY
    left = next_ms - now_ms
    style = p.warn if left < SECONDS_UNDER_MS else Style()
    return Text(countdown(next_ms, now_ms, SECONDS_UNDER_MS), style=style, justify="right")


def base_cell(base: str, watched: bool, p: Palette) -> Text:
    """The base as the venue spelled it, hidden characters spelled out (a symbol is
    venue text: it may hold ESC, BEL, bidi overrides...)."""
    if watched:
        return Text.assemble(("★ ", p.watch), visible(base))
    return Text("  " + visible(base))


def same(a: Text, b: Text) -> bool:
    """Equal text and styling (``Text.__eq__`` ignores the base style)."""
    return (
        a.plain == b.plain and a.style == b.style and a.spans == b.spans and a.justify == b.justify
    )
