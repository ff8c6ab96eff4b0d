"""Status widgets: one badge per venue, and the top bar with the UTC clock.

Each widget rebuilds its text and only calls ``update`` when the text differs,
so the one-second tick costs a few string comparisons when nothing moved.
"""

from __future__ import annotations

import math
import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal
from textual.widgets import Static

from fundtui.core.status import VenueState, VenueStatus
from fundtui.ui.format import Palette
from fundtui.ui.safe import plain, visible


def ago(seconds: float) -> str:
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def latency(ms: float | None) -> str:
    if ms is None:
        return ""
    return f"{ms:.0f}ms" if ms < 1000 else f"{ms / 1000:.1f}s"


def badge_text(st: VenueStatus, now_ms: int, refresh_s: float, p: Palette) -> Text:
    """``● binance 3s 120ms``; on failure the reason first, then when the retry is."""
    state = st.state(now_ms, refresh_s)
    age = ago(st.age_s(now_ms) or 0)
    trouble = ""
    if st.error:  # a reason can quote the venue's response body
        trouble = f": {visible(st.error)}"
    if st.retry_at_ms is not None and st.retry_at_ms > now_ms:
        trouble += f" · retry {ago(math.ceil((st.retry_at_ms - now_ms) / 1000))}"
    name = (visible(st.venue), "bold")
    if state is VenueState.WAITING:
        return Text.assemble(("◌ ", p.muted), name, (" connecting…", p.muted))
    if state is VenueState.LIVE:
        age = live_age(st.age_s(now_ms) or 0, refresh_s)
        return Text.assemble(("● ", p.pos[0]), name, f" {age} ", (latency(st.latency_ms), p.muted))
    if state is VenueState.RETRYING:
        return Text.assemble(("↻ ", p.warn), name, f" {age}", (trouble, p.warn))
    if state is VenueState.STALE:
        return Text.assemble(
            ("▲ ", p.neg[1]), name, " ", ("STALE", p.neg[2]), f" {age}", (trouble, p.warn)
        )
    return Text.assemble(("✕ ", p.neg[1]), name, (" down", p.neg[1]), (trouble, p.warn))


class VenueBadge(Static):
    """One venue's health on one line; the full reason is in the tooltip."""

    def __init__(self, venue: str) -> None:
        super().__init__(
            Text.assemble(("◌ ", "dim"), (visible(venue), "bold"), (" connecting…", "dim")),
            classes="venue-badge",
            markup=False,
        )
        self.venue = venue
        self.state: VenueState = VenueState.WAITING
        self._text = Text()
        self._tip: str | None = None

    def show(self, st: VenueStatus, now_ms: int, refresh_s: float, p: Palette) -> None:
        text = badge_text(st, now_ms, refresh_s, p)
        self.state = st.state(now_ms, refresh_s)
        if text.plain != self._text.plain or text.spans != self._text.spans:
            self._text = text
            self.update(text, layout=False)  # one line in a fixed grid cell
            self.set_class(self.state is VenueState.STALE, "-stale")
        if st.error != self._tip:
            self._tip = st.error  # a str tooltip would be read as markup
            self.tooltip = None if st.error is None else plain(st.error)


class VenueStrip(Grid):
    """The venue badges, three to a line (grid-size in fundtui.tcss)."""

    PER_LINE = 3

    def __init__(self, venues: list[str], id: str | None = None) -> None:
        super().__init__(id=id)
        self.venues = venues
        self.styles.height = max(1, math.ceil(len(venues) / self.PER_LINE))

        self._badges = {v: VenueBadge(v) for v in venues}

    def compose(self) -> ComposeResult:
        yield from self._badges.values()

    def badge(self, venue: str) -> VenueBadge:
        return self._badges[venue]


def transition_notice(
    venue: str, before: VenueState, after: VenueState, st: VenueStatus, now_ms: int
) -> tuple[str, str] | None:
    """(message, severity) worth a toast when a venue changes state, else None."""
    if after is before:
        return None
    why = f" ({st.error})" if st.error else ""
    if after is VenueState.STALE:
        return (
            f"{venue} is STALE: no answer for {ago(st.age_s(now_ms) or 0)}{why}. "
            "Its rates are greyed (~) and left out of spreads.",
            "warning",
        )
    if after is VenueState.DOWN:
        return f"{venue} is down{why}", "error"
    if after is VenueState.LIVE and before in (VenueState.STALE, VenueState.DOWN):
        return f"{venue} is live again", "information"
    return None


def status_detail(st: VenueStatus, now_ms: int, refresh_s: float) -> str:
    """A venue's full status on one line, for the help screen."""
    state = st.state(now_ms, refresh_s).value
    parts = [state]
    if st.last_ok_ms is not None:
        parts.append(
            f"last answer {ago(st.age_s(now_ms) or 0)} ago, {st.quotes} quotes, "
            f"{latency(st.latency_ms)}"
        )
    if st.error:
        parts.append(f"{st.failures} failure{'s' if st.failures != 1 else ''} in a row: {st.error}")
    return "; ".join(parts)


def utc_clock(now_ms: int) -> str:
    # Minutes, not seconds: a per-second clock would repaint the screen every second.
    # Settlements fall on whole hours; the countdown shows seconds when they matter.
    return time.strftime("%H:%M UTC", time.gmtime(now_ms / 1000))


def live_age(age_s: float, refresh_s: float) -> str:
    """A live venue's age: ``<10s`` while within one refresh, then the exact age.

    A healthy board then changes nothing between refreshes (idle CPU ~0); a late
    venue's age counts up in seconds.
    """
    return f"<{refresh_s:g}s" if age_s <= refresh_s else ago(age_s)


class TopBar(Horizontal):
    """App name, DEMO when simulated, what the board shows, and the UTC clock."""

    def __init__(self, demo: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.demo = demo
        self._clock_text = ""

    def compose(self) -> ComposeResult:
        yield Static(Text("fundtui", style="bold"), id="app-name")
        if self.demo:
            yield Static(Text(" DEMO ", style="bold reverse"), id="demo-label")
        yield Static("", id="view-info", markup=False)
        yield Static("", id="role", markup=False)
        yield Static("", id="muted", markup=False)
        yield Static("", id="alerts-failing", markup=False)
        yield Static("", id="clock", markup=False)

    def set_muted(self, muted: bool) -> None:
        """Signal toasts muted (m): said in the header for as long as it lasts."""
        self.query_one("#muted", Static).update(
            Text(" toasts muted ", style="reverse") if muted else Text("")
        )

    def set_alerts_failing(self, targets: int) -> None:
        """Alert URLs whose last delivery failed (the toast said why)."""
        text = f" alerts failing: {targets} " if targets else ""
        self.query_one("#alerts-failing", Static).update(Text(text, style="reverse"))

    def set_role(self, role: str, holder: int | None) -> None:
        """``viewer``: this window shows another process's answers (it polls nothing)."""
        text = "" if role != "viewer" else f" attached{f' to pid {holder}' if holder else ''} "
        self.query_one("#role", Static).update(Text(text, style="reverse" if text else ""))

    def set_view(self, text: str) -> None:
        """``text`` quotes the filter typed and the sector drilled into (a map's name)."""
        self.query_one("#view-info", Static).update(plain(text))

    def set_clock(self, now_ms: int) -> None:
        text = utc_clock(now_ms)
        if text != self._clock_text:
            self._clock_text = text
            self.query_one("#clock", Static).update(text, layout=False)  # fixed width
