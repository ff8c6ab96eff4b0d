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


def countdown(target_ms: int, now_ms: int) -> str:
    """Time left until ``target_ms``, coarse: ``3h05m``, ``12m40s``, ``9s``; ``due`` once passed."""
    left_ms = target_ms - now_ms
    if left_ms <= 0:
        return "due"
    left_s = -(-left_ms // 1000)  # a part second left still counts as a second
    hours, rest = divmod(left_s, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{seconds:02d}s"
    return f"{seconds}s"
