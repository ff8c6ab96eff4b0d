"""The per-venue polling loop, without the app."""

from __future__ import annotations

import asyncio

from fundtui.engine.events import VenueFailed, VenuePolled
from fundtui.engine.poller import VenuePoller, next_slot_s
from fundtui.feeds.source import VenueError, VenuePoll
from tests.fakesource import FrozenClock


class SlowSource:
    name = "okx"

    def __init__(self) -> None:
        self.active = 0
        self.most_active = 0
        self.polls = 0
        self.gate = asyncio.Event()

    async def poll(self) -> VenuePoll:
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        self.polls += 1
        try:
            await self.gate.wait()
        finally:
            self.active -= 1
        self.gate.clear()
        return VenuePoll("okx", (), 0, 1.0)

    async def close(self) -> None:
        pass


async def test_polls_never_overlap_even_when_woken_repeatedly():
    source = SlowSource()
    posted: list = []
    poller = VenuePoller(source, posted.append, refresh_s=0.01, clock=FrozenClock())
    task = asyncio.create_task(poller.run())
    try:
        for _ in range(20):
            poller.wake()
            await asyncio.sleep(0.002)
            source.gate.set()
            await asyncio.sleep(0.002)
        assert source.polls > 3
        assert source.most_active == 1
        assert all(isinstance(m, VenuePolled) for m in posted)
    finally:
        task.cancel()


class Failing:
    name = "gate"

    def __init__(self, error: BaseException) -> None:
        self.error = error

    async def poll(self) -> VenuePoll:
        raise self.error

    async def close(self) -> None:
        pass


async def test_a_long_retry_after_is_waited_out_and_nothing_cuts_it_short():
    clock = FrozenClock()
    posted: list = []
    poller = VenuePoller(
        Failing(VenueError("gate", "HTTP 429", 42.0)),
        posted.append,
        refresh_s=30,
        clock=clock,
        jitter=lambda: 0.5,
    )
    assert await poller.poll_once() == 42.0
    (msg,) = posted
    assert isinstance(msg, VenueFailed)
    assert (msg.venue, msg.reason, msg.retry_at_ms) == ("gate", "HTTP 429", clock() + 42_000)
    assert poller.wake() is False
    clock.advance(42)
    assert poller.wake() is True


async def test_a_short_retry_after_waits_a_full_refresh():
    # Retry-After: 2 at a 5 s refresh used to mean a poll every 2 s (30 a minute).
    poller = VenuePoller(
        Failing(VenueError("gate", "rate limited, retry in 2 s", 2.0)),
        [].append,
        refresh_s=5,
        clock=FrozenClock(),
        jitter=lambda: 0.0,
    )
    delays = [await poller.poll_once() for _ in range(6)]
    assert delays == [5.0, 10.0, 10.0, 10.0, 10.0, 10.0]


async def test_a_rate_limit_without_retry_after_also_refuses_manual_polls():
    clock = FrozenClock()
    poller = VenuePoller(
        Failing(VenueError("bybit", "rate limited by x", rate_limited=True)),
        [].append,
        refresh_s=30,
        clock=clock,
        jitter=lambda: 0.0,
    )
    assert await poller.poll_once() == 30.0
    assert poller.wake() is False
    clock.advance(29.9)
    assert poller.wake() is False
    clock.advance(0.1)
    assert poller.wake() is True


async def test_manual_polls_during_a_rate_limit_wait_send_nothing():
    # The loop itself: pressing R again and again inside the wait polls nothing.
    source = Failing(VenueError("gate", "rate limited, retry in 60 s", 60.0))
    calls = 0
    original = source.poll

    async def counted():
        nonlocal calls
        calls += 1
        return await original()

    source.poll = counted
    poller = VenuePoller(source, [].append, refresh_s=5, clock=FrozenClock())
    task = asyncio.create_task(poller.run())
    try:
        await asyncio.sleep(0.01)
        assert [poller.wake() for _ in range(20)] == [False] * 20
        await asyncio.sleep(0.05)
        assert calls == 1
    finally:
        task.cancel()


async def test_other_errors_back_off_and_count_failures():
    clock = FrozenClock()
    posted: list = []
    poller = VenuePoller(
        Failing(ValueError("bad json\nat line 3")),
        posted.append,
        refresh_s=30,
        clock=clock,
        jitter=lambda: 0.5,
    )
    assert await poller.poll_once() == 30.0  # a full refresh, never sooner
    assert await poller.poll_once() == 52.5  # two intervals less up to a quarter of jitter
    assert await poller.poll_once() == 52.5  # and no longer, so recovery shows quickly
    assert poller.failures == 3
    assert posted[-1].reason == "ValueError: bad json at line 3"  # one line, nothing lost
    assert poller.wake() is True  # not a rate limit: a manual poll may go now


async def test_a_hung_poll_times_out():
    class Hung(Failing):
        async def poll(self) -> VenuePoll:
            await asyncio.sleep(3600)
            raise AssertionError

    posted: list = []
    poller = VenuePoller(Hung(ValueError()), posted.append, refresh_s=30, clock=FrozenClock())
    poller.timeout_s = 0.01
    await poller.poll_once()
    assert posted[0].reason == "no answer in 0.01s"


def test_polls_land_on_one_grid_whatever_each_venue_took():
    # Two venues that answered 0.3 s and 2.7 s into the 10 s slot both wait for
    # the same next slot, so their next answers arrive together.
    slot = 1_790_000_000_000  # a multiple of 10 s
    assert next_slot_s(slot + 300, 10) == 9.7
    assert next_slot_s(slot + 2_700, 10) == 7.3
    assert next_slot_s(slot, 10) == 10.0
    # less than a second to the boundary: skip to the one after, never poll twice in a row
    assert next_slot_s(slot + 9_500, 10) == 10.5


async def test_a_reason_reaches_the_app_as_one_visible_line():
    posted: list = []
    hostile = VenueError("okx", "unknown id \x1b]0;PWNED\x07T-USDT-SWAP\n[bold]x[/] \u202e")
    poller = VenuePoller(Failing(hostile), posted.append, refresh_s=30, clock=FrozenClock())
    await poller.poll_once()
    assert posted[0].reason == "unknown id \\x1b]0;PWNED\\x07T-USDT-SWAP [bold]x[/] \\u202e"
    poller = VenuePoller(
        Failing(VenueError("okx", " \n ")), posted.append, refresh_s=30, clock=FrozenClock()
    )
    await poller.poll_once()
    assert posted[1].reason == "failed"


async def test_a_manual_poll_asked_for_while_a_poll_runs_is_that_poll():
    # R pressed while the request is in flight is accepted (no wait to refuse yet);
    # if the answer is a 429, it must not send a second request straight after it.
    class GatedRateLimit(SlowSource):
        async def poll(self) -> VenuePoll:
            self.polls += 1
            await self.gate.wait()
            self.gate.clear()
            raise VenueError("okx", "rate limited, retry in 60 s", 60.0)

    source = GatedRateLimit()
    poller = VenuePoller(source, [].append, refresh_s=5, clock=FrozenClock())
    task = asyncio.create_task(poller.run())
    try:
        await asyncio.sleep(0.01)
        assert source.polls == 1
        assert poller.wake() is True  # in flight: nothing to refuse yet
        source.gate.set()
        await asyncio.sleep(0.05)
        assert source.polls == 1
    finally:
        task.cancel()
