"""The fault matrix: every fault on one venue and on all six, through the app's own pollers.

Each row runs the six fake venues through ``make_sources`` (the ccxt adapter)
and ``VenuePoller`` on a simulated clock (see ``tests/fakevenue/matrix.py``)
and asserts what the app promises: nothing escapes a poller and nothing is
logged as a traceback, the other venues stay live and keep their schedule,
the failing venue's status gives its reason on one printable line, the
request rate during the fault is never above normal (counted at the fake
servers), and the venue is live again within two refresh intervals of its
recovery (or of the end of the wait it asked for).
"""

from __future__ import annotations

import pytest

from fundtui.core.text import visible
from tests.fakevenue import matrix

ROWS = [
    pytest.param(fault, all_venues, id=f"{fault.name}-{'all' if all_venues else 'one'}")
    for fault in matrix.FAULTS
    for all_venues in (False, True)
]
#: Half a minute of each fault keeps the matrix fast; benchmarks/faults.py runs a full minute.
FAULT_S = 30.0
R = matrix.REFRESH_S


@pytest.mark.parametrize(("fault", "all_venues"), ROWS)
async def test_fault(fault, all_venues, capfd):
    targets = matrix.targets_for(matrix.FAULTS.index(fault), all_venues)
    outcome = await matrix.run(fault, targets, fault_s=FAULT_S)
    out, err = capfd.readouterr()

    assert outcome.escaped == []
    assert "Traceback" not in out + err
    assert outcome.others_live
    assert outcome.normal_per_min == 60 / R
    assert outcome.fault_per_min <= outcome.normal_per_min
    assert outcome.min_gap_s is None or outcome.min_gap_s >= R - 1e-6
    if fault.reason is None:  # not a failure: the venue stays live throughout
        assert outcome.targets_live
        assert set(outcome.reasons.values()) == {None}
    else:
        for reason in outcome.reasons.values():
            assert reason is not None and fault.reason in reason
            assert "\n" not in reason and visible(reason) == reason and len(reason) <= 200
        assert outcome.recovery_s is not None
        assert outcome.recovery_s <= max(2 * R, fault.retry_after_s) + 1e-6
    if fault.name.startswith("hostile"):
        assert outcome.bases_added == len(matrix.faults.HOSTILE_BASES)
    if fault.name.startswith("drifting"):
        assert outcome.rates_moved


async def test_on_the_real_clock_429s_on_all_six_slow_the_pollers_and_recovery_is_quick(
    monkeypatch,
):
    # The same promise with real waits (VenuePoller.run): Retry-After 0.1 s on every
    # venue at a 1 s refresh, and R pressed every 10 ms throughout. Bounds are generous
    # for a loaded machine.
    import asyncio
    import time

    from ccxt.async_support.base.exchange import Exchange

    from fundtui.config import VenueConfig
    from fundtui.engine.events import VenuePolled
    from fundtui.engine.poller import VenuePoller
    from fundtui.feeds.registry import make_sources
    from tests.fakevenue.server import RATE_PATHS, VENUES, FakeVenue

    monkeypatch.setattr(Exchange, "timeout_on_exit", 0)
    refresh = 1.0
    fakes = {v: FakeVenue(v).start() for v in VENUES}
    sources = make_sources([VenueConfig(v, api_base=fakes[v].url) for v in VENUES], timeout_s=2.0)
    polled: dict[str, list[float]] = {v: [] for v in VENUES}

    def post(msg):
        if isinstance(msg, VenuePolled):
            polled[msg.venue].append(time.monotonic())

    pollers = [VenuePoller(s, post, refresh, lambda: int(time.time() * 1000)) for s in sources]
    tasks = [asyncio.create_task(p.run()) for p in pollers]
    try:
        deadline = time.monotonic() + 20
        while not all(polled.values()) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert all(polled.values())
        for fake in fakes.values():
            fake.reset_log()
            fake.fail(429, retry_after="0.1")
        started = time.monotonic()
        while time.monotonic() < started + 4.0:  # R, again and again: polls nothing more
            for p in pollers:
                p.wake()
            await asyncio.sleep(0.01)
        elapsed = time.monotonic() - started
        for v, fake in fakes.items():
            hits = fake.hits(RATE_PATHS[v])
            assert 1 <= hits <= elapsed / refresh + 1, (v, hits)  # Retry-After alone: ~40
        for fake in fakes.values():
            fake.clear_failures()
        back = time.monotonic()
        while not all(t and t[-1] > back for t in polled.values()) and time.monotonic() < back + 10:
            await asyncio.sleep(0.02)
        slowest = max(t[-1] for t in polled.values()) - back
        assert slowest <= 2 * refresh + 1.0  # two intervals, plus a loaded machine's slack
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*(s.close() for s in sources), return_exceptions=True)
        for fake in fakes.values():
            fake.stop()
