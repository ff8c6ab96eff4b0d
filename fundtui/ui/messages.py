"""Messages from the background workers to the app."""

from __future__ import annotations

from collections.abc import Sequence

from textual.message import Message

from fundtui.feeds.source import QuoteSource, VenuePoll


class SourcesReady(Message):
    """The source factory finished (in a thread) and gave these sources."""

    def __init__(self, sources: Sequence[QuoteSource]) -> None:
        super().__init__()
        self.sources = list(sources)


class SourcesFailed(Message):
    """The source factory raised; nothing can be polled."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class VenuePolled(Message):
    """One venue answered (``venue`` is the source's name)."""

    def __init__(self, venue: str, poll: VenuePoll) -> None:
        super().__init__()
        self.venue = venue
        self.poll = poll


class VenueFailed(Message):
    """One venue's poll failed; the next attempt is at ``retry_at_ms``."""

    def __init__(self, venue: str, reason: str, retry_at_ms: int) -> None:
        super().__init__()
        self.venue = venue
        self.reason = reason
        self.retry_at_ms = retry_at_ms
