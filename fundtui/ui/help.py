"""The help screen (``?``): each venue's full status, every key of the screen it was
opened on, and every column of the board.

The keys are read from the screen's own bindings when ``?`` is pressed, so a key
added to a screen is listed without anyone remembering to list it; ``EXPLAINED``
says more than a binding's footer word where a word is not enough. Help is a full
screen, scrollable, so no toast covers it (they wait on the screen below).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from fundtui.core.net_spread import DEFAULT_HORIZON_H
from fundtui.core.status import STALE_AFTER_REFRESHES
from fundtui.ui.format import VENUE_CODES
from fundtui.ui.safe import plain

#: What a key does, by its action, where the binding's footer word says too little;
#: per screen first (the same action name means different things on two screens).
EXPLAINED: dict[str, str] = {
    "cursor_up": "move the cursor up",
    "cursor_down": "move the cursor down",
    "cursor_left": "scroll the columns left, one whole column",
    "cursor_right": "scroll the columns right, one whole column (Base stays put)",
    "page_up": "a page up",
    "page_down": "a page down",
    "page_left": "a page of columns left",
    "page_right": "a page of columns right",
    "scroll_home": "the first row",
    "scroll_end": "the last row",
    "scroll_top": "the first row",
    "scroll_bottom": "the last row",
    "select_cursor": "open the row: a coin's detail view (charts, settlements, signals)",
    "app.focus_next": "the next field or table",
    "app.focus_previous": "the previous field or table",
    "screen.copy_text": "copy the selected text",
    "app.quit": "quit (the state is saved)",
    "quit": "quit (the state is saved)",
    "app.help": "this help",
    "help": "this help",
    "unit": "unit: 8h-equivalent → APR → per interval",
    "sort(1)": "sort by the next column (or click a header; again: reverse)",
    "sort(-1)": "sort by the previous column",
    "reverse": "reverse the sort",
    "filter": "filter bases by text; Enter keeps it, Esc clears it",
    "clear_filter": "clear the filter (drilled into a sector: back to the sector board)",
    "watch": "watch / unwatch the base under the cursor (★)",
    "watch_only": "show only watched bases, or all",
    "calculator": "position calculator on the row: size, liquidation, funding, break-even",
    "carry": "carry calculator for the row's spread (long and short legs filled)",
    "poll_now": "poll every venue now (not one inside its rate-limit wait)",
    "sectors": "sector rotation board: Enter shows a sector's bases, Esc goes back",
    "signals": "signals screen: every rule hit, newest first; Enter opens the coin",
    "mute": "mute signal toasts until quit (or press again); hits are still logged",
    "command_palette": "command palette: every screen and action, a coin by name, a sector",
    "dismiss": "close",
}
PER_SCREEN: dict[str, dict[str, str]] = {
    "SectorScreen": {
        "close": "back to the board",
        "drill": "the board, showing only this sector's bases (Esc: back here)",
        "sort(1)": "sort by the next column (or click a header)",
    },
    "SignalsScreen": {"close": "back to the board"},
    "DetailScreen": {"close": "back to the board"},
}

#: How the help names the screen it was opened on.
SCREEN_TITLES = {
    "BoardScreen": "the board",
    "SectorScreen": "the sector board",
    "SignalsScreen": "the signals screen",
    "DetailScreen": "a coin's detail view",
    "CalculatorScreen": "the position calculator",
    "CarryScreen": "the carry calculator",
}

#: Key names as the help spells them.
KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "escape": "Esc",
    "enter": "Enter",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "tab": "Tab",
    "shift+tab": "shift+Tab",
}


def key_name(key: str) -> str:
    return KEY_NAMES.get(key, key)


def screen_keys(
    bindings: Mapping[str, ActiveBinding], screen_name: str = ""
) -> list[tuple[str, str]]:
    """(keys, what they do) for every active binding, keys that run the same action
    on the same node together (``v W``), the screen's own keys first."""
    explained = {**EXPLAINED, **PER_SCREEN.get(screen_name, {})}
    groups: dict[tuple[int, str], list[str]] = {}
    first: dict[tuple[int, str], ActiveBinding] = {}
    for key, active in bindings.items():
        group = (id(active.node), active.binding.action)
        groups.setdefault(group, []).append(key_name(key))
        first.setdefault(group, active)
    screen_own, table, app = [], [], []
    for group, keys in groups.items():
        active = first[group]
        what = explained.get(active.binding.action) or active.binding.description or "-"
        row = (" ".join(keys), what)
        kind = type(active.node).__name__
        if kind.endswith("Screen"):
            screen_own.append(row)
        elif hasattr(active.node, "screen_stack"):  # the app's keys, the same everywhere
            app.append(row)
        else:
            table.append(row)
    return screen_own + table + app


def board_legend(horizon_h: float = DEFAULT_HORIZON_H) -> list[tuple[str, str]]:
    """Every column of the board, and how a venue's cell reads."""
    return [
        ("Base", "the coin; ★ watched (w)"),
        ("Sprd 8h / APR", "highest minus lowest 8h-equivalent rate over fresh venues"),
        (
            f"Net {horizon_h:g}h",
            f"the spread's APR after both legs' taker fees, in and out, spread over a "
            f"{horizon_h:g} h holding; dim when the fees eat it",
        ),
        ("Trend", "the spread over the last refreshes, one block each, scaled to its range"),
        ("Long/Short", "go long where the rate is lowest, short where it is highest"),
        ("B/E", "hours of today's spread that pay both legs' fees; dim past the holding"),
        ("Next", "time to the earliest next settlement (seconds in the last minute)"),
        ("venue", "that venue's funding rate in the unit shown (u)"),
        ("0.0100%", "8h-equivalent; green: longs pay shorts, red: shorts pay longs"),
        ("·4h", "the venue settles every 4 h (no suffix: every 8 h)"),
        (
            "~0.0100%",
            f"stale: no answer for {STALE_AFTER_REFRESHES:g} refreshes; left out of spreads",
        ),
        (
            "Δ8h/h",
            "how fast the 8h-equivalent rate moves: the least-squares slope, per hour, "
            "over the last hour (mean of the venues); n/a until an hour is covered",
        ),
        ("Premium", "median (mark - index) / index over fresh venues"),
    ]


def _table(rows: Sequence[tuple[str, str]], title: str) -> Table:
    t = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 1))
    t.add_column(style="bold", no_wrap=True)
    t.add_column()
    for key, text in rows:  # the venue rows quote venues' reasons
        t.add_row(plain(key), plain(text))
    return t


class HelpScreen(Screen[None]):
    """Keys of the screen below, how to read the board, each venue's status."""

    DEFAULT_CSS = """
    HelpScreen #help-page { height: 1fr; padding: 0 1; }
    HelpScreen ToastRack Toast { visibility: hidden; }
    """

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(
        self,
        keys: Sequence[tuple[str, str]] = (),
        screen_title: str = "this screen",
        venues: Sequence[tuple[str, str]] = (),
        horizon_h: float = DEFAULT_HORIZON_H,
    ) -> None:
        super().__init__()
        self.keys = list(keys)
        self.screen_title = screen_title
        self.venues = list(venues)
        self.horizon_h = horizon_h

    def compose(self) -> ComposeResult:
        codes = "  ".join(f"{code} {venue}" for venue, code in VENUE_CODES.items())
        with VerticalScroll(id="help-page"):
            if self.venues:  # first: the status strip cuts a long reason short
                yield Static(_table(self.venues, "Venues (as of opening this screen)"))
            yield Static(_table(self.keys, f"Keys on {self.screen_title}"), id="help-keys")
            yield Static(_table(board_legend(self.horizon_h), "The board's columns"))
            yield Static(Text(f"Venue codes: {codes}", style="dim"))
            yield Static(Text("↑ ↓ PgUp PgDn Home End scroll · Esc, q or ? closes", style="dim"))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-page", VerticalScroll).focus()
