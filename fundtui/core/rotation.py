"""Sector aggregation and rotation states: pure, time and history passed in.

Units: rates are APR fractions (0.1095 = 10.95 % a year, simple: 8h rate x 3 x
365); a *point* below is 0.01 of APR (one percentage point); price changes are
fractions (0.05 = +5 %). Times are epoch milliseconds.

Per base (from a board row, fresh venues only):

- APR: the mean of the venues' APRs (each venue's own interval, so 1 h and 8 h
  venues compare);
- open interest and 24 h volume: summed over the venues that report them (many
  venues leave both out of the bulk request, so this is a partial figure);
- 24 h price change: the mean over the venues that report one.

Per sector, over its bases that have a rate now:

- weighted APR: weights are open interest when every one of those bases has
  some, else 24 h volume when every one has some, else equal; ``weighting``
  says which ("oi", "volume", "equal") so the screen can show it;
- median APR, the number of bases, and of bases with |APR| >= ``extreme_apr``;
- velocity against 1 h, 8 h, 24 h ago: the weighted APR now minus the weighted
  APR then, over the bases known at both times and with today's weights (so a
  listing or a changed weight does not read as a move). None ("n/a") when no
  past values for that horizon were given, or they cover fewer than half the
  bases;
- 24 h price change weighted by volume (equal weights when a base lacks one);
- z-score of the weighted APR against the sectors' weighted APRs (population
  standard deviation; None with fewer than 3 sectors or no spread among them);
- leading and lagging bases: the highest and lowest APRs.

Rotation states (at most one, first match wins), judged on the velocity of the
first horizon in ``state_horizons_h`` that the sector has:

- crowding: z >= ``crowd_z`` and funding >= ``high_apr``, up >= ``rise_apr``,
  while the median |velocity| of the other sectors is <= ``flat_apr`` (flat);
- unwinding: funding was >= ``high_apr`` and fell >= ``rise_apr`` while the
  price fell >= ``price_move`` in 24 h;
- rotation in: funding was <= ``low_apr`` and rose >= ``rise_apr`` while the
  price rose >= ``price_move``;
- divergence: funding moved >= ``rise_apr`` one way and price >=
  ``price_move`` the other.

Every sector gets an explanation sentence, also when it has no state.

:class:`SectorBoardModel` is what the app holds: fed each refresh's board rows,
it keeps the rolling :class:`SectorHistory` (past values for velocity, the
sparkline) and a :class:`SectorStateTracker` turning state changes into
``rule="sector"`` hits; ``warm_up`` replays stored quotes after a restart.
"""

from __future__ import annotations

import math
import statistics
from array import array
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from fundtui.core.board import BoardRow
from fundtui.core.normalize import apr_if_known
from fundtui.core.sectors import SectorMap
from fundtui.core.signal_types import Hit

HOUR_MS = 3_600_000

CROWDING = "crowding"
UNWINDING = "unwinding"
ROTATION_IN = "rotation in"
DIVERGENCE = "divergence"
STATES = (CROWDING, UNWINDING, ROTATION_IN, DIVERGENCE)

WEIGHT_OI = "oi"
WEIGHT_VOLUME = "volume"
WEIGHT_EQUAL = "equal"


@dataclass(frozen=True, slots=True)
class RotationParams:
    extreme_apr: float = 0.0005 * 3 * 365  # |APR| >= 54.75 % (0.05 %/8h) is extreme
    rise_apr: float = 0.05  # 5 points: funding rising / falling
    flat_apr: float = 0.02  # the other sectors' median |velocity| at most 2 points: flat
    crowd_z: float = 1.5
    high_apr: float = 0.20
    low_apr: float = 0.10
    price_move: float = 0.02
    horizons_h: tuple[int, ...] = (1, 8, 24)
    state_horizons_h: tuple[int, ...] = (8, 1)  # the first one with data decides states
    min_past_share: float = 0.5  # velocity needs past values for this share of the bases
    lead_count: int = 3


@dataclass(frozen=True, slots=True)
class BaseFigures:
    base: str
    apr: float | None
    open_interest: float | None
    volume: float | None
    change_24h: float | None


def base_figures(row: BoardRow) -> BaseFigures:
    """One base's figures from its fresh venues (a hot path: ~340 rows a refresh)."""
    aprs: list[float] = []
    oi = vol = change = 0.0
    n_oi = n_vol = n_change = 0
    isfinite = math.isfinite
    for venue, q in row.quotes.items():
        if venue in row.stale:
            continue
        a = apr_if_known(q.funding_rate, q.interval_hours)
        if a is not None:
            aprs.append(a)
        x = q.open_interest_usd
        if x is not None and x > 0 and isfinite(x):
            oi += x
            n_oi += 1
        x = q.volume_24h_usd
        if x is not None and x > 0 and isfinite(x):
            vol += x
            n_vol += 1
        x = q.price_change_24h
        if x is not None and isfinite(x):
            change += x
            n_change += 1
    return BaseFigures(
        base=row.base,
        apr=sum(aprs) / len(aprs) if aprs else None,
        open_interest=oi if n_oi else None,
        volume=vol if n_vol else None,
        change_24h=change / n_change if n_change else None,
    )


@dataclass(frozen=True, slots=True)
class SectorStats:
    sector: str
    members: int  # bases the map puts in this sector
    bases: tuple[str, ...]  # members with a rate now
    apr: float | None  # weighted
    weighting: str  # "oi", "volume", "equal"; "" without bases
    median_apr: float | None
    extreme: int  # bases with |APR| >= extreme_apr
    velocity: Mapping[int, float | None]  # horizon h -> APR change since h ago
    then_apr: Mapping[int, float | None]  # horizon h -> weighted APR h ago (same bases)
    price_change: float | None
    price_weighting: str  # "volume", "equal"; "" without prices
    leading: tuple[tuple[str, float], ...]  # (base, APR), highest first
    lagging: tuple[tuple[str, float], ...]  # lowest first
    z: float | None = None
    state: str | None = None
    state_horizon_h: int | None = None
    state_value: float | None = None  # the APR change over state_horizon_h that counted
    state_threshold: float | None = None  # the change it had to reach (signed)
    explanation: str = ""

    @property
    def count(self) -> int:
        return len(self.bases)


def _weights(figs: Sequence[BaseFigures]) -> tuple[list[float], str]:
    if figs and all(f.open_interest for f in figs):
        return [f.open_interest or 0.0 for f in figs], WEIGHT_OI
    if figs and all(f.volume for f in figs):
        return [f.volume or 0.0 for f in figs], WEIGHT_VOLUME
    return [1.0] * len(figs), WEIGHT_EQUAL


def _wmean(values: Sequence[float], weights: Sequence[float]) -> float | None:
    total = sum(weights)
    if not values or total <= 0:
        return None
    return sum(v * w for v, w in zip(values, weights, strict=True)) / total


def _sector_stats(sector: str, members: Sequence[str], figures: Mapping[str, BaseFigures],
                  past: Mapping[int, Mapping[str, float]], p: RotationParams) -> SectorStats:
    figs = [f for b in members if (f := figures.get(b)) is not None and f.apr is not None]
    aprs = [f.apr or 0.0 for f in figs]
    weights, weighting = _weights(figs)
    velocity: dict[int, float | None] = {}
    then_apr: dict[int, float | None] = {}
    for h in p.horizons_h:
        before = past.get(h) or {}
        idx = [i for i, f in enumerate(figs) if f.base in before]
        v = t = None
        if idx and len(idx) >= p.min_past_share * len(figs):
            w = [weights[i] for i in idx]
            now_w = _wmean([aprs[i] for i in idx], w)
            t = _wmean([before[figs[i].base] for i in idx], w)
            if now_w is not None and t is not None:
                v = now_w - t
        velocity[h], then_apr[h] = v, t
    priced = [f for f in figs if f.change_24h is not None]
    if priced and all(f.volume for f in priced):
        price = _wmean([f.change_24h or 0.0 for f in priced], [f.volume or 0.0 for f in priced])
        price_weighting = WEIGHT_VOLUME
    elif priced:
        price = statistics.fmean(f.change_24h or 0.0 for f in priced)
        price_weighting = WEIGHT_EQUAL
    else:
        price, price_weighting = None, ""
    ranked = sorted(((f.base, f.apr or 0.0) for f in figs), key=lambda x: (-x[1], x[0]))
    n = min(p.lead_count, len(ranked) // 2) if len(ranked) > 1 else len(ranked)
    return SectorStats(
        sector=sector,
        members=len(members),
        bases=tuple(f.base for f in figs),
        apr=_wmean(aprs, weights),
        weighting=weighting if figs else "",
        median_apr=statistics.median(aprs) if aprs else None,
        extreme=sum(1 for a in aprs if abs(a) >= p.extreme_apr),
        velocity=velocity,
        then_apr=then_apr,
        price_change=price,
        price_weighting=price_weighting,
        leading=tuple(ranked[:n]),
        lagging=tuple(reversed(ranked[-n:])) if len(ranked) > 1 else (),
    )


def _pts(x: float) -> str:
    return f"{x * 100:+.1f} pts"


def _pct(x: float) -> str:
    return f"{x * 100:+.1f} %"


def _judge(s: SectorStats, z: float | None, others_move: Mapping[int, float | None],
           p: RotationParams) -> dict[str, Any]:
    """State fields for one sector, given the other sectors' median |velocity|."""
    if s.apr is None:
        return {"explanation": "No base of this sector has a funding rate now."}
    h = next((h for h in p.state_horizons_h if s.velocity.get(h) is not None), None)
    if h is None:
        need = min(p.state_horizons_h)
        return {"explanation": f"No state yet: needs {need} h of funding history "
                               f"(velocity n/a)."}
    d = s.velocity[h] or 0.0
    then = s.then_apr[h] or 0.0
    pc = s.price_change
    flat = others_move.get(h)
    if z is not None and z >= p.crowd_z and s.apr >= p.high_apr and d >= p.rise_apr \
            and flat is not None and flat <= p.flat_apr:
        return {"state": CROWDING, "state_horizon_h": h, "state_value": d,
                "state_threshold": p.rise_apr,
                "explanation": f"Crowding: funding {s.apr:.1%} APR, {z:+.1f} σ above the "
                               f"market, {_pts(d)} in {h} h while the other sectors moved "
                               f"{flat * 100:.1f} pts (median)."}
    if pc is not None:
        if then >= p.high_apr and d <= -p.rise_apr and pc <= -p.price_move:
            return {"state": UNWINDING, "state_horizon_h": h, "state_value": d,
                    "state_threshold": -p.rise_apr,
                    "explanation": f"Unwinding: funding fell from {then:.1%} to "
                                   f"{then + d:.1%} APR in {h} h while price fell "
                                   f"{_pct(pc)} in 24 h."}
        if then <= p.low_apr and d >= p.rise_apr and pc >= p.price_move:
            return {"state": ROTATION_IN, "state_horizon_h": h, "state_value": d,
                    "state_threshold": p.rise_apr,
                    "explanation": f"Rotation in: funding rose from a low {then:.1%} to "
                                   f"{then + d:.1%} APR in {h} h and price rose "
                                   f"{_pct(pc)} in 24 h."}
        if abs(d) >= p.rise_apr and abs(pc) >= p.price_move and (d > 0) != (pc > 0):
            return {"state": DIVERGENCE, "state_horizon_h": h, "state_value": d,
                    "state_threshold": math.copysign(p.rise_apr, d),
                    "explanation": f"Divergence: funding {_pts(d)} in {h} h but price "
                                   f"{_pct(pc)} in 24 h."}
    price = "price n/a" if pc is None else f"price {_pct(pc)} in 24 h"
    return {"explanation": f"No rotation: funding {_pts(d)} in {h} h, {price}."}


def aggregate(sector_map: SectorMap, rows: Mapping[str, BoardRow],
              past: Mapping[int, Mapping[str, float]] | None = None,
              params: RotationParams | None = None) -> dict[str, SectorStats]:
    """Every sector of ``sector_map`` (including ones without quotes now), keyed
    by name. ``past`` maps a horizon in hours to base -> APR that many hours ago."""
    p = params or RotationParams()
    figures = {b: base_figures(r) for b, r in rows.items()}
    return aggregate_figures(sector_map, figures, past or {}, p)


def aggregate_figures(sector_map: SectorMap, figures: Mapping[str, BaseFigures],
                      past: Mapping[int, Mapping[str, float]],
                      p: RotationParams) -> dict[str, SectorStats]:
    stats = {s: _sector_stats(s, members, figures, past, p)
             for s, members in sector_map.sectors.items()}
    aprs = [s.apr for s in stats.values() if s.apr is not None]
    mean = statistics.fmean(aprs) if len(aprs) >= 3 else None
    sd = statistics.pstdev(aprs) if len(aprs) >= 3 else 0.0
    out: dict[str, SectorStats] = {}
    for name, s in stats.items():
        z = None if s.apr is None or mean is None or sd <= 0 else (s.apr - mean) / sd
        others: dict[int, float | None] = {}
        for h in p.horizons_h:
            moves = [abs(v) for o in stats.values() if o.sector != name
                     and (v := o.velocity.get(h)) is not None]
            others[h] = statistics.median(moves) if len(moves) >= 2 else None
        out[name] = replace(s, z=z, **_judge(s, z, others, p))
    return out


def base_aprs(rows: Mapping[str, BoardRow]) -> dict[str, float]:
    """base -> APR now, for bases with a rate (what :class:`SectorHistory` records)."""
    out = {}
    for b, r in rows.items():
        if (a := base_figures(r).apr) is not None:
            out[b] = a
    return out


# --- state changes as signals ----------------------------------------------

class SectorStateTracker:
    """Turns successive aggregations into hits: one when a sector enters a state.

    A hit's ``value`` is the sector's APR change over the state's horizon and
    ``threshold`` the change it had to reach (APR fractions, like the
    explanation's points); ``extras`` carry the state, the z-score and more.

    A sector leaving a state makes no hit; re-entering the same state within
    ``cooldown_s`` of its last hit makes none either (a state flickering at a
    threshold is one signal, not one per refresh).
    """

    def __init__(self, cooldown_s: float = 900.0) -> None:
        self.cooldown_ms = int(cooldown_s * 1000)
        self._state: dict[str, str | None] = {}
        self._last_hit: dict[tuple[str, str], int] = {}

    def update(self, stats: Iterable[SectorStats], now_ms: int) -> list[Hit]:
        hits = []
        for s in stats:
            before = self._state.get(s.sector)
            self._state[s.sector] = s.state
            if s.state is None or s.state == before:
                continue
            last = self._last_hit.get((s.sector, s.state))
            if last is not None and now_ms - last < self.cooldown_ms:
                continue
            self._last_hit[(s.sector, s.state)] = now_ms
            hits.append(Hit(
                time_ms=now_ms, rule="sector", base=s.sector, venues=(),
                value=s.state_value if s.state_value is not None else 0.0,
                threshold=s.state_threshold if s.state_threshold is not None else 0.0,
                explanation=s.explanation,
                extras={"state": s.state, "previous": before, "apr": s.apr, "z": s.z,
                        "horizon_h": s.state_horizon_h, "price_change": s.price_change,
                        "bases": len(s.bases)},
            ))
        return hits


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

    def __init__(self, snapshot_every_s: float = 300.0, keep_h: float = 25.0,
                 points: int = 120, point_every_s: float = 300.0) -> None:
        self.step_ms = int(snapshot_every_s * 1000)
        self.point_ms = int(point_every_s * 1000)
        self.keep_ms = int(keep_h * HOUR_MS)
        self._index: dict[str, int] = {}
        self._snaps: deque[tuple[int, int, array]] = deque()  # (step start, taken, APRs)
        self._series: dict[str, deque[tuple[int, float]]] = {}
        self.points = points

    def record(self, now_ms: int, aprs: Mapping[str, float],
               sector_aprs: Mapping[str, float | None]) -> None:
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
            out[h] = {b: snap[i] for b, i in self._index.items()
                      if i < len(snap) and not math.isnan(snap[i])}
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

    def warm_up(self, samples: Iterable[StoredQuote], until_ms: int,
                bucket_s: float = 60.0) -> int:
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
        charted = set(keys[-self.history.points:])
        for key in keys:
            per_base: dict[str, list[tuple[StoredQuote, float]]] = {}
            for (_, base), sa in buckets[key].items():
                per_base.setdefault(base, []).append(sa)
            figures = {}
            for base, qs in per_base.items():
                ois = [s.open_interest_usd for s, _ in qs if s.open_interest_usd]
                aprs = [a for _, a in qs]
                figures[base] = BaseFigures(base, sum(aprs) / len(aprs),
                                            sum(ois) if ois else None, None, None)
            sector_aprs: dict[str, float | None] = {}
            if key in charted:
                stats = aggregate_figures(self.sector_map, figures, {}, self.params)
                sector_aprs = {name: st.apr for name, st in stats.items()}
            at = max(s.at_ms for s, _ in buckets[key].values())
            self.history.record(at, {b: f.apr for b, f in figures.items()
                                     if f.apr is not None}, sector_aprs)
        return len(keys)

    def update(self, rows: Mapping[str, BoardRow], now_ms: int) -> list[Hit]:
        """Aggregate this refresh's rows, remember them, and return the state-change hits."""
        figures = {b: base_figures(r) for b, r in rows.items()}
        past = self.history.past(now_ms, self.params.horizons_h)
        self.stats = aggregate_figures(self.sector_map, figures, past, self.params)
        self.history.record(now_ms, {b: f.apr for b, f in figures.items() if f.apr is not None},
                            {s: st.apr for s, st in self.stats.items()})
        self.updated_ms = now_ms
        return self.tracker.update(self.stats.values(), now_ms)
