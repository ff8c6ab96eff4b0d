"""Messages from the background workers to the app."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.message import Message

from fundtui.core.signal_types import Hit
from fundtui.feeds.source import QuoteSource, VenuePoll

if TYPE_CHECKING:  # the store loads in the history thread, after the first frame
    from fundtui.store.history import Sample
    from fundtui.store.recorder import Recorder, WarmUp


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


class HistoryReady(Message):
    """The history thread opened its files and warmed the signal engine up."""

    def __init__(self, recorder: Recorder, warm_up: WarmUp, problems: Sequence[str],
                 past_hits: Sequence[Hit], baselines: Sequence[Sample] = (),
                 at_ms: int = 0) -> None:
        super().__init__()
        self.recorder = recorder
        self.warm_up = warm_up
        self.problems = list(problems)
        self.past_hits = list(past_hits)
        self.baselines = list(baselines)  # stored samples at the sector board's horizons
        self.at_ms = at_ms  # when the warm-up was done


class SignalsEvaluated(Message):
    """The engine took one refresh; these are its new hits."""

    def __init__(self, hits: Sequence[Hit]) -> None:
        super().__init__()
        self.hits = list(hits)


class HistoryProblem(Message):
    """Writing history or the signals log failed (one line); the app keeps running."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason
