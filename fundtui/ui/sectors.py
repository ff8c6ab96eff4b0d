"""The sector rotation board (``t``): one row per sector, a heat board of funding.

:class:`SectorScreen` shows the engine's :class:`SectorFeed`
(``fundtui.engine.sector_feed``). Enter drills into the board filtered to the
sector's bases (the board's base-set filter, asked for with a ``DrillInto``
message); Escape there comes back to the sector board on the same sector.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from fundtui.core.numbers import fixed
from fundtui.engine.sector_feed import SectorFeed
from fundtui.ui.fast_table import cursor_key, order_rows
from fundtui.ui.format import DEFAULT_PALETTE, Palette
from fundtui.ui.messages import DrillInto
from fundtui.ui.row_table import RowTable
from fundtui.ui.safe import plain, visible
from fundtui.ui.sector_columns import (
    COLUMN,
    COLUMNS,
    LEFT,
    Column,
    cell,
    sort_order,
    velocity_note,
)

__all__ = ["SectorFeed", "SectorScreen", "SectorTable"]

# --- the table ---------------------------------------------------------------------


class SectorTable(RowTable):
    """Rows keyed by sector name, cells diffed against what is on screen; Home/End
    go to the first and last sector, a new sort shows the top of its order."""

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
        return Text(title if col.key in LEFT else title.rjust(col.width))

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
                cells = {c.key: cell(c, s, feed, p) for c in COLUMNS}
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
        self.show_top()

    def cycle_sort(self, step: int) -> None:
        keys = [c.key for c in COLUMNS]
        self.sort_by(keys[(keys.index(self.feed.sort_key) + step) % len(keys)])

    def reverse_sort(self) -> None:
        self.feed.sort_desc = not self.feed.sort_desc
        self.render_sectors()
        self.show_top()

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

    #: The palette finds a coin or a sector by name here (ui/palette.py).

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
        if note := velocity_note(feed):  # when the Δ columns get their figures
            parts.append(note)
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
            lead = "  ".join(f"{visible(b)} {fixed(a, 1, shift=2)}%" for b, a in s.leading) or "-"
            lag = "  ".join(f"{visible(b)} {fixed(a, 1, shift=2)}%" for b, a in s.lagging) or "-"
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
