"""When to poll a venue again after a failure.

Rate limits (HTTP 429, Binance's 418 ban) carry a Retry-After that is honoured
as given. Other failures back off exponentially from a short first retry, capped,
with jitter so several clients do not retry in step. Jitter comes in as a number
in [0, 1) so the function stays pure and testable.
"""

from __future__ import annotations

FIRST_RETRY_S = 5.0
MAX_RETRY_S = 300.0


def retry_delay(failures: int, refresh_s: float, jitter: float,
                retry_after_s: float | None = None) -> float:
    """Seconds to wait before the next attempt after ``failures`` failures in a row."""
    if retry_after_s is not None and retry_after_s > 0:
        return float(retry_after_s)
    first = min(FIRST_RETRY_S, refresh_s)
    cap = max(refresh_s, MAX_RETRY_S)
    base = min(cap, first * 2 ** max(0, failures - 1))
    # +/- 20 % around the base
    return base * (0.8 + 0.4 * min(max(jitter, 0.0), 1.0))
