"""History, signals and the signals log behind one object, driven by one writer thread.

The engine hands every venue poll and every board refresh to a single background
thread (``engine/writer.py``), which calls ``record_poll`` and ``evaluate`` in
arrival order; nothing here runs on the UI thread, and nothing runs twice at
once. It runs the signal engine, so it is part of the engine, not of the store.

Restart continuity: the signal engine's state is saved as versioned JSON to
``data_dir()/signals-state.json`` (``store/checkpoint``) every
``CHECKPOINT_EVERY_MS`` and on close, with the time of the last refresh it saw
and the thresholds it was built with. ``warm_up`` loads it and replays the
stored history recorded after it; without a usable one (first run, changed
thresholds, a file from another version, a damaged file, which is moved aside
and reported) it replays the last ``warm_up_hours`` of stored history, one hour
at a time. Either way averages and EMAs continue from the stored history rather
than from zero. The state is data, never code: nothing here unpickles.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fundtui.core.board import choose_quotes
from fundtui.core.quote import Quote
from fundtui.core.signal_types import Hit, SignalConfig
from fundtui.core.signals import SignalEngine
from fundtui.core.spread import spread_for
from fundtui.core.symbols import split_base
from fundtui.core.text import describe_exception
from fundtui.engine import heap
from fundtui.store import checkpoint
from fundtui.store.history import (
    COMPACT_EVERY_MS,
    HOUR_MS,
    HistoryError,
    HistoryStore,
    Sample,
)
from fundtui.store.history import default_path as default_history_path
from fundtui.store.paths import CHECKPOINT_FILE, data_dir, history_dir
from fundtui.store.signal_log import SignalLog

CHECKPOINT_NAME = CHECKPOINT_FILE
CHECKPOINT_EVERY_MS = 10 * 60_000
#: Hours of history replayed when there is no checkpoint; the longest rule window.
MAX_WARM_UP_HOURS = 24.0


def default_checkpoint_path() -> Path:
    return data_dir() / CHECKPOINT_NAME


def history_folder(demo: bool) -> Path:
    """Where history, the signals log and the engine state live (see paths.history_dir)."""
    return history_dir(demo)


def warm_up_hours(config: SignalConfig) -> float:
    """History a fresh engine needs to be where a running one would be: the longest
    window of any rule, capped at ``MAX_WARM_UP_HOURS``."""
    need = max(
        config.deviation_window_h,
        config.spike_window_h,
        config.oi_lookback_h,
        config.ema_period_h * config.ema_periods,
        config.ema_min_history_h if config.ema_threshold_mode == "historical" else 0.0,
    )
    return min(need, MAX_WARM_UP_HOURS)


def sample_quote(s: Sample) -> Quote:
    """A stored sample as the quote it was recorded from (volume and price change are
    not stored and come back as None).

    Open interest is stored in USD only; in coins it is that over the mark price
    (the price of one contract unit: a ``1000PEPE`` bundle) times the bundle's
    multiplier, read from the symbol. A venue whose USD figure is at another
    price than its mark is off by that basis (a fraction of a percent), well
    inside ``oi_change``.
    """
    usd = s.open_interest_usd
    mark = s.mark_price
    coins = None
    if usd is not None and mark is not None and mark > 0 and math.isfinite(usd / mark):
        coins = usd / mark * split_base(s.symbol.split("/", 1)[0])[1]
    return Quote(
        s.venue,
        s.symbol,
        s.base or "",
        s.quote or "",
        s.funding_rate,
        s.interval_hours,
        s.next_funding_ms,
        s.mark_price,
        s.index_price,
        s.open_interest_usd,
        open_interest_coins=coins,
        timestamp_ms=s.at_ms,
    )


def chosen(quotes: Iterable[Quote]) -> list[Quote]:
    """One quote per venue and base, as the board shows them (what the engine expects)."""
    return [q for per_venue in choose_quotes(quotes).values() for q in per_venue.values()]


@dataclass(slots=True)
class WarmUp:
    """What ``warm_up`` did, for the status line."""

    source: str  # "checkpoint", "history" or "none"
    hours: float = 0.0  # hours of stored history replayed
    samples: int = 0
    problems: list[str] = field(default_factory=list)
    #: (time, spread by base) of the last refreshes replayed, oldest first.
    spreads: list[tuple[int, dict[str, float | None]]] = field(default_factory=list)

    def describe(self) -> str:
        if self.source == "checkpoint":
            return f"signals continue from the saved state (+{self.samples:,} stored samples)"
        if self.source == "history":
            return (
                f"signals warmed up from {self.hours:g} h of stored history "
                f"({self.samples:,} samples)"
            )
        return "signals start fresh: no stored history yet"


class Recorder:
    def __init__(
        self,
        engine: SignalEngine,
        store: HistoryStore | None,
        log: SignalLog | None,
        checkpoint_path: Path | None,
    ) -> None:
        self.engine = engine
        self.store = store
        self.log = log
        self.checkpoint_path = checkpoint_path
        self.last_ms: int | None = None  # newest refresh the engine saw
        self._last_checkpoint_ms: int | None = None
        self._last_compact: int | None = None  # the COMPACT_EVERY_MS period last compacted

    @classmethod
    def open(
        cls,
        config: SignalConfig,
        history_path: Path | None = None,
        log_path: Path | None = None,
        checkpoint_path: Path | None = None,
        *,
        create_history: bool = True,
    ) -> tuple[Recorder, list[str]]:
        """A recorder with whatever of its files can be used; problems as one-line notes.

        A history file that cannot be opened leaves the recorder without history
        (signals still run on live data); the message says why. With
        ``create_history=False`` a missing history file is not created: the
        recorder runs without one (for commands that only read).
        """
        problems: list[str] = []
        store = None
        if create_history or (history_path or default_history_path()).exists():
            try:
                # a file that is not a database is set aside and a new one started,
                # except for commands that only read (they write nothing)
                store = HistoryStore.open(history_path, move_unusable_aside=create_history)
            except HistoryError as e:
                problems.append(f"{e}; running without history")
            else:
                problems.extend(store.notices)
        log = SignalLog(log_path)
        path = checkpoint_path if checkpoint_path is not None else default_checkpoint_path()
        return cls(SignalEngine(config), store, log, path), problems

    # --- restart continuity --------------------------------------------------

    def _load_checkpoint(self, problems: list[str]) -> int | None:
        """Put the saved engine in place; the time it was saved at, or None to replay."""
        if self.checkpoint_path is None:
            return None
        restored, notices = checkpoint.load(self.checkpoint_path, self.engine.config)
        problems += notices
        if restored is None:
            return None
        self.engine = restored.engine
        return restored.at_ms

    def save_checkpoint(self) -> None:
        """Write the engine state atomically (temp file, then rename)."""
        if self.checkpoint_path is None or self.last_ms is None:
            return
        checkpoint.save(self.checkpoint_path, self.engine, self.last_ms)
        self._last_checkpoint_ms = self.last_ms

    def warm_up(
        self,
        now_ms: int,
        spread_refreshes: int = 0,
        progress: Callable[[float], None] | None = None,
    ) -> WarmUp:
        """Bring the engine to ``now_ms`` from the checkpoint and/or stored history.

        ``spread_refreshes``: how many of the last replayed refreshes to return with
        their spreads by base (to fill the board's sparklines).
        """
        result = WarmUp("none")
        since = self._load_checkpoint(result.problems)
        if since is not None:
            result.source = "checkpoint"
            self.last_ms = since
            start = since + 1
        else:
            start = now_ms - round(warm_up_hours(self.engine.config) * HOUR_MS)
        if self.store is None:
            return result
        try:
            first = self.store.latest_at()
        except HistoryError as e:
            result.problems.append(str(e))
            return result
        if first is None or first < start:
            return result
        if result.source == "none":
            result.source = "history"
        tail: list[tuple[int, dict[str, float | None]]] = []
        hour = start
        total = max(1, now_ms - start)
        while hour < now_ms:
            end = min(now_ms, (hour // HOUR_MS + 1) * HOUR_MS)
            try:
                by_market = self.store.all_since(hour, end)
            except HistoryError as e:
                result.problems.append(str(e))
                break
            samples = sorted((s for ss in by_market.values() for s in ss), key=lambda s: s.at_ms)
            del by_market
            result.samples += len(samples)
            for at, group in _by_time(samples):
                quotes = chosen(sample_quote(s) for s in group)
                self.engine.warm_up((at, q) for q in quotes)
                self.last_ms = at
                if spread_refreshes:
                    tail.append((at, _spreads(quotes)))
                    del tail[:-spread_refreshes]
            hour = end
            if progress is not None:
                progress(min(1.0, (end - start) / total))
        if result.source == "history":
            result.hours = round((now_ms - start) / HOUR_MS, 1)
        result.spreads = tail
        return result

    def samples_before(self, ends_ms: Sequence[int], span_ms: int = 60_000) -> list[Sample]:
        """Stored samples of the ``span_ms`` before each of ``ends_ms``: a narrow look
        at given moments (the sector board's 1/8/24 h-ago baselines) without
        turning whole hours of history into objects."""
        if self.store is None:
            return []
        out: list[Sample] = []
        for end in sorted(set(ends_ms)):
            for samples in self.store.all_since(end - span_ms, end).values():
                out.extend(samples)
        return out

    # --- live ----------------------------------------------------------------

    def record_poll(self, quotes: Sequence[Quote], at_ms: int) -> None:
        """Store one venue poll's quotes, stamped when the answer arrived."""
        if self.store is not None and quotes:
            self.store.record(quotes, at_ms)

    def evaluate(self, now_ms: int, quotes: Iterable[Quote], *, log: bool = True) -> list[Hit]:
        """Feed the board's fresh quotes to the engine; log (unless ``log`` is False:
        the writer thread logs them itself) and return the new hits."""
        hits = self.engine.update(now_ms, quotes)
        self.last_ms = now_ms if self.last_ms is None else max(self.last_ms, now_ms)
        if log and hits and self.log is not None:
            self.log.append(hits)
        return hits

    def maintain(self, now_ms: int) -> None:
        """Compaction of the store once per ``COMPACT_EVERY_MS`` (so unpacked rows never
        hold more than about that span); a checkpoint every ``CHECKPOINT_EVERY_MS``."""
        period = now_ms // COMPACT_EVERY_MS
        freed = False  # a pass ran that builds and drops many MB
        if self.store is not None and period != self._last_compact:
            self._last_compact = period
            self.store.compact(now_ms)
            freed = True
        if self.last_ms is not None:
            if self._last_checkpoint_ms is None:  # the first save comes a period after start
                self._last_checkpoint_ms = self.last_ms
            elif self.last_ms - self._last_checkpoint_ms >= CHECKPOINT_EVERY_MS:
                self.save_checkpoint()
                freed = True
        if freed:  # what those passes freed goes back to the OS (engine/heap.py)
            heap.give_back()

    def close(self) -> list[str]:
        """Checkpoint and close; problems as one-line notes (closing never raises)."""
        problems = []
        try:
            self.save_checkpoint()
        except Exception as e:  # a full disk must not stop the app from quitting
            problems.append(f"could not save the signal state: {describe_exception(e)}")
        if self.store is not None:
            try:
                self.store.close()
            except Exception as e:
                problems.append(describe_exception(e))
        return problems


def _by_time(samples: list[Sample]) -> Iterator[tuple[int, list[Sample]]]:
    i, n = 0, len(samples)
    while i < n:
        at = samples[i].at_ms
        j = i
        while j < n and samples[j].at_ms == at:
            j += 1
        yield at, samples[i:j]
        i = j


def _spreads(quotes: Iterable[Quote]) -> dict[str, float | None]:
    by_base: dict[str, list[Quote]] = {}
    for q in quotes:
        by_base.setdefault(q.base, []).append(q)
    out: dict[str, float | None] = {}
    for base, qs in by_base.items():
        s = spread_for(base, qs)
        out[base] = s.spread_8h if s is not None and math.isfinite(s.spread_8h) else None
    return out
