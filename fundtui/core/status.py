"""Per-venue health: when it last answered, how fast, and what went wrong."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class VenueState(StrEnum):
    WAITING = "waiting"  # no answer yet, no error yet
    LIVE = "live"  # last poll succeeded and the data is fresh
    RETRYING = "retrying"  # last poll failed; data still within the freshness window
    STALE = "stale"  # data older than two missed refreshes
    DOWN = "down"  # never answered, and failing


#: Data is stale once two refreshes in a row were missed; the extra half
#: interval absorbs request latency so a slow-but-working venue is not flagged.
STALE_AFTER_REFRESHES = 2.5


@dataclass(frozen=True, slots=True)
class VenueStatus:
    venue: str
    last_ok_ms: int | None = None
    latency_ms: float | None = None
    error: str | None = None  # one-line reason of the last failure, None after a success
    failures: int = 0  # consecutive
    quotes: int = 0
    retry_at_ms: int | None = None

    def succeeded(self, now_ms: int, latency_ms: float, quotes: int) -> VenueStatus:
        return replace(
            self,
            last_ok_ms=now_ms,
            latency_ms=latency_ms,
            error=None,
            failures=0,
            quotes=quotes,
            retry_at_ms=None,
        )

    def failed(self, reason: str, retry_at_ms: int | None) -> VenueStatus:
        return replace(self, error=reason, failures=self.failures + 1, retry_at_ms=retry_at_ms)

    def age_s(self, now_ms: int) -> float | None:
        if self.last_ok_ms is None:
            return None
        return max(0.0, (now_ms - self.last_ok_ms) / 1000.0)

    def is_stale(self, now_ms: int, refresh_s: float) -> bool:
        age = self.age_s(now_ms)
        return age is not None and age > STALE_AFTER_REFRESHES * refresh_s

    def state(self, now_ms: int, refresh_s: float) -> VenueState:
        if self.last_ok_ms is None:
            return VenueState.DOWN if self.error else VenueState.WAITING
        if self.is_stale(now_ms, refresh_s):
            return VenueState.STALE
        if self.error:
            return VenueState.RETRYING
        return VenueState.LIVE
