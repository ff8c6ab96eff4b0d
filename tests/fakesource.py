"""A scriptable QuoteSource and a frozen clock for UI tests."""

from __future__ import annotations

from fundtui.core.quote import Quote
from fundtui.feeds.source import VenueError, VenuePoll

T0 = 1_767_225_600_000  # 2026-01-01 00:00:00 UTC
HOUR = 3_600_000


class FrozenClock:
    """Epoch ms that only moves when told to."""

    def __init__(self, now_ms: int = T0) -> None:
        self.now_ms = now_ms

    def __call__(self) -> int:
        return self.now_ms

    def advance(self, seconds: float) -> None:
        self.now_ms += int(seconds * 1000)


def quote(
    venue: str,
    base: str,
    rate: float,
    interval_h: float = 8.0,
    next_in_ms: int | None = HOUR,
    mark: float | None = None,
    index: float | None = None,
    clock_ms: int = T0,
) -> Quote:
    return Quote(
        venue=venue,
        symbol=f"{base}/USDT:USDT",
        base=base,
        quote="USDT",
        funding_rate=rate,
        interval_hours=interval_h,
        next_funding_ms=None if next_in_ms is None else clock_ms + next_in_ms,
        mark_price=mark,
        index_price=index,
    )


class FakeSource:
    """Returns ``quotes`` on every poll, or raises ``error`` while it is set."""

    def __init__(
        self, name: str, quotes: list[Quote], clock: FrozenClock, latency_ms: float = 42.0
    ) -> None:
        self.name = name
        self.quotes = list(quotes)
        self.clock = clock
        self.latency_ms = latency_ms
        self.error: Exception | None = None
        self.polls = 0
        self.closed = False

    async def poll(self) -> VenuePoll:
        self.polls += 1
        if self.error is not None:
            raise self.error
        return VenuePoll(self.name, tuple(self.quotes), self.clock(), self.latency_ms)

    async def close(self) -> None:
        self.closed = True


def fail(source: FakeSource, reason: str, retry_after_s: float | None = None) -> None:
    source.error = VenueError(source.name, reason, retry_after_s)
