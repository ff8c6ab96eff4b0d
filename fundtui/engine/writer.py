"""The writer thread: the one writer of history, the signals log and the rule checkpoint.

One thread, one queue, handled in arrival order: a venue poll is recorded to the
history store, a board refresh is evaluated by the signal engine (hits appended
to the signals log), hits of another source (the sector board's) are appended
to the same log, and each result is emitted. Storing, evaluating and logging
never overlap, no two threads ever append to the log (its rollover is a stat,
a replace and an append), and a slow disk never delays a repaint. Failures are
emitted as one-line problems, at most once per distinct reason, and the thread
carries on.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fundtui.core.quote import Quote
from fundtui.core.signal_types import Hit, SignalConfig
from fundtui.core.text import describe_exception
from fundtui.engine.events import Event, HistoryProblem, HistoryReady, SignalsEvaluated
from fundtui.store.paths import CHECKPOINT_FILE, HISTORY_FILE, SIGNAL_LOG_FILE

if TYPE_CHECKING:
    from fundtui.engine.recorder import Recorder

HOUR_MS = 3_600_000

#: Past hits shown on the signals screen at startup (from the log).
PAST_HITS = 500
#: The longest a ``hold`` keeps the thread from starting (see ``hold``).
HOLD_MAX_S = 3.0


class HistoryThread:
    def __init__(
        self,
        config: SignalConfig,
        emit: Callable[[Event], object],
        clock: Callable[[], int],
        folder: Path | None = None,
        trend_length: int = 0,
        horizons_h: Sequence[float] = (),
    ) -> None:
        self.config = config
        self.emit = emit
        self.clock = clock
        self.folder = folder  # None: the default data folder
        self.trend_length = trend_length
        self.horizons_h = tuple(horizons_h)  # hours ago whose stored samples are wanted
        self.recorder: Recorder | None = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._done = threading.Event()
        self._go = threading.Event()
        self._go.set()
        self._reported: set[str] = set()

    def _path(self, name: str) -> Path | None:
        return None if self.folder is None else self.folder / name

    # --- called from the event loop -----------------------------------------------

    def record_poll(self, quotes: Sequence[Quote], at_ms: int) -> None:
        self._queue.put(("poll", at_ms, quotes))

    def evaluate(self, at_ms: int, quotes: Sequence[Quote]) -> None:
        self._queue.put(("board", at_ms, quotes))

    def log_hits(self, hits: Sequence[Hit]) -> None:
        """Hits found elsewhere (the sector board): logged here, then emitted like
        the engine's, so every hit reaches the log and the user through one path."""
        self._queue.put(("hits", 0, tuple(hits)))

    def hold(self) -> None:
        """Open nothing and warm nothing up until ``release`` (at most ``HOLD_MAX_S``):
        the board's first data comes first. Opening the files, reading the rules'
        state and replaying history hold the GIL for long stretches, and beside them
        the first data frame took about twice as long. What arrives meanwhile waits
        in the queue, in order."""
        self._go.clear()

    def release(self) -> None:
        self._go.set()

    @property
    def held(self) -> bool:
        return not self._go.is_set()

    def stop(self) -> None:
        self._go.set()
        self._queue.put(None)

    def wait(self, timeout_s: float) -> bool:
        return self._done.wait(timeout_s)

    def _report(self, reason: str) -> None:
        if reason not in self._reported:
            self._reported.add(reason)
            self.emit(HistoryProblem(reason))

    def _log(self, recorder: Recorder, hits: Sequence[Hit], evaluation: bool) -> None:
        """Append hits, the signal engine's or another source's, then emit them: the
        one path of every hit. They are shown whether or not the log took them."""
        from fundtui.store.signal_log import UnusableLog

        try:  # one short append of whole lines
            if hits and recorder.log is not None:
                recorder.log.append(hits)
        except UnusableLog as e:
            self._report(str(e))
        except OSError as e:
            self._report(f"Could not write the signals log: {describe_exception(e)}")
        self.emit(SignalsEvaluated(tuple(hits), evaluation=evaluation))

    # --- the thread ----------------------------------------------------------------

    def run(self) -> None:
        try:
            self._run()
        finally:
            self._done.set()

    def _run(self) -> None:
        self._go.wait(HOLD_MAX_S)
        from fundtui.engine.recorder import Recorder  # SQLite and JSON: off the first frame
        from fundtui.store.signal_log import UnusableLog

        recorder, problems = Recorder.open(
            self.config,
            self._path(HISTORY_FILE),
            self._path(SIGNAL_LOG_FILE),
            self._path(CHECKPOINT_FILE),
        )
        self.recorder = recorder
        try:
            warm = recorder.warm_up(self.clock(), spread_refreshes=self.trend_length)
        except Exception as e:  # history unreadable halfway: carry on from what was read
            from fundtui.engine.recorder import WarmUp

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
            baselines = recorder.samples_before([now - round(h * HOUR_MS) for h in self.horizons_h])
        except Exception as e:
            problems.append(f"sector baselines unreadable: {describe_exception(e)}")
        self.emit(
            HistoryReady(
                recorder, warm, tuple(problems + warm.problems), tuple(past), tuple(baselines), now
            )
        )
        while True:
            item = self._queue.get()
            if item is None:
                break
            kind, at_ms, quotes = item
            try:
                if kind == "poll":
                    recorder.record_poll(quotes, at_ms)
                    continue
                if kind == "hits":
                    self._log(recorder, quotes, evaluation=False)
                    continue
                hits = recorder.evaluate(at_ms, quotes, log=False)
                self._log(recorder, hits, evaluation=True)
                recorder.maintain(at_ms)
            except Exception as e:  # disk full, a damaged file: report once, keep going
                self._report(str(e) if isinstance(e, UnusableLog) else describe_exception(e))
        for problem in recorder.close():
            self.emit(HistoryProblem(problem))
