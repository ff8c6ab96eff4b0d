"""The board's screen: the board, its filter line, the selection line, and the board's keys.

The keys that act on the board or its selected row (u s S r / Esc w v W c C Enter)
are bound here, so they exist only while this screen is on top: on the sector
board, the detail view or the signals screen the board is hidden, and ``w``
would watch a row nobody sees. The app keeps the keys that mean the same on
every screen (q ? t g R ctrl+p); they are listed here too, through the app's
actions, so the footer shows the most used keys first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input

from fundtui.core.net_spread import DEFAULT_HORIZON_H
from fundtui.core.status import VenueStatus
from fundtui.store.watchlist import Watchlist
from fundtui.ui.board import BoardTable
from fundtui.ui.empty_board import EmptyBoard, empty_text
from fundtui.ui.messages import OpenCalculator, OpenDetail, OpenSectors
from fundtui.ui.selection import SelectionLine
from fundtui.ui.status import TopBar, VenueStrip


class BoardScreen(Screen[None]):
    #: The palette finds a coin or a sector by name here (ui/palette.py).
    #: In the footer's order: the most used first, so a narrow footer cuts the least
    #: used (Enter, the board's own, comes before all of these). The app's screen keys
    #: t, g, R, ? and q are listed here too, through the app's actions, for that order.
    BINDINGS = [
        Binding("slash", "filter", "Filter"),
        Binding("s", "sort(1)", "Sort"),
        Binding("t", "app.sectors", "Sectors"),
        Binding("g", "app.signals", "Signals"),
        Binding("question_mark", "app.help", "Help"),
        Binding("w", "watch", "Watch"),
        Binding("c", "calculator", "Calc"),
        Binding("C", "carry", "Carry"),
        Binding("R", "app.poll_now", "Poll"),
        Binding("u", "unit", "Unit"),
        Binding("r", "reverse", "Reverse"),
        Binding("v,W", "watch_only", "★ only"),
        Binding("S", "sort(-1)", "Sort back", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    class Ready(Message):
        """The board's widgets are mounted: the app can start filling them."""

    def __init__(
        self,
        venues: Sequence[str],
        watchlist: Watchlist,
        demo: bool = False,
        net_horizon_h: float = DEFAULT_HORIZON_H,
    ) -> None:
        super().__init__()
        self.venues = list(venues)
        self.watchlist = watchlist
        self.demo = demo
        self.net_horizon_h = net_horizon_h
        self.statuses: Mapping[str, VenueStatus] = {}  # as last shown, for the empty board

    def compose(self) -> ComposeResult:
        yield TopBar(self.demo, id="top")
        yield BoardTable(self.venues, net_horizon_h=self.net_horizon_h, id="board")
        yield EmptyBoard(id="empty")
        yield SelectionLine(id="selection")
        yield Input(placeholder="filter bases (Enter keeps, Esc clears)", id="filter", compact=True)
        yield VenueStrip(self.venues, id="venues")
        yield Footer()

    @property
    def board(self) -> BoardTable:
        return self.query_one(BoardTable)

    def on_mount(self) -> None:
        self.board.watched = self.watchlist.bases
        self.board.focus()
        self.post_message(self.Ready())

    def update_view_info(self) -> None:
        b = self.board
        parts = [b.unit.label, f"sort {b.sort_title()}{'▼' if b.sort_desc else '▲'}"]
        if b.filter_text:
            parts.append(f"filter “{b.filter_text}”")
        if b.base_filter_label:
            parts.append(f"sector {b.base_filter_label} (Esc: sectors)")
        if b.watch_only:
            parts.append("★ only")
        parts.append(f"{b.row_count}/{b.total_count} bases")
        self.query_one(TopBar).set_view(" · ".join(parts))
        self.show_empty()

    def show_empty(self, statuses: Mapping[str, VenueStatus] | None = None) -> None:
        """Say why the board is empty (no venue answered, nothing matches), in its place."""
        if statuses is not None:
            self.statuses = statuses
        b = self.board
        text = None
        if b.row_count == 0:
            text = empty_text(
                self.statuses, b.total_count, b.filter_text, b.watch_only, b.base_filter_label
            )
        try:
            self.query_one(EmptyBoard).show(text)
        except NoMatches:  # the screen's widgets are going (the app is closing)
            return
        b.set_class(text is not None, "-empty")
        if b.row_count == 0:  # no row, no selection: the line names no coin filtered out
            self.query_one(SelectionLine).show(None, {}, b.palette, True)

    def on_board_table_view_changed(self, _message: BoardTable.ViewChanged) -> None:
        self.update_view_info()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table is self.board and event.row_key.value is not None:
            self.post_message(OpenDetail(event.row_key.value))

    # --- the board's keys ------------------------------------------------------

    def action_unit(self) -> None:
        self.board.cycle_unit()

    def action_sort(self, step: int) -> None:
        self.board.cycle_sort(step)

    def action_reverse(self) -> None:
        self.board.reverse_sort()

    def action_filter(self) -> None:
        """Show the filter line and give it every key from now on (the board runs
        ``/`` as soon as it gets it: ui/board.py)."""
        field = self.query_one("#filter", Input)
        field.add_class("-open")
        # Focused now, not after the queue (Widget.focus waits its turn): keys typed
        # right after / are already queued behind it and must reach the filter, not
        # the board (where t opens the sector board).
        self.set_focus(field)

    def on_paste(self, event: events.Paste) -> None:
        """A paste on the board goes into the filter whole (``/eth`` as ``eth``):
        pasted text is never run as keys."""
        lines = event.text.splitlines()
        text = lines[0].strip() if lines else ""
        if not text or self.focused is not self.board:
            return
        event.stop()
        self.action_filter()
        field = self.query_one("#filter", Input)
        field.value = text.removeprefix("/")
        field.cursor_position = len(field.value)

    def action_clear_filter(self) -> None:
        if self.board.base_filter is not None:  # drilled in from the sector board: back there
            self.post_message(OpenSectors())
            return
        field = self.query_one("#filter", Input)
        field.value = ""
        field.remove_class("-open")
        self.board.set_filter("")
        self.board.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.board.set_filter(event.value.strip())

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.remove_class("-open")
        self.board.focus()

    def action_watch(self) -> None:
        base = self.board.selected_base
        if base is None:
            return
        watched = self.watchlist.toggle(base)
        try:
            self.watchlist.save()
        except OSError as e:
            self.notify(f"Could not save the watchlist: {e}", severity="error")
        self.board.render_board()
        self.update_view_info()
        self.notify(f"{'★ Watching' if watched else 'No longer watching'} {base}", timeout=2)

    def action_watch_only(self) -> None:
        self.board.toggle_watch_only()
        if self.board.watch_only and not self.watchlist.bases:
            self.notify("The watchlist is empty: press w on a row to watch it", timeout=4)

    def action_calculator(self) -> None:
        self.post_message(OpenCalculator())

    def action_carry(self) -> None:
        self.post_message(OpenCalculator(carry=True))
