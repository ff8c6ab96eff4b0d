"""What the board's area says when it has no row to show, instead of a blank table.

Three cases, worst first:

- no venue has answered and every one has failed: each venue's reason in full
  (the status strip cuts them), and what to do about it;
- venues are still connecting: which ones are awaited;
- the board has rows but the filter or the watchlist view hides them all: which,
  and the key that brings them back.

Reasons quote venues' answers: they go on screen as ``Text``, never markup.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.widgets import Static

from fundtui.core.status import VenueStatus
from fundtui.ui.safe import visible

HINTS = (
    "Check the network connection; behind a proxy set `proxy` for the venue in the "
    "config (`fundtui config path` says where it is), or `api_base` for a mirror; "
    "`R` polls again now; `fundtui --demo` shows a simulated market with no network."
)


def empty_text(
    statuses: Mapping[str, VenueStatus],
    total: int,
    filter_text: str = "",
    watch_only: bool = False,
    sector: str = "",
) -> Text | None:
    """The message for an empty board; None when the board has rows to show."""
    if total == 0:
        answered = [v for v, st in statuses.items() if st.last_ok_ms is not None]
        failed = {v: st.error for v, st in statuses.items() if st.error and v not in answered}
        if answered:
            return Text("The venues answered with no perpetual to show.", style="bold")
        if failed and len(failed) == len(statuses):
            text = Text("No venue has answered.\n\n", style="bold")
            width = max(len(v) for v in failed)
            for venue, reason in failed.items():
                text.append(f"  {visible(venue):<{width}}  ", style="bold")
                text.append(visible(reason or "failed") + "\n")
            text.append("\n" + HINTS, style="italic")
            return text
        waiting = [v for v in statuses if v not in failed]
        text = Text("Waiting for the venues' first answers: ", style="bold")
        text.append(", ".join(visible(v) for v in waiting))
        for venue, reason in failed.items():
            text.append(f"\n  {visible(venue)}: ", style="bold")
            text.append(visible(reason or "failed"))
        return text
    if filter_text:
        text = Text("No base matches ")
        text.append(f"“{visible(filter_text)}”", style="bold")
        return text.append(f"{' in ' + visible(sector) if sector else ''}. Esc clears the filter.")
    if watch_only:
        return Text(
            "No watched coin is on the board: v shows every coin, w watches the selected one."
        )
    return None


class EmptyBoard(Static):
    """Shown in the board's place while :func:`empty_text` has something to say."""

    DEFAULT_CSS = """
    EmptyBoard {
        display: none;
        height: 1fr;
        padding: 1 2;
    }
    EmptyBoard.-shown {
        display: block;
    }
    """

    def show(self, text: Text | None) -> None:
        self.set_class(text is not None, "-shown")
        if text is not None:
            self.update(text)
