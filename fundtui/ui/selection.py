"""The line under the board: how far each venue's rate sits from its EMA, for the
selected base (the ema_divergence rule's figure, live)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from fundtui.core.board import BoardRow
from fundtui.core.rate_text import signed_rate_pct
from fundtui.ui import format as fmt
from fundtui.ui.format import Palette
from fundtui.ui.safe import visible

if TYPE_CHECKING:  # the engine lives on the history thread, loaded after the first frame
    from fundtui.core.signals import SignalEngine


def ema_gaps(row: BoardRow, engine: SignalEngine) -> dict[str, float | None]:
    """venue -> hourly rate minus its EMA (fraction per hour), None when unknown.
    Stale venues are left out: their rate is not current."""
    out: dict[str, float | None] = {}
    for venue, q in row.quotes.items():
        if venue in row.stale:
            continue
        hourly, ema = q.hourly, engine.ema(venue, q.symbol)
        out[venue] = None if hourly is None or ema is None else hourly - ema
    return out


def selection_text(
    row: BoardRow | None,
    gaps: dict[str, float | None],
    p: Palette,
    ready: bool,
    ema_label: str = "EMA",
) -> Text:
    if row is None:
        return Text("")
    head = Text.assemble((visible(row.base), "bold"), "  ")
    if not ready:
        return head.append("signals warming up from history…", style=p.muted)
    if not gaps:
        return head.append("no live venue for this base", style=p.muted)
    head.append(f"rate − {ema_label}, per hour: ", style=p.muted)
    for i, (venue, gap) in enumerate(gaps.items()):
        if i:
            head.append(" · ", style=p.muted)
        head.append(f"{visible(fmt.venue_code(venue))} ", style=p.muted)
        if gap is None:
            head.append("n/a", style=p.muted)
            continue
        style = p.flat if abs(gap) < fmt.FLAT_8H / 8 else p.pos[0] if gap > 0 else p.neg[0]
        head.append(signed_rate_pct(gap), style=style)
    return head


class SelectionLine(Static):
    DEFAULT_CSS = """
    SelectionLine {
        height: 1;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._shown: Text | None = None

    def show(
        self,
        row: BoardRow | None,
        gaps: dict[str, float | None],
        p: Palette,
        ready: bool,
        ema_label: str = "EMA",
    ) -> None:
        text = selection_text(row, gaps, p, ready, ema_label)
        if self._shown is None or not fmt.same(self._shown, text):
            self._shown = text
            self.update(text)
