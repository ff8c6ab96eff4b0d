"""The fundtui app: runs the engine and renders what it says.

The engine (``fundtui.engine``: sources, one poller per venue, the market state,
the writer thread) emits plain events; each becomes an ``EngineEvent`` message
and is drawn here: the board's screen (``ui/board_screen.py``), the venue
status line, toasts, the signals list. Screens ask for things with messages
(``ui/messages.py``). The first frame does not wait for the sources:
``source_factory`` (which may import ccxt) runs in a thread after mount while
the empty board and the "connecting" badges are already on screen.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.driver import Driver
from textual.widgets import DataTable

from fundtui.config import Config
from fundtui.core.signal_types import Hit
from fundtui.engine import events as ev
from fundtui.engine.engine import REBUILD_GATHER_S, Engine, SourceFactory, wall_clock_ms
from fundtui.feeds.source import QuoteSource
from fundtui.store.watchlist import Watchlist
from fundtui.ui.board import BoardTable
from fundtui.ui.board_screen import BoardScreen
from fundtui.ui.columns import TREND_WIDTH
from fundtui.ui.engine_view import EngineView
from fundtui.ui.format import Palette
from fundtui.ui.hangup import quit_on_hangup, terminal_driver
from fundtui.ui.messages import EngineEvent

if TYPE_CHECKING:  # loaded only when alert URLs are configured
    from fundtui.engine.alerts import AlertDispatcher, AlertOutcome
from fundtui.ui.navigation import ScreenRoutes
from fundtui.ui.notices import NOTICE_GATHER_S, GatheredNotices
from fundtui.ui.palette import CoinsAndSectors
from fundtui.ui.safe import PlainToasts
from fundtui.ui.selection import SelectionLine, ema_gaps
from fundtui.ui.status import TopBar, VenueStrip, transition_notice
from fundtui.ui.theme import install_themes

__all__ = ["REBUILD_GATHER_S", "FundApp", "SourceFactory", "run_app", "wall_clock_ms"]

#: Signal hits kept in memory for the signals screen (the log keeps them all).
SIGNALS_KEPT = 2000


class FundApp(PlainToasts, GatheredNotices, ScreenRoutes, EngineView, App[int]):
    CSS_PATH = "fundtui.tcss"
    COMMANDS = App.COMMANDS | {CoinsAndSectors}  # a coin or a sector from any screen
    TITLE = "fundtui"
    #: Keys that mean the same on every screen; the board's own keys are bound on
    #: its screen (ui/board_screen.py), so they act only where the board is shown.
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
        Binding("R", "poll_now", "Poll now", show=False),
        Binding("t", "sectors", "Sectors"),
        Binding("g", "signals", "Signals"),
        Binding("m", "mute", "Mute toasts", show=False),
    ]

    def __init__(
        self,
        config: Config,
        source_factory: SourceFactory,
        demo: bool = False,
        clock: Callable[[], int] | None = None,
        watchlist_path: Path | None = None,
        gather_s: float = REBUILD_GATHER_S,
        history: bool = True,
        history_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.source_factory = source_factory
        self.demo = demo
        self.clock = clock or wall_clock_ms
        self.watchlist, self._watch_notice = Watchlist.load(watchlist_path, demo)
        # The engine (no Textual): sources, pollers, market state, the writer thread.
        self.engine = Engine(
            config,
            source_factory,
            self._engine_event,
            self.clock,
            gather_s=gather_s,
            history=history,
            history_dir=history_dir,
            demo=demo,
            trend_length=TREND_WIDTH,
            watched=lambda: self.watchlist.bases,
        )
        if self.engine.writer is not None:  # the first data frame first (writer.hold)
            self.engine.writer.hold()
        self.alerts: AlertDispatcher | None = None  # sent by the polling engine's hit sinks
        if config.alerts.urls:
            from fundtui.engine.alerts import attach_alerts

            self.alerts = attach_alerts(self.engine, config, self._alert_outcome)
        self._alert_failing: set[str] = set()  # targets whose failure was shown
        self.muted = False  # m: no signal toasts until quit
        self._toast_hits: list[Hit] = []  # gathered for one toast per refresh
        self._shown_rebuilds = 0  # engine rebuilds the board has drawn
        self._notices: list[tuple[str, str]] = []  # venue state changes waiting to be shown
        self.signals: deque[Hit] = deque(maxlen=SIGNALS_KEPT)  # oldest first
        self._shutting_down = False  # (MessagePump has its own _closing)
        self.evaluations_done = 0  # refreshes the signal engine answered, as shown
        # before the stylesheet is first parsed (in on_mount it re-applied every rule, ~35 ms)
        self.themes = install_themes(self, config.theme)  # shipped, the user's, the choice

    # --- layout -------------------------------------------------------------

    def get_default_screen(self) -> BoardScreen:
        return BoardScreen(self.venues, self.watchlist, self.demo, self.config.net_horizon_hours)

    @property
    def board_screen(self) -> BoardScreen:
        return self.screen_stack[0]  # type: ignore[return-value]

    @property
    def board(self) -> BoardTable:
        return self.main(BoardTable)

    def main(self, selector, expect_type=None):  # noqa: ANN001 - as DOMNode.query_one
        """A widget of the board's screen, whichever screen is on top (the detail
        and signals screens cover it while refreshes keep it current)."""
        return self.screen_stack[0].query_one(selector, expect_type)

    def get_driver_class(self) -> type[Driver]:
        return terminal_driver(super().get_driver_class())  # a lost terminal quits, too

    def on_mount(self) -> None:
        quit_on_hangup(self)  # SIGHUP (SSH gone, tmux killed): quit as q does, state saved

    def on_board_screen_ready(self, _message: BoardScreen.Ready) -> None:
        self.board.palette = self._palette()
        self.theme_changed_signal.subscribe(self, lambda _theme: self._retheme())
        self._update_view_info()
        self.tick()
        self.ticker = self.set_interval(1.0, self.tick)
        for notice in self.themes.notices:
            self.notify(notice, severity="warning", timeout=10)
        if self._watch_notice:
            self.notify(self._watch_notice, severity="warning", timeout=10)
        self.engine.claim()  # poll here, or attach (the poller's answers fill the board)
        # After the first frame is painted: building the sources imports ccxt, which
        # holds the GIL for about a second.
        self.call_after_refresh(self._start_background)

    def _start_background(self) -> None:
        """After the first frame: the sources (ccxt) and the writer thread (SQLite,
        the warm-up) would otherwise hold the GIL while it is drawn."""
        self.engine.start()

    @property
    def closing(self) -> bool:
        """Shutting down: the board's screen may be gone; nothing is redrawn."""
        if self._shutting_down or not self.screen_stack:
            return True
        try:  # during teardown the board's widgets go before the app's timers stop
            self.main(BoardTable)
        except NoMatches:
            return True
        return False

    async def on_unmount(self) -> None:
        self._shutting_down = True
        # stops polling, lets the writer checkpoint and close the database
        await self.engine.stop()
        if self.alerts is not None:  # what is pending gets a second to go out
            await asyncio.to_thread(self.alerts.close, 1.0)

    # --- the engine's events --------------------------------------------------

    def _engine_event(self, event: ev.Event) -> None:
        """From the event loop or the writer thread: into the message queue."""
        self.post_message(EngineEvent(event))

    def on_engine_event(self, message: EngineEvent) -> None:
        event = message.event
        if isinstance(event, ev.SourcesFailed):
            self.notify(f"Could not start the venues: {event.reason}", severity="error", timeout=30)
        if self.closing:
            return
        if isinstance(event, ev.BoardRebuilt):
            self._show_rebuild(event)
        elif isinstance(event, ev.StatusChanged):
            self._refresh_status(event.now_ms)
        elif isinstance(event, ev.SignalsEvaluated):
            self._signals_evaluated(event)
        elif isinstance(event, ev.HistoryReady):
            self._history_ready(event)
        elif isinstance(event, ev.RoleChanged):
            self._role_changed(event)
        elif isinstance(event, ev.HistoryProblem):
            self.notify(f"History: {event.reason}", severity="warning", timeout=10)
        elif isinstance(event, ev.Notice):
            self.notify(
                event.text,
                severity=event.severity,  # type: ignore[arg-type]
                timeout=event.timeout,
            )

    def _show_rebuild(self, event: ev.BoardRebuilt) -> None:
        self._shown_rebuilds = self.engine.rebuilds
        self.board.set_rows(event.rows, event.now_ms, event.stale)
        self._refresh_status(event.now_ms)
        if self._history_held:  # the first rows: history starts once they are drawn
            self.call_after_refresh(self._let_history_start)
        self._update_view_info()
        from fundtui.ui.sectors import SectorScreen

        for screen in self.screen_stack:
            if isinstance(screen, SectorScreen):
                screen.refresh_board()
        self._update_selection()

    def _history_ready(self, event: ev.HistoryReady) -> None:
        past = [
            h for h in event.past_hits if not self.signals or h.time_ms < self.signals[0].time_ms
        ]
        self.signals.extendleft(reversed(past))
        for problem in event.problems:
            self.notify(problem, severity="warning", timeout=10)
        if event.warm_up.source != "none":
            self.notify(event.warm_up.describe(), timeout=5)
        if self.rows:
            self.board.set_rows(
                self.engine.market.decorated(), self.clock(), self.engine.market.stale
            )

    def _alert_outcome(self, outcome: AlertOutcome) -> None:
        """A failure: one toast per target until one gets through; the header counts them."""
        failing = self._alert_failing
        if not outcome.ok and outcome.target not in failing and not self.closing:
            self.notify(outcome.line, title="Alert not delivered", severity="warning")
        (failing.discard if outcome.ok else failing.add)(outcome.target)
        if not self.closing:
            self.main(TopBar).set_alerts_failing(len(failing))

    def _role_changed(self, event: ev.RoleChanged) -> None:
        self.main(TopBar).set_role(event.role, event.holder)
        if event.role != ev.VIEWER:
            return
        past = [
            h for h in event.past_hits if not self.signals or h.time_ms < self.signals[0].time_ms
        ]
        self.signals.extendleft(reversed(past))
        who = f" (pid {event.holder})" if event.holder else ""
        self.notify(
            f"Attached to the fundtui polling this data folder{who}: this window sends no "
            "venue requests and takes over if that one stops",
            timeout=8,
        )

    def _signals_evaluated(self, event: ev.SignalsEvaluated) -> None:
        """Every hit, the signal engine's or the sector board's, already logged by the
        writer: the signals list, an open signals screen, a toast, the bell."""
        if event.evaluation:
            self.evaluations_done += 1
            self._update_selection()  # the EMA gaps moved
        if not event.hits:
            return
        from fundtui.ui.signals_screen import SignalsScreen

        self.signals.extend(event.hits)
        for screen in self.screen_stack:
            if isinstance(screen, SignalsScreen):
                screen.add_hits(event.hits)
        # toasts for what [signals.toast] asks, one per refresh (rules' and sectors' hits)
        wanted = [h for h in event.hits if self.config.toasts.wants(h)]
        if wanted and not self.muted:
            if not self._toast_hits:
                self.set_timer(NOTICE_GATHER_S, self._flush_hit_toast)
            self._toast_hits.extend(wanted)

    def _flush_hit_toast(self) -> None:
        from fundtui.ui.signals_screen import hits_notice

        hits, self._toast_hits = self._toast_hits, []
        if not hits or self.muted or self.closing:
            return
        text, title = hits_notice(hits)
        self.notify(text, title=title, timeout=6)
        if self.config.bell:
            self.bell()

    def action_mute(self) -> None:
        """No signal toasts until quit (or m again); hits are still logged and listed."""
        self.muted = not self.muted
        self._toast_hits.clear()
        self.main(TopBar).set_muted(self.muted)
        self.notify("Toasts muted until quit (m: on)" if self.muted else "Toasts on", timeout=3)

    def _update_selection(self) -> None:
        if self.closing:  # a highlight posted as the board's screen went away
            return
        base = self.board.selected_base
        row = self.rows.get(base) if base else None
        engine = self.recorder.engine if self.recorder is not None else None
        label = "EMA"
        if engine is not None:
            c = engine.config
            label = f"EMA({c.ema_periods}×{c.ema_period_h:g}h)"
        self.main(SelectionLine).show(
            row,
            ema_gaps(row, engine) if row is not None and engine else {},
            self.board.palette,
            engine is not None or self.engine.writer is None,
            label,
        )

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._update_selection()

    def _refresh_status(self, now: int) -> None:
        if self.closing:
            return
        if self._history_held and not self.rows and self.engine.market.all_answered():
            self._let_history_start()  # no data is coming: history need not wait
        strip = self.main(VenueStrip)
        palette = self.board.palette
        for venue, st in self.statuses.items():
            badge = strip.badge(venue)
            before = badge.state
            badge.show(st, now, self.refresh_s, palette)
            if notice := transition_notice(venue, before, badge.state, st, now):
                self._queue_notice(*notice)
        if isinstance(board := self.screen_stack[0], BoardScreen):
            board.show_empty(self.statuses)  # nothing to show: say why, in the board's place
        self.engine.check_stale(now)  # a venue went stale or came back: rebuild

    def tick(self) -> None:
        """Once a second: the clock, the badges' ages, the countdown column."""
        if self.closing:
            return
        now = self.clock()
        self.main(TopBar).set_clock(now)
        self._refresh_status(now)
        self.board.tick(now)

    def _palette(self) -> Palette:
        return Palette.from_variables(self.get_css_variables())

    def _retheme(self) -> None:
        if self.closing:
            return
        self.themes.remember(self.theme)  # a choice made in the palette is kept
        self.board.set_palette(self._palette())
        self._refresh_status(self.clock())

    def _update_view_info(self) -> None:
        if not self.closing:
            self.board_screen.update_view_info()

    # --- actions ------------------------------------------------------------

    def action_poll_now(self) -> None:
        """R: every venue asked now, and said so (a rate-limited one waits its turn)."""
        if self.engine.role == ev.VIEWER:
            self.notify("Attached: the polling fundtui asks the venues, not this window")
            return
        held = self.poll_now()
        woken = [v for v in self.venues if v not in held]
        parts = [f"Polling {', '.join(woken)} now"] if woken else []
        if held:
            parts.append(f"waiting out the rate limit of {', '.join(held)}")
        self.notify("; ".join(parts) or "No venue to poll", timeout=4)


def run_app(config: Config, demo: bool = False) -> int:
    """Run the board until the user quits; returns the process exit code."""
    names = [v.name for v in config.active_venues()]
    if demo:

        def factory() -> Sequence[QuoteSource]:
            from fundtui.feeds.demo import demo_sources

            return demo_sources(names)
    else:

        def factory() -> Sequence[QuoteSource]:
            from fundtui.feeds.registry import make_sources

            return make_sources(config.active_venues())

    app = FundApp(config, factory, demo=demo)
    app.run()
    return app.return_code or 0
