"""One poller per data folder; every other engine on it attaches to its answers.

Engines here share one history folder in one process: ``flock`` locks belong to
an open file, so two engines conflict exactly as two processes do (a separate
test checks a real second process, killed with SIGKILL).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fundtui.config import Config
from fundtui.core.signal_types import SignalConfig
from fundtui.core.status import VenueStatus
from fundtui.engine import events
from fundtui.engine.engine import POLLER, VIEWER, Engine
from fundtui.store.live_board import LiveBoard
from fundtui.store.poller_lock import PollerLock
from tests.fakesource import FakeSource, quote

REFRESH_S = 5.0


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


class Built:
    """A source factory that counts its calls and keeps the sources it made."""

    def __init__(self, rates: dict[str, float]) -> None:
        self.rates = rates
        self.calls = 0
        self.sources: list[FakeSource] = []

    def __call__(self) -> list[FakeSource]:
        self.calls += 1
        self.sources = [
            FakeSource(v, [quote(v, "BTC", r, clock_ms=wall_ms())], wall_ms)
            for v, r in self.rates.items()
        ]
        return self.sources


def engine(folder: Path, built: Built, seen: list, **signals) -> Engine:
    config = Config(
        exchanges=tuple(built.rates),
        refresh_seconds=REFRESH_S,
        signals=SignalConfig(**signals),
    )
    return Engine(config, built, seen.append, wall_ms, gather_s=0.02, history_dir=folder)


async def until(cond, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.02)


def last_rows(seen: list):
    boards = [e for e in seen if isinstance(e, events.BoardRebuilt)]
    return boards[-1].rows if boards else {}


async def test_a_second_engine_attaches_shows_the_same_board_and_sends_nothing(tmp_path):
    rates = {"binance": 0.0001, "okx": 0.0004}
    first, second = Built(rates), Built(rates)
    seen_a: list = []
    seen_b: list = []
    a = engine(tmp_path, first, seen_a, spread_8h=1e-9)  # every spread is a hit
    b = engine(tmp_path, second, seen_b)
    a.start()
    b.start()  # before the poller has answered: it attaches, and waits for the file
    assert b.role == VIEWER and a.role == POLLER
    assert b.holder == os.getpid()
    await until(lambda: "BTC" in last_rows(seen_a))
    await until(lambda: "BTC" in last_rows(seen_b))
    row_a, row_b = last_rows(seen_a)["BTC"], last_rows(seen_b)["BTC"]
    assert row_b.spread == row_a.spread and row_b.spread.spread_8h > 0
    assert {v: q.funding_rate for v, q in row_b.quotes.items()} == rates
    assert second.calls == 0  # the viewer built no source, so it asked no venue
    assert b.writer is None  # and writes no history
    # the poller's logged hits reach the viewer, once, as the poller logged them
    await until(lambda: any(isinstance(e, events.SignalsEvaluated) and e.hits for e in seen_b))
    got = [h for e in seen_b if isinstance(e, events.SignalsEvaluated) for h in e.hits]
    assert {h.rule for h in got} == {"spread"} and len(got) == len({h for h in got})
    roles = [e for e in seen_b if isinstance(e, events.RoleChanged)]
    assert [(r.role, r.holder) for r in roles] == [(VIEWER, os.getpid())]
    await b.stop()
    await a.stop()


async def test_a_viewer_takes_over_within_a_refresh_when_the_poller_stops(tmp_path):
    rates = {"binance": 0.0001, "okx": 0.0002}
    first, second = Built(rates), Built(rates)
    seen_a: list = []
    seen_b: list = []
    a = engine(tmp_path, first, seen_a)
    b = engine(tmp_path, second, seen_b)
    a.start()
    await until(lambda: "BTC" in last_rows(seen_a))
    b.start()
    assert b.role == VIEWER
    stopped = time.monotonic()
    await a.stop()
    await until(lambda: b.role == POLLER and second.sources and second.sources[0].polls > 0)
    assert time.monotonic() - stopped < REFRESH_S  # within one refresh interval
    assert second.calls == 1
    assert any(isinstance(e, events.RoleChanged) and e.role == POLLER for e in seen_b)
    # a third engine now attaches to the one that took over
    seen_c: list = []
    c = engine(tmp_path, Built(rates), seen_c)
    assert c.claim() == VIEWER
    await c.stop()
    await b.stop()


async def test_the_first_board_is_full_and_old_answers_show_stale(tmp_path):
    """A viewer's first rebuild happens in claim(), from the file: a poller that
    last answered 60 s ago at a 5 s refresh (stale after 2.5 refreshes) is shown
    stale at once, never live."""
    now = wall_ms()
    board = LiveBoard.open(tmp_path, writer=True)
    fresh = VenueStatus("binance", last_ok_ms=now - 1000, latency_ms=40.0, quotes=1)
    old = VenueStatus("okx", last_ok_ms=now - 60_000, latency_ms=40.0, quotes=1)
    board.write(
        [
            (fresh, (quote("binance", "BTC", 0.0001),)),
            (old, (quote("okx", "BTC", 0.0009),)),
        ],
        now,
        REFRESH_S,
        12345,
    )
    board.close()
    with PollerLock(tmp_path) as held:  # a poller that hangs: holds the lock, writes nothing
        assert held.try_acquire()
        seen: list = []
        viewer = engine(tmp_path, Built({"binance": 0.0, "okx": 0.0}), seen)
        assert viewer.claim() == VIEWER
        rows = last_rows(seen)
        assert rows["BTC"].stale == frozenset({"okx"})
        assert rows["BTC"].spread is None  # a stale venue never feeds a spread
        assert viewer.market.statuses["binance"].last_ok_ms == now - 1000
        await viewer.stop()


def test_the_lock_is_one_holder_at_a_time_and_the_os_frees_it_on_sigkill(tmp_path):
    one, two = PollerLock(tmp_path), PollerLock(tmp_path)
    assert one.try_acquire() and not two.try_acquire()
    assert two.holder() == os.getpid()
    one.release()
    assert two.try_acquire()
    two.release()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; "
            "from fundtui.store.poller_lock import PollerLock; "
            "assert PollerLock(Path(sys.argv[1])).try_acquire(); print('held', flush=True); "
            "time.sleep(60)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert not one.try_acquire()
        assert one.holder() == holder.pid
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(10)
        assert one.try_acquire()  # released by the OS, nothing to clean up
    finally:
        one.release()
        if holder.poll() is None:
            holder.kill()


def test_a_lock_path_that_is_not_a_regular_file_is_refused_in_one_line(tmp_path):
    import pytest

    from fundtui.store.poller_lock import LockUnusable

    (tmp_path / "poller.lock").mkdir()
    with pytest.raises(LockUnusable) as e:
        PollerLock(tmp_path).try_acquire()
    assert "\n" not in str(e.value)


async def test_an_unreadable_live_file_leaves_the_viewer_running(tmp_path):
    (tmp_path / "live.sqlite3").write_bytes(b"not a database" * 100)
    with PollerLock(tmp_path) as held:
        assert held.try_acquire()
        seen: list = []
        viewer = engine(tmp_path, Built({"binance": 0.0}), seen)
        assert viewer.claim() == VIEWER
        assert viewer.attachment is not None and "cannot read" in (viewer.attachment.problem or "")
        await viewer.stop()
