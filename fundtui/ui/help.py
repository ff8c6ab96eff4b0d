"""The keys help screen (``?``)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from fundtui.ui.format import VENUE_CODES
from fundtui.ui.safe import plain

KEYS = [
    ("↑ ↓ PgUp PgDn", "move the cursor"),
    ("← →", "scroll the venue columns (Base stays put)"),
    ("u", "unit: 8h-equivalent → APR → per interval"),
    ("s / S", "sort by the next / previous column (or click a header)"),
    ("r", "reverse the sort"),
    ("/", "filter bases by text; Enter keeps it, Esc clears it"),
    ("w", "watch / unwatch the base under the cursor (★)"),
    ("v", "show only watched bases, or all"),
    ("R", "poll every venue now (not one inside its rate-limit wait)"),
    ("t", "sector rotation board: Enter shows a sector's bases, Esc goes back"),
    ("c", "position calculator: size, liquidation, funding, break-even"),
    ("C", "carry calculator for the row's spread (long and short legs filled)"),
    ("?", "this help"),
    ("q", "quit"),
]

LEGEND = [
    ("0.0100%", "funding per 8h-equivalent; green: longs pay shorts, red: shorts pay longs"),
    ("·4h", "the venue settles every 4 h (no suffix: every 8 h)"),
    ("~0.0100%", "stale: the venue has not answered for 2.5 refreshes; left out of spreads"),
    ("Sprd", "highest minus lowest 8h-equivalent rate over fresh venues"),
    ("L BIN S OKX", "go long where the rate is lowest, short where it is highest"),
    ("Next", "time to the earliest next settlement (seconds in the last minute)"),
    ("Premium", "median (mark - index) / index over fresh venues"),
]


def _table(rows: list[tuple[str, str]], title: str) -> Table:
    t = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 1))
    t.add_column(style="bold", no_wrap=True)
    t.add_column()
    for key, text in rows:  # the venue rows quote venues' reasons
        t.add_row(plain(key), plain(text))
    return t


class HelpScreen(ModalScreen[None]):
    """Keys, how to read the board, and each venue's full status when opened."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, venues: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        self.venues = venues or []

    def compose(self) -> ComposeResult:
        codes = "  ".join(f"{code} {venue}" for venue, code in VENUE_CODES.items())
        with VerticalScroll(id="help"):
            yield Static(_table(KEYS, "Keys"))
            yield Static(_table(LEGEND, "Reading the board"))
            if self.venues:
                yield Static(_table(self.venues, "Venues (as of opening this screen)"))
            yield Static(Text(f"Venue codes: {codes}", style="dim"))
