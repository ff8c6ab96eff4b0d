"""Alerts: the signal hits the engine logged, sent through apprise, off the polling path.

The engine's owner (the TUI that polls, or ``fundtui record``) calls
:func:`attach_alerts`; the dispatcher then gets every batch of hits after the
writer has logged them (``Engine.hit_sinks``), so a hit is in the signals log
whatever happens to its alert, and only the process that polls sends.

Why threads: apprise's sends block, and an endpoint that is down or slow must
never delay a poll. :meth:`AlertDispatcher.submit` runs on the loop and only
filters and appends under a lock held for microseconds. A digest thread waits
``digest_seconds`` from a window's first hit and turns the window into one
message (``fundtui.core.alert_text``); each URL has its own delivery thread and
queue, so one slow endpoint holds back no other. A send has a timeout (connect
and read) and is retried ``retries`` times with doubling backoff; a queue
holds at most ``max_pending`` messages and drops the oldest beyond that, with
the count reported: memory stays bounded however long an endpoint is down.

Every delivery and failure reaches ``report`` as an :class:`AlertOutcome` (one
line naming the URL in apprise's privacy form, never its token), on the loop
when submit has seen one, so the status line and ``record``'s log can show it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fundtui.config.alerts import WATCHLIST, AlertsConfig
from fundtui.core.alert_text import hit_apr, message, ranked
from fundtui.core.signal_types import Hit
from fundtui.core.text import describe_exception
from fundtui.engine.alert_send import Target

if TYPE_CHECKING:
    from fundtui.config import Config
    from fundtui.engine.engine import Engine

#: Undelivered messages kept per URL; older ones are dropped (and counted).
MAX_PENDING = 20
#: Hits kept per digest window (the most important); the rest are counted as "more".
MAX_WINDOW_HITS = 200
BACKOFF_S = 2.0  # before the first retry; doubled each time
MAX_BACKOFF_S = 60.0


@dataclass(frozen=True, slots=True)
class AlertOutcome:
    ok: bool
    target: str  # the URL in apprise's privacy form
    line: str  # one line for a status line or a log
    hits: int = 0


Report = Callable[[AlertOutcome], object]


class _Queue:
    """One URL's messages waiting for delivery, and its delivery thread."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.items: deque[tuple[str, str, int]] = deque()
        self.cond = threading.Condition()
        self.dropped = 0
        self.busy = False


class AlertDispatcher:
    def __init__(
        self,
        config: AlertsConfig,
        report: Report,
        *,
        watched: Callable[[], Collection[str]] = frozenset,
        max_pending: int = MAX_PENDING,
        backoff_s: float = BACKOFF_S,
        targets: Sequence[Target] | None = None,
    ) -> None:
        self.config = config
        self._report = report
        self._watched = watched
        self.max_pending = max_pending
        self.backoff_s = backoff_s
        self._rules = None if config.rules is None else frozenset(config.rules)
        self._coins = None if config.coins is None else frozenset(config.coins)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Condition()
        self._window: list[Hit] = []
        self._more = 0
        self._opened: float | None = None
        self._closing = False
        self._stop_at: float | None = None  # set by close: no send or wait past it
        self._digests_done = False  # the digest thread has queued its last message
        self.sent = 0  # messages delivered
        self.failed = 0  # messages given up on
        targets = targets or [Target(u, config.timeout_seconds) for u in config.urls]
        self._queues = [_Queue(t) for t in targets]
        self._threads = [threading.Thread(target=self._digests, name="alerts-digest", daemon=True)]
        self._threads += [
            threading.Thread(target=self._deliver, args=(q,), name="alerts-send", daemon=True)
            for q in self._queues
        ]
        for t in self._threads:
            t.start()

    # --- on the loop ----------------------------------------------------------------

    def wanted(self, hit: Hit, watched: Collection[str]) -> bool:
        if self._rules is not None and hit.rule not in self._rules:
            return False
        if self._coins is not None and hit.rule != "sector":
            if hit.base not in self._coins and not (
                WATCHLIST in self._coins and hit.base in watched
            ):
                return False
        return not (hit.rule == "spread" and (hit_apr(hit) or 0.0) < self.config.min_apr)

    def submit(self, hits: Iterable[Hit]) -> None:
        """Take a batch of logged hits; returns at once (the sends happen elsewhere)."""
        if self._loop is None:
            try:
                self._loop = asyncio.get_running_loop()
            except RuntimeError:
                pass
        watched: Collection[str] = ()
        if self._coins is not None and WATCHLIST in self._coins:
            watched = self._watched()
        kept = [h for h in hits if self.wanted(h, watched)]
        if not kept or self._closing:
            return
        with self._lock:
            self._window.extend(kept)
            if len(self._window) > MAX_WINDOW_HITS:
                self._more += len(self._window) - MAX_WINDOW_HITS
                self._window = ranked(self._window)[:MAX_WINDOW_HITS]
            if self._opened is None:
                self._opened = time.monotonic()
                self._lock.notify_all()

    def close(self, timeout_s: float = 1.0) -> int:
        """Send the open window now and wait up to ``timeout_s`` for the queues;
        returns how many messages were left undelivered (reported, and in the log)."""
        self._stop_at = time.monotonic() + timeout_s
        with self._lock:
            self._closing = True
            self._lock.notify_all()
        for q in self._queues:
            with q.cond:
                q.cond.notify_all()
        for t in self._threads:
            t.join(max(0.0, self._stop_at - time.monotonic()))
        left = sum(len(q.items) + q.busy for q in self._queues)
        if left:
            self._tell(AlertOutcome(False, "", f"alerts: {left} message(s) not sent before exit"))
        return left

    # --- the threads ------------------------------------------------------------------

    def _tell(self, outcome: AlertOutcome) -> None:
        def call() -> None:
            try:
                self._report(outcome)
            except Exception:  # noqa: BLE001, S110 - a broken report must not stop delivery
                pass

        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(call)
                return
            except RuntimeError:  # closed in between
                pass
        call()

    def _digests(self) -> None:
        """Wait for a window's first hit, then ``digest_seconds``, then queue its message."""
        while True:
            with self._lock:
                while self._opened is None and not self._closing:
                    self._lock.wait()
                if self._opened is None:
                    break
                deadline = self._opened + self.config.digest_seconds
                while not self._closing and (left := deadline - time.monotonic()) > 0:
                    self._lock.wait(left)
                hits, more = self._window, self._more
                self._window, self._more, self._opened = [], 0, None
            try:
                title, body = message(hits, more)
            except Exception as e:  # noqa: BLE001 - a formatting bug must not end alerts
                self._tell(AlertOutcome(False, "", f"alert not composed: {describe_exception(e)}"))
                continue
            for q in self._queues:
                self._enqueue(q, (title, body, len(hits) + more))
        self._digests_done = True
        for q in self._queues:
            with q.cond:
                q.cond.notify_all()

    def _enqueue(self, q: _Queue, item: tuple[str, str, int]) -> None:
        with q.cond:
            dropped = 0
            while len(q.items) >= self.max_pending:
                q.items.popleft()
                dropped += 1
            q.items.append(item)
            q.dropped += dropped
            q.cond.notify_all()
        if dropped:
            total = q.dropped
            self._tell(
                AlertOutcome(
                    False,
                    q.target.shown,
                    f"alerts to {q.target.shown}: deliveries backed up, {total} oldest "
                    "message(s) dropped so far (the signals log has every hit)",
                )
            )

    def _done(self) -> bool:
        return self._stop_at is not None and time.monotonic() >= self._stop_at

    def _deliver(self, q: _Queue) -> None:
        while True:
            with q.cond:
                while not q.items and not self._digests_done:
                    q.cond.wait(0.5)
                if not q.items or self._done():
                    return
                title, body, count = q.items.popleft()
                q.busy = True
            try:
                self._send(q.target, title, body, count)
            finally:
                q.busy = False

    def _send(self, target: Target, title: str, body: str, count: int) -> None:
        tries = 1 + self.config.retries
        wait = self.backoff_s
        result = None
        for attempt in range(1, tries + 1):
            result = target.send(title, body)
            if result.ok:
                self.sent += 1
                self._tell(
                    AlertOutcome(
                        True,
                        target.shown,
                        f"alert to {target.shown} delivered ({count} hit(s))",
                        count,
                    )
                )
                return
            if attempt == tries or self._done():
                break
            deadline = time.monotonic() + wait
            while not self._done() and (left := deadline - time.monotonic()) > 0:
                time.sleep(min(left, 0.05))
            wait = min(wait * 2, MAX_BACKOFF_S)
        self.failed += 1
        reason = result.reason if result is not None else "not sent"
        self._tell(
            AlertOutcome(
                False,
                target.shown,
                f"alert to {target.shown} failed after {attempt} attempt(s): {reason}",
                count,
            )
        )


def attach_alerts(
    engine: Engine,
    config: Config,
    report: Report,
    *,
    watched: Callable[[], Collection[str]] | None = None,
) -> AlertDispatcher | None:
    """Send ``engine``'s logged hits to ``config``'s alert URLs; None without URLs.

    ``watched`` (default: the engine's own) gives the watchlist's bases for
    ``coins = ["watchlist"]``. The owner calls ``close()`` on the dispatcher
    after ``await engine.stop()`` (it waits up to a second for pending sends)."""
    if not config.alerts.urls:
        return None
    dispatcher = AlertDispatcher(
        config.alerts, report, watched=watched if watched is not None else engine.watched
    )
    engine.hit_sinks.append(dispatcher.submit)
    return dispatcher
