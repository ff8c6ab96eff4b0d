"""The sector board's columns: what each shows, how it is coloured and sorted.

One :class:`Column` per column of the sector rotation board (``ui/sectors.py``):
its header, width, the value it sorts by and the cell it renders from a
sector's :class:`~fundtui.core.rotation.SectorStats` and the engine's
:class:`~fundtui.engine.sector_feed.SectorFeed`. A missing figure is ``n/a``
and sorts last either way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text

from fundtui.core.numbers import fixed
from fundtui.core.rotation import (
    CROWDING,
    DIVERGENCE,
    HOUR_MS,
    ROTATION_IN,
    UNWINDING,
    SectorStats,
)
from fundtui.core.timefmt import clock_utc, utc
from fundtui.engine.sector_feed import SectorFeed
from fundtui.ui.format import Palette
from fundtui.ui.safe import plain

SPARK = "▁▂▃▄▅▆▇█"
TREND_WIDTH = 16
#: The Trend column draws from this many points on (two points are one bar high and
#: one low whatever they are: a ``▁█`` that says nothing) ...
TREND_MIN_POINTS = 4
#: ... and over at least this much APR (1 point of APR), so noise is not a full swing.
TREND_MIN_SPAN = 0.01
VELOCITY_HOURS = (1, 8, 24)


def sparkline(
    values: Sequence[float], width: int = TREND_WIDTH, min_points: int = 2, min_span: float = 0.0
) -> str:
    """The last ``width`` values as block characters, scaled to their own range (but
    over at least ``min_span``, centred); empty below ``min_points`` values."""
    vals = [v for v in values[-width:] if v is not None and math.isfinite(v)]
    if len(vals) < max(2, min_points):
        return ""
    lo, hi = min(vals), max(vals)
    if hi - lo < 1e-12:
        return SPARK[3] * len(vals)
    if hi - lo < min_span:
        lo -= (min_span - (hi - lo)) / 2
        hi = lo + min_span
    top = len(SPARK) - 1
    return "".join(SPARK[round((v - lo) / (hi - lo) * top)] for v in vals)


def trend(series: Sequence[float]) -> str:
    """The Trend column's sparkline (``TREND_MIN_POINTS``, ``TREND_MIN_SPAN``)."""
    return sparkline(series, TREND_WIDTH, TREND_MIN_POINTS, TREND_MIN_SPAN)


def history_start_ms(feed: SectorFeed) -> int | None:
    """When the sector history began (its oldest snapshot), or None before any."""
    snaps = getattr(feed.model.history, "_snaps", None)  # no public accessor yet
    return int(snaps[0][1]) if snaps else None


def velocity_note(feed: SectorFeed) -> str | None:
    """When the Δ columns that still read ``n/a`` get figures: each needs that much
    history (``Δ1h at 07:42Z``); None once every one has some."""
    have = {h for s in feed.stats.values() for h, v in s.velocity.items() if v is not None}
    waiting = [h for h in VELOCITY_HOURS if h not in have]
    if not waiting or not feed.stats:
        return None
    start = history_start_ms(feed)
    if start is None:
        return "Δ n/a until 1 h of history"
    when = ", ".join(
        f"Δ{h}h at "
        + (
            clock_utc(start + h * HOUR_MS)
            if h < 24
            else utc(start + h * HOUR_MS).strftime("%m-%d %H:%MZ")
        )
        for h in waiting
    )
    return f"velocity after 1/8/24 h of history: {when}"


def _pct(x: float | None, digits: int = 1, sign: bool = False) -> str:
    if x is None:
        return "n/a"
    text = fixed(x, digits, shift=2) + "%"
    return "+" + text if sign and text[0] != "-" else text


def _signed(text: str) -> str:
    return text if text[0] == "-" else "+" + text


# --- columns ---------------------------------------------------------------------
# In order of what matters at 80 columns: funding, its moves, price, z, state, trend.

_WEIGHT = {"oi": "OI", "volume": "Vol", "equal": "Eq", "": ""}


def _state_style(state: str | None, p: Palette) -> Style:
    if state == CROWDING:
        return p.hot
    if state == UNWINDING:
        return p.neg[1]
    if state == ROTATION_IN:
        return p.pos[1]
    if state == DIVERGENCE:
        return p.warn
    return p.muted


def _heat(x: float | None, p: Palette, elevated: float, extreme: float) -> Style:
    if x is None:
        return p.muted
    tier = 2 if abs(x) >= extreme else 1 if abs(x) >= elevated else 0
    if abs(x) < 1e-12:
        return p.flat
    return (p.pos if x > 0 else p.neg)[tier]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int
    value: Callable[[SectorStats, SectorFeed], float | str | None]
    render: Callable[[SectorStats, SectorFeed, Palette], Text]
    desc_first: bool = True


def _num(text: str, style: Style | str = "") -> Text:
    return Text(text, style=style, justify="right")


def _velocity(h: int) -> Column:
    return Column(
        f"d{h}",
        f"Δ{h}h",
        7,
        lambda s, f: s.velocity.get(h),
        lambda s, f, p: _num(
            "n/a" if (v := s.velocity.get(h)) is None else _signed(fixed(v, 1, shift=2)),
            p.muted if v is None else _heat(v, p, 0.05, 0.20),
        ),
    )


def _apr_style(x: float | None, f: SectorFeed, p: Palette) -> Style:
    return _heat(x, p, 0.20, f.model.params.extreme_apr)


COLUMNS: tuple[Column, ...] = (
    Column(
        "sector",
        "Sector",
        15,
        lambda s, f: s.sector.casefold(),
        lambda s, f, p: plain(s.sector, style="bold" if s.state else ""),
        desc_first=False,
    ),
    Column(
        "apr",
        "APR",
        8,
        lambda s, f: s.apr,
        lambda s, f, p: _num(_pct(s.apr), _apr_style(s.apr, f, p)),
    ),
    _velocity(1),
    _velocity(8),
    _velocity(24),
    Column(
        "price",
        "Px 24h",
        7,
        lambda s, f: s.price_change,
        lambda s, f, p: _num(_pct(s.price_change, sign=True), _heat(s.price_change, p, 0.03, 0.10)),
    ),
    Column(
        "z",
        "z",
        5,
        lambda s, f: s.z,
        lambda s, f, p: _num(
            "n/a" if s.z is None else _signed(fixed(s.z, 1)), _heat(s.z, p, 1.0, 2.0)
        ),
    ),
    Column(
        "state",
        "State",
        11,
        lambda s, f: s.state or "",
        lambda s, f, p: Text(s.state or "", style=_state_style(s.state, p)),
    ),
    Column(
        "trend",
        "Trend (APR)",
        TREND_WIDTH,
        lambda s, f: _last_move(f.series(s.sector)),
        lambda s, f, p: Text(trend(f.series(s.sector)), style=_apr_style(s.apr, f, p)),
    ),
    Column(
        "median",
        "Median",
        8,
        lambda s, f: s.median_apr,
        lambda s, f, p: _num(_pct(s.median_apr), _apr_style(s.median_apr, f, p)),
    ),
    Column(
        "bases",
        "Bases",
        7,
        lambda s, f: s.count,
        lambda s, f, p: _num(f"{s.count}/{s.members}", p.flat if s.count else p.muted),
    ),
    Column(
        "extreme",
        "Ext",
        3,
        lambda s, f: s.extreme,
        lambda s, f, p: _num(str(s.extreme) if s.extreme else "", p.warn if s.extreme else p.muted),
    ),
    Column(
        "weights",
        "Wt",
        3,
        lambda s, f: s.weighting,
        lambda s, f, p: Text(
            _WEIGHT.get(s.weighting, "?"), style=p.flat if s.weighting == "oi" else p.warn
        ),
    ),
)
COLUMN = {c.key: c for c in COLUMNS}


LEFT = ("sector", "weights", "state", "trend")


def cell(col: Column, s: SectorStats, feed: SectorFeed, p: Palette) -> Text:
    """A cell padded to its column's width (numbers on the right)."""
    text = col.render(s, feed, p)
    if len(text) >= col.width:  # never cut: a number must not lose digits
        return text
    if col.key in LEFT:
        text.pad_right(col.width - len(text))
    else:
        text.pad_left(col.width - len(text))
    return text


def _last_move(series: Sequence[float]) -> float | None:
    return series[-1] - series[0] if len(series) >= TREND_MIN_POINTS else None


def sort_order(stats: Iterable[SectorStats], feed: SectorFeed, key: str, desc: bool) -> list[str]:
    """Sector names in display order; a missing value ("n/a") is last either way."""
    col = COLUMN[key]
    have, missing = [], []
    for s in stats:
        v = col.value(s, feed)
        (missing if v is None else have).append((v, s.sector))
    have.sort(key=lambda x: (x[0], x[1].casefold()), reverse=desc)
    missing.sort(key=lambda x: x[1].casefold())
    return [name for _, name in have + missing]
