"""The board's columns: title, fixed width, how to render a cell and sort by it."""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text

from fundtui.core.board import BoardRow
from fundtui.core.net_spread import DEFAULT_HORIZON_H
from fundtui.ui import format as fmt
from fundtui.ui.format import Palette, Unit


@dataclass(frozen=True, slots=True)
class Ctx:
    """Everything a cell depends on besides its row."""

    unit: Unit
    palette: Palette
    now_ms: int
    watched: Container[str]
    stale: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    key: str
    title: Callable[[Unit], str]
    width: int
    render: Callable[[BoardRow, Ctx], Text]
    sort_value: Callable[[BoardRow, Ctx], Any]  # None sorts last in either direction
    desc_first: bool = True  # direction the first time the column is chosen
    ticking: bool = False  # its text changes with the clock alone
    venue: str | None = None


def _base() -> ColumnSpec:
    return ColumnSpec(
        "base",
        lambda u: "Base",
        11,
        lambda r, c: fmt.base_cell(r.base, r.base in c.watched, c.palette),
        lambda r, c: r.base,
        desc_first=False,
    )


def _spread() -> ColumnSpec:
    return ColumnSpec(
        "spread",
        lambda u: "Sprd APR" if u is Unit.APR else "Sprd 8h",
        9,
        lambda r, c: fmt.spread_value_cell(r.spread, c.unit, c.palette),
        lambda r, c: r.spread.spread_8h if r.spread else None,
    )


def _net(horizon_h: float) -> ColumnSpec:
    return ColumnSpec(
        "net",
        lambda u: f"Net {horizon_h:g}h",
        9,
        lambda r, c: fmt.net_cell(r.net, c.palette),
        lambda r, c: r.net.net_apr if r.net else None,
    )


def _break_even() -> ColumnSpec:
    return ColumnSpec(
        "breakeven",
        lambda u: "B/E",
        6,
        lambda r, c: fmt.break_even_cell(r.net, c.palette),
        lambda r, c: r.net.break_even_h if r.net else None,
        desc_first=False,
    )


def _legs() -> ColumnSpec:
    return ColumnSpec(
        "legs",
        lambda u: "Long/Short",
        13,
        lambda r, c: fmt.legs_cell(r.spread, c.palette),
        lambda r, c: (
            (fmt.venue_code(r.spread.long_venue), fmt.venue_code(r.spread.short_venue))
            if r.spread
            else None
        ),
        desc_first=False,
    )


#: Refreshes shown by the trend column (one character each).
TREND_WIDTH = 10


def _trend() -> ColumnSpec:
    return ColumnSpec(
        "trend",
        lambda u: "Trend",
        TREND_WIDTH,
        lambda r, c: fmt.trend_cell(r.trend, TREND_WIDTH, c.palette),
        lambda r, c: _trend_change(r.trend),
    )


def _trend_change(values: tuple[float | None, ...]) -> float | None:
    """Sorts by how much the spread moved across the line: last minus first present."""
    present = [v for v in values if v is not None]
    return present[-1] - present[0] if len(present) >= 2 else None


def _velocity() -> ColumnSpec:
    return ColumnSpec(
        "velocity",
        lambda u: "Δ8h/h",
        9,
        lambda r, c: fmt.velocity_cell(r.velocity, c.palette),
        lambda r, c: r.velocity,
    )


def _next() -> ColumnSpec:
    return ColumnSpec(
        "next",
        lambda u: "Next",
        6,
        lambda r, c: fmt.countdown_cell(r.next_funding_ms(c.now_ms), c.now_ms, c.palette),
        lambda r, c: r.next_funding_ms(c.now_ms),
        desc_first=False,
        ticking=True,
    )


def _venue(venue: str) -> ColumnSpec:
    def render(r: BoardRow, c: Ctx) -> Text:
        return fmt.rate_cell(r.quotes.get(venue), c.unit, c.palette, venue in r.stale)

    def sort_value(r: BoardRow, c: Ctx) -> float | None:
        q = r.quotes.get(venue)
        if q is None or venue in r.stale:  # old data never sorts to the top
            return None
        return fmt.rate_value(q, c.unit)

    return ColumnSpec(f"v:{venue}", lambda u: venue, 12, render, sort_value, venue=venue)


def _premium() -> ColumnSpec:
    return ColumnSpec(
        "premium",
        lambda u: "Premium",
        8,
        lambda r, c: fmt.premium_cell(r.premium, c.palette),
        lambda r, c: r.premium,
    )


def board_columns(
    venues: Sequence[str], net_horizon_h: float = DEFAULT_HORIZON_H
) -> list[ColumnSpec]:
    """Base first (fixed while scrolling), the spread, what it nets and its trend next
    so they show at 80 columns."""
    return [
        _base(),
        _spread(),
        _net(net_horizon_h),
        _trend(),
        _legs(),
        _break_even(),
        _next(),
        *(_venue(v) for v in venues),
        _velocity(),
        _premium(),
    ]


def sort_order(rows: Sequence[BoardRow], spec: ColumnSpec, desc: bool, ctx: Ctx) -> list[str]:
    """Bases in display order: by ``spec``, ties by base, missing values last."""
    keyed = [(spec.sort_value(r, ctx), r.base) for r in sorted(rows, key=lambda r: r.base)]
    present = [(v, b) for v, b in keyed if v is not None]
    present.sort(key=lambda vb: vb[0], reverse=desc)  # stable: ties stay by base
    return [b for _, b in present] + [b for v, b in keyed if v is None]
