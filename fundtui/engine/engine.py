"""The engine runner: sources, one poller task per venue, the writer thread, rebuilds.

``Engine.start()`` is called in a running asyncio loop (the TUI's, or a plain one
for a headless run). The sources are built in a thread (building them imports
ccxt, which holds the GIL for about a second); each venue then polls in its own
task, so a venue never has two polls at once and one that fails or hangs never
holds another back. Answers arriving within ``gather_s`` share one rebuild of
the market, whose rows go to the sector feed and to the writer thread for the
signal engine. Everything the runner learns reaches its owner through one
``emit(event)`` callback (``fundtui.engine.events``); nothing here imports the UI.

One process polls per data folder: the engine holding its poller lock polls,
writes history and publishes its answers (``engine.live_publisher``); any other
is a viewer that polls nothing and takes the poller's answers (``engine.attach``)
until it gets the lock. Without history (tests, ``snapshot``) it always polls.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Collection, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from fundtui.config import Config
from fundtui.core.signal_types import Hit
from fundtui.core.text import describe_exception
from fundtui.engine import heap
from fundtui.engine.events import (
    POLLER,
    VIEWER,
    BoardRebuilt,
    Event,
    HistoryReady,
    Notice,
    RoleChanged,
    SignalsEvaluated,
    SourcesFailed,
    SourcesReady,
    StatusChanged,
    VenueFailed,
    VenuePolled,
)
from fundtui.engine.market import Market
from fundtui.engine.poller import VenuePoller
from fundtui.engine.writer import HistoryThread
from fundtui.feeds.source import QuoteSource
from fundtui.store.paths import history_dir as default_history_dir
from fundtui.store.poller_lock import PollerLock

if TYPE_CHECKING:  # loaded after the first frame
    from fundtui.core.rotation import StoredQuote
    from fundtui.engine.attach import Attachment
    from fundtui.engine.live_publisher import LivePublisher
    from fundtui.engine.recorder import Recorder
    from fundtui.engine.sector_feed import SectorFeed

SourceFactory = Callable[[], Sequence[QuoteSource]]
Emit = Callable[[Event], object]

#: Venue answers arriving within this many seconds share one board rebuild.
REBUILD_GATHER_S = 0.5

#: Settled funding of watched coins is brought up to date this often.
WATCH_SETTLED_EVERY_S = 3600.0

#: Points of the spread trend line (the board's trend column is this wide).
TREND_LENGTH = 16


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class Engine:
    def __init__(
        self,
        config: Config,
        source_factory: SourceFactory,
        emit: Emit,
        clock: Callable[[], int] = wall_clock_ms,
        *,
        gather_s: float = REBUILD_GATHER_S,
        history: bool = True,
        history_dir: Path | None = None,
        demo: bool = False,
        trend_length: int = TREND_LENGTH,
        watched: Callable[[], Collection[str]] = frozenset,
    ) -> None:
        self.config = config
        self.source_factory = source_factory
        self.emit = emit
        self.clock = clock
        self.gather_s = gather_s
        self.refresh_s = config.refresh_seconds
        self.venues = [v.name for v in config.active_venues()]
        self.market = Market(
            self.venues, self.refresh_s, trend_length, config.net_horizon_hours, config.fees
        )
        self.watched = watched
        self.sources: list[QuoteSource] = []
        self.pollers: dict[str, VenuePoller] = {}
        # History and signals: one background thread (engine/writer.py); the demo
        # market keeps its own folder so simulated rates never mix with real ones.
        history_dir = default_history_dir(demo) if history_dir is None else history_dir
        self.writer: HistoryThread | None = (
            HistoryThread(
                config.signals, self._from_writer, clock, history_dir, trend_length=trend_length
            )
            if history
            else None
        )
        self.folder = history_dir
        self.lock: PollerLock | None = PollerLock(history_dir) if history else None
        self.role: str | None = None  # POLLER or VIEWER once claimed (a viewer: holder polls)
        self.holder: int | None = None
        self.publisher: LivePublisher | None = None
        self.attachment: Attachment | None = None
        self.standby_writer: HistoryThread | None = None  # a viewer's, for a takeover
        self.recorder: Recorder | None = None  # set once the writer has warmed up
        self._sectors: SectorFeed | None = None  # made on first use (see sectors)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task] = set()
        self._rebuild_handle: asyncio.Handle | None = None
        self.rebuild_pending = False
        self.rebuilds = 0  # rebuilds emitted so far
        self.settled = False  # see _settle
        self.closed = False
        self.evaluations_sent = 0  # refreshes handed to the signal engine
        self._watch_task: asyncio.Task | None = None
        self.watch_rounds = 0  # catch-ups of the watched coins' settlements finished
        #: Called on the loop with every batch of hits once the writer has logged them
        #: (the alerts go out from here: only an engine that writes the log sends).
        self.hit_sinks: list[Callable[[tuple[Hit, ...]], object]] = []

    # --- lifecycle ----------------------------------------------------------------

    @property
    def sectors(self) -> SectorFeed:
        """The sector feed, made on first use: the sector map and the rotation model
        cost ~30 ms of imports and loading that the first frame does not wait for."""
        if self._sectors is None:
            from fundtui.engine.sector_feed import SectorFeed

            self._sectors = SectorFeed(self.config)
        return self._sectors

    @sectors.setter
    def sectors(self, feed: SectorFeed) -> None:  # tests plant a sector map
        self._sectors = feed

    def claim(self) -> str:
        """Poll for the data folder, or attach to the process that does (decided once;
        a viewer's board is filled from the poller's latest answers here, at once)."""
        if self.role is None:
            from fundtui.engine.attach import claim

            self.role = claim(self)
        return self.role

    def start(self) -> None:
        """Poll (sources built in a thread, the writer started) or attach; in a loop."""
        self._loop = asyncio.get_running_loop()
        heap.engine_started(self._loop)
        if self.claim() == VIEWER:
            from fundtui.engine.attach import view

            self._spawn(view(self))
        else:
            self._start_polling()

    def _start_polling(self) -> None:
        self._spawn(self._start_sources())
        if self.writer is not None:
            # the sector board's 1/8/24 h-ago baselines, read by the thread at start
            self.writer.horizons_h = tuple(self.sectors.model.params.horizons_h)
            threading.Thread(target=self.writer.run, name="fundtui-writer", daemon=True).start()
        if self.lock is not None:
            from fundtui.engine.live_publisher import LivePublisher

            self.publisher = LivePublisher(
                self.folder,
                self.venues,
                self.refresh_s,
                self.clock,
                lambda reason: self._from_writer(Notice(reason, "warning", 10)),
            )
            self.publisher.start()
            self.hit_sinks.append(self.publisher.add_hits)

    def take_over(self) -> None:
        """The poller went away and this engine got the lock: poll from now on."""
        self.role, self.holder = POLLER, None
        self.writer, self.standby_writer = self.standby_writer, None
        self.market.refresh_s = self.refresh_s
        self.emit(RoleChanged(POLLER))
        self.emit(Notice("The polling fundtui went away: polling from here now", "information", 8))
        self._start_polling()

    async def stop(self) -> None:
        """Stop polling, let the writer checkpoint and close, close the sources."""
        self.closed = True
        if self._rebuild_handle is not None:
            self._rebuild_handle.cancel()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.writer is not None:
            self.writer.stop()
            await asyncio.to_thread(self.writer.wait, 10)
        if self.publisher is not None:
            self.publisher.flush(self.market)
            await asyncio.to_thread(self.publisher.stop)
        if self.attachment is not None:
            self.attachment.close(with_store=True)
        if self.lock is not None:
            self.lock.release()  # after history is closed: the next poller finds it whole
        # all at once: ccxt pauses 250 ms in each close, 1.5 s for six one by one
        await asyncio.gather(
            *(asyncio.wait_for(s.close(), 5) for s in self.sources), return_exceptions=True
        )

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # --- sources and polling --------------------------------------------------------

    async def _start_sources(self) -> None:
        try:
            sources = await asyncio.to_thread(self.source_factory)
        except Exception as e:
            reason = describe_exception(e)
            self.emit(SourcesFailed(reason))
            for venue in self.venues:
                self._venue_failed(venue, reason)
            return
        self.sources = list(sources)
        self.emit(SourcesReady(tuple(self.sources)))
        for source in self.sources:
            if source.name not in self.market.statuses:
                self.emit(
                    Notice(f"Ignoring source {source.name!r}: not a configured venue", "warning", 5)
                )
                continue
            poller = VenuePoller(source, self._from_poller, self.refresh_s, self.clock)
            self.pollers[source.name] = poller
            self._spawn(self._run_poller(poller))
        for venue in self.venues:
            if venue not in self.pollers:
                self._venue_failed(venue, "no source for this venue")

    async def _run_poller(self, poller: VenuePoller) -> None:
        try:
            await poller.run()
        except Exception as e:  # a bug in the loop itself: say so on the venue's badge
            self._venue_failed(poller.venue, f"poller stopped: {describe_exception(e)}")

    def _from_poller(self, event: Event) -> None:
        if self.closed:
            return
        if isinstance(event, VenuePolled):
            self._source_notices(event.venue)
            poll = event.poll
            self.market.polled(event.venue, self.clock(), poll.latency_ms, poll.quotes)
            if self.publisher is not None:
                self.publisher.mark(event.venue, quotes=True)
            if self.writer is not None:
                self.writer.record_poll(poll.quotes, poll.fetched_ms)
            self.emit(event)
            self.schedule_rebuild()
        elif isinstance(event, VenueFailed):
            self._source_notices(event.venue)
            self.emit(event)
            self._venue_failed(event.venue, event.reason, event.retry_at_ms)

    def _source_notices(self, venue: str) -> None:
        # What a source noticed on the way (its market cache moved aside), once each.
        poller = self.pollers.get(venue)
        take = getattr(poller.source, "take_notices", None) if poller else None
        for notice in take() if take is not None else ():
            self.emit(Notice(notice, "warning", 10))

    def _venue_failed(self, venue: str, reason: str, retry_at_ms: int | None = None) -> None:
        if venue not in self.market.statuses:
            return
        self.market.failed(venue, reason, retry_at_ms)
        if self.publisher is not None:
            self.publisher.mark(venue)
        now = self.clock()
        self.emit(StatusChanged(now))
        self.check_stale(now)

    def poll_now(self) -> list[str]:
        """Wake every poller; returns the venues held back by a rate-limit wait."""
        return [v for v, p in self.pollers.items() if not p.wake()]

    # --- keeping the market current ----------------------------------------------

    def check_stale(self, now_ms: int) -> None:
        """A venue went stale or came back since the last rebuild: rebuild now."""
        if self.market.stale_venues(now_ms) != self.market.stale:
            self.rebuild()

    def schedule_rebuild(self) -> None:
        # Venues poll on one grid and answer within moments: what arrives within gather_s
        # is one rebuild; once all answered the first time there is nothing to wait for.
        first = not self.settled and self.market.all_answered()
        if self.rebuild_pending and not first:
            return
        if self._rebuild_handle is not None:
            self._rebuild_handle.cancel()
        self.rebuild_pending = True
        loop = asyncio.get_running_loop()
        wait = 0 if first else self.gather_s
        self._rebuild_handle = loop.call_later(wait, self.rebuild)

    def rebuild(self) -> None:
        self.rebuild_pending = False
        if self.closed:
            return
        if not self.settled and self.market.all_answered():
            self._settle()
        now = self.clock()
        rows = self.market.rebuild(now)
        if self.publisher is not None:  # what moved, to the viewers
            self.publisher.flush(self.market)
        hits = self.sectors.update(rows, now)  # sector state changes are signals
        self.rebuilds += 1
        self.emit(BoardRebuilt(now, rows, self.market.stale))
        if hits and self.role != VIEWER:  # a viewer gets the poller's, through the live file
            self.route_hits(hits)
        if self.writer is not None:
            self.writer.evaluate(now, self.market.fresh)
            self.evaluations_sent += 1

    def route_hits(self, hits: Sequence[Hit]) -> None:
        """Hits found outside the signal engine go through the writer like its own:
        logged by the one writer of the log, then emitted. Without history they are
        emitted at once."""
        if self.writer is not None:
            self.writer.log_hits(hits)
        else:
            self.emit(SignalsEvaluated(tuple(hits), evaluation=False))

    def _settle(self) -> None:
        """Every venue answered once: ccxt and the market metadata (~200k objects for
        the app's life) are loaded. A second on (after the first board is drawn, which
        a 35 ms collection delayed), startup's garbage is collected and the rest frozen,
        so full collections (~90 ms if they rescanned it all) see only refreshes'."""
        self.settled = True
        asyncio.get_running_loop().call_later(1.0, heap.freeze_startup)
        self._start_watch_settlements()

    # --- the writer's answers ------------------------------------------------------

    def _from_writer(self, event: Event) -> None:
        """Called in the writer thread: handled on the loop, in order."""
        loop = self._loop
        if loop is None:
            self._writer_event(event)
            return
        try:
            loop.call_soon_threadsafe(self._writer_event, event)
        except RuntimeError:  # the loop is closed: nobody is listening any more
            pass

    def _writer_event(self, event: Event) -> None:
        if isinstance(event, HistoryReady):
            self.recorder = event.recorder
            if self.closed:
                return
            if event.baselines:
                # a stored Sample is frozen; the protocol only reads it
                self.sectors.warm_up(cast("Sequence[StoredQuote]", event.baselines), event.at_ms)
            self.market.warm_trend(event.warm_up.spreads)
            self._start_watch_settlements()
        elif isinstance(event, SignalsEvaluated) and event.hits:
            for sink in self.hit_sinks:
                try:
                    sink(event.hits)
                except Exception as e:  # a sink failing must not stop the board
                    self.emit(Notice(f"Hits not handed on: {describe_exception(e)}", "error", 8))
        self.emit(event)

    # --- settled funding of watched coins -------------------------------------------

    def _start_watch_settlements(self) -> None:
        """Once the store is open and every venue has answered: keep the watched coins'
        settled funding cached (now, then hourly), so their detail view opens ready."""
        if self._watch_task is not None or self.recorder is None or not self.settled:
            return
        from fundtui.engine.settled import keep_watched_settled

        self._watch_task = self._spawn(keep_watched_settled(self, WATCH_SETTLED_EVERY_S))
