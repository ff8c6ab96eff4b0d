"""The engine's runner in a plain asyncio loop: one task per venue, gathered rebuilds,
failures kept to their venue, events in the order a UI needs them."""

from __future__ import annotations

import asyncio

from fundtui.config import Config
from fundtui.engine import events as ev
from fundtui.engine.engine import Engine
from fundtui.engine.poller import VenuePoller
from tests.fakesource import FakeSource, FrozenClock, quote

VENUES = ("binance", "okx", "gate")


def sources(clock: FrozenClock) -> dict[str, FakeSource]:
    return {
        v: FakeSource(v, [quote(v, "BTC", 0.0001 * (i + 1)), quote(v, f"X{i}", 0.0001)], clock)
        for i, v in enumerate(VENUES)
    }


class Hung(FakeSource):
    async def poll(self):  # noqa: ANN201
        self.polls += 1
        await asyncio.Event().wait()


async def until(cond, timeout: float = 5.0) -> None:  # noqa: ANN001
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not cond():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


def engine_for(srcs, clock, seen, **kw) -> Engine:  # noqa: ANN001
    config = Config(exchanges=VENUES, refresh_seconds=30)
    return Engine(config, lambda: list(srcs.values()), seen.append, clock, history=False, **kw)


async def test_answers_within_the_gather_make_one_rebuild_of_every_venue():
    clock, seen = FrozenClock(), []
    srcs = sources(clock)
    engine = engine_for(srcs, clock, seen, gather_s=0.3)
    engine.start()
    await until(lambda: any(isinstance(e, ev.BoardRebuilt) for e in seen))
    await asyncio.sleep(0.4)  # nothing else is due before the next refresh
    await engine.stop()
    kinds = [type(e).__name__ for e in seen]
    assert kinds[0] == "SourcesReady"
    assert kinds.count("VenuePolled") == 3 and kinds.count("BoardRebuilt") == 1
    assert kinds.index("BoardRebuilt") > max(i for i, k in enumerate(kinds) if k == "VenuePolled")
    (board,) = (e for e in seen if isinstance(e, ev.BoardRebuilt))
    assert sorted(board.rows) == ["BTC", "X0", "X1", "X2"]
    assert sorted(board.rows["BTC"].quotes) == sorted(VENUES)
    assert board.rows["BTC"].spread is not None and board.stale == frozenset()
    assert engine.settled  # every venue answered: startup's objects were frozen
    assert all(s.closed for s in srcs.values())


async def test_a_hung_venue_and_a_crashed_poller_hold_no_other_venue_back(monkeypatch):
    clock, seen = FrozenClock(), []
    srcs = sources(clock)
    srcs["okx"] = Hung("okx", srcs["okx"].quotes, clock)
    poll_once = VenuePoller.poll_once

    async def crash_gate(self):  # noqa: ANN001, ANN202
        if self.venue == "gate":
            raise RuntimeError("boom")
        return await poll_once(self)

    monkeypatch.setattr(VenuePoller, "poll_once", crash_gate)
    engine = engine_for(srcs, clock, seen, gather_s=0.05)
    engine.start()
    await until(lambda: any(isinstance(e, ev.BoardRebuilt) for e in seen))
    statuses = engine.market.statuses
    assert statuses["binance"].last_ok_ms == clock()
    assert statuses["gate"].error == "poller stopped: RuntimeError: boom"
    assert statuses["okx"].last_ok_ms is None and srcs["okx"].polls == 1  # still waiting
    board = [e for e in seen if isinstance(e, ev.BoardRebuilt)][-1]
    assert sorted(board.rows) == ["BTC", "X0"] and list(board.rows["BTC"].quotes) == ["binance"]
    await asyncio.wait_for(engine.stop(), 10)  # the hung poll does not hold the stop


async def test_a_failing_factory_fails_every_venue_with_its_reason():
    clock, seen = FrozenClock(), []
    config = Config(exchanges=VENUES, refresh_seconds=30)

    def factory():  # noqa: ANN202
        raise ImportError("no ccxt\nsecond line")

    engine = Engine(config, factory, seen.append, clock, history=False)
    engine.start()
    await until(lambda: all(s.error for s in engine.market.statuses.values()))
    await engine.stop()
    reason = "ImportError: no ccxt second line"  # one line, for the badges and the toast
    assert seen[0] == ev.SourcesFailed(reason)
    assert {s.error for s in engine.market.statuses.values()} == {reason}
    assert [type(e) for e in seen[1:]] == [ev.StatusChanged] * 3


async def test_a_source_for_no_configured_venue_is_a_notice_and_a_missing_one_fails():
    clock, seen = FrozenClock(), []
    srcs = sources(clock)
    del srcs["gate"]
    srcs["bogus"] = FakeSource("bogus", [], clock)
    engine = engine_for(srcs, clock, seen)
    engine.start()
    await until(lambda: engine.market.statuses["gate"].error is not None)
    await engine.stop()
    notices = [e.text for e in seen if isinstance(e, ev.Notice)]
    assert notices == ["Ignoring source 'bogus': not a configured venue"]
    assert engine.market.statuses["gate"].error == "no source for this venue"
    assert srcs["bogus"].polls == 0


async def test_the_first_round_is_shown_as_soon_as_every_venue_has_answered():
    """The gather waits for venues still to answer; on the first round, once all have,
    there is nothing to wait for: the board is built at once, not gather_s later."""
    clock, seen = FrozenClock(), []
    srcs = sources(clock)
    engine = engine_for(srcs, clock, seen, gather_s=5.0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    engine.start()
    await until(lambda: any(isinstance(e, ev.BoardRebuilt) for e in seen), timeout=3.0)
    assert loop.time() - started < 2.0  # well before the 5 s gather
    (board,) = (e for e in seen if isinstance(e, ev.BoardRebuilt))
    assert sorted(board.rows["BTC"].quotes) == sorted(VENUES)  # all three, one rebuild
    await engine.stop()


async def test_startup_s_objects_are_frozen_a_moment_after_the_first_board_not_before(
    monkeypatch,
):
    from fundtui.engine import heap

    clock, seen = FrozenClock(), []
    frozen_at: list[int] = []
    monkeypatch.setattr(heap, "freeze_startup", lambda: frozen_at.append(engine.rebuilds))
    srcs = sources(clock)
    engine = engine_for(srcs, clock, seen, gather_s=0.05)
    engine.start()
    await until(lambda: any(isinstance(e, ev.BoardRebuilt) for e in seen))
    assert engine.settled and frozen_at == []  # the first board did not wait for it
    await until(lambda: frozen_at != [], timeout=3)
    await engine.stop()
    assert frozen_at == [1]  # once, after the first rebuild was handed over


async def test_the_collector_is_on_by_a_deadline_when_a_venue_never_answers(monkeypatch):
    """The entry point starts with the collector off (fundtui/launch.py); the engine
    turns it on once every venue answered, and at the latest after
    STARTUP_COLLECTOR_MAX_S when one never does."""
    import gc

    from fundtui.engine import heap

    monkeypatch.setattr(heap, "STARTUP_COLLECTOR_MAX_S", 1.0)
    frozen: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(1))  # the session's stay collectable
    clock, seen = FrozenClock(), []
    srcs = sources(clock)
    srcs["gate"] = Hung("gate", [], clock)
    engine = engine_for(srcs, clock, seen)
    gc.disable()
    try:
        engine.start()
        await asyncio.sleep(0.1)
        assert not gc.isenabled() and not engine.settled
        await until(gc.isenabled, timeout=3)
        assert not engine.settled  # the deadline, not the venues, turned it on
        assert frozen == [1]
    finally:
        gc.enable()
        await engine.stop()


def test_the_deadline_freezes_only_when_startup_s_freeze_has_not_run(monkeypatch):
    import gc

    from fundtui.engine import heap

    frozen: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(1))
    gc.disable()
    try:
        heap.freeze_startup()  # every venue answered
        assert gc.isenabled() and frozen == [1]
        heap.startup_over()  # the deadline after it: nothing more to do
        assert gc.isenabled() and frozen == [1]
        gc.disable()
        heap.startup_over()  # the deadline with the collector still off: the freeze
        assert gc.isenabled() and frozen == [1, 1]
    finally:
        gc.enable()
