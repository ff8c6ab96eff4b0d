"""Sector aggregation and rotation states: pure, time and history passed in.

The figures per base and per sector, with the model's parameters, are in
``rotation_stats``; the states, the aggregation that judges them and the
tracker turning state changes into hits in ``rotation_states``. This module
holds the memory between refreshes and the model the app feeds, and exports
every name of the three.

:class:`SectorBoardModel` is what the app holds: fed each refresh's board rows,
it keeps the rolling :class:`SectorHistory` (past values for velocity, the
sparkline) and a :class:`SectorStateTracker` turning state changes into
``rule="sector"`` hits; ``warm_up`` replays stored quotes after a restart.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from fundtui.core.board import BoardRow
from fundtui.core.normalize import apr_if_known
from fundtui.core.rotation_states import (
    CROWDING,
    DIVERGENCE,
    ROTATION_IN,
    STATES,
    UNWINDING,
    SectorStateTracker,
    aggregate,
    aggregate_figures,
)
from fundtui.core.rotation_stats import (
    WEIGHT_EQUAL,
    WEIGHT_OI,
    WEIGHT_VOLUME,
    BaseFigures,
    RotationParams,
    SectorStats,
    base_aprs,
    base_figures,
)
from fundtui.core.sectors import SectorMap
from fundtui.core.signal_types import Hit

__all__ = [
    "CROWDING",
    "DIVERGENCE",
    "HOUR_MS",
    "ROTATION_IN",
    "STATES",
    "UNWINDING",
    "WEIGHT_EQUAL",
    "WEIGHT_OI",
    "WEIGHT_VOLUME",
    "BaseFigures",
    "RotationParams",
    "SectorBoardModel",
    "SectorHistory",
    "SectorStateTracker",
    "SectorStats",
    "StoredQuote",
    "aggregate",
    "aggregate_figures",
    "base_aprs",
    "base_figures",
]

HOUR_MS = 3_600_000

# --- the app's rolling memory ----------------------------------------------


class SectorHistory:
    """What the app remembers between refreshes, in memory and bounded.

    - base APR snapshots, one per ``snapshot_every_s`` step (the step's last
      refresh), for ``keep_h`` hours: :meth:`past` finds the one taken ``h`` hours ago (within a
      tolerance of 1.5 snapshot steps), or nothing: velocity is "n/a" until the
      app has been running (or was warmed up) that long, never estimated;
    - each sector's weighted APR, one point per ``point_every_s`` (the last
      ``points``), for the sparkline: a refresh within that time of the last
      point replaces it, so the newest point is live.

    Snapshots are float arrays over one shared base index (~3 KB each).
    """

    def __init__(
        self,
        snapshot_every_s: float = 300.0,
        keep_h: float = 25.0,
        points: int = 120,
        point_every_s: float = 300.0,
    ) -> None:
        self.step_ms = int(snapshot_every_s * 1000)
        self.point_ms = int(point_every_s * 1000)
        self.keep_ms = int(keep_h * HOUR_MS)
        self._index: dict[str, int] = {}
        self._snaps: deque[tuple[int, int, array]] = deque()  # (step start, taken, APRs)
        self._series: dict[str, deque[tuple[int, float]]] = {}
        self.points = points

    def record(
        self, now_ms: int, aprs: Mapping[str, float], sector_aprs: Mapping[str, float | None]
    ) -> None:
        for sector, apr in sector_aprs.items():
            if apr is None:
                continue
            series = self._series.setdefault(sector, deque(maxlen=self.points))
            if series and now_ms - series[-1][0] < self.point_ms:
                if now_ms >= series[-1][0]:
                    series[-1] = (series[-1][0], apr)
                continue
            series.append((now_ms, apr))
        if self._snaps and now_ms <= self._snaps[-1][1]:
            return
        for b in aprs:
            self._index.setdefault(b, len(self._index))
        snap = array("d", [math.nan]) * len(self._index)
        for b, a in aprs.items():
            snap[self._index[b]] = a
        if self._snaps and now_ms - self._snaps[-1][0] < self.step_ms:
            # the same step: its snapshot becomes this later, fuller picture (the
            # first refresh after a start often has only some venues' answers)
            self._snaps[-1] = (self._snaps[-1][0], now_ms, snap)
            return
        self._snaps.append((now_ms, now_ms, snap))
        while self._snaps and now_ms - self._snaps[0][1] > self.keep_ms:
            self._snaps.popleft()

    def past(self, now_ms: int, horizons_h: Iterable[int]) -> dict[int, dict[str, float]]:
        out: dict[int, dict[str, float]] = {}
        tolerance = self.step_ms * 1.5
        for h in horizons_h:
            target = now_ms - h * HOUR_MS
            best = None
            for _, t, snap in self._snaps:
                if t > target:
                    break
                best = (t, snap)
            if best is None or target - best[0] > tolerance:
                continue
            snap = best[1]
            out[h] = {
                b: snap[i]
                for b, i in self._index.items()
                if i < len(snap) and not math.isnan(snap[i])
            }
        return out

    def series(self, sector: str) -> list[float]:
        return [a for _, a in self._series.get(sector, ())]


class StoredQuote(Protocol):
    """What :meth:`SectorBoardModel.warm_up` reads of a stored sample."""

    venue: str
    base: str | None
    at_ms: int
    funding_rate: float | None
    interval_hours: float | None
    open_interest_usd: float | None


@dataclass
class SectorBoardModel:
    """Map + memory + tracker: what the app feeds once per refresh."""

    sector_map: SectorMap
    params: RotationParams = field(default_factory=RotationParams)
    history: SectorHistory = field(default_factory=SectorHistory)
    tracker: SectorStateTracker = field(default_factory=SectorStateTracker)
    stats: dict[str, SectorStats] = field(default_factory=dict)
    updated_ms: int | None = None

    def warm_up(self, samples: Iterable[StoredQuote], until_ms: int, bucket_s: float = 60.0) -> int:
        """Replay stored quotes (e.g. ``HistoryStore.all_since``'s samples, any
        order) taken before ``until_ms`` into the history, so velocity and the
        sparkline need not wait for the app to run that long. Per ``bucket_s``
        the last quote of each venue and base counts, as a refresh would; only
        the last ``history.points`` buckets are aggregated for the sparkline
        (with open interest weights where every base has some, else equal: the
        store keeps no volume). No hits are raised. Returns the buckets replayed.
        """
        step = max(1, int(bucket_s * 1000))
        # per bucket, the last (sample, its APR) of each venue and base
        buckets: dict[int, dict[tuple[str, str], tuple[StoredQuote, float]]] = {}
        for s in samples:
            if s.base is None or s.at_ms >= until_ms:
                continue
            a = apr_if_known(s.funding_rate, s.interval_hours)
            if a is None:  # no rate, or an unknown interval: no APR, never a guessed one
                continue
            bucket = buckets.setdefault(s.at_ms // step, {})
            current = bucket.get((s.venue, s.base))
            if current is None or s.at_ms >= current[0].at_ms:
                bucket[(s.venue, s.base)] = (s, a)
        keys = sorted(buckets)
        charted = set(keys[-self.history.points :])
        for key in keys:
            per_base: dict[str, list[tuple[StoredQuote, float]]] = {}
            for (_, base), sa in buckets[key].items():
                per_base.setdefault(base, []).append(sa)
            figures = {}
            for base, qs in per_base.items():
                ois = [s.open_interest_usd for s, _ in qs if s.open_interest_usd]
                aprs = [a for _, a in qs]
                figures[base] = BaseFigures(
                    base, sum(aprs) / len(aprs), sum(ois) if ois else None, None, None
                )
            sector_aprs: dict[str, float | None] = {}
            if key in charted:
                stats = aggregate_figures(self.sector_map, figures, {}, self.params)
                sector_aprs = {name: st.apr for name, st in stats.items()}
            at = max(s.at_ms for s, _ in buckets[key].values())
            self.history.record(
                at, {b: f.apr for b, f in figures.items() if f.apr is not None}, sector_aprs
            )
        return len(keys)

    def update(self, rows: Mapping[str, BoardRow], now_ms: int) -> list[Hit]:
        """Aggregate this refresh's rows, remember them, and return the state-change hits."""
        figures = {b: base_figures(r) for b, r in rows.items()}
        past = self.history.past(now_ms, self.params.horizons_h)
        self.stats = aggregate_figures(self.sector_map, figures, past, self.params)
        self.history.record(
            now_ms,
            {b: f.apr for b, f in figures.items() if f.apr is not None},
            {s: st.apr for s, st in self.stats.items()},
        )
        self.updated_ms = now_ms
        return self.tracker.update(self.stats.values(), now_ms)
