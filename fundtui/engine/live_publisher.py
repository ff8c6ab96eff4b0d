"""The poller's side of attaching: its latest answers and hits into ``live.sqlite3``.

The event loop hands over what changed at each board rebuild (``publish``) and
every logged hit (``add_hits``, an engine hit sink); a small thread of its own
writes them, coalesced (a venue written twice before the thread got to it is
written once, with the newer answer), so the loop never waits on the disk. A
failure to write is reported once through ``problem`` and retried with the next
change: viewers then see the venue age towards stale, never a wrong figure.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from fundtui.core.quote import Quote
from fundtui.core.signal_types import Hit
from fundtui.core.status import VenueStatus
from fundtui.core.text import describe_exception
from fundtui.engine.market import Market
from fundtui.store.live_board import KEEP_HITS, LiveBoard


class LivePublisher:
    def __init__(
        self,
        folder: Path,
        venues: Iterable[str],
        refresh_s: float,
        clock: Callable[[], int],
        problem: Callable[[str], object],
    ) -> None:
        self.folder = folder
        self.venues = list(venues)
        self.refresh_s = refresh_s
        self.clock = clock
        self.problem = problem
        self._cv = threading.Condition()
        self._answers: dict[str, tuple[VenueStatus, tuple[Quote, ...] | None]] = {}
        self._hits: list[Hit] = []
        self._stopping = False
        self._failed = False
        self.writes = 0  # batches written (tests, benchmarks)
        # on the loop: venues whose status moved, and those with new quotes, since a flush
        self._dirty: set[str] = set(self.venues)
        self._dirty_quotes: set[str] = set()
        self._thread = threading.Thread(target=self._run, name="fundtui-live", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def mark(self, venue: str, quotes: bool = False) -> None:
        """A venue's status moved (and, with ``quotes``, its quotes): from the loop."""
        self._dirty.add(venue)
        if quotes:
            self._dirty_quotes.add(venue)

    def flush(self, market: Market) -> None:
        """What was marked, as ``market`` now holds it, to the thread (from the loop)."""
        if not self._dirty:
            return
        statuses = market.statuses
        self.publish(
            [statuses[v] for v in self._dirty if v in statuses],
            {v: market.quotes.get(v, ()) for v in self._dirty_quotes},
        )
        self._dirty.clear()
        self._dirty_quotes.clear()

    def publish(
        self, statuses: Iterable[VenueStatus], quotes: dict[str, tuple[Quote, ...]]
    ) -> None:
        """Venue statuses that moved, and the venues with new quotes (from the loop)."""
        with self._cv:
            for st in statuses:
                old = self._answers.get(st.venue)
                new_quotes = quotes.get(st.venue, old[1] if old else None)
                self._answers[st.venue] = (st, new_quotes)
            self._cv.notify()

    def add_hits(self, hits: tuple[Hit, ...]) -> None:
        with self._cv:
            self._hits.extend(hits)
            self._cv.notify()

    def stop(self, timeout: float = 2.0) -> None:
        with self._cv:
            self._stopping = True
            self._cv.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            board = LiveBoard.open(self.folder, writer=True)
            board.forget(self.venues)
        except Exception as e:
            self.problem(f"viewers cannot attach: {describe_exception(e)}")
            return
        try:
            while True:
                with self._cv:
                    while not (self._answers or self._hits or self._stopping):
                        self._cv.wait()
                    answers, self._answers = self._answers, {}
                    hits, self._hits = self._hits, []
                    stopping = self._stopping
                self._write(board, answers, hits)
                if stopping:
                    return
                if self._failed:  # a full disk: try again with the next refresh, not at once
                    with self._cv:
                        self._cv.wait(self.refresh_s)
        finally:
            board.close()

    def _write(
        self,
        board: LiveBoard,
        answers: dict[str, tuple[VenueStatus, tuple[Quote, ...] | None]],
        hits: list[Hit],
    ) -> None:
        try:
            if answers:
                board.write(answers.values(), self.clock(), self.refresh_s, os.getpid())
            if hits:
                board.add_hits(hits)
            self.writes += 1
            self._failed = False
        except Exception as e:
            if not self._failed:  # once per run of failures
                self.problem(f"viewers' copy not updated: {describe_exception(e)}")
            self._failed = True
            with self._cv:  # keep what was not written, newer answers win
                for venue, answer in answers.items():
                    self._answers.setdefault(venue, answer)
                self._hits[:0] = hits
                del self._hits[:-KEEP_HITS]  # bounded, the newest kept
