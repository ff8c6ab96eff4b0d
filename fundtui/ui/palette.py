"""The command palette's entries (ctrl+p): every screen and action, a coin by name
(``BTC`` offers "Open BTC", its detail view) and a sector by name (``meme``: the
board drilled into Meme, Esc back to the sector board).

Screens and actions are system commands (``actions``, listed by the app's
``get_system_commands``): they show when the palette opens. Coins and sectors are
too many to list: :class:`CoinsAndSectors` offers them only as their name is typed.
The board's actions are offered only over the board, as its keys act only there.
Coin and sector names come from venues and the sector map: the palette reads a
``str`` title as markup, so they are shown as ``Text`` of ``visible`` only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import SystemCommand
from textual.command import Hit, Hits, Provider
from textual.markup import escape
from textual.screen import Screen

from fundtui.ui.messages import DrillInto, OpenCalculator, OpenDetail
from fundtui.ui.safe import visible

if TYPE_CHECKING:
    from fundtui.ui.app import FundApp

#: (title, help, app action) offered on every screen.
APP_ACTIONS = [
    ("Board", "The funding board (Esc from the other screens)", "board"),
    ("Sectors", "Sector rotation board: funding by sector (t)", "sectors"),
    ("Signals", "Every signal hit, newest first (g)", "signals"),
    ("Help", "Keys of this screen and the board's columns (?)", "help"),
    ("Poll now", "Poll every venue now, rate limits allowing (R)", "poll_now"),
    ("Mute toasts", "No signal toasts until quit, or until muted again (m)", "mute"),
]
#: (title, help, the board screen's action and its arguments) offered over the board.
BOARD_ACTIONS: list[tuple[str, str, str, tuple]] = [
    ("Filter bases", "Type part of a base; Enter keeps it, Esc clears it (/)", "filter", ()),
    ("Clear filter", "Every base again (Esc)", "clear_filter", ()),
    ("Sort: next column", "Sort by the next column (s)", "sort", (1,)),
    ("Sort: previous column", "Sort by the previous column (S)", "sort", (-1,)),
    ("Reverse sort", "Reverse the sort (r)", "reverse", ()),
    ("Unit: next", "8h-equivalent, APR, per interval (u)", "unit", ()),
    ("Watch / unwatch", "The base under the cursor (w)", "watch", ()),
    ("Watchlist only", "Only watched bases, or all (v)", "watch_only", ()),
]

#: At most this many coins offered for one query (a letter matches hundreds).
MAX_COINS = 20


def actions(app: FundApp, screen: Screen) -> Iterator[SystemCommand]:
    """The palette's commands for ``screen`` (the one under the palette)."""
    from fundtui.ui.board_screen import BoardScreen

    for title, help_text, action in APP_ACTIONS:
        if (run := getattr(app, f"action_{action}", None)) is not None:
            yield SystemCommand(title, help_text, run)
    yield SystemCommand(
        "Position calculator",
        "Size, liquidation, funding and break-even for the selected row (c)",
        lambda: app.post_message(OpenCalculator()),
    )
    yield SystemCommand(
        "Carry calculator",
        "The selected row's spread, long and short legs filled (C)",
        lambda: app.post_message(OpenCalculator(carry=True)),
    )
    if not isinstance(screen, BoardScreen):
        return
    for title, help_text, action, args in BOARD_ACTIONS:
        yield SystemCommand(title, help_text, partial(getattr(screen, f"action_{action}"), *args))
    board = screen.board
    for spec in board.specs:  # found by typing "sort", not listed up front
        name = spec.title(board.unit)
        yield SystemCommand(
            f"Sort by {escape(visible(name))}",  # a system command's title is markup
            "Sort the board by this column (again: reverse)",
            partial(board.sort_by, spec.key),
            discover=False,
        )


def _score(name: str, query: str) -> float:
    """How well a typed query names ``name``: whole, its start, or a part of it."""
    folded = name.casefold()
    if folded == query:
        return 1.0
    if folded.startswith(query):
        return 0.9 - 0.01 * (len(folded) - len(query))
    return 0.5 if query in folded else 0.0


def _display(verb: str, name: str, query: str) -> Text:
    """``Open BTC`` with the typed part underlined, the name inert."""
    shown = visible(name)
    out = Text(f"{verb} ")
    start = shown.casefold().find(query)
    out.append(shown)
    if start >= 0:
        out.stylize("bold underline", len(verb) + 1 + start, len(verb) + 1 + start + len(query))
    return out


class CoinsAndSectors(Provider):
    """A coin on the board by its base, a sector by its name, as they are typed."""

    async def search(self, query: str) -> Hits:
        app = self.app
        typed = query.strip().casefold()
        for prefix in ("open ", "sector "):
            typed = typed.removeprefix(prefix)
        if not typed:
            return
        rows = getattr(app, "rows", None) or {}
        coins = sorted(
            ((s, base) for base in rows if (s := _score(visible(base), typed)) > 0),
            key=lambda sb: (-sb[0], sb[1]),
        )
        for score, base in coins[:MAX_COINS]:
            yield Hit(
                score,
                _display("Open", base, typed),
                partial(app.post_message, OpenDetail(base)),
                text=f"Open {visible(base)}",
                help="Its detail view: rates by venue, history, settlements, signals",
            )
        sectors = getattr(app, "sectors", None)
        names = sectors.sector_map.names() if sectors is not None else ()
        for name in names:
            score = _score(visible(name), typed)
            if score > 0:
                yield Hit(
                    score,
                    _display("Sector", name, typed),
                    self._drill(name),
                    text=f"Sector {visible(name)}",
                    help="The board showing only this sector's bases (Esc: the sector board)",
                )

    def _drill(self, name: str) -> Callable[[], None]:
        def drill() -> None:
            self.app.sectors.selected = name  # type: ignore[attr-defined]  # Esc comes back to it
            self.app.post_message(DrillInto(name))

        return drill
