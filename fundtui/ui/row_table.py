"""RowTable: a DataTable whose Home/End/PgUp/PgDn do what a list's keys do.

DataTable binds Home and End to the first and last *column*, which a row cursor
does not have: on a table of rows they scrolled sideways, and only ctrl+Home and
ctrl+End reached the first and last row. k9s, btop and every file manager move
to the first and last row on Home and End; every table of rows in fundtui (the
board, the sector board, the signals list, the detail view's tables) does too.
A table without a cursor scrolls to its top and bottom instead.

``show_top`` puts the cursor on the first row and the view at the top: a new sort
is read from its top, not from wherever the old selection landed.
"""

from __future__ import annotations

from textual.widgets import DataTable


class RowTable(DataTable):
    """DataTable with a list's Home/End; PgUp/PgDn are DataTable's own (they move a
    row cursor a page, or scroll a table without one)."""

    def action_scroll_home(self) -> None:
        if self.cursor_type == "row" and self.show_cursor:
            self.action_scroll_top()
        elif self.cursor_type == "none" or not self.show_cursor:
            self.scroll_to(y=0, animate=False)
        else:
            super().action_scroll_home()

    def action_scroll_end(self) -> None:
        if self.cursor_type == "row" and self.show_cursor:
            self.action_scroll_bottom()
        elif self.cursor_type == "none" or not self.show_cursor:
            self.scroll_to(y=self.max_scroll_y, animate=False)
        else:
            super().action_scroll_end()

    def show_top(self) -> None:
        """Cursor on the first row, the view scrolled to the top (and left as it was
        sideways: the columns being read stay in view)."""
        if self.row_count:
            self.move_cursor(row=0, animate=False, scroll=False)
        self.scroll_to(y=0, animate=False)
