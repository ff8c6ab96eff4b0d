"""Sector rotation's figures: what one base and one sector show now, and the model's parameters.

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


Pure: board rows and past APRs are passed in. The states these figures are
judged into are in ``rotation_states``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fundtui.core.board import BoardRow
from fundtui.core.normalize import apr_if_known

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


def _sector_stats(
    sector: str,
    members: Sequence[str],
    figures: Mapping[str, BaseFigures],
    past: Mapping[int, Mapping[str, float]],
    p: RotationParams,
) -> SectorStats:
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


def base_aprs(rows: Mapping[str, BoardRow]) -> dict[str, float]:
    """base -> APR now, for bases with a rate (what :class:`SectorHistory` records)."""
    out = {}
    for b, r in rows.items():
        if (a := base_figures(r).apr) is not None:
            out[b] = a
    return out
