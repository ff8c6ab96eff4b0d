"""``fundtui record``'s log lines and its parts, in-process: venue states logged when
they change (with the reason, venue text spelled out), ``--quiet`` / ``--verbose``,
standing by for the poller lock, and sector hits found headless reaching the log."""

from __future__ import annotations

import asyncio
import io
import json
import re

import pytest

from fundtui.commands import record, record_log
from fundtui.config import Config
from fundtui.core.signal_types import Hit
from fundtui.core.status import VenueStatus
from fundtui.engine import events as ev
from fundtui.feeds.demo import demo_sources
from fundtui.feeds.source import VenuePoll
from fundtui.store import paths

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (DEBUG|INFO|WARNING|ERROR) \S")
PWNED = "\x1b]0;PWNED\x07"


@pytest.fixture(autouse=True)
def _logging_as_it_was():
    """``setup`` takes over the root logger's handlers (pytest's among them)."""
    import logging

    root = logging.getLogger()
    handlers = list(root.handlers)
    yield
    root.handlers[:] = handlers
    record_log.log.handlers.clear()
    logging.captureWarnings(False)


@pytest.fixture
def out():
    stream = io.StringIO()
    record_log.setup(stream=stream)
    return stream


def lines(stream: io.StringIO) -> list[str]:
    return stream.getvalue().splitlines()


def test_venue_states_are_logged_when_they_change_not_every_poll(out):
    log = record_log.EventLog(refresh_s=10)
    st = VenueStatus("okx")
    t = 1_000_000
    st = st.succeeded(t, 50, 17)
    log.statuses({"okx": st}, t)
    log.statuses({"okx": st.succeeded(t + 10_000, 50, 17)}, t + 10_000)  # still live
    st = st.succeeded(t + 10_000, 50, 17).failed(f"HTTP 503 {PWNED}\nsecond line", t + 40_000)
    log.statuses({"okx": st}, t + 20_000)
    log.statuses({"okx": st.failed("HTTP 503 again", t + 50_000)}, t + 30_000)  # failing still
    log.statuses({"okx": st}, t + 36_000)  # 26 s > 2.5 refreshes: stale
    log.statuses({"okx": st.succeeded(t + 40_000, 50, 17)}, t + 40_000)
    got = lines(out)
    assert [line.split(" ", 2)[1:] for line in got] == [
        ["INFO", "okx live (17 quotes)"],
        [
            "WARNING",
            "okx failing: HTTP 503 \\x1b]0;PWNED\\x07 second line; next try in 20s "
            "(its last rates are still fresh)",
        ],
        [
            "WARNING",
            "okx stale: no answer for 26s (HTTP 503 \\x1b]0;PWNED\\x07 second line); "
            "left out of spreads",
        ],
        ["INFO", "okx live again (17 quotes)"],
    ]
    assert all(LINE.match(line) for line in got)


def test_a_venue_that_never_answered_is_down(out):
    log = record_log.EventLog(refresh_s=10)
    log.statuses({"gate": VenueStatus("gate").failed("connection refused", None)}, 5)
    assert lines(out)[0].endswith(" ERROR gate down: connection refused")


def hostile_hit() -> Hit:
    return Hit(
        1_700_000_000_000,
        "spread",
        f"IMX{PWNED}",
        ("binance", "okx\u202e"),
        0.0049,
        0.0005,
        "binance pays more\nshort binance, long okx",
    )


def test_a_hit_is_one_visible_line_with_its_figure_and_threshold(out):
    record_log.EventLog(10).event(ev.SignalsEvaluated((hostile_hit(),)))
    (line,) = lines(out)
    assert LINE.match(line)
    assert line.split(" ", 2)[2] == (
        "hit spread IMX\\x1b]0;PWNED\\x07 binance/okx\\u202e 0.4900%/8h "
        "(threshold 0.0500%/8h): binance pays more short binance, long okx"
    )
    assert "\x1b" not in out.getvalue() and "\u202e" not in out.getvalue()


def polled(venue: str) -> ev.VenuePolled:
    return ev.VenuePolled(venue, VenuePoll(venue, (), 1, 12.0))


def test_quiet_keeps_warnings_and_errors_verbose_adds_every_poll():
    for quiet, verbose, want in [
        (True, False, ["WARNING", "ERROR"]),
        (False, False, ["INFO", "WARNING", "ERROR"]),
        (False, True, ["DEBUG", "INFO", "DEBUG", "WARNING", "ERROR"]),  # + "evaluated"
    ]:
        stream = io.StringIO()
        record_log.setup(quiet=quiet, verbose=verbose, stream=stream)
        log = record_log.EventLog(10)
        log.event(polled("okx"))
        log.event(ev.SignalsEvaluated((hostile_hit(),)))
        log.event(ev.Notice("market cache moved aside"))
        log.event(ev.HistoryProblem("disk full"))
        assert [line.split(" ")[1] for line in lines(stream)] == want


class FakeLock:
    def __init__(self, busy_tries: int) -> None:
        self.busy_tries = busy_tries
        self.tries = 0
        self.released = 0

    def try_acquire(self) -> bool:
        self.tries += 1
        return self.tries > self.busy_tries

    def release(self) -> None:
        self.released += 1

    def holder(self) -> int | None:
        return 4242


async def test_standing_by_is_one_line_then_the_lock_is_taken(out):
    lock = FakeLock(busy_tries=3)
    assert await record.wait_for_lock(lock, 0.01, asyncio.Event()) is True
    assert lock.tries == 4
    said = [line.split(" ", 2)[2] for line in lines(out)]
    assert said == [
        "another fundtui polls this data folder (pid 4242); standing by",
        "the poller lock is free: taking over polling",
    ]


async def test_a_stop_while_standing_by_gives_up_waiting(out):
    lock = FakeLock(busy_tries=10**9)
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(0.05, stop.set)
    assert await record.wait_for_lock(lock, 0.01, stop) is False
    assert lock.tries > 1


async def test_sector_hits_found_headless_are_logged_and_in_the_signals_log(out, tmp_path):
    """The engine's rebuild turns sector state changes into hits; headless, they go
    through the writer to the signals log and into record's log like any other."""
    made = []

    class Feed:  # the real sector feed, one state change planted at its first update
        def __init__(self, real):
            self.real, self.sent = real, False

        def __getattr__(self, name):
            return getattr(self.real, name)

        def update(self, rows, now_ms):
            hits = self.real.update(rows, now_ms)
            if self.sent:
                return hits
            self.sent = True
            return [*hits, Hit(now_ms, "sector", "Meme", (), 0.12, 0.05, "Meme enters hot")]

    def make_engine(*args):
        engine = record._engine(*args)
        engine.sectors = Feed(engine.sectors)
        made.append(engine)
        return engine

    config = Config(exchanges=("binance", "okx"), refresh_seconds=5)
    stop = asyncio.Event()
    folder = tmp_path / "h"
    task = asyncio.create_task(
        record.record(
            config,
            lambda: demo_sources(["binance", "okx"]),
            folder,
            True,
            make_engine=make_engine,
            stop=stop,
        )
    )
    for _ in range(400):
        if any(" hit sector Meme " in line for line in lines(out)):
            break
        await asyncio.sleep(0.05)
    stop.set()
    assert await asyncio.wait_for(task, 10) == 0
    assert any(
        line.endswith(" INFO hit sector Meme - +12.0% APR (threshold +5.0% APR): Meme enters hot")
        for line in lines(out)
    ), lines(out)
    logged = [json.loads(x) for x in (folder / paths.SIGNAL_LOG_FILE).read_text().splitlines()]
    assert [h["base"] for h in logged if h["rule"] == "sector"] == ["Meme"]
    assert (folder / paths.CHECKPOINT_FILE).is_file()
    assert made[0].closed


def test_other_libraries_warnings_are_one_line_too(out):
    import logging

    logging.getLogger("aiohttp.client").warning("Unclosed %s\nsecond", "session\x1b[2J")
    (line,) = lines(out)
    assert LINE.match(line) and " WARNING Unclosed session\\x1b[2J second" in line
