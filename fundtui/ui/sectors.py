"""The sector rotation board (``t``): one row per sector, a heat board of funding.

:class:`SectorScreen` shows the engine's :class:`SectorFeed`
(``fundtui.engine.sector_feed``). Enter drills into the board filtered to the
sector's bases (the board's base-set filter, asked for with a ``DrillInto``
message); Escape there comes back to the sector board on the same sector.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from fundtui.core.rotation import (
    CROWDING,
    DIVERGENCE,
    ROTATION_IN,
    UNWINDING,
    SectorStats,
)
from fundtui.engine.sector_feed import SectorFeed
from fundtui.ui.fast_table import cursor_key, order_rows
from fundtui.ui.format import DEFAULT_PALETTE, Palette
from fundtui.ui.messages import DrillInto
from fundtui.ui.safe import plain, visible

__all__ = ["SectorFeed", "SectorScreen", "SectorTable", "sparkline"]

SPARK = "▁▂▃▄▅▆▇█"
TREND_WIDTH = 16


def sparkline(values: Sequence[float], width: int = TREND_WIDTH) -> str:
    """The last ``width`` values as block characters, scaled to their own range."""
    vals = [v for v in values[-width:] if v is not None and math.isfinite(v)]
    if len(vals) < 2:
        return ""
    lo, hi = min(vals), max(vals)
    if hi - lo < 1e-12:
        return SPARK[3] * len(vals)
    top = len(SPARK) - 1
    return "".join(SPARK[round((v - lo) / (hi - lo) * top)] for v in vals)


def _pct(x: float | None, digits: int = 1, sign: bool = False) -> str:
    if x is None:
        return "n/a"
    return f"{x * 100:{'+' if sign else ''}.{digits}f}%"


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
            "n/a" if (v := s.velocity.get(h)) is None else f"{v * 100:+.1f}",
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
        lambda s, f, p: _num("n/a" if s.z is None else f"{s.z:+.1f}", _heat(s.z, p, 1.0, 2.0)),
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
        lambda s, f, p: Text(sparkline(f.series(s.sector)), style=_apr_style(s.apr, f, p)),
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


_LEFT = ("sector", "weights", "state", "trend")


def _cell(col: Column, s: SectorStats, feed: SectorFeed, p: Palette) -> Text:
    """A cell padded to its column's width (numbers on the right)."""
    text = col.render(s, feed, p)
    if len(text) >= col.width:  # never cut: a number must not lose digits
        return text
    if col.key in _LEFT:
        text.pad_right(col.width - len(text))
    else:
        text.pad_left(col.width - len(text))
    return text


def _last_move(series: Sequence[float]) -> float | None:
    return series[-1] - series[0] if len(series) >= 2 else None


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


# --- the table ---------------------------------------------------------------------


class SectorTable(DataTable):
    """Rows keyed by sector name, cells diffed against what is on screen."""

    def __init__(self, feed: SectorFeed, *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", fixed_columns=1, id=id)
        self.feed = feed
        self.palette: Palette = DEFAULT_PALETTE
        self._shown: dict[str, dict[str, Text]] = {}

    def on_mount(self) -> None:
        for col in COLUMNS:
            self.add_column(self._label(col), width=col.width, key=col.key)

    @property
    def selected_sector(self) -> str | None:
        return cursor_key(self)

    def order(self) -> list[str]:
        return [row.key.value for row in self.ordered_rows if row.key.value is not None]

    def _label(self, col: Column) -> Text:
        title = col.title
        if col.key == self.feed.sort_key:
            title += "▼" if self.feed.sort_desc else "▲"
        return Text(title if col.key in _LEFT else title.rjust(col.width))

    def render_sectors(self, cursor_to: str | None = None) -> None:
        """Bring the table in line with the feed; the cursor stays on its sector
        (or moves to ``cursor_to``)."""
        feed, p = self.feed, self.palette
        stats = feed.stats
        keep = cursor_to or self.selected_sector or feed.selected
        with self.app.batch_update():
            for name in [n for n in self._shown if n not in stats]:
                self.remove_row(name)
                del self._shown[name]
            for name, s in stats.items():
                cells = {c.key: _cell(c, s, feed, p) for c in COLUMNS}
                shown = self._shown.get(name)
                if shown is None:
                    self.add_row(*cells.values(), key=name)
                    self._shown[name] = cells
                    continue
                for key, text in cells.items():
                    before = shown[key]
                    if before.plain != text.plain or before.style != text.style:
                        self.update_cell(name, key, text)
                        shown[key] = text
            changed = False
            for col in COLUMNS:
                column = self.columns.get(col.key)  # type: ignore[call-overload]
                label = self._label(col)
                if column is not None and column.label.plain != label.plain:
                    column.label = label
                    changed = True
            if changed:
                self.notify_style_update()
            order = sort_order(stats.values(), feed, feed.sort_key, feed.sort_desc)
            if self.order() != order:  # by row key: a map's name may not read back as itself
                order_rows(self, order)
            if keep in self._shown:
                index = self.get_row_index(keep)
                if index != self.cursor_row:
                    self.move_cursor(row=index, animate=False)

    def sort_by(self, key: str, desc: bool | None = None) -> None:
        self.feed.sort_key = key
        self.feed.sort_desc = COLUMN[key].desc_first if desc is None else desc
        self.render_sectors()

    def cycle_sort(self, step: int) -> None:
        keys = [c.key for c in COLUMNS]
        self.sort_by(keys[(keys.index(self.feed.sort_key) + step) % len(keys)])

    def reverse_sort(self) -> None:
        self.feed.sort_desc = not self.feed.sort_desc
        self.render_sectors()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = event.column_key.value
        if key is None:
            return
        if key == self.feed.sort_key:
            self.reverse_sort()
        else:
            self.sort_by(key)


# --- the screen --------------------------------------------------------------------


class SectorScreen(Screen[None]):
    """The sector rotation board."""

    DEFAULT_CSS = """
    SectorScreen #sector-head { height: 1; background: $panel; padding: 0 1;
                                text-wrap: nowrap; text-overflow: ellipsis; }
    SectorScreen #sector-table { height: 1fr; scrollbar-size-horizontal: 1; }
    SectorScreen #sector-detail { height: 3; padding: 0 1; background: $panel; }
    """

    BINDINGS = [
        Binding("escape,t", "close", "Board"),
        Binding("enter", "drill", "Bases"),
        Binding("s", "sort(1)", "Sort"),
        Binding("S", "sort(-1)", "Sort back", show=False),
        Binding("r", "reverse", "Reverse"),
    ]

    def __init__(self, feed: SectorFeed, palette: Palette = DEFAULT_PALETTE) -> None:
        super().__init__()
        self.feed = feed
        self.palette = palette

    def compose(self) -> ComposeResult:
        yield Static(id="sector-head")
        yield SectorTable(self.feed, id="sector-table")
        yield Static(id="sector-detail")
        yield Footer()

    @property
    def table(self) -> SectorTable:
        return self.query_one(SectorTable)

    def on_mount(self) -> None:
        self.table.palette = self.palette
        self.refresh_board()
        self.table.focus()

    def refresh_board(self) -> None:
        """New data in the feed (a rebuild): redraw, cursor on the same sector."""
        self.table.render_sectors()
        self._show_head()
        self._show_detail()

    def _show_head(self) -> None:
        m, feed = self.feed.sector_map, self.feed
        covered, total = m.coverage(feed.rows)
        params = feed.model.params
        parts = [
            f"Sectors · map {m.as_of or 'undated'}",  # the map is a file: made visible
            f"{covered}/{total} bases in a sector",
            f"APR weighted by open interest (Vol/Eq: fallback) · Δ in APR points · "
            f"extreme |APR| ≥ {params.extreme_apr:.0%}",
        ]
        if not any(v is not None for s in feed.stats.values() for v in s.velocity.values()):
            parts.append("Δ n/a until 1 h of history")
        if feed.warning:
            parts.append(feed.warning)
        self.query_one("#sector-head", Static).update(plain(" · ".join(parts)))

    def _show_detail(self) -> None:
        name = self.table.selected_sector
        s = self.feed.stats.get(name) if name else None
        out = Text()
        if s is not None:
            weights = {
                "oi": "open interest",
                "volume": "24 h volume (no OI for every base)",
                "equal": "equal (no OI or volume for every base)",
            }.get(s.weighting, "-")
            # sector names come from the map file, bases from the venues
            lead = "  ".join(f"{visible(b)} {a * 100:.1f}%" for b, a in s.leading) or "-"
            lag = "  ".join(f"{visible(b)} {a * 100:.1f}%" for b, a in s.lagging) or "-"
            out.append(visible(s.sector), style="bold")
            out.append(f" · {s.count} of {s.members} bases quoted · weights: {weights}\n")
            out.append(f"leading {lead} · lagging {lag}\n")
            out.append(
                visible(s.explanation), style=self.palette.hot if s.state else self.palette.flat
            )
        self.query_one("#sector-detail", Static).update(out)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.feed.selected = event.row_key.value
        self._show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_drill()

    def action_sort(self, step: int) -> None:
        self.table.cycle_sort(step)

    def action_reverse(self) -> None:
        self.table.reverse_sort()

    def action_close(self) -> None:
        self.dismiss()

    def action_drill(self) -> None:
        name = self.table.selected_sector
        if name is None:
            return
        self.feed.selected = name
        self.app.post_message(DrillInto(name))
