"""One polling loop per venue: poll, report, sleep. Never two polls of a venue at once.

A failure keeps the venue's last good quotes on the board (the engine simply gets no
new ones), reports the reason, and waits ``retry_delay``: at least one refresh
interval, at most two (a rate limit's Retry-After only lengthens it), so a failing
venue never sees more requests than a working one and one that comes back is
picked up on the next attempt without anything else to do.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

from fundtui.core.backoff import retry_delay
from fundtui.core.text import describe_exception, one_line
from fundtui.engine.events import Event, VenueFailed, VenuePolled
from fundtui.feeds.source import QuoteSource, VenueError

#: A poll that has not answered by then counts as failed (the sources have their
#: own, shorter, HTTP timeouts; this only guards against a hung one).
MIN_TIMEOUT_S = 30.0


def next_slot_s(now_ms: int, refresh_s: float) -> float:
    """Seconds to the next multiple of ``refresh_s`` on the clock, at least a second.

    Every venue polls on the same grid, so their answers arrive together and the
    board redraws once per refresh rather than once per venue.
    """
    period_ms = refresh_s * 1000
    wait_ms = period_ms - (now_ms % period_ms)
    if wait_ms < 1000:
        wait_ms += period_ms
    return wait_ms / 1000


class VenuePoller:
    def __init__(
        self,
        source: QuoteSource,
        emit: Callable[[Event], object],
        refresh_s: float,
        clock: Callable[[], int],
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.source = source
        self.venue = source.name
        self.emit = emit
        self.refresh_s = refresh_s
        self.clock = clock
        self.jitter = jitter
        self.timeout_s = max(MIN_TIMEOUT_S, 2 * refresh_s)
        self.failures = 0  # consecutive
        self.not_before_ms = 0  # rate-limited: nothing polls the venue before then
        self._wake = asyncio.Event()

    def wake(self) -> bool:
        """Cut the current wait short (a manual refresh); False inside a rate-limit wait.

        A rate-limit wait is never cut short: polling a venue that asked us to
        slow down is how Binance's 429s turn into IP bans.
        """
        if self.clock() < self.not_before_ms:
            return False
        self._wake.set()
        return True

    async def run(self) -> None:
        while True:
            delay = await self.poll_once()
            # A wake while the poll ran was answered by it; kept, it would send
            # the next request at once, inside the wait a 429 just asked for.
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), delay)
            except TimeoutError:
                pass

    async def poll_once(self) -> float:
        """Poll once, emit the outcome, and return the seconds to wait before the next."""
        self._wake.clear()
        try:
            poll = await asyncio.wait_for(self.source.poll(), self.timeout_s)
        except VenueError as e:
            return self._failed(e.reason, e.retry_after_s, e.rate_limited)
        except TimeoutError:
            return self._failed(f"no answer in {self.timeout_s:g}s")
        except Exception as e:  # a bug in a source must not stop the loop
            return self._failed(describe_exception(e))
        self.failures = 0
        self.emit(VenuePolled(self.venue, poll))
        return next_slot_s(self.clock(), self.refresh_s)

    def _failed(
        self, reason: str, retry_after_s: float | None = None, rate_limited: bool = False
    ) -> float:
        self.failures += 1
        # Whatever the source: one line, every control character spelled out (a
        # reason can quote a venue's body), for the status bar and the toasts.
        reason = one_line(reason) or "failed"
        delay = retry_delay(self.failures, self.refresh_s, self.jitter(), retry_after_s)
        retry_at = self.clock() + int(delay * 1000)
        if rate_limited or retry_after_s is not None:
            self.not_before_ms = retry_at
        self.emit(VenueFailed(self.venue, reason, retry_at))
        return delay
