"""The fundtui app: the board, the venue status line, and one poller per venue.

The first frame does not wait for the sources: ``source_factory`` (which may
import ccxt) runs in a thread after mount while the empty board and the
"connecting" badges are already on screen.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.widgets import DataTable, Footer, Input
from textual.worker import Worker, WorkerState

from fundtui.config import Config
from fundtui.core.board import build_board
from fundtui.core.quote import Quote
from fundtui.core.signal_types import Hit
from fundtui.core.status import VenueState, VenueStatus
from fundtui.core.text import describe_exception
from fundtui.core.trend import RateVelocity, SpreadTrend
from fundtui.feeds.source import QuoteSource
from fundtui.store.paths import history_dir as default_history_dir
from fundtui.store.watchlist import Watchlist
from fundtui.ui import safe
from fundtui.ui.board import BoardTable
from fundtui.ui.columns import TREND_WIDTH
from fundtui.ui.format import Palette
from fundtui.ui.messages import (
    HistoryProblem,
    HistoryReady,
    SignalsEvaluated,
    SourcesFailed,
    SourcesReady,
    VenueFailed,
    VenuePolled,
)
from fundtui.ui.poller import VenuePoller
from fundtui.ui.recording import HistoryThread
from fundtui.ui.selection import SelectionLine, ema_gaps
from fundtui.ui.status import TopBar, VenueStrip, status_detail, transition_notice
from fundtui.ui.theme import FUNDTUI_DARK

if TYPE_CHECKING:  # loaded by the history thread, after the first frame
    from fundtui.store.recorder import Recorder
    from fundtui.ui.sectors import SectorFeed

SourceFactory = Callable[[], Sequence[QuoteSource]]


#: Venue answers arriving within this many seconds share one board rebuild.
REBUILD_GATHER_S = 0.5

#: State changes arriving within this many seconds share one toast.
NOTICE_GATHER_S = 0.3

#: Settled funding of watched coins is brought up to date this often.
WATCH_SETTLED_EVERY_S = 3600.0

#: Signal hits kept in memory for the signals screen (the log keeps them all).
SIGNALS_KEPT = 2000


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class FundApp(App[int]):
    CSS_PATH = "fundtui.tcss"
    TITLE = "fundtui"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
        Binding("u", "unit", "Unit"),
        Binding("s", "sort(1)", "Sort"),
        Binding("S", "sort(-1)", "Sort back", show=False),
        Binding("r", "reverse", "Reverse"),
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("w", "watch", "Watch"),
        Binding("v,W", "watch_only", "Watchlist"),
        Binding("R", "poll_now", "Poll now", show=False),
        Binding("t", "sectors", "Sectors"),
        Binding("g", "signals", "Signals"),
        Binding("c", "calculator", "Calc", show=False),
        Binding("C", "carry", "Carry", show=False),
    ]

    #: Actions on the board or its selected row: they act, and the footer offers
    #: them, only while the board's screen is on top (elsewhere the board is hidden).
    BOARD_ACTIONS = frozenset({"unit", "sort", "reverse", "filter", "clear_filter", "watch",
                               "watch_only", "calculator", "carry"})

    def __init__(self, config: Config, source_factory: SourceFactory, demo: bool = False,
                 clock: Callable[[], int] | None = None,
                 watchlist_path: Path | None = None,
                 gather_s: float = REBUILD_GATHER_S,
                 history: bool = True, history_dir: Path | None = None) -> None:
        super().__init__()
        self.config = config
        self.source_factory = source_factory
        self.demo = demo
        self.clock = clock or wall_clock_ms
        self.refresh_s = config.refresh_seconds
        self.venues = [v.name for v in config.active_venues()]
        self.statuses: dict[str, VenueStatus] = {v: VenueStatus(v) for v in self.venues}
        self.quotes: dict[str, tuple[Quote, ...]] = {}  # last good quotes per venue
        self.sources: list[QuoteSource] = []
        self.pollers: dict[str, VenuePoller] = {}
        self.watchlist, self._watch_notice = Watchlist.load(watchlist_path)
        self._stale: frozenset[str] = frozenset()
        self._rebuild_pending = False
        self._settled = False  # see _settle
        self.gather_s = gather_s
        self._notices: list[tuple[str, str]] = []  # venue state changes waiting to be shown
        # The sector map and the rotation model load after the first frame (see sectors).
        self._sectors: SectorFeed | None = None
        # History and signals: one background thread (see ui/recording.py). The demo
        # market keeps its own files so simulated rates never mix with real ones.
        if history_dir is None:
            history_dir = default_history_dir(demo)
        self.history: HistoryThread | None = HistoryThread(
            config.signals, self.post_message, self.clock, history_dir,
            trend_length=TREND_WIDTH) if history else None
        self.recorder: Recorder | None = None  # set once the thread has warmed up
        self.trend = SpreadTrend(TREND_WIDTH)
        self.rate_velocity = RateVelocity()
        self.velocity: dict[str, float | None] = {}  # base -> mean velocity, shown
        self.signals: deque[Hit] = deque(maxlen=SIGNALS_KEPT)  # oldest first
        self.rows: dict = {}  # base -> BoardRow, as last built
        self._watch_timer = None  # hourly refresh of the watched coins' settlements
        self._shutting_down = False  # (MessagePump has its own _closing)
        # refreshes handed to the signal engine, and those it has answered
        self.evaluations_sent = 0
        self.evaluations_done = 0
        # The theme is chosen before the stylesheet is first parsed: set in on_mount,
        # it re-parsed and re-applied every rule before the first frame (~35 ms).
        self.register_theme(FUNDTUI_DARK)
        self.theme = FUNDTUI_DARK.name

    # --- toasts -------------------------------------------------------------

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every toast as plain text, whoever raises it (screens' ``notify`` lands here).

        Toasts quote venue names, reasons that carry a venue's response body and file
        problems; Textual would read them as markup (``[link=...]`` raises, an
        ``[@click=...]`` runs an action). ``markup`` is accepted and ignored.
        """
        super().notify(safe.lines(message), title=safe.visible(title), severity=severity,
                       timeout=timeout, markup=False)

    # --- layout -------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TopBar(self.demo, id="top")
        yield BoardTable(self.venues, id="board")
        yield SelectionLine(id="selection")
        yield Input(placeholder="filter bases (Enter keeps, Esc clears)", id="filter",
                    compact=True)
        yield VenueStrip(self.venues, id="venues")
        yield Footer()

    @property
    def board(self) -> BoardTable:
        return self.main(BoardTable)

    def main(self, selector, expect_type=None):  # noqa: ANN001 - as DOMNode.query_one
        """A widget of the board's screen, whichever screen is on top (the detail
        and signals screens cover it while refreshes keep it current)."""
        return self.screen_stack[0].query_one(selector, expect_type)

    def on_mount(self) -> None:
        self.board.watched = self.watchlist.bases
        self.board.palette = self._palette()
        self.theme_changed_signal.subscribe(self, lambda _theme: self._retheme())
        self.board.focus()
        self._update_view_info()
        self.tick()
        self.ticker = self.set_interval(1.0, self.tick)
        if self._watch_notice:
            self.notify(self._watch_notice, severity="warning", timeout=10)
        # After the first frame is painted: building the sources imports ccxt, which
        # holds the GIL for about a second.
        self.call_after_refresh(self._start_background)

    @property
    def sectors(self) -> SectorFeed:
        """The sector feed, made on first use: the sector map and the rotation model
        cost ~30 ms of imports and loading that the first frame does not wait for."""
        if self._sectors is None:
            from fundtui.ui.sectors import SectorFeed

            self._sectors = SectorFeed(self.config)
        return self._sectors

    @sectors.setter
    def sectors(self, feed: SectorFeed) -> None:
        self._sectors = feed

    def _start_background(self) -> None:
        """After the first frame: the sources (ccxt) and the history thread (SQLite,
        the warm-up) would otherwise hold the GIL while it is drawn."""
        self.run_worker(self._start_sources(), name="sources", group="sources",
                        exit_on_error=False)
        if self.history is not None:
            # the sector board's 1/8/24 h-ago baselines, read by the thread at start
            self.history.horizons_h = tuple(self.sectors.model.params.horizons_h)
            self.run_worker(self.history.run, name="history", group="history", thread=True,
                            exit_on_error=False)

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
        if self.history is not None:  # let it checkpoint and close the database
            self.history.stop()
            await asyncio.to_thread(self.history.wait, 10)
        for source in self.sources:
            try:
                await asyncio.wait_for(source.close(), 5)
            except Exception:  # closing is best effort on the way out
                pass

    # --- sources and polling ------------------------------------------------

    async def _start_sources(self) -> None:
        try:
            sources = await asyncio.to_thread(self.source_factory)
        except Exception as e:
            self.post_message(SourcesFailed(describe_exception(e)))
            return
        self.post_message(SourcesReady(sources))

    def on_sources_ready(self, message: SourcesReady) -> None:
        self.sources = message.sources
        for source in message.sources:
            if source.name not in self.statuses:
                self.notify(f"Ignoring source {source.name!r}: not a configured venue",
                            severity="warning")
                continue
            poller = VenuePoller(source, self.post_message, self.refresh_s, self.clock)
            self.pollers[source.name] = poller
            self.run_worker(poller.run(), name=f"poll {source.name}", group=source.name,
                            exit_on_error=False)
        for venue in self.venues:
            if venue not in self.pollers:
                self._venue_failed(venue, "no source for this venue")

    def on_sources_failed(self, message: SourcesFailed) -> None:
        self.notify(f"Could not start the venues: {message.reason}", severity="error",
                    timeout=30)
        for venue in self.venues:
            self._venue_failed(venue, message.reason)

    def on_venue_polled(self, message: VenuePolled) -> None:
        if message.venue not in self.statuses:
            return
        self._show_source_notices(message.venue)
        now = self.clock()
        self.statuses[message.venue] = self.statuses[message.venue].succeeded(
            now, message.poll.latency_ms, len(message.poll.quotes))
        self.quotes[message.venue] = message.poll.quotes
        if self.history is not None:
            self.history.record_poll(message.poll.quotes, message.poll.fetched_ms)
        self._schedule_rebuild()

    def on_venue_failed(self, message: VenueFailed) -> None:
        self._show_source_notices(message.venue)
        self._venue_failed(message.venue, message.reason, message.retry_at_ms)

    def _show_source_notices(self, venue: str) -> None:
        # What a source noticed on the way (its market cache moved aside), once each.
        poller = self.pollers.get(venue)
        take = getattr(poller.source, "take_notices", None) if poller else None
        for notice in take() if take is not None else ():
            self.notify(notice, severity="warning", timeout=10)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR and worker.group in self.statuses:
            self._venue_failed(worker.group, f"poller stopped: {describe_exception(worker.error)}")

    def _venue_failed(self, venue: str, reason: str, retry_at_ms: int | None = None) -> None:
        if venue not in self.statuses:
            return
        reason = reason.splitlines()[0] if reason.strip() else "unknown error"
        self.statuses[venue] = self.statuses[venue].failed(reason, retry_at_ms)
        self._refresh_status(self.clock())

    def poll_now(self) -> list[str]:
        """Wake every poller now; returns the venues held back by a rate-limit wait."""
        return [v for v, p in self.pollers.items() if not p.wake()]

    # --- keeping the screen current -----------------------------------------

    def _schedule_rebuild(self) -> None:
        # Venues poll on one grid and answer within a moment of each other: what
        # arrives within gather_s makes one rebuild (and one repaint) for the lot.
        if not self._rebuild_pending:
            self._rebuild_pending = True
            if self.gather_s > 0:
                self.set_timer(self.gather_s, self._rebuild)
            else:
                self.call_later(self._rebuild)

    def _rebuild(self) -> None:
        self._rebuild_pending = False
        if self.closing:
            return
        if not self._settled and all(st.last_ok_ms is not None or st.error
                                     for st in self.statuses.values()):
            self._settle()
        now = self.clock()
        self._stale = self._stale_venues(now)
        rows = build_board(self.quotes, self.venues, self._stale)
        # Refreshes closer than half the refresh period (venues answering a moment
        # apart) are one point of the trend line.
        self.trend.push(now, {b: r.spread.spread_8h if r.spread else None
                              for b, r in rows.items()}, round(self.refresh_s * 500))
        self.rows = rows
        fresh = [q for r in rows.values() for q in r.fresh_quotes()]
        self.rate_velocity.update(now, fresh)
        self.velocity = self.rate_velocity.by_base(fresh)
        self.board.set_rows(self._decorated(), now, self._stale)
        self._refresh_status(now)
        self._update_view_info()
        self._feed_sectors(now)
        self._update_selection()
        if self.history is not None:
            self.history.evaluate(now, fresh)
            self.evaluations_sent += 1

    def _decorated(self) -> dict:
        """The rows with their trend line and velocity."""
        trend, velocity = self.trend.values, self.velocity.get
        return {b: dataclasses.replace(r, trend=trend(b), velocity=velocity(b))
                for b, r in self.rows.items()}

    # --- history and signals --------------------------------------------------

    def on_history_ready(self, message: HistoryReady) -> None:
        self.recorder = message.recorder
        if self.closing:
            return
        self._start_watch_settlements()
        if message.baselines:
            self.sectors.warm_up(message.baselines, message.at_ms)
        for at, spreads in message.warm_up.spreads:
            self.trend.push(at, spreads, round(self.refresh_s * 500))
        past = [h for h in message.past_hits if not self.signals or h.time_ms
                < self.signals[0].time_ms]
        self.signals.extendleft(reversed(past))
        for problem in message.problems:
            self.notify(problem, severity="warning", timeout=10)
        if message.warm_up.source != "none":
            self.notify(message.warm_up.describe(), timeout=5)
        if self.rows:
            self.board.set_rows(self._decorated(), self.clock(), self._stale)

    def on_signals_evaluated(self, message: SignalsEvaluated) -> None:
        if self.closing:
            return
        self.evaluations_done += 1
        self._update_selection()  # the EMA gaps moved
        if not message.hits:
            return
        from fundtui.ui.signals_screen import SignalsScreen, hits_notice

        self.signals.extend(message.hits)
        for screen in self.screen_stack:
            if isinstance(screen, SignalsScreen):
                screen.add_hits(message.hits)
        text, title = hits_notice(message.hits)
        self.notify(text, title=title, timeout=6)
        if self.config.bell:
            self.bell()

    def on_history_problem(self, message: HistoryProblem) -> None:
        self.notify(f"History: {message.reason}", severity="warning", timeout=10)

    def _start_watch_settlements(self) -> None:
        """Once the store is open and every venue has answered: keep the watched coins'
        settled funding cached (now, then hourly), so their detail view opens ready."""
        if self._watch_timer is not None or self.recorder is None or not self._settled:
            return
        self._watch_timer = self.set_interval(WATCH_SETTLED_EVERY_S, self._watch_settlements)
        self._watch_settlements()

    def _watch_settlements(self) -> None:
        self.run_worker(self._fetch_watched(), group="settled", exclusive=True,
                        exit_on_error=False)

    async def _fetch_watched(self) -> None:
        from fundtui.ui.settled import up_to_date

        store = self.recorder.store if self.recorder is not None else None
        if store is None:
            return
        sources = {s.name: s for s in self.sources}
        now, problems = self.clock(), []
        for base in sorted(self.watchlist.bases):
            row = self.rows.get(base)
            for venue, q in (row.quotes.items() if row is not None else ()):
                fetch = getattr(sources.get(venue), "settlements", None)
                if fetch is None or venue in row.stale:
                    continue
                _, _, problem = await up_to_date(store, venue, q.symbol, fetch, now,
                                                 q.interval_hours)
                if problem:
                    problems.append(f"{base} on {venue}: {problem}")
        if problems:
            self.notify("Settled funding of watched coins not updated:\n"
                        + "\n".join(problems[:5]), severity="warning", timeout=8)

    def _update_selection(self) -> None:
        base = self.board.selected_base
        row = self.rows.get(base) if base else None
        engine = self.recorder.engine if self.recorder is not None else None
        label = "EMA"
        if engine is not None:
            c = engine.config
            label = f"EMA({c.ema_periods}×{c.ema_period_h:g}h)"
        self.main(SelectionLine).show(
            row, ema_gaps(row, engine) if row is not None and engine else {},
            self.board.palette, engine is not None or self.history is None, label)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._update_selection()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table is self.board and event.row_key.value is not None:
            self.open_detail(event.row_key.value)

    def open_detail(self, base: str) -> None:
        """The detail view of ``base`` (Enter on the board or on a signal)."""
        row = self.rows.get(base)
        if row is None:
            self.notify(f"{base} is not on the board right now", timeout=3)
            return
        from fundtui.ui.detail import DetailScreen  # plotext: loaded on first use

        store = self.recorder.store if self.recorder is not None else None
        self.push_screen(DetailScreen(row, store, {s.name: s for s in self.sources},
                                      list(self.signals), self.clock(), self.board.palette))

    def _settle(self) -> None:
        """Every venue has answered once: ccxt is imported and market metadata
        loaded, some 200k objects that live as long as the app. Collect startup's
        garbage, then move the rest out of the collector's sight, so later full
        collections (which would otherwise rescan them all, ~90 ms, in the middle
        of a refresh) only look at what refreshes create."""
        self._settled = True
        gc.collect()
        gc.freeze()
        self._start_watch_settlements()

    def _stale_venues(self, now: int) -> frozenset[str]:
        return frozenset(v for v, st in self.statuses.items()
                         if st.state(now, self.refresh_s) is VenueState.STALE)

    def _refresh_status(self, now: int) -> None:
        if self.closing:
            return
        strip = self.main(VenueStrip)
        palette = self.board.palette
        for venue, st in self.statuses.items():
            badge = strip.badge(venue)
            before = badge.state
            badge.show(st, now, self.refresh_s, palette)
            if notice := transition_notice(venue, before, badge.state, st, now):
                self._queue_notice(*notice)
        if self._stale_venues(now) != self._stale:  # a venue went stale or came back
            self._rebuild()

    def _queue_notice(self, message: str, severity: str) -> None:
        # Venues often change state together (the network drops, the app starts with
        # no connection): what arrives within NOTICE_GATHER_S becomes one toast.
        if not self._notices:
            self.set_timer(NOTICE_GATHER_S, self._flush_notices)
        self._notices.append((message, severity))

    def _flush_notices(self) -> None:
        notices, self._notices = self._notices, []
        for severity in ("error", "warning", "information"):
            lines = [m for m, sev in notices if sev == severity]
            if lines:
                self.notify("\n".join(lines), severity=severity,  # type: ignore[arg-type]
                            timeout=8 + 2 * (len(lines) - 1))

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
        self.board.set_palette(self._palette())
        self._refresh_status(self.clock())

    def _update_view_info(self) -> None:
        b = self.board
        parts = [b.unit.label, f"sort {b.sort_title()}{'▼' if b.sort_desc else '▲'}"]
        if b.filter_text:
            parts.append(f"filter “{b.filter_text}”")
        if b.base_filter_label:
            parts.append(f"sector {b.base_filter_label} (Esc: sectors)")
        if b.watch_only:
            parts.append("★ only")
        parts.append(f"{b.row_count}/{b.total_count} bases")
        self.main(TopBar).set_view(" · ".join(parts))

    def on_board_table_view_changed(self, _message: BoardTable.ViewChanged) -> None:
        self._update_view_info()

    # --- actions ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Board actions are off, and left out of the footer, on every other screen:
        ``w`` on the sector board would watch a hidden row, ``/`` would open a
        hidden filter."""
        if action in self.BOARD_ACTIONS and self.screen_stack \
                and self.screen is not self.screen_stack[0]:
            return False
        return True

    def action_help(self) -> None:
        from fundtui.ui.help import HelpScreen

        now = self.clock()
        self.push_screen(HelpScreen([(v, status_detail(st, now, self.refresh_s))
                                     for v, st in self.statuses.items()]))

    def action_unit(self) -> None:
        self.board.cycle_unit()

    def action_sort(self, step: int) -> None:
        self.board.cycle_sort(step)

    def action_reverse(self) -> None:
        self.board.reverse_sort()

    def action_filter(self) -> None:
        field = self.main("#filter", Input)
        field.add_class("-open")
        field.focus()

    def action_clear_filter(self) -> None:
        if self.board.base_filter is not None:  # drilled in from the sector board: back there
            from fundtui.ui.sectors import open_sectors

            open_sectors(self, self.sectors)
            return
        field = self.main("#filter", Input)
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
        self._update_view_info()
        self.notify(f"{'★ Watching' if watched else 'No longer watching'} {base}", timeout=2)

    def action_watch_only(self) -> None:
        self.board.toggle_watch_only()
        if self.board.watch_only and not self.watchlist.bases:
            self.notify("The watchlist is empty: press w on a row to watch it", timeout=4)

    def action_signals(self) -> None:
        from fundtui.ui.signals_screen import SignalsScreen

        if isinstance(self.screen, SignalsScreen):
            self.pop_screen()
            return
        self.push_screen(SignalsScreen(list(self.signals), self.board.palette))

    def action_sectors(self) -> None:
        from fundtui.ui.sectors import open_sectors

        open_sectors(self, self.sectors)

    def action_calculator(self) -> None:
        from fundtui.ui.calculator import open_calculator

        open_calculator(self)

    def action_carry(self) -> None:
        from fundtui.ui.calculator import open_carry

        open_carry(self)

    def _feed_sectors(self, now: int) -> None:
        """Sector aggregation of the rows just built; state changes are signals."""
        from fundtui.ui import sectors as sector_board

        hits = self.sectors.update(self.board.board_rows, now)
        sector_board.refresh_screens(self)
        sector_board.route_hits(self, hits)

    def get_system_commands(self, screen):  # noqa: ANN001, ANN201
        from fundtui.ui.sectors import palette_commands

        yield from super().get_system_commands(screen)
        yield from palette_commands(self, self.sectors)

    def action_poll_now(self) -> None:
        held = self.poll_now()
        if held:
            self.notify(f"Waiting out the rate limit of {', '.join(held)}", timeout=4)


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
