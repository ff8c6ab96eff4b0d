"""The history thread: stores polls and evaluates signals off the UI thread.

One thread, one queue, handled in arrival order: a venue poll is recorded to the
history store, a board refresh is evaluated by the signal engine (hits appended
to the signals log) and the result posted back to the app. Storing and
evaluating never overlap, and a slow disk never delays a repaint. Failures are
posted as one-line problems, at most once per distinct reason, and the thread
carries on.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

from fundtui.core.quote import Quote
from fundtui.core.signal_types import SignalConfig
from fundtui.core.text import describe_exception
from fundtui.store.paths import CHECKPOINT_FILE, HISTORY_FILE, SIGNAL_LOG_FILE
from fundtui.ui.messages import HistoryProblem, HistoryReady, SignalsEvaluated

if TYPE_CHECKING:
    from fundtui.store.recorder import Recorder

HOUR_MS = 3_600_000

#: Past hits shown on the signals screen at startup (from the log).
PAST_HITS = 500


class HistoryThread:
    def __init__(self, config: SignalConfig, post: Callable[[Message], object],
                 clock: Callable[[], int], folder: Path | None = None,
                 trend_length: int = 0, horizons_h: Sequence[float] = ()) -> None:
        self.config = config
        self.post = post
        self.clock = clock
        self.folder = folder  # None: the default data folder
        self.trend_length = trend_length
        self.horizons_h = tuple(horizons_h)  # hours ago whose stored samples are wanted
        self.recorder: Recorder | None = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._done = threading.Event()
        self._reported: set[str] = set()

    def _path(self, name: str) -> Path | None:
        return None if self.folder is None else self.folder / name

    # --- called from the UI thread -----------------------------------------------

    def record_poll(self, quotes: Sequence[Quote], at_ms: int) -> None:
        self._queue.put(("poll", at_ms, quotes))

    def evaluate(self, at_ms: int, quotes: Sequence[Quote]) -> None:
        self._queue.put(("board", at_ms, quotes))

    def stop(self) -> None:
        self._queue.put(None)

    def wait(self, timeout_s: float) -> bool:
        return self._done.wait(timeout_s)

    # --- the thread ----------------------------------------------------------------

    def run(self) -> None:
        try:
            self._run()
        finally:
            self._done.set()

    def _run(self) -> None:
        from fundtui.store.recorder import Recorder  # SQLite and JSON: off the first frame
        from fundtui.store.signal_log import UnusableLog

        recorder, problems = Recorder.open(
            self.config, self._path(HISTORY_FILE), self._path(SIGNAL_LOG_FILE),
            self._path(CHECKPOINT_FILE))
        self.recorder = recorder
        try:
            warm = recorder.warm_up(self.clock(), spread_refreshes=self.trend_length)
        except Exception as e:  # history unreadable halfway: carry on from what was read
            from fundtui.store.recorder import WarmUp
            warm = WarmUp("none", problems=[f"warm-up stopped: {describe_exception(e)}"])
        past = []
        if recorder.log is not None:
            try:
                past = recorder.log.recent(PAST_HITS)
            except UnusableLog as e:  # its own line already names the file and what was done
                problems.append(str(e))
            except OSError as e:
                problems.append(f"cannot read the signals log: {describe_exception(e)}")
        now = self.clock()
        baselines = []
        try:
            baselines = recorder.samples_before([now - h * HOUR_MS for h in self.horizons_h])
        except Exception as e:
            problems.append(f"sector baselines unreadable: {describe_exception(e)}")
        self.post(HistoryReady(recorder, warm, problems + warm.problems, past, baselines, now))
        while True:
            item = self._queue.get()
            if item is None:
                break
            kind, at_ms, quotes = item
            try:
                if kind == "poll":
                    recorder.record_poll(quotes, at_ms)
                    continue
                hits = recorder.evaluate(at_ms, quotes)
                self.post(SignalsEvaluated(hits))
                recorder.maintain(at_ms)
            except Exception as e:  # disk full, a damaged file: report once, keep going
                reason = str(e) if isinstance(e, UnusableLog) else describe_exception(e)
                if reason not in self._reported:
                    self._reported.add(reason)
                    self.post(HistoryProblem(reason))
        for problem in recorder.close():
            self.post(HistoryProblem(problem))
