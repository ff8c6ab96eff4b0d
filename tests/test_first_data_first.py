"""The board's first data comes before history: the writer thread opens the files and
warms the rules up only once the board has drawn its first rows (or no data is
coming), so the two do not share the GIL while the first data frame is drawn."""

from __future__ import annotations

import threading
import time

from fundtui.core.signal_types import SignalConfig
from fundtui.engine import recorder as recorder_module
from fundtui.engine import writer as writer_module
from fundtui.engine.writer import HistoryThread
from fundtui.store.paths import HISTORY_FILE
from tests.fakesource import FrozenClock, fail
from tests.uihelp import loaded, make_app, market, until

T0 = 1_795_000_000_000


def started(writer: HistoryThread) -> threading.Thread:
    thread = threading.Thread(target=writer.run, daemon=True)
    thread.start()
    return thread


def test_a_held_writer_opens_nothing_until_released(tmp_path, monkeypatch):
    monkeypatch.setattr(writer_module, "HOLD_MAX_S", 30.0)
    writer = HistoryThread(SignalConfig(), lambda e: None, lambda: T0, tmp_path)
    writer.hold()
    writer.record_poll([], T0)  # queued meanwhile, in order
    thread = started(writer)
    time.sleep(0.3)
    assert not (tmp_path / HISTORY_FILE).exists() and writer.recorder is None
    assert writer.held
    writer.release()
    assert not writer.held
    deadline = time.monotonic() + 10
    while writer.recorder is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert writer.recorder is not None and (tmp_path / HISTORY_FILE).exists()
    writer.stop()
    assert writer.wait(10)
    thread.join(5)


def test_a_hold_never_released_ends_by_itself_and_stop_ends_it_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr(writer_module, "HOLD_MAX_S", 0.2)
    writer = HistoryThread(SignalConfig(), lambda e: None, lambda: T0, tmp_path / "a")
    writer.hold()
    started(writer)
    deadline = time.monotonic() + 10
    while writer.recorder is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert writer.recorder is not None  # waited at most HOLD_MAX_S
    writer.stop()
    assert writer.wait(10)

    monkeypatch.setattr(writer_module, "HOLD_MAX_S", 60.0)
    held = HistoryThread(SignalConfig(), lambda e: None, lambda: T0, tmp_path / "b")
    held.hold()
    started(held)
    t = time.monotonic()
    held.stop()  # quitting while held: no minute's wait
    assert held.wait(10) and time.monotonic() - t < 5


async def test_history_opens_after_the_board_first_shows_its_rows(monkeypatch):
    monkeypatch.setattr(writer_module, "HOLD_MAX_S", 30.0)
    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock)
    seen: list[tuple[int, int]] = []
    real_open = recorder_module.Recorder.open

    def spy(*a, **k):
        seen.append((app._shown_rebuilds, app.board.row_count))
        return real_open(*a, **k)

    monkeypatch.setattr(recorder_module.Recorder, "open", spy)
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot)
        await until(pilot, lambda: app.recorder is not None)
        assert len(seen) == 1
        shown, rows = seen[0]
        assert shown >= 1 and rows == 4  # the rows were on the board first
        assert not app._history_held  # released once; later refreshes ask nothing more


async def test_history_does_not_wait_when_every_venue_failed(monkeypatch):
    monkeypatch.setattr(writer_module, "HOLD_MAX_S", 30.0)
    clock = FrozenClock()
    sources = market(clock)
    for source in sources.values():
        fail(source, "connection refused")
    app = make_app(sources, clock)
    async with app.run_test(size=(120, 30)) as pilot:
        loop_start = time.monotonic()
        await until(pilot, lambda: app.recorder is not None, timeout=10)
        assert time.monotonic() - loop_start < 10  # not the 30 s hold
        assert app.board.row_count == 0
