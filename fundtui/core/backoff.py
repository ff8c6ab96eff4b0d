"""When to poll a venue again after a failure.

Two promises, whatever the failure:

* **Never faster than normal.** Every wait is at least one refresh interval, and
  a rate limit's Retry-After (HTTP 429, Binance's 418 ban) only ever lengthens
  it: a venue that rate-limits us sees fewer requests than usual, never more
  (Binance answers repeated 429s with IP bans).
* **Back quickly.** Waits double from one interval and stop at
  ``MAX_INTERVALS`` intervals, so a venue that comes back is polled again, and
  live, within two refresh intervals of its return (Retry-After aside).

Waits after the first are shortened by up to ``JITTER`` of themselves (never
below one interval) so clients that failed together do not retry in step. The
jitter comes in as a number in [0, 1) so the function stays pure and testable.
"""

from __future__ import annotations

#: The longest wait between attempts, in refresh intervals.
MAX_INTERVALS = 2.0
#: Waits are shortened by up to this share of themselves.
JITTER = 0.25
#: A Retry-After is honoured up to this long (Binance bans run minutes to days; a
#: value of "inf" or a date years away must not stop the monitor for good).
MAX_RETRY_AFTER_S = 24 * 3600.0


def retry_delay(
    failures: int, refresh_s: float, jitter: float, retry_after_s: float | None = None
) -> float:
    """Seconds to wait before the next attempt after ``failures`` failures in a row.

    ``max(Retry-After, the backoff, the refresh interval)``.
    """
    base = refresh_s * min(MAX_INTERVALS, 2.0 ** max(0, failures - 1))
    delay = max(refresh_s, base * (1.0 - JITTER * min(max(jitter, 0.0), 1.0)))
    if retry_after_s is not None and retry_after_s > delay:  # NaN compares False
        return min(float(retry_after_s), max(delay, MAX_RETRY_AFTER_S))
    return delay
