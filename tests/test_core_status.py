import pytest

from fundtui.core.backoff import MAX_RETRY_S, retry_delay
from fundtui.core.status import VenueState, VenueStatus

T0 = 1_700_000_000_000


def test_lifecycle_live_retrying_stale_and_recovery():
    s = VenueStatus("gate")
    assert s.state(T0, 30) is VenueState.WAITING
    s = s.succeeded(T0, latency_ms=120.0, quotes=400)
    assert s.state(T0 + 10_000, 30) is VenueState.LIVE
    s = s.failed("HTTP 503", retry_at_ms=None)
    assert s.state(T0 + 40_000, 30) is VenueState.RETRYING
    # two missed refreshes (plus half an interval of latency slack) -> stale
    assert s.state(T0 + 75_000, 30) is VenueState.RETRYING
    assert s.state(T0 + 75_001, 30) is VenueState.STALE
    assert s.age_s(T0 + 75_001) == pytest.approx(75.001)
    s = s.succeeded(T0 + 90_000, 80.0, 400)
    assert s.state(T0 + 90_000, 30) is VenueState.LIVE and s.failures == 0 and s.error is None


def test_never_answered_and_failing_is_down():
    s = VenueStatus("okx").failed("timed out after 10 s", None).failed("again", None)
    assert s.state(T0, 30) is VenueState.DOWN
    assert s.failures == 2


def test_retry_after_is_honoured_exactly():
    assert retry_delay(1, 30, 0.5, retry_after_s=42) == 42


def test_backoff_grows_and_is_capped():
    delays = [retry_delay(n, 30, 0.5) for n in range(1, 12)]
    assert delays[0] == pytest.approx(5.0)
    assert delays[1] == pytest.approx(10.0)
    assert all(b >= a for a, b in zip(delays, delays[1:], strict=False))
    assert delays[-1] == pytest.approx(MAX_RETRY_S)


def test_jitter_spreads_within_twenty_percent():
    lo, hi = retry_delay(3, 30, 0.0), retry_delay(3, 30, 0.999999)
    assert lo == pytest.approx(16.0) and hi == pytest.approx(24.0, rel=1e-5)
