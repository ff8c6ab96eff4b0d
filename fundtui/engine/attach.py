"""A viewer's side of attaching: the poller's answers and hits, read from ``live.sqlite3``.

A process that finds the data folder's poller lock held polls nothing: it reads
the poller's latest answers (each venue's status and last good quotes) and the
hits it logged, and feeds them to its own market state, so its board, sector
board, detail view and calculators work as the poller's do. Reading costs one
``PRAGMA data_version`` per check when nothing changed.

Venue ages come from the poller's own timestamps, so when the poller stops, the
viewer's venues age to stale exactly as they would have on the poller's screen;
each check also tries the lock, and the first viewer to get it starts polling
(``Engine`` does the switch).
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fundtui.core.signal_types import Hit
from fundtui.engine.events import (
    POLLER,
    VIEWER,
    Notice,
    RoleChanged,
    SignalsEvaluated,
    StatusChanged,
)
from fundtui.store.history import HistoryError, HistoryStore
from fundtui.store.live_board import LiveBoard, VenueAnswer
from fundtui.store.paths import HISTORY_FILE, SIGNAL_LOG_FILE
from fundtui.store.poller_lock import LockUnusable

if TYPE_CHECKING:
    from fundtui.engine.engine import Engine

#: How often a viewer looks for new answers and tries the lock (seconds).
CHECK_S = 0.5


@dataclass(frozen=True, slots=True)
class Change:
    answers: tuple[VenueAnswer, ...] = ()
    hits: tuple[Hit, ...] = ()
    refresh_s: float | None = None  # the poller's refresh interval, when known


class Attachment:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.board: LiveBoard | None = None
        self.hit_seq = 0
        self.problem: str | None = None  # why the answers cannot be read, one line
        self._store: HistoryStore | None = None

    def history_store(self) -> HistoryStore | None:
        """The poller's history, for the detail view (read; settlements it cached).
        SQLite in WAL mode lets this connection read while the poller writes."""
        if self._store is None:
            try:
                self._store = HistoryStore.open(self.folder / HISTORY_FILE)
            except HistoryError:
                return None
        return self._store

    def first(self) -> Change:
        """Everything the poller has now; its earlier hits are not news (the log has them)."""
        change = self.read()
        if self.board is not None:
            self.hit_seq = self.board.last_hit_seq()
        return Change(change.answers, (), change.refresh_s)

    def read(self) -> Change:
        """What changed since the last read; an empty change when nothing did."""
        try:
            if self.board is None:
                self.board = LiveBoard.open(self.folder, writer=False)
            board = self.board
            if not board.changed():
                return Change()
            answers = tuple(board.read_answers())
            hits, self.hit_seq = board.read_hits(self.hit_seq)
            refresh = _float(board.meta().get("refresh_s"))
        except FileNotFoundError:
            self.problem = "the poller has not written its answers yet"
            return Change()
        except (sqlite3.Error, OSError) as e:
            self.problem = f"cannot read the poller's answers: {e}"
            self.close()
            return Change()
        self.problem = None
        return Change(answers, tuple(hits), refresh)

    def close(self, with_store: bool = False) -> None:
        """Stop reading the poller's answers; the history connection only at the end
        (``with_store``): a detail view opened before a takeover may still read it."""
        if self.board is not None:
            self.board.close()
            self.board = None
        if with_store and self._store is not None:
            self._store.close()
            self._store = None


def _float(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and 0 < value < 1e6 else None


async def view(engine: Engine) -> None:
    """A viewer engine's loop: the poller's changes in, and the lock tried, every
    :data:`CHECK_S`; on getting the lock the engine takes over and the loop ends."""
    from fundtui.store.signal_log import SignalLog

    try:
        past = await asyncio.to_thread(SignalLog(engine.folder / SIGNAL_LOG_FILE).recent)
    except Exception:  # the poller's log: shown when readable, never required
        past = []
    engine.emit(RoleChanged(VIEWER, engine.holder, tuple(past)))
    lock, attachment = engine.lock, engine.attachment
    assert lock is not None and attachment is not None
    while not engine.closed:
        await asyncio.sleep(CHECK_S)
        if lock.try_acquire():
            attachment.close()
            engine.take_over()
            return
        apply_change(engine, attachment.read())
        engine.check_stale(engine.clock())


def apply_change(engine: Engine, change: Change, at_start: bool = False) -> None:
    """The poller's answers into the engine's market; its hits to the engine's owner."""
    market = engine.market
    if change.refresh_s is not None and change.refresh_s != market.refresh_s:
        market.refresh_s = change.refresh_s  # ages judged by the poller's interval
    for answer in change.answers:
        if answer.venue in market.statuses:
            market.statuses[answer.venue] = answer.status
            market.quotes[answer.venue] = answer.quotes
    if change.answers:
        engine.emit(StatusChanged(engine.clock()))
        if at_start:
            engine.rebuild()
        else:
            engine.schedule_rebuild()
    if change.hits:
        engine.emit(SignalsEvaluated(change.hits, evaluation=False))


def claim(engine: Engine) -> str:
    """``poller`` when the engine gets its folder's lock (or has none to take), else
    ``viewer``: then its writer stands by and its market takes the poller's answers."""
    lock = engine.lock
    if lock is None:
        return POLLER
    try:
        if lock.try_acquire():
            return POLLER
    except LockUnusable as e:  # better two pollers than none
        engine.emit(Notice(f"{e}; polling from here", "warning", 10))
        engine.lock = None
        return POLLER
    engine.holder = lock.holder()
    engine.standby_writer, engine.writer = engine.writer, None
    engine.attachment = Attachment(engine.folder)
    apply_change(engine, engine.attachment.first(), at_start=True)
    return VIEWER
