"""Sector rotation's states: judging each sector's figures, and state changes as hits.

Units as in ``rotation_stats`` (APR fractions; a point is 0.01 of APR).

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

:class:`SectorStateTracker` turns a sector entering a state into one
``rule="sector"`` hit.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from fundtui.core.board import BoardRow
from fundtui.core.numbers import fixed
from fundtui.core.rotation_stats import (
    BaseFigures,
    RotationParams,
    SectorStats,
    _sector_stats,
    base_figures,
)
from fundtui.core.sectors import SectorMap
from fundtui.core.signal_types import Hit

CROWDING = "crowding"
UNWINDING = "unwinding"
ROTATION_IN = "rotation in"
DIVERGENCE = "divergence"
STATES = (CROWDING, UNWINDING, ROTATION_IN, DIVERGENCE)


def _signed(text: str) -> str:
    return text if text[0] == "-" else "+" + text


def _pts(x: float) -> str:
    return _signed(fixed(x, 1, shift=2)) + " pts"


def _pct(x: float) -> str:
    return _signed(fixed(x, 1, shift=2)) + " %"


def _apr(x: float) -> str:
    return fixed(x, 1, shift=2) + "%"


def _judge(
    s: SectorStats, z: float | None, others_move: Mapping[int, float | None], p: RotationParams
) -> dict[str, Any]:
    """State fields for one sector, given the other sectors' median |velocity|."""
    if s.apr is None:
        return {"explanation": "No base of this sector has a funding rate now."}
    h = next((h for h in p.state_horizons_h if s.velocity.get(h) is not None), None)
    if h is None:
        need = min(p.state_horizons_h)
        return {"explanation": f"No state yet: needs {need} h of funding history (velocity n/a)."}
    d = s.velocity[h] or 0.0
    then = s.then_apr[h] or 0.0
    pc = s.price_change
    flat = others_move.get(h)
    if (
        z is not None
        and z >= p.crowd_z
        and s.apr >= p.high_apr
        and d >= p.rise_apr
        and flat is not None
        and flat <= p.flat_apr
    ):
        return {
            "state": CROWDING,
            "state_horizon_h": h,
            "state_value": d,
            "state_threshold": p.rise_apr,
            "explanation": f"Crowding: funding {_apr(s.apr)} APR, {_signed(fixed(z, 1))} σ "
            "above the "
            f"market, {_pts(d)} in {h} h while the other sectors moved "
            f"{fixed(flat, 1, shift=2)} pts (median).",
        }
    if pc is not None:
        if then >= p.high_apr and d <= -p.rise_apr and pc <= -p.price_move:
            return {
                "state": UNWINDING,
                "state_horizon_h": h,
                "state_value": d,
                "state_threshold": -p.rise_apr,
                "explanation": f"Unwinding: funding fell from {_apr(then)} to "
                f"{_apr(then + d)} APR in {h} h while price fell "
                f"{_pct(pc)} in 24 h.",
            }
        if then <= p.low_apr and d >= p.rise_apr and pc >= p.price_move:
            return {
                "state": ROTATION_IN,
                "state_horizon_h": h,
                "state_value": d,
                "state_threshold": p.rise_apr,
                "explanation": f"Rotation in: funding rose from a low {_apr(then)} to "
                f"{_apr(then + d)} APR in {h} h and price rose "
                f"{_pct(pc)} in 24 h.",
            }
        if abs(d) >= p.rise_apr and abs(pc) >= p.price_move and (d > 0) != (pc > 0):
            return {
                "state": DIVERGENCE,
                "state_horizon_h": h,
                "state_value": d,
                "state_threshold": math.copysign(p.rise_apr, d),
                "explanation": f"Divergence: funding {_pts(d)} in {h} h but price "
                f"{_pct(pc)} in 24 h.",
            }
    price = "price n/a" if pc is None else f"price {_pct(pc)} in 24 h"
    return {"explanation": f"No rotation: funding {_pts(d)} in {h} h, {price}."}


def aggregate(
    sector_map: SectorMap,
    rows: Mapping[str, BoardRow],
    past: Mapping[int, Mapping[str, float]] | None = None,
    params: RotationParams | None = None,
) -> dict[str, SectorStats]:
    """Every sector of ``sector_map`` (including ones without quotes now), keyed
    by name. ``past`` maps a horizon in hours to base -> APR that many hours ago."""
    p = params or RotationParams()
    figures = {b: base_figures(r) for b, r in rows.items()}
    return aggregate_figures(sector_map, figures, past or {}, p)


def aggregate_figures(
    sector_map: SectorMap,
    figures: Mapping[str, BaseFigures],
    past: Mapping[int, Mapping[str, float]],
    p: RotationParams,
) -> dict[str, SectorStats]:
    stats = {
        s: _sector_stats(s, members, figures, past, p) for s, members in sector_map.sectors.items()
    }
    aprs = [s.apr for s in stats.values() if s.apr is not None]
    mean = statistics.fmean(aprs) if len(aprs) >= 3 else None
    sd = statistics.pstdev(aprs) if len(aprs) >= 3 else 0.0
    out: dict[str, SectorStats] = {}
    for name, s in stats.items():
        z = None if s.apr is None or mean is None or sd <= 0 else (s.apr - mean) / sd
        others: dict[int, float | None] = {}
        for h in p.horizons_h:
            moves = [
                abs(v)
                for o in stats.values()
                if o.sector != name and (v := o.velocity.get(h)) is not None
            ]
            others[h] = statistics.median(moves) if len(moves) >= 2 else None
        out[name] = replace(s, z=z, **_judge(s, z, others, p))
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
            hits.append(
                Hit(
                    time_ms=now_ms,
                    rule="sector",
                    base=s.sector,
                    venues=(),
                    value=s.state_value if s.state_value is not None else 0.0,
                    threshold=s.state_threshold if s.state_threshold is not None else 0.0,
                    explanation=s.explanation,
                    extras={
                        "state": s.state,
                        "previous": before,
                        "apr": s.apr,
                        "z": s.z,
                        "horizon_h": s.state_horizon_h,
                        "price_change": s.price_change,
                        "bases": len(s.bases),
                    },
                )
            )
        return hits
