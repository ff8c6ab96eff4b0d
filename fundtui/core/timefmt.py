"""Time formatting for people and scripts. Pure: every time is passed in as epoch ms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utc(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=int(ms))


def iso_utc(ms: int) -> str:
    """ISO-8601 UTC to the second with a ``Z``: ``2024-05-01T08:00:00Z``."""
    return utc(ms).strftime("%Y-%m-%dT%H:%M:%SZ")


def clock_utc(ms: int) -> str:
    """Time of day, UTC: ``08:00Z``."""
    return utc(ms).strftime("%H:%MZ")


def countdown(target_ms: int, now_ms: int, seconds_under_ms: int | None = None) -> str:
    """Time left until ``target_ms``: ``3h05m``, ``12m40s``, ``9s``; ``due`` once passed.

    With ``seconds_under_ms``, seconds are shown only when less than that is left
    (``3h05m``, ``38m``, then ``4m59s``): a display that redraws once a minute
    until the last stretch.
    """
    left_ms = target_ms - now_ms
    if left_ms <= 0:
        return "due"
    left_s = -(-left_ms // 1000)  # a part second left still counts as a second
    hours, rest = divmod(left_s, 3600)
    minutes, seconds = divmod(rest, 60)
    if seconds_under_ms is not None and left_ms >= seconds_under_ms:
        hours, minutes = divmod(left_ms // 60_000, 60)  # whole minutes, rounded down
        return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{seconds:02d}s"
    return f"{seconds}s"
