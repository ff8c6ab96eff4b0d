"""What the engine tells whoever runs it: plain frozen dataclasses, no Textual.

The engine calls one ``emit(event)`` callback with these, from the event loop
(pollers, rebuilds) or from the writer thread (history, signals). The TUI wraps
each in a Textual message (``App.post_message`` is thread-safe); a headless
runner can log them or ignore them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fundtui.core.board import BoardRow
from fundtui.core.signal_types import Hit
from fundtui.feeds.source import QuoteSource, VenuePoll

if TYPE_CHECKING:  # the store loads in the writer thread, after the first frame
    from fundtui.engine.recorder import Recorder, WarmUp
    from fundtui.store.history import Sample


@dataclass(frozen=True, slots=True)
class SourcesReady:
    """The source factory finished (in a thread) and gave these sources."""

    sources: tuple[QuoteSource, ...]


@dataclass(frozen=True, slots=True)
class SourcesFailed:
    """The source factory raised; nothing can be polled."""

    reason: str


@dataclass(frozen=True, slots=True)
class VenuePolled:
    """One venue answered (``venue`` is the source's name)."""

    venue: str
    poll: VenuePoll


@dataclass(frozen=True, slots=True)
class VenueFailed:
    """One venue's poll failed; the next attempt is at ``retry_at_ms``."""

    venue: str
    reason: str
    retry_at_ms: int | None = None


@dataclass(frozen=True, slots=True)
class HistoryReady:
    """The writer thread opened its files and warmed the signal engine up."""

    recorder: Recorder
    warm_up: WarmUp
    problems: tuple[str, ...] = ()
    past_hits: tuple[Hit, ...] = ()
    baselines: tuple[Sample, ...] = ()  # stored samples at the sector board's horizons
    at_ms: int = 0  # when the warm-up was done


@dataclass(frozen=True, slots=True)
class SignalsEvaluated:
    """New signal hits, already in the signals log when there is one.

    ``evaluation``: the signal engine took one board refresh (the hits may be
    none); False for hits of another source (the sector board's state changes)
    that went through the same writer.
    """

    hits: tuple[Hit, ...] = ()
    evaluation: bool = True


@dataclass(frozen=True, slots=True)
class HistoryProblem:
    """Writing history or the signals log failed (one line); the engine keeps running."""

    reason: str


@dataclass(frozen=True, slots=True)
class BoardRebuilt:
    """One rebuild of the market: rows with their trend and velocity, stale venues."""

    now_ms: int
    rows: Mapping[str, BoardRow]
    stale: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class StatusChanged:
    """A venue's status moved (a failure, a poll started or stopped answering)."""

    now_ms: int


#: What an engine is to its data folder (``Engine.role``, ``RoleChanged.role``).
POLLER = "poller"
VIEWER = "viewer"


@dataclass(frozen=True, slots=True)
class RoleChanged:
    """This engine polls (``poller``) or shows another process's answers (``viewer``).

    ``holder``: the pid of the process that polls, when this one does not;
    ``past_hits``: a viewer's first look at the hits already logged.
    """

    role: str
    holder: int | None = None
    past_hits: tuple[Hit, ...] = ()


@dataclass(frozen=True, slots=True)
class Notice:
    """A one-line note for the user (a source's market cache moved aside, a
    settlement catch-up that failed)."""

    text: str
    severity: str = "warning"
    timeout: float = 10


Event = (
    SourcesReady
    | SourcesFailed
    | VenuePolled
    | VenueFailed
    | HistoryReady
    | SignalsEvaluated
    | HistoryProblem
    | BoardRebuilt
    | StatusChanged
    | RoleChanged
    | Notice
)
