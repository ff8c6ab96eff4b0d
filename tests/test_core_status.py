import pytest

from fundtui.core.backoff import JITTER, MAX_INTERVALS, MAX_RETRY_AFTER_S, retry_delay
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


@pytest.mark.parametrize("refresh", [5, 30, 300])
def test_delay_sequence_starts_at_one_interval_and_stops_at_two(refresh):
    # The outage: 5, 10, 20, ... 160 s capped at 300 s, whatever the refresh.
    no_jitter = [retry_delay(n, refresh, 0.0) for n in range(1, 9)]
    assert no_jitter == [refresh] + [2 * refresh] * 7
    most_jitter = [retry_delay(n, refresh, 0.999999) for n in range(1, 9)]
    assert most_jitter == pytest.approx([refresh] + [1.5 * refresh] * 7, rel=1e-5)


@pytest.mark.parametrize("refresh", [5, 30, 3600])
@pytest.mark.parametrize("jitter", [0.0, 0.3, 0.7, 0.999999, -1.0, 5.0])
def test_never_faster_than_normal_and_back_within_two_intervals(refresh, jitter):
    for failures in range(0, 40):
        delay = retry_delay(failures, refresh, jitter)
        assert refresh <= delay <= MAX_INTERVALS * refresh


def test_jitter_spreads_later_waits_by_a_quarter():
    assert JITTER == 0.25
    assert retry_delay(2, 30, 0.0) == pytest.approx(60.0)
    assert retry_delay(2, 30, 0.5) == pytest.approx(52.5)
    assert retry_delay(1, 30, 0.5) == 30.0  # never under one interval


@pytest.mark.parametrize("retry_after", [0.5, 2, 4.9])
def test_a_short_retry_after_never_raises_the_rate(retry_after):
    # Retry-After: 2 on every venue gave 30-32 requests a minute at a 5 s refresh.
    assert retry_delay(1, 5, 0.5, retry_after_s=retry_after) == 5.0
    assert retry_delay(1, 30, 0.5, retry_after_s=retry_after + 25) == 30.0
    assert retry_delay(1, 30, 0.5, retry_after_s=retry_after) == 30.0
    assert retry_delay(3, 30, 0.0, retry_after_s=retry_after) == 60.0


def test_a_long_retry_after_is_honoured():
    assert retry_delay(1, 30, 0.5, retry_after_s=42) == 42
    assert retry_delay(1, 5, 0.5, retry_after_s=120) == 120
    assert retry_delay(1, 5, 0.5, retry_after_s=0) == 5.0


def test_an_absurd_retry_after_is_capped_at_a_day():
    assert retry_delay(1, 30, 0.5, retry_after_s=float("inf")) == MAX_RETRY_AFTER_S
    assert retry_delay(1, 30, 0.5, retry_after_s=1e12) == MAX_RETRY_AFTER_S
    assert retry_delay(1, 30, 0.5, retry_after_s=float("nan")) == 30.0
    assert retry_delay(1, 3600, 0.0, retry_after_s=1e12) == MAX_RETRY_AFTER_S
