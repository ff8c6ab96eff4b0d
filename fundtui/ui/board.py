"""The funding board: a DataTable kept in step with the data by diffing.

Every change (new data, a clock tick, a unit/sort/filter/watchlist change) goes
through ``render_board``: it computes each visible cell, touches only the cells
whose text or style changed, adds and removes rows by base, re-sorts in place,
and puts the cursor back on the base it was on, all in one batch update. A new
sort (``s``, ``S``, ``r``, a header click) shows the top of the new order instead.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable

from fundtui.core.board import BoardRow
from fundtui.core.net_spread import DEFAULT_HORIZON_H
from fundtui.core.quote import Quote
from fundtui.ui import format as fmt
from fundtui.ui import safe
from fundtui.ui.columns import ColumnSpec, Ctx, board_columns, sort_order
from fundtui.ui.fast_table import FastTable, cursor_key
from fundtui.ui.format import DEFAULT_PALETTE, Palette, Unit


def _rate_shown(q: Quote | None) -> tuple[float | None, float | None] | None:
    """What a venue cell shows of its quote. Venues stamp every answer afresh and
    move mark and index constantly; the cell depends on the rate and interval only."""
    return None if q is None else (q.funding_rate, q.interval_hours)


def _shows(row: BoardRow) -> tuple:
    """What a row's cells show, besides the view and the clock."""
    return (
        tuple((v, _rate_shown(q)) for v, q in row.quotes.items()),
        row.stale,
        row.spread,
        row.premium,
        row.trend,
        row.velocity,
        row.net,
    )


#: What each non-venue column shows of a row; a column not listed (the countdown)
#: is redrawn whenever its row changed.
_SHOWN_PART = {
    "base": lambda r: r.base,
    "spread": lambda r: r.spread,
    "legs": lambda r: r.spread,
    "trend": lambda r: r.trend,
    "velocity": lambda r: r.velocity,
    "premium": lambda r: r.premium,
    "net": lambda r: r.net,
    "breakeven": lambda r: r.net,
}


def _cell_changed(spec: ColumnSpec, before: BoardRow, row: BoardRow) -> bool:
    """Whether ``spec``'s cell can differ between two versions of a row (same view).
    The trend moves every refresh while most rates do not: redrawing only what moved
    keeps a refresh to the cells that changed."""
    if spec.venue is not None:
        return _rate_shown(before.quotes.get(spec.venue)) != _rate_shown(row.quotes.get(spec.venue))
    part = _SHOWN_PART.get(spec.key)
    return part is None or part(before) != part(row)


#: Columns whose off-screen cells are drawn only once they scroll into view: the
#: trend line moves on every row each refresh, and a DataTable cell update costs
#: the same whether or not the row is on screen.
DEFERRED = frozenset({"trend"})


class BoardTable(FastTable):
    """Rows keyed by base; columns keyed as in ``columns.board_columns``. The cell
    caches, batched updates and deferred cells are FastTable's (ui/fast_table.py)."""

    #: Enter opens the row's detail view: shown first in the footer (DataTable binds
    #: it too, unshown).
    BINDINGS = [Binding("enter", "select_cursor", "Detail")]

    class ViewChanged(Message):
        """Unit, sort, filter or watchlist view changed (the top bar shows them)."""

    def __init__(
        self,
        venues: list[str],
        *,
        net_horizon_h: float = DEFAULT_HORIZON_H,
        id: str | None = None,
    ) -> None:
        super().__init__(cursor_type="row", fixed_columns=1, id=id)
        self.specs: list[ColumnSpec] = board_columns(venues, net_horizon_h)
        self._spec = {s.key: s for s in self.specs}
        self.unit = Unit.H8
        self.sort_key = "spread"
        self.sort_desc = True
        self.filter_text = ""
        self.watch_only = False
        self.base_filter: frozenset[str] | None = None  # one sector's bases (sector board)
        self.base_filter_label = ""
        self.watched: Collection[str] = frozenset()
        self.palette: Palette = DEFAULT_PALETTE
        self.stale: frozenset[str] = frozenset()
        self.now_ms = 0
        self._rows: Mapping[str, BoardRow] = {}
        self._shown: dict[str, dict[str, Text]] = {}  # base -> column key -> cell on screen
        self._drawn: dict[str, BoardRow] = {}  # base -> the row its cells were last drawn from
        self._drawn_view: tuple | None = None  # what besides the row the cells depend on
        self._ticking = [s for s in self.specs if s.ticking]
        self._next_change_ms: int | None = None  # earliest a countdown cell can change
        self._to_top = False  # a new sort: show the top of the new order

    def on_mount(self) -> None:
        for spec in self.specs:
            self.add_column(self._label(spec), width=spec.width, key=spec.key)

    # --- what the app calls -------------------------------------------------

    @property
    def total_count(self) -> int:
        return len(self._rows)

    @property
    def selected_base(self) -> str | None:
        return cursor_key(self)

    def set_rows(
        self, rows: Mapping[str, BoardRow], now_ms: int, stale: frozenset[str] = frozenset()
    ) -> None:
        self._rows, self.now_ms, self.stale = rows, now_ms, stale
        self.render_board()

    def tick(self, now_ms: int) -> None:
        """The clock moved: only clock-driven cells (the countdown) can change, and
        none does before ``_next_change_ms``."""
        self.now_ms = now_ms
        if self._next_change_ms is None or now_ms < self._next_change_ms:
            return  # no countdown on screen, or none changes yet
        self.render_board(only={s.key for s in self.specs if s.ticking})

    def set_palette(self, palette: Palette) -> None:
        self.palette = palette
        self.render_board()

    def set_watched(self, watched: Collection[str]) -> None:
        self.watched = watched
        self.render_board()

    def cycle_unit(self) -> None:
        self.unit = self.unit.next()
        self._view_changed()

    def sort_by(self, key: str, desc: bool | None = None) -> None:
        spec = self._spec[key]
        self.sort_key = key
        self.sort_desc = spec.desc_first if desc is None else desc
        self._to_top = True
        self._view_changed()

    def cycle_sort(self, step: int = 1) -> None:
        keys = [s.key for s in self.specs]
        self.sort_by(keys[(keys.index(self.sort_key) + step) % len(keys)])

    def reverse_sort(self) -> None:
        self.sort_desc = not self.sort_desc
        self._to_top = True
        self._view_changed()

    def set_filter(self, text: str) -> None:
        if text != self.filter_text:
            self.filter_text = text
            self._view_changed()

    def toggle_watch_only(self) -> None:
        self.watch_only = not self.watch_only
        self._view_changed()

    def set_base_filter(self, bases: Collection[str] | None, label: str = "") -> None:
        """Show only these bases (None: all), e.g. a sector's; ``label`` names the set."""
        self.base_filter = None if bases is None else frozenset(bases)
        self.base_filter_label = label if bases is not None else ""
        self._view_changed()

    @property
    def board_rows(self) -> Mapping[str, BoardRow]:
        """Every row as last set, whatever the filters show."""
        return self._rows

    def sort_title(self) -> str:
        return self._spec[self.sort_key].title(self.unit)

    # --- rendering ----------------------------------------------------------

    def _view_changed(self) -> None:
        self.render_board()
        self.post_message(self.ViewChanged())

    def _visible(self, row: BoardRow) -> bool:
        if self.watch_only and row.base not in self.watched:
            return False
        if self.base_filter is not None and row.base not in self.base_filter:
            return False
        # the name as shown: a hidden character is matched by its spelling (\x07)
        return not self.filter_text or (
            self.filter_text.casefold() in safe.visible(row.base).casefold()
        )

    def render_board(self, only: set[str] | None = None) -> None:
        """Bring the table in line with the model, touching only what changed.

        ``only`` limits the cells recomputed to those columns (used by the clock tick).
        """
        ctx = Ctx(self.unit, self.palette, self.now_ms, self.watched, self.stale)
        visible = [r for r in self._rows.values() if self._visible(r)]
        keep = {r.base for r in visible}
        specs = self.specs if only is None else [s for s in self.specs if s.key in only]
        # A row equal to the one its cells were drawn from, under the same view, can
        # only have changed in its clock-driven cells: rendering cells costs far more
        # than comparing rows, and most rows of a refresh are unchanged.
        view = (self.unit, self.palette, frozenset(self.watched), self.stale)
        same_view = view == self._drawn_view
        self._drawn_view = view
        cursor_base = self.selected_base
        with self.app.batch_update(), self.one_refresh():
            for base in [b for b in self._shown if b not in keep]:
                self.remove_row(base)
                del self._shown[base]
                self._drawn.pop(base, None)
                self.drop_deferred(base)
            for row in visible:
                shown = self._shown.get(row.base)
                if shown is None:
                    cells = {s.key: s.render(row, ctx) for s in self.specs}
                    self.add_row(*cells.values(), key=row.base)
                    self._shown[row.base] = cells
                    self._drawn[row.base] = row
                    continue
                row_specs = specs
                if only is None:
                    before = self._drawn.get(row.base) if same_view else None
                    if before is not None and _shows(before) == _shows(row):
                        row_specs = self._ticking
                    elif before is not None:  # only the cells whose part of the row moved
                        row_specs = [s for s in specs if _cell_changed(s, before, row)]
                    self._drawn[row.base] = row
                for spec in row_specs:
                    text = spec.render(row, ctx)
                    if spec.key in DEFERRED:
                        self.defer_cell(row.base, spec.key, text)
                    elif not fmt.same(shown[spec.key], text):
                        self.update_cell(row.base, spec.key, text)
                        shown[spec.key] = text
            self._next_change_ms = min(
                (
                    t
                    for r in visible
                    if (t := fmt.countdown_changes_at(r.next_funding_ms(self.now_ms), self.now_ms))
                ),
                default=None,
            )
            self._update_labels()
            self.put_in_order(sort_order(visible, self._spec[self.sort_key], self.sort_desc, ctx))
            if self._to_top:  # a new order is read from its top (as k9s and btop show it)
                self._to_top = False
                self.show_top()
            elif cursor_base in self._shown:  # a refresh: the cursor stays on its base
                index = self.get_row_index(cursor_base)
                if index != self.cursor_row:
                    self.move_cursor(row=index, animate=False)
            self.draw_deferred()
        if self.selected_base != cursor_base and self.row_count:
            # its row went (the filter hid it) and the cursor stayed at its index, on
            # another base: DataTable says nothing of that, the line under the board must
            self.call_later(self._say_highlighted)

    def _say_highlighted(self) -> None:
        """What DataTable posts when its cursor moves, posted from the board's own
        queue: a message does not bubble to the node that was running when it was
        made, and a filter change runs on the board's screen."""
        if self.row_count:
            key = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key
            self.post_message(DataTable.RowHighlighted(self, self.cursor_row, key))

    def draw_waiting_cell(self, row_key: str, column_key: str, value: object) -> None:
        """A deferred cell, drawn if its row is still shown and the cell changed."""
        shown = self._shown.get(row_key)
        if shown is not None and not fmt.same(shown[column_key], value):
            self.update_cell(row_key, column_key, value)
            shown[column_key] = value

    def _label(self, spec: ColumnSpec) -> Text:
        title = safe.visible(spec.title(self.unit))  # venue names come from the configuration
        if spec.key == self.sort_key:
            title += "▼" if self.sort_desc else "▲"
        justify = "left" if spec.key in ("base", "legs") else "right"
        if spec.venue is not None and spec.venue in self.stale:
            return Text(fmt.STALE_MARK + title, style=self.palette.stale, justify=justify)
        return Text(title, justify=justify)

    def _update_labels(self) -> None:
        changed = False
        for spec in self.specs:
            column = self.columns.get(spec.key)  # type: ignore[call-overload]  # str == key
            label = self._label(spec)
            if column is not None and not fmt.same(column.label, label):
                column.label = label
                changed = True
        if changed:
            self.notify_style_update()  # drops the render caches that hold the old header

    # --- keys and mouse -----------------------------------------------------

    async def on_key(self, event: events.Key) -> None:
        """The board's printable keys run when the board receives them, and a key that
        reaches the board after the keys went elsewhere goes there.

        Keys arriving together (typed fast, over SSH, a terminal without bracketed
        paste) are all handed to the board before the first reaches the app's
        bindings: ``/`` opened the filter too late, so the ``eth`` of ``u/eth`` was
        lost or ran as the board's keys (``t``: the sector board), and the ``u`` found
        the filter focused and was dropped. Running the key's binding here, in order,
        opens the filter before the next key is looked at; that key then finds the
        focus on the filter (or on a screen ``t`` opened) and is handed on to it."""
        target = self.app.focused
        if target is not self:
            event.stop()
            event.prevent_default()
            (target or self.app.screen).post_message(events.Key(event.key, event.character))
            return
        if not event.is_printable:
            return  # arrows, Enter, Esc: Textual's own path (not consumed by the filter)
        active = self.screen.active_bindings.get(event.key)
        if active is None or not active.enabled:
            return
        event.stop()
        event.prevent_default()
        await self.app.run_action(active.binding.action, active.node)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = event.column_key.value
        if key is None:
            return
        if key == self.sort_key:
            self.reverse_sort()
        else:
            self.sort_by(key)
