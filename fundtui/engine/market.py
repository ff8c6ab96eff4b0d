"""The market state: venue statuses, last good quotes, the stale set, the board's rows.

What the board shows is rebuilt from this, never from what is on screen: the
last good quotes of each venue (a failing venue keeps its last answer, marked
stale once it is older than the refresh allows), the spread trend line and the
rate velocity. ``rebuild(now)`` returns the rows with both attached.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from fundtui.core.board import BoardRow, build_board
from fundtui.core.fees import Fees
from fundtui.core.net_spread import DEFAULT_HORIZON_H
from fundtui.core.quote import Quote
from fundtui.core.status import VenueState, VenueStatus
from fundtui.core.trend import RateVelocity, SpreadTrend


class Market:
    def __init__(
        self,
        venues: Sequence[str],
        refresh_s: float,
        trend_length: int,
        net_horizon_h: float = DEFAULT_HORIZON_H,
        fees: Mapping[str, Fees] | None = None,
    ) -> None:
        self.venues = list(venues)
        self.refresh_s = refresh_s
        self.net_horizon_h = net_horizon_h  # the net spread's holding horizon
        self.fees = dict(fees or {})  # configured perp fees per venue
        self.statuses: dict[str, VenueStatus] = {v: VenueStatus(v) for v in self.venues}
        self.quotes: dict[str, tuple[Quote, ...]] = {}  # last good quotes per venue
        self.stale: frozenset[str] = frozenset()
        self.trend = SpreadTrend(trend_length)
        self.rate_velocity = RateVelocity()
        self.velocity: dict[str, float | None] = {}  # base -> mean velocity, shown
        self.rows: dict[str, BoardRow] = {}  # base -> BoardRow, as last built
        self.fresh: list[Quote] = []  # the quotes of the last build that are not stale

    # --- venue answers ----------------------------------------------------------

    def polled(self, venue: str, now_ms: int, latency_ms: float, quotes: tuple[Quote, ...]) -> None:
        self.statuses[venue] = self.statuses[venue].succeeded(now_ms, latency_ms, len(quotes))
        self.quotes[venue] = quotes

    def failed(self, venue: str, reason: str, retry_at_ms: int | None = None) -> None:
        reason = reason.splitlines()[0] if reason.strip() else "unknown error"
        self.statuses[venue] = self.statuses[venue].failed(reason, retry_at_ms)

    def all_answered(self) -> bool:
        """Every venue answered once, or failed."""
        return all(st.last_ok_ms is not None or st.error for st in self.statuses.values())

    def stale_venues(self, now_ms: int) -> frozenset[str]:
        return frozenset(
            v
            for v, st in self.statuses.items()
            if st.state(now_ms, self.refresh_s) is VenueState.STALE
        )

    # --- the board --------------------------------------------------------------

    @property
    def trend_gap_ms(self) -> int:
        # Refreshes closer than half the refresh period (venues answering a moment
        # apart) are one point of the trend line.
        return round(self.refresh_s * 500)

    def rebuild(self, now_ms: int) -> dict[str, BoardRow]:
        """The board's rows from the last good quotes, with trend and velocity."""
        self.stale = self.stale_venues(now_ms)
        rows = build_board(self.quotes, self.venues, self.stale, self.net_horizon_h, self.fees)
        self.trend.push(
            now_ms,
            {b: r.spread.spread_8h if r.spread else None for b, r in rows.items()},
            self.trend_gap_ms,
        )
        self.rows = rows
        self.fresh = [q for r in rows.values() for q in r.fresh_quotes()]
        self.rate_velocity.update(now_ms, self.fresh)
        self.velocity = self.rate_velocity.by_base(self.fresh)
        return self.decorated()

    def warm_trend(self, spreads: Sequence[tuple[int, Mapping[str, float | None]]]) -> None:
        """The trend line's past points, replayed from stored history."""
        for at, by_base in spreads:
            self.trend.push(at, dict(by_base), self.trend_gap_ms)

    def decorated(self) -> dict[str, BoardRow]:
        """The rows with their trend line and velocity."""
        trend, velocity = self.trend.values, self.velocity.get
        return {
            b: dataclasses.replace(r, trend=trend(b), velocity=velocity(b))
            for b, r in self.rows.items()
        }
