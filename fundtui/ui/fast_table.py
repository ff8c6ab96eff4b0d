"""FastTable: Textual's DataTable made cheap to keep current, and rows ordered by key.

Every use of DataTable's private internals in fundtui is in this module, so that a
Textual upgrade that moves one breaks this file only, and tests/test_ui_fast_table.py
names what moved. What it adds to DataTable:

- cell updates inside ``one_refresh()`` share one refresh of the table;
- a rendered cell is kept by content and drawn again only when it changed (a row
  the sort moved keeps its rendering, with its new row number);
- cells of rows off the screen can wait (``defer_cell``) until they scroll into view;
- with a row cursor, left and right scroll the columns one whole column at a time
  (DataTable scrolls a row cursor's table by a few cells), and a column cut by the
  right edge is left blank: a fragment (``0.``, ``069%``, ``hyperliqui``) reads as
  another number or name;
- ``order_rows`` / ``put_in_order`` sort rows by their keys, ``row_keys`` and
  ``cursor_key`` read them: rows are always found by key, never by what a cell shows
  (Rich drops some control characters from a cell's text: BEL, backspace, carriage
  return...), so a name read back from a cell need not be the name the row was keyed by.

DataTable's private names relied on (Textual 8.2.8), and why:

- ``_data`` (row key -> column key -> cell): the batched ``update_cell`` writes the
  cell there itself, as ``DataTable.update_cell`` does, less its refresh; the render
  cache reads the cell object there to know whether it changed.
- ``_update_count``: bumped on every such write and by ``order_rows``, as DataTable
  does: its own row and line caches are keyed on it.
- ``_render_cell(row_index, column_index, base_style, width, cursor, hover)``:
  overridden to cache each rendered cell by content (DataTable keys its cache on
  ``_update_count``, so one changed cell renders every cell on screen again).
- ``_row_locations`` / ``_column_locations`` (Textual's ``TwoWayDict``, key <-> index):
  the cache finds the keys of the cell it renders; ``order_rows`` replaces
  ``_row_locations`` as ``DataTable.sort`` does.
- ``_header_row_key``: the header's row key, as ``DataTable._render_cell`` uses it.
- ``_show_hover_cursor``, ``_pseudo_class_state``: part of DataTable's own cell cache
  key (hover shown; focus and light/dark), so part of ours.
- ``_clear_caches()``: overridden so that whatever drops DataTable's caches (a resize,
  a cursor change, rows added or removed) drops ours too.
- ``_update_dimensions(new_rows)``: overridden to measure new rows only where the
  measure is read (an auto-width column, a row label, an automatic row height): a
  fixed-width column's width is its ``width``, whatever its cells measure.
- ``_cell_render_cache``, ``_row_render_cache``, ``_row_renderable_cache``,
  ``_line_cache`` (``textual.cache.LRUCache``): replaced by smaller ones of the same
  kind (``SCREEN_CACHE``). DataTable keeps 10,000 rendered cells and 1,000 rows and
  lines, keyed on ``_update_count``, so each refresh's renderings are dead at the
  next one and only fall out of the cache thousands of cells later; with every
  rate moving, filling them held ~20 MB of Rich segments and styles. A screen
  needs at most a screenful of each, and the cells are cached here by content.

Public methods overridden, whose signatures the test checks too: ``update_cell``,
``notify_style_update``, ``watch_scroll_y``, ``action_cursor_right``,
``action_cursor_left``, ``render_line``.

One private name of Textual outside DataTable is relied on, here too (so this
module is over 400 lines: it is the one place that knows Textual's internals):
``textual._styles_cache.StylesCache.get_inner_outer``, a method cached with
``functools.lru_cache`` (1,024 entries) keyed on the widget's ``StylesCache``,
which holds that widget's rendered lines. Every widget that ever rendered stays
in that cache, dead or alive: toasts come and go all day, and after 10 minutes of
every rate moving it held 3.7 MB, growing (found with ``rss_hour.py
--clear-at``). ``share_inner_outer_styles`` (run on import) replaces it with the
same two styles cached by the two colours only, which is all they depend on.

And ``textual.strip.Strip.render_ansi(style, color_system)``, a classmethod cached
with ``functools.lru_cache`` (16,384 entries) keyed on the whole Rich style. A
DataTable cell's style carries its row and column as meta, so nearly every cell
drawn is a new key, though its escape codes depend only on colour, background and
attributes: after 24 minutes of every rate moving it held 11,900 entries, each
keeping a style and its meta alive. ``share_ansi_codes`` (run on import) replaces
it with the same codes cached by what they depend on; like Textual's, it stores
them on the style (``_ansi``), which ``Strip.render_style`` reads first.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual._styles_cache import StylesCache
from textual.cache import LRUCache
from textual.color import Color
from textual.coordinate import Coordinate
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

from fundtui.ui.row_table import RowTable

#: DataTable's private names used here, each explained in the docstring above. The
#: test checks each still exists on DataTable, and that this module uses no other.
RELIES_ON = (
    "_data",
    "_update_count",
    "_render_cell",
    "_row_locations",
    "_column_locations",
    "_header_row_key",
    "_show_hover_cursor",
    "_pseudo_class_state",
    "_clear_caches",
    "_update_dimensions",
    "_cell_render_cache",
    "_row_render_cache",
    "_row_renderable_cache",
    "_line_cache",
)
#: FastTable's own private names (the test checks none shadows one of DataTable's).
OWN = (
    "_cells",
    "_quiet",
    "_quiet_updates",
    "_deferred",
    "_bases_in_view",
    "_column_stops",
    "_cut_columns",
)

#: Rendered cells kept by content (a screenful is ~40 rows x 16 columns, plus the
#: cursor's variants); past this the cache starts over.
CELL_CACHE_MAX = 4096
#: Entries in each of DataTable's render caches (rows, lines, cells): a tall screen's
#: worth and the cursor's variants; DataTable's own are 1,000 and 10,000.
SCREEN_CACHE = 256
#: Rows beyond the screen's edges drawn anyway, so a short scroll finds them ready.
DEFER_MARGIN = 5


def cursor_key(table: DataTable) -> str | None:
    """The key of the row under the cursor, or None for an empty table."""
    if not table.row_count:
        return None
    try:
        return table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
    except CellDoesNotExist:
        return None


def row_keys(table: DataTable) -> list[str | None]:
    """The rows' keys in display order."""
    return [row.key.value for row in table.ordered_rows]


def order_rows(table: DataTable, keys: Sequence[str]) -> None:
    """Put the rows in the order of ``keys``; rows not listed keep their order after them.

    ``DataTable.sort`` hands its key function the cells, not the row key, so sorting
    by identity has to go around it: this is its own body (Textual 8) keyed by row
    key. The cursor stays at its index, as after ``sort``.
    """
    rank = {key: i for i, key in enumerate(keys)}
    last = len(rank)
    ordered = sorted(
        (row.key for row in table.ordered_rows), key=lambda row_key: rank.get(row_key.value, last)
    )  # stable
    locations = type(table._row_locations)  # Textual's TwoWayDict
    table._row_locations = locations({row_key: i for i, row_key in enumerate(ordered)})
    table._update_count += 1
    table.refresh()


def _moved(lines: list[list[Segment]], row_index: int, column_index: int) -> list[list[Segment]]:
    """A rendered cell with the mouse metadata of another row (DataTable puts the
    cell's row and column in every segment's style, for clicks)."""
    meta = Style.from_meta({"row": row_index, "column": column_index})
    return [
        [
            Segment(text, style + meta if style is not None else meta, control)
            for text, style, control in line
        ]
        for line in lines
    ]


class FastTable(RowTable):
    """A DataTable (with a list's Home/End: ui/row_table.py) whose cells are updated
    in batches and rendered again only when they changed; see the module docstring."""

    def __init__(self, **kwargs: Any) -> None:
        # (place, keys, style, width, cursor, hover) -> (cell, its rendered lines);
        # before DataTable's __init__, which already clears caches
        self._cells: dict[tuple, tuple[object, int, list]] = {}
        self._quiet = False  # inside one_refresh
        self._quiet_updates = 0
        self._deferred: dict[Any, dict[Any, object]] = {}  # row key -> off-screen cells
        super().__init__(**kwargs)
        # a screenful each, not thousands of renderings dead at the next refresh
        self._cell_render_cache = LRUCache(2 * SCREEN_CACHE)
        self._row_render_cache = LRUCache(SCREEN_CACHE)
        self._row_renderable_cache = LRUCache(SCREEN_CACHE)
        self._line_cache = LRUCache(SCREEN_CACHE)

    # --- cell updates --------------------------------------------------------

    @contextmanager
    def one_refresh(self) -> Iterator[None]:
        """Cell updates inside share one refresh of the table at the end (DataTable
        refreshes on every ``update_cell``, a few hundred times a refresh)."""
        if self._quiet:
            yield
            return
        self._quiet, self._quiet_updates = True, 0
        try:
            yield
        finally:
            self._quiet = False
            if self._quiet_updates:
                self.refresh()

    def update_cell(self, row_key, column_key, value, *, update_width: bool = False) -> None:  # noqa: ANN001
        row = self._data.get(row_key) if self._quiet and not update_width else None
        if row is None or column_key not in row:  # outside a batch, or for its errors
            super().update_cell(row_key, column_key, value, update_width=update_width)
            return
        row[column_key] = value  # as DataTable.update_cell, less its refresh
        self._update_count += 1
        self._quiet_updates += 1

    def put_in_order(self, keys: list[str]) -> None:
        """The rows in the order of ``keys``, if they are not already."""
        # by row key: a base read back from its cell can differ from the base (Rich
        # drops BEL, backspace, carriage return... from a cell's text)
        if row_keys(self) != keys:
            order_rows(self, keys)

    # --- cells drawn once they scroll into view ------------------------------

    def defer_cell(self, row_key: str, column_key: str, value: object) -> None:
        """``value`` for this cell, drawn (by ``draw_waiting_cell``) once its row is
        on or near the screen: a DataTable cell update costs the same whether or not
        the row is on screen."""
        self._deferred.setdefault(row_key, {})[column_key] = value

    def drop_deferred(self, row_key: str) -> None:
        """Forget the waiting cells of a row (removed, say)."""
        self._deferred.pop(row_key, None)

    def draw_waiting_cell(self, row_key: str, column_key: str, value: object) -> None:
        """Draw one waiting cell now its row is in view; a subclass can skip it."""
        self.update_cell(row_key, column_key, value)

    def _bases_in_view(self) -> list[str]:
        first = max(0, int(self.scroll_y) - DEFER_MARGIN)
        last = min(self.row_count, int(self.scroll_y) + self.size.height + DEFER_MARGIN)
        out = []
        for i in range(first, last):
            try:
                out.append(self.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value)
            except CellDoesNotExist:
                break
        return out

    def draw_deferred(self) -> None:
        """Draw the waiting cells of the rows now on (or near) the screen."""
        if not self._deferred:
            return
        with self.one_refresh():
            for row_key in self._bases_in_view():
                cells = self._deferred.pop(row_key, None)
                for column_key, value in (cells or {}).items():
                    self.draw_waiting_cell(row_key, column_key, value)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self.draw_deferred()

    def on_resize(self) -> None:
        self.call_after_refresh(self.draw_deferred)

    # --- cell rendering cache ----------------------------------------------

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ):  # noqa: ANN001, ANN202
        """DataTable's cell rendering, cached on the cell itself.

        DataTable keys its cell cache on a counter that every ``update_cell`` bumps,
        so one changed cell re-renders every cell on screen (~570 per refresh, about
        a third of the app's CPU time at steady state). Here a cell is rendered again
        only when its value (the very object: cells are replaced, never mutated),
        style, width or cursor/hover state changed. A row that only moved (the sort
        shifts rows every refresh) keeps its rendering with the new row number put
        in the segments' mouse metadata. Style and size changes drop the cache as
        DataTable drops its own."""
        if column_index < 0:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        column_key = self._column_locations.get_key(column_index)
        if row_index < 0:
            row_key = self._header_row_key
            value = self.columns[column_key].label
        else:
            row_key = self._row_locations.get_key(row_index)
            value = self._data[row_key][column_key]
        # hover shows only with the hover cursor on (as in DataTable's styling)
        key = (
            column_index,
            row_key,
            base_style,
            width,
            cursor,
            hover and self._show_hover_cursor,
            self._pseudo_class_state,
        )
        hit = self._cells.get(key)
        if hit is not None and hit[0] is value:
            if hit[1] == row_index:
                return hit[2]
            lines = _moved(hit[2], row_index, column_index)
        else:
            lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
            if len(self._cells) >= CELL_CACHE_MAX:
                self._cells.clear()
        self._cells[key] = (value, row_index, lines)
        return lines

    def _clear_caches(self) -> None:
        super()._clear_caches()
        self._cells.clear()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cells.clear()

    def _update_dimensions(self, new_rows) -> None:  # noqa: ANN001 - as DataTable's
        # DataTable measures every cell of every new row for its column's content
        # width, which only an auto-width column reads: the board's first 342 rows
        # cost ~0.1 s of measuring before the first data frame, for nothing. Rows with
        # a label or an automatic height are still measured, as are auto-width columns.
        if not any(column.auto_width for column in self.columns.values()):
            rows = self.rows
            new_rows = [
                key
                for key in new_rows
                if (row := rows.get(key)) is not None and (row.label is not None or row.auto_height)
            ]
        super()._update_dimensions(new_rows)

    # --- whole-column scrolling ------------------------------------------------

    def _column_stops(self) -> list[int]:
        """scroll_x values that put a column right after the fixed columns."""
        stops, x = [0], 0
        for column in self.ordered_columns[self.fixed_columns :]:
            x += column.get_render_width(self)
            stops.append(x)
        return stops

    def action_cursor_right(self) -> None:
        # The cursor is a whole row, so ← → scroll the columns one column at a time.
        if self.cursor_type != "row":
            super().action_cursor_right()
            return
        ahead = [x for x in self._column_stops() if x > self.scroll_x]
        if ahead:
            self.scroll_to(x=min(ahead[0], self.max_scroll_x), animate=False)

    def action_cursor_left(self) -> None:
        if self.cursor_type != "row":
            super().action_cursor_left()
            return
        behind = [x for x in self._column_stops() if x < self.scroll_x]
        self.scroll_to(x=behind[-1] if behind else 0, animate=False)

    def _cut_columns(self) -> list[tuple[int, int]]:
        """The spans (x on screen, start and end) of the columns the edges cut: the
        right edge, and the fixed columns on the left when the table is scrolled to
        its end (the last scroll position need not fall on a column's edge)."""
        # what shows of a line: the vertical scrollbar covers the end of ``size``
        width, scroll_x = self.scrollable_content_region.width, int(self.scroll_x)
        spans, x, fixed_end = [], 0, 0
        for i, column in enumerate(self.ordered_columns):
            w = column.get_render_width(self)
            start = x if i < self.fixed_columns else x - scroll_x
            x += w
            if i < self.fixed_columns:
                fixed_end = start + w
                continue
            end = start + w
            if start < fixed_end < end:  # partly under the fixed columns
                spans.append((fixed_end, min(end, width)))
            if start < width < end:  # partly past the right edge (to the line's end)
                spans.append((max(start, fixed_end), max(width, self.size.width)))
        return spans

    def render_line(self, y: int) -> Strip:
        # A column cut by an edge shows as blank (in its row's style, so the cursor's
        # bar goes on): ``0.`` of ``0.0120%`` reads as a number of its own.
        strip = super().render_line(y)
        for start, end in self._cut_columns():
            if start >= end or end > strip.cell_length:
                continue
            blank = [
                Segment(" " * cell_len(text), style)
                for text, style, control in strip.crop(start, end)
                if not control
            ]
            strip = Strip(
                [*strip.crop(0, start), *blank, *strip.crop(end, strip.cell_length)],
                strip.cell_length,
            )
        return strip


# --- Textual's StylesCache ---------------------------------------------------------

#: ``StylesCache.get_inner_outer`` as Textual ships it (the test compares ours with it).
TEXTUAL_INNER_OUTER = StylesCache.get_inner_outer


@lru_cache(1024)
def _inner_outer(base_background: Color, background: Color) -> tuple[Any, Any]:
    return TEXTUAL_INNER_OUTER.__wrapped__(None, base_background, background)


def _get_inner_outer(
    self: StylesCache, base_background: Color, background: Color
) -> tuple[Any, Any]:
    """Inner and outer background styles, cached by the colours (not by ``self``)."""
    return _inner_outer(base_background, background)


def share_inner_outer_styles() -> None:
    """Textual's per-widget cache of the two background styles replaced by one keyed
    on the colours alone (see the module doc)."""
    StylesCache.get_inner_outer = _get_inner_outer  # type: ignore[assignment,method-assign]


share_inner_outer_styles()


# --- Textual's Strip.render_ansi ---------------------------------------------------

#: ``Strip.render_ansi`` as Textual ships it: the lru-cached function its classmethod
#: wraps (the test compares ours with it).
TEXTUAL_RENDER_ANSI = vars(Strip)["render_ansi"].__func__
#: Escape codes by (colour, background, attributes set, colour system): what
#: ``render_ansi`` reads of a style. A board has a few hundred looks; past this the
#: cache starts over. A plain dict: it is read for every new style drawn.
ANSI_CACHE_MAX = 1024
_ansi_codes: dict[tuple[Any, ...], str] = {}


def _render_ansi(cls: type[Strip], style: Style, color_system: Any) -> str:
    """Textual's escape codes for ``style``, cached by its look (not its meta)."""
    look = (style._color, style._bgcolor, style._attributes & style._set_attributes, color_system)
    ansi = _ansi_codes.get(look)
    if ansi is None:
        if len(_ansi_codes) >= ANSI_CACHE_MAX:
            _ansi_codes.clear()
        ansi = _ansi_codes[look] = TEXTUAL_RENDER_ANSI.__wrapped__(cls, style, color_system)
    style._ansi = ansi
    return ansi


def share_ansi_codes() -> None:
    """Textual's cache of escape codes by whole style replaced by one keyed on the
    style's look alone (see the module doc)."""
    Strip.render_ansi = classmethod(_render_ansi)  # type: ignore[assignment,method-assign]
    TEXTUAL_RENDER_ANSI.cache_clear()


share_ansi_codes()
