"""The fault matrix: the six fake venues, polled as the app polls them, through each fault.

Each run starts fresh fake servers and the app's own sources (``make_sources``:
the ccxt adapter) and pollers (``VenuePoller``), and drives them on a simulated
clock: a poller's wait between polls costs no real time, so a minute of faults
takes well under a second, while the HTTP requests themselves are real. The
clock stands still while requests are in flight; a poll costs no simulated
time, which can only make the request rate look higher than it is.

A run: ``WARM_S`` of normal polling (the first loads metadata), the fault on
one venue or on all six for ``FAULT_S``, then ``AFTER_S`` of recovery. Measured
at the fake servers and from the pollers' messages: requests a minute during
the fault against normal, the shortest gap between two polls of a faulted
venue, seconds from the fault's end to its next good answer, the reason its
status shows, whether the other venues stayed live throughout, and anything
that escaped a poller or was logged as a traceback.
"""

from __future__ import annotations

import asyncio
import copy
import email.utils
import functools
import heapq
import io
import logging
import random
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from fundtui.config import VenueConfig
from fundtui.core.status import VenueState, VenueStatus
from fundtui.engine.events import VenueFailed, VenuePolled
from fundtui.engine.poller import VenuePoller
from fundtui.feeds.registry import make_sources
from tests.fakevenue import faults
from tests.fakevenue.server import RATE_PATHS, VENUES, FakeVenue

REFRESH_S = 5.0  # the shortest refresh the configuration accepts
WARM_S = 3 * REFRESH_S
FAULT_S = 60.0
AFTER_S = 4 * REFRESH_S
#: The adapters' HTTP timeout, in real seconds (a hung venue costs this much per attempt;
#: at 0.5 s a healthy loopback answer on a loaded 2-core machine once took longer).
TIMEOUT_S = 1.0
START_S = 1_795_000_000.0  # on the refresh grid


@dataclass(frozen=True)
class Fault:
    name: str
    start: Callable[[FakeVenue], Any]
    stop: Callable[[FakeVenue, Any], None] = lambda fake, token: fake.clear_failures()
    #: What the faulted venue's status must say (a substring); None: it must stay live.
    reason: str | None = None
    #: The venue asked for this long a wait, so recovery may take up to it.
    retry_after_s: float = 0.0


def _rate(fake: FakeVenue) -> str:
    return RATE_PATHS[fake.venue]


def _http_date(seconds: float) -> str:
    # A real-time date: the adapter reads HTTP dates against the wall clock.
    return email.utils.formatdate(time.time() + seconds, usegmt=True)


def _nulls(fake: FakeVenue) -> Any:
    name = faults.RATE_PAYLOADS[fake.venue]
    saved = copy.deepcopy(fake.payload(name))
    faults.null_every_field(fake)
    return saved


def _restore(fake: FakeVenue, saved: Any) -> None:
    fake.set_payload(faults.RATE_PAYLOADS[fake.venue], saved)


def _hostile(fake: FakeVenue) -> None:
    for base in faults.HOSTILE_BASES:
        faults.list_perp(fake, base)


def _drifting(fake: FakeVenue) -> None:
    name = faults.RATE_PAYLOADS[fake.venue]
    base = copy.deepcopy(fake.payload(name))
    answers = iter(range(1, 1_000_000))

    def answer(query: Any, body: Any) -> Any:
        moved = copy.deepcopy(base)
        faults.drift_rates_in(fake.venue, moved, 0.0004 * next(answers))
        return moved

    fake.respond(name, answer)


def _keep(fake: FakeVenue, token: Any) -> None:
    pass


FAULTS: tuple[Fault, ...] = (
    Fault("slow, within the timeout", lambda f: f.slow(TIMEOUT_S / 3, path=_rate(f))),
    Fault(
        "slow, past the timeout",
        lambda f: f.hang(path=_rate(f)),
        reason=f"timed out after {TIMEOUT_S:g} s",
    ),
    Fault("closed without an answer", lambda f: f.disconnect(), reason="Server disconnected"),
    Fault(
        "down (connection refused)",
        lambda f: f.down(),
        lambda f, _: f.up(),
        reason="Connection refused",
    ),
    Fault("HTTP 503", lambda f: f.fail(503), reason="HTTP 503 from"),
    Fault(
        "429, Retry-After 1 s",
        lambda f: f.fail(429, retry_after=1),
        reason="rate limited, retry in 1 s",
    ),
    Fault(
        "429, Retry-After 30 s",
        lambda f: f.fail(429, retry_after=30),
        reason="rate limited, retry in 30 s",
        retry_after_s=30,
    ),
    Fault(
        "429, Retry-After HTTP date +12 s",
        lambda f: f.fail(429, retry_after=_http_date(12)),
        reason="rate limited, retry in",
        retry_after_s=12,
    ),
    Fault("429, no Retry-After", lambda f: f.fail(429), reason="rate limited by"),
    Fault(
        "418 ban, Retry-After 20 s",
        lambda f: f.fail(418, retry_after=20),
        reason="IP banned for rate limit (HTTP 418), retry in 20 s",
        retry_after_s=20,
    ),
    Fault(
        "not JSON",
        lambda f: f.malformed(path=_rate(f), body="<html>502 Bad Gateway</html>"),
        reason="non-JSON body",
    ),
    Fault(
        "wrong shape {}",
        lambda f: f.malformed(path=_rate(f), body="{}"),
        reason="unexpected payload",
    ),
    Fault(
        "wrong shape []",
        lambda f: f.malformed(path=_rate(f), body="[]"),
        reason="unexpected payload",
    ),
    Fault("body cut short", lambda f: f.cut_short(path=_rate(f)), reason="body cut short by"),
    Fault("empty body", lambda f: f.malformed(path=_rate(f), body=""), reason="empty body"),
    Fault("every field null", _nulls, _restore, reason="no usable rows"),
    Fault("hostile symbol names", _hostile, _keep),
    Fault("drifting rates", _drifting, _keep),
)


@dataclass
class Outcome:
    fault: str
    venues: tuple[str, ...]  # the faulted ones
    normal_per_min: float  # rate-path requests a minute before the fault, per venue
    fault_per_min: float  # the most any faulted venue got a minute during the fault
    min_gap_s: float | None  # shortest gap between two polls of a faulted venue, fault included
    recovery_s: float | None  # fault end to the next good answer (the slowest faulted venue)
    reasons: dict[str, str | None]  # each faulted venue's status at the end of the fault
    others_live: bool  # every other venue LIVE at every step, polled every refresh
    targets_live: bool  # the faulted venues too (faults that are not failures)
    escaped: list[str] = field(default_factory=list)  # exceptions out of a poller, tracebacks
    bases_added: int = 0  # hostile names: bases in the last answer that were not there before
    rates_moved: bool = False  # drifting rates: the last two answers differ


class SimClock:
    def __init__(self, now_s: float) -> None:
        self.now = now_s

    def seconds(self) -> float:
        return self.now

    def ms(self) -> int:
        return int(round(self.now * 1000))


class _Sleepers:
    """Pollers waiting on the simulated clock; the driver wakes the earliest."""

    def __init__(self, clock: SimClock) -> None:
        self.clock = clock
        self.heap: list[tuple[float, int, asyncio.Future[None]]] = []
        self.seq = 0

    async def sleep(self, delay_s: float) -> None:
        fut = asyncio.get_running_loop().create_future()
        self.seq += 1
        heapq.heappush(self.heap, (self.clock.now + delay_s, self.seq, fut))
        await fut


class _Tracebacks(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.text = io.StringIO()
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.text.write(self.format(record) + "\n")


async def run(
    fault: Fault, targets: tuple[str, ...], *, seed: int = 1, fault_s: float = FAULT_S
) -> Outcome:
    """One row of the matrix: ``fault`` on ``targets`` (one venue or all six) for ``fault_s``."""
    from ccxt.async_support.base.exchange import Exchange

    # Loopback HTTP needs no TLS: no lingering on close, and one certificate
    # store for every client instead of ~90 ms loading certifi's per client.
    saved = Exchange.timeout_on_exit, Exchange.ssl_context
    Exchange.timeout_on_exit = 0
    Exchange.ssl_context = _ssl_context()
    try:
        return await _run(fault, targets, seed, fault_s)
    finally:
        Exchange.timeout_on_exit, Exchange.ssl_context = saved


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    return ssl.create_default_context()


async def _run(fault: Fault, targets: tuple[str, ...], seed: int, fault_s: float) -> Outcome:
    clock = SimClock(START_S)
    fakes = {v: FakeVenue(v, clock=clock.seconds).start() for v in VENUES}
    sources = make_sources(
        [VenueConfig(v, api_base=fakes[v].url) for v in VENUES], timeout_s=TIMEOUT_S
    )
    statuses = {v: VenueStatus(v) for v in VENUES}
    polled: dict[str, list[tuple[float, VenuePolled]]] = {v: [] for v in VENUES}
    failed: dict[str, list[tuple[float, str]]] = {v: [] for v in VENUES}

    def post(msg: Any) -> None:
        if isinstance(msg, VenuePolled):
            statuses[msg.venue] = statuses[msg.venue].succeeded(
                clock.ms(), msg.poll.latency_ms, len(msg.poll.quotes)
            )
            polled[msg.venue].append((clock.now, msg))
        elif isinstance(msg, VenueFailed):
            statuses[msg.venue] = statuses[msg.venue].failed(msg.reason, msg.retry_at_ms)
            failed[msg.venue].append((clock.now, msg.reason))

    sleepers = _Sleepers(clock)
    # One seeded jitter sequence per venue: venues that fail together retry
    # together, so a hung venue's real-time timeouts overlap instead of adding up.
    pollers = [
        VenuePoller(s, post, REFRESH_S, clock.ms, jitter=random.Random(seed).random)
        for s in sources
    ]

    async def loop(poller: VenuePoller) -> None:
        while True:
            await sleepers.sleep(await poller.poll_once())

    fault_on, fault_off = START_S + WARM_S, START_S + WARM_S + fault_s
    end = fault_off + AFTER_S
    tokens: dict[str, Any] = {}

    def start_fault() -> None:
        for v in targets:
            tokens[v] = fault.start(fakes[v])

    def stop_fault() -> None:
        for v in targets:
            fault.stop(fakes[v], tokens[v])

    events = [(fault_on, start_fault), (fault_off, stop_fault)]
    logs = _Tracebacks()
    logging.getLogger().addHandler(logs)
    escaped: list[str] = []
    others_live = True
    targets_live = True
    others = [v for v in VENUES if v not in targets]
    tasks = [asyncio.create_task(loop(p)) for p in pollers]
    try:
        while True:
            while len(sleepers.heap) < len(tasks):
                dead = [t for t in tasks if t.done()]
                if dead:
                    escaped += [repr(t.exception()) for t in dead if not t.cancelled()]
                    raise _Escaped
                await asyncio.sleep(0.001)
            wake_at = sleepers.heap[0][0]
            if events and events[0][0] <= wake_at:
                clock.now, action = events.pop(0)
                action()
                continue
            if wake_at > end:
                break
            clock.now = wake_at
            if clock.now >= START_S + 2 * REFRESH_S:
                for v in others:
                    if statuses[v].state(clock.ms(), REFRESH_S) is not VenueState.LIVE:
                        others_live = False
                for v in targets:
                    if statuses[v].state(clock.ms(), REFRESH_S) is not VenueState.LIVE:
                        targets_live = False
            while sleepers.heap and sleepers.heap[0][0] <= wake_at:
                heapq.heappop(sleepers.heap)[2].set_result(None)
    except _Escaped:
        pass
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*(s.close() for s in sources), return_exceptions=True)
        logging.getLogger().removeHandler(logs)
        for fake in fakes.values():
            fake.stop()
    if "Traceback" in logs.text.getvalue():
        escaped.append(logs.text.getvalue())

    def rate_hits(v: str, lo: float, hi: float) -> list[float]:
        return sorted(
            r.at for r in fakes[v].requests if r.path == RATE_PATHS[v] and lo <= r.at < hi
        )

    normal = max(len(rate_hits(v, START_S + REFRESH_S, fault_on)) for v in VENUES)
    normal_per_min = normal * 60 / (WARM_S - REFRESH_S)
    fault_per_min = max(len(rate_hits(v, fault_on, fault_off)) for v in targets) * 60 / fault_s
    gaps = [
        b - a for v in targets for a, b in pairwise(rate_hits(v, fault_on - REFRESH_S, fault_off))
    ]
    recovery: list[float] = []
    for v in targets:
        after = [t for t, _ in polled[v] if t >= fault_off]
        recovery.append(after[0] - fault_off if after else float("inf"))
    reasons = {v: next((r for t, r in reversed(failed[v]) if t < fault_off), None) for v in targets}
    for v in others:  # every other venue answered every refresh
        times = [t for t, _ in polled[v] if t >= START_S + REFRESH_S]
        if any(b - a > REFRESH_S + 1e-6 for a, b in pairwise(times)):
            others_live = False
    outcome = Outcome(
        fault.name,
        targets,
        normal_per_min,
        fault_per_min,
        min(gaps) if gaps else None,
        max(recovery) if fault.reason is not None else None,
        reasons,
        others_live,
        targets_live,
        escaped,
    )
    if fault.name.startswith("hostile"):
        outcome.bases_added = min(_added_bases(polled[v], fault_on) for v in targets)
    if fault.name.startswith("drifting"):
        outcome.rates_moved = all(_moved(polled[v]) for v in targets)
    return outcome


class _Escaped(Exception):
    pass


def _added_bases(polls: list[tuple[float, VenuePolled]], fault_on: float) -> int:
    before = [m for t, m in polls if t < fault_on]
    if not before or not polls:
        return 0
    old = {q.base for q in before[-1].poll.quotes}
    return len({q.base for q in polls[-1][1].poll.quotes} - old)


def _moved(polls: list[tuple[float, VenuePolled]]) -> bool:
    if len(polls) < 2:
        return False
    a, b = (dict((q.symbol, q.funding_rate) for q in m.poll.quotes) for _, m in polls[-2:])
    return bool(a) and a.keys() == b.keys() and any(a[k] != b[k] for k in a)


def targets_for(index: int, all_venues: bool) -> tuple[str, ...]:
    """All six, or one venue per fault in turn (so each venue meets several faults)."""
    return VENUES if all_venues else (VENUES[index % len(VENUES)],)
