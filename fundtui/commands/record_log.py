"""What ``fundtui record`` writes to stderr: one line per event, through Python logging.

A recorder runs unattended under systemd or in a tmux pane, so its log is the only
way to learn afterwards what happened: when a venue started failing, went stale
and came back (state changes only, with the reason, not every poll), every hit
with its figure, notices and history problems. Lines are plain (UTC ISO time,
level, message) whether or not stderr is a terminal: no colour, no progress.

Everything logged to the ``fundtui.record`` logger (or a child such as
``fundtui.record.alerts``) goes through :class:`LineFormatter`, which puts the
whole line through ``one_line``: a venue's symbol or error body cannot move the
cursor, retitle the terminal or split one event over two lines.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Mapping
from typing import TextIO

from fundtui.core.signal_types import Hit
from fundtui.core.signal_units import figure
from fundtui.core.status import VenueState, VenueStatus
from fundtui.core.text import one_line
from fundtui.engine import events as ev

LOGGER = "fundtui.record"
#: Longest line; a hit's explanation and a venue's error body are cut to this.
MAX_LINE_CHARS = 1000

log = logging.getLogger(LOGGER)


class LineFormatter(logging.Formatter):
    """``2026-12-03T06:10:00Z INFO message``, the message on one visible line."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created))
        text = record.getMessage()
        if record.exc_info:  # a bug's traceback, folded: the promise is one line
            text += " | " + self.formatException(record.exc_info)
        return f"{stamp} {record.levelname} {one_line(text, MAX_LINE_CHARS)}"


def setup(quiet: bool = False, verbose: bool = False, stream: TextIO | None = None) -> None:
    """Send the ``fundtui.record`` lines to ``stream`` (stderr): warnings and errors
    only with ``quiet``, every poll too with ``verbose``."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(LineFormatter())
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO)
    # What other libraries warn about (and Python's warnings) in the same one-line
    # form, instead of logging's bare fallback or a multi-line warning.
    others = logging.StreamHandler(handler.stream)
    others.setFormatter(LineFormatter())
    others.setLevel(logging.WARNING)
    logging.getLogger().handlers[:] = [others]
    logging.captureWarnings(True)


def hit_line(hit: Hit) -> str:
    """``hit spread ETH binance/okx 0.4870%/8h (threshold 0.0500%/8h): explanation``."""
    venues = "/".join(hit.venues) or "-"
    return (
        f"hit {hit.rule} {hit.base} {venues} {figure(hit.rule, hit.value)} "
        f"(threshold {figure(hit.rule, hit.threshold)}): {hit.explanation}"
    )


def _ago(seconds: float) -> str:
    s = int(seconds)
    if s < 120:
        return f"{s}s"
    if s < 7200:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class EventLog:
    """The engine's events as log lines; venue states are logged when they change."""

    def __init__(self, refresh_s: float) -> None:
        self.refresh_s = refresh_s
        self.states: dict[str, VenueState] = {}

    def event(self, event: ev.Event) -> None:
        if isinstance(event, ev.SourcesReady):
            names = ", ".join(s.name for s in event.sources) or "none"
            log.info("polling %s every %gs", names, self.refresh_s)
        elif isinstance(event, ev.SourcesFailed):
            log.error("could not start the venues: %s", event.reason)
        elif isinstance(event, ev.VenuePolled):
            poll = event.poll
            log.debug(
                "%s polled: %d quotes in %.0f ms", event.venue, len(poll.quotes), poll.latency_ms
            )
        elif isinstance(event, ev.VenueFailed):
            log.debug("%s poll failed: %s", event.venue, event.reason)
        elif isinstance(event, ev.HistoryReady):
            log.info("history open: %s", event.warm_up.describe())
            for problem in event.problems:
                log.warning("history: %s", problem)
        elif isinstance(event, ev.SignalsEvaluated):
            for hit in event.hits:
                log.info("%s", hit_line(hit))
            if event.evaluation:
                log.debug("signals evaluated: %d hit(s)", len(event.hits))
        elif isinstance(event, ev.HistoryProblem):
            log.error("history: %s", event.reason)
        elif isinstance(event, ev.BoardRebuilt):
            stale = ", ".join(sorted(event.stale)) or "none"
            log.debug("board rebuilt: %d bases, stale: %s", len(event.rows), stale)
        elif isinstance(event, ev.RoleChanged):
            if event.role == "viewer":  # record waits for the lock, so only by a bug
                log.warning("not polling: attached to the fundtui polling this folder")
            else:
                log.info("this process polls the venues for its data folder")
        elif isinstance(event, ev.Notice):
            level = {"error": logging.ERROR, "information": logging.INFO}.get(
                event.severity, logging.WARNING
            )
            log.log(level, "%s", event.text)

    def statuses(self, statuses: Mapping[str, VenueStatus], now_ms: int) -> None:
        """One line per venue whose state changed since the last call."""
        for venue, st in statuses.items():
            after = st.state(now_ms, self.refresh_s)
            before = self.states.get(venue, VenueState.WAITING)
            self.states[venue] = after
            if after is not before:
                self._changed(venue, before, after, st, now_ms)

    def _changed(
        self, venue: str, before: VenueState, after: VenueState, st: VenueStatus, now_ms: int
    ) -> None:
        why = st.error or "no error reported"
        if after is VenueState.LIVE:
            again = " again" if before is not VenueState.WAITING else ""
            log.info("%s live%s (%d quotes)", venue, again, st.quotes)
        elif after is VenueState.RETRYING:
            retry = ""
            if st.retry_at_ms is not None:
                retry = f"; next try in {_ago(max(0, st.retry_at_ms - now_ms) / 1000)}"
            log.warning("%s failing: %s%s (its last rates are still fresh)", venue, why, retry)
        elif after is VenueState.STALE:
            age = _ago(st.age_s(now_ms) or 0)
            log.warning("%s stale: no answer for %s (%s); left out of spreads", venue, age, why)
        elif after is VenueState.DOWN:
            log.error("%s down: %s", venue, why)
