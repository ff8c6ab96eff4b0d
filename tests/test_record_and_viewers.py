"""``fundtui record`` polls; three boards' engines on the same data folder attach.

The venues see one rate request per refresh whatever the number of windows open
(counted at the fake venues); killing the recorder (SIGKILL: no goodbye) leaves
one of the attached engines polling within one refresh interval, and only one.
The boards' engines run in this process, as a board runs them; ``record`` is a
real process, so the lock is contested across processes.
"""

from __future__ import annotations

import asyncio
import signal
import time

from fundtui.config import load_config
from fundtui.engine import events
from fundtui.engine.engine import POLLER, VIEWER, Engine
from fundtui.feeds.registry import make_sources
from tests.recordhelp import REFRESH_S, Recording, spread_hits, start_fakes, write_config

RATE_PATH = {"binance": "/fapi/v1/premiumIndex", "okx": "/api/v5/public/funding-rate"}


def rate_requests(fakes) -> dict[str, int]:
    return {v: f.hits(RATE_PATH[v]) for v, f in fakes.items()}


async def test_three_viewers_beside_record_cost_the_venues_nothing_and_one_takes_over(tmp_path):
    fakes = start_fakes()
    recording = None
    engines: list[Engine] = []
    try:
        cfg = write_config(tmp_path, fakes)
        recording = Recording("--config", str(cfg))
        await asyncio.to_thread(recording.wait_for, lambda lines: bool(spread_hits(lines)))
        config = load_config(cfg)
        built = [0, 0, 0]
        seen: list[list] = [[], [], []]

        def factory(i: int):
            def make():
                built[i] += 1
                return make_sources(config.active_venues(), timeout_s=5.0)

            return make

        for i in range(3):
            engines.append(Engine(config, factory(i), seen[i].append, gather_s=0.05))
            engines[-1].start()
        assert [e.role for e in engines] == [VIEWER] * 3
        # each shows the recorder's board, ETH's wide spread included
        for s in seen:
            rows = [e.rows for e in s if isinstance(e, events.BoardRebuilt)]
            assert rows and "ETH" in rows[-1] and rows[-1]["ETH"].spread is not None

        before, t0 = rate_requests(fakes), time.monotonic()
        await asyncio.sleep(3 * REFRESH_S)
        after, elapsed = rate_requests(fakes), time.monotonic() - t0
        for venue in fakes:  # one poller's worth: one per refresh, whatever the viewers
            assert abs((after[venue] - before[venue]) - elapsed / REFRESH_S) <= 1.01, venue
        assert built == [0, 0, 0]  # no viewer built a venue client

        recording.proc.send_signal(signal.SIGKILL)
        recording.proc.wait(10)
        killed, polled = time.monotonic(), rate_requests(fakes)
        while sum(e.role == POLLER for e in engines) == 0 or rate_requests(fakes) == polled:
            assert time.monotonic() - killed < REFRESH_S, "nobody took over within a refresh"
            await asyncio.sleep(0.05)
        assert sum(e.role == POLLER for e in engines) == 1 and sum(built) == 1
        # the others stay attached, now to the one that took over
        await asyncio.sleep(REFRESH_S)
        assert sorted(e.role for e in engines) == [POLLER, VIEWER, VIEWER]
    finally:
        for engine in engines:
            await engine.stop()
        if recording is not None:
            recording.kill()
        for fake in fakes.values():
            fake.stop()
