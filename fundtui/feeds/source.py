"""What every quote source (a live venue, the demo market) offers the app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from fundtui.core.quote import Quote


class VenueError(Exception):
    """A venue poll that failed, with a one-line reason fit for a status line.

    ``retry_after_s`` is set when the venue said how long to wait (429 / 418);
    ``rate_limited`` when it refused us for asking too often, with or without
    saying how long (the poller then lets nothing, not even a manual refresh,
    cut the wait short).
    """

    def __init__(
        self,
        venue: str,
        reason: str,
        retry_after_s: float | None = None,
        rate_limited: bool | None = None,
    ):
        super().__init__(f"{venue}: {reason}")
        self.venue = venue
        self.reason = reason
        self.retry_after_s = retry_after_s
        self.rate_limited = retry_after_s is not None if rate_limited is None else rate_limited


@dataclass(frozen=True, slots=True)
class VenuePoll:
    """One successful poll of one venue."""

    venue: str
    quotes: tuple[Quote, ...]
    fetched_ms: int  # when the answer arrived, epoch ms UTC
    latency_ms: float


class QuoteSource(Protocol):
    """A venue (or the demo market) that can be polled for all its quotes at once."""

    name: str

    async def poll(self) -> VenuePoll:
        """All linear USD-stablecoin perpetual quotes, in one bulk round.

        Raises VenueError with a one-line reason on any failure.
        """
        ...

    async def close(self) -> None: ...
