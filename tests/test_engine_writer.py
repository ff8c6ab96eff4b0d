"""One writer for the signals log: the signal engine's hits and the sector board's,
sent at once from two threads, are appended by the writer thread alone.

Before, the sector board's hits were appended from the UI thread while the history
thread appended the engine's, and the log's rollover (stat, replace, append) could
interleave: a line lost with the file renamed under a write, or two lines in one.
"""

from __future__ import annotations

import json
import threading

import pytest

from fundtui.core.signal_types import Hit, SignalConfig
from fundtui.core.signals import SignalEngine
from fundtui.engine.events import SignalsEvaluated
from fundtui.engine.writer import HistoryThread
from fundtui.store import signal_log
from fundtui.store.paths import SIGNAL_LOG_FILE
from fundtui.store.signal_log import SignalLog, hit_to_json

T0 = 1_795_000_000_000
EACH = 300  # hits per source


def hit(source: str, i: int) -> Hit:
    return Hit(
        T0 + i,
        "spread" if source == "engine" else "crowding",
        f"{source[0].upper()}{i}",
        ("binance", "okx"),
        0.001,
        0.0005,
        f"{source} hit {i}",
        {"n": i},
    )


@pytest.fixture
def small_log(monkeypatch):
    """A log that rolls over once halfway through, and the threads that append to it."""
    line = len(json.dumps(hit_to_json(hit("engine", 0)), separators=(",", ":"))) + 1
    max_bytes = line * EACH * 3 // 2  # the two sources' 2 * EACH lines: one rollover
    writers: set[str] = set()
    append = SignalLog.append

    def tracked(self, hits):
        writers.add(threading.current_thread().name)
        return append(self, hits)

    real_init = SignalLog.__init__

    def small(self, path=None, max_bytes_=max_bytes):
        real_init(self, path, max_bytes_)

    monkeypatch.setattr(SignalLog, "append", tracked)
    monkeypatch.setattr(SignalLog, "__init__", small)
    # the signal engine fires the hits it is handed (the quotes of a refresh)
    monkeypatch.setattr(SignalEngine, "update", lambda self, now, quotes: list(quotes))
    return writers


def test_hits_from_both_sources_across_a_rollover_are_each_logged_once(small_log, tmp_path):
    emitted: list = []
    writer = HistoryThread(SignalConfig(), emitted.append, lambda: T0, tmp_path)
    thread = threading.Thread(target=writer.run, name="the writer")
    thread.start()
    start = threading.Barrier(2)

    def engine_side() -> None:
        start.wait()
        for i in range(EACH):
            writer.evaluate(T0 + i, [hit("engine", i)])

    def sector_side() -> None:
        start.wait()
        for i in range(EACH):
            writer.log_hits([hit("sector", i)])

    sides = [threading.Thread(target=engine_side), threading.Thread(target=sector_side)]
    for side in sides:
        side.start()
    for side in sides:
        side.join(30)
    writer.stop()
    assert writer.wait(30)
    thread.join(10)

    log = tmp_path / SIGNAL_LOG_FILE
    rolled = log.with_name(log.name + ".1")
    assert rolled.exists()  # the rollover happened in the middle of the run
    lines = rolled.read_bytes().split(b"\n")[:-1] + log.read_bytes().split(b"\n")[:-1]
    logged = [json.loads(line) for line in lines]  # every line whole and valid JSON
    want = {(s, i) for s in ("E", "S") for i in range(EACH)}
    got = [(d["base"][0], int(d["base"][1:])) for d in logged]
    assert len(got) == len(set(got))  # none twice
    assert set(got) == want  # none lost
    assert small_log == {"the writer"}  # appended by the writer thread only
    # and every hit, whatever its source, was emitted once, after it was logged
    shown = [h for e in emitted if isinstance(e, SignalsEvaluated) for h in e.hits]
    assert sorted((h.base[0], h.time_ms - T0) for h in shown) == sorted(want)
    evaluations = [e for e in emitted if isinstance(e, SignalsEvaluated) and e.evaluation]
    assert len(evaluations) == EACH


def test_the_engine_hands_sector_hits_to_the_writer_not_the_log(monkeypatch):
    """Sector hits found in a rebuild go to the writer's queue; without history they
    are emitted at once, and nothing writes the log."""
    from fundtui.config import Config
    from fundtui.engine.engine import Engine

    sent: list = []
    emitted: list = []
    engine = Engine(Config(exchanges=("binance",)), list, emitted.append, lambda: T0)
    monkeypatch.setattr(engine.writer, "log_hits", sent.append)
    engine.route_hits([hit("sector", 1)])
    assert sent == [[hit("sector", 1)]] and emitted == []

    quiet = Engine(Config(exchanges=("binance",)), list, emitted.append, lambda: T0, history=False)
    monkeypatch.setattr(signal_log.SignalLog, "append", lambda *a: pytest.fail("log written"))
    quiet.route_hits([hit("sector", 2)])
    assert emitted == [SignalsEvaluated((hit("sector", 2),), evaluation=False)]


def test_hits_are_emitted_when_the_log_cannot_take_them(monkeypatch, tmp_path):
    """A full disk loses the log lines, not the toast: the hits are still emitted,
    and the failure is one problem, reported once."""

    def full(self, hits):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(SignalLog, "append", full)
    monkeypatch.setattr(SignalEngine, "update", lambda self, now, quotes: list(quotes))
    emitted: list = []
    writer = HistoryThread(SignalConfig(), emitted.append, lambda: T0, tmp_path)
    thread = threading.Thread(target=writer.run)
    thread.start()
    writer.evaluate(T0, [hit("engine", 1)])
    writer.log_hits([hit("sector", 2)])
    writer.evaluate(T0 + 1, [hit("engine", 3)])
    writer.stop()
    assert writer.wait(30)
    thread.join(10)
    shown = [h.base for e in emitted if isinstance(e, SignalsEvaluated) for h in e.hits]
    assert shown == ["E1", "S2", "E3"]
    problems = [e.reason for e in emitted if type(e).__name__ == "HistoryProblem"]
    assert problems == [
        "Could not write the signals log: OSError: [Errno 28] No space left on device"
    ]


def test_logged_hits_reach_the_hit_sinks_after_the_log_and_a_failing_sink_is_one_notice():
    """The writer's hits (already logged) go to every sink, then to the owner; a sink
    that raises costs a notice, not the event."""
    from fundtui.config import Config
    from fundtui.engine.engine import Engine
    from fundtui.engine.events import Notice

    emitted: list = []
    engine = Engine(Config(exchanges=("binance",)), list, emitted.append, lambda: T0)
    got: list = []
    engine.hit_sinks.append(got.append)

    def broken(hits):
        raise OSError("endpoint gone")

    engine.hit_sinks.append(broken)
    event = SignalsEvaluated((hit("spread", 1),))
    engine._writer_event(event)
    assert got == [(hit("spread", 1),)]
    assert emitted[-1] == event
    assert [e.text for e in emitted if isinstance(e, Notice)] == [
        "Hits not handed on: OSError: endpoint gone"
    ]
    engine._writer_event(SignalsEvaluated(()))  # an evaluation without hits: no call
    assert len(got) == 1
