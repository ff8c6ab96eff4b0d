"""Small DataTable helpers shared by the board, the sector board and the signals list.

Rows are always found by their keys (a base, a sector, a running number), never by
what a cell shows: Rich drops some control characters from a cell's text (BEL,
backspace, carriage return...), so a name read back from a cell need not be the
name the row was keyed by.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist


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
    ordered = sorted((row.key for row in table.ordered_rows),
                     key=lambda row_key: rank.get(row_key.value, last))  # stable
    locations = type(table._row_locations)  # Textual's TwoWayDict
    table._row_locations = locations({row_key: i for i, row_key in enumerate(ordered)})
    table._update_count += 1
    table.refresh()
