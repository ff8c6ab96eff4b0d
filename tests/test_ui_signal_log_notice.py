"""A signals log fundtui cannot use is reported at app start in its own one line.

It read "cannot read the signals log: UnusableLog: Signals log ... moved to ...":
the exception's class name and a prefix around a line that already says it all.
"""

from __future__ import annotations

from fundtui.store.paths import SIGNAL_LOG_FILE, data_dir
from tests.fakesource import FrozenClock
from tests.uihelp import loaded, make_app, market, until


async def test_a_folder_at_the_signals_log_is_one_plain_line_and_the_app_runs_on():
    path = data_dir() / SIGNAL_LOG_FILE
    path.mkdir(parents=True)
    (path / "keep.txt").write_text("mine")
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await until(pilot, lambda: app.recorder is not None)
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert app.board.row_count == 4
    (aside,) = path.parent.glob(f"{SIGNAL_LOG_FILE}.corrupt-*")
    assert (aside / "keep.txt").read_text() == "mine"  # moved, never deleted
    lines = [m for m in messages if str(path) in m]
    assert lines == [f"Signals log {path} unusable (not a regular file); moved to {aside.name}"]
    assert not any("UnusableLog" in m or "cannot read the signals log" in m for m in messages)


def test_a_log_unusable_while_running_is_reported_by_its_own_line(monkeypatch, tmp_path):
    import threading

    from fundtui.core.signal_types import SignalConfig
    from fundtui.engine.events import HistoryProblem
    from fundtui.engine.recorder import Recorder
    from fundtui.engine.writer import HistoryThread
    from fundtui.store.signal_log import UnusableLog

    notice = f"Signals log {tmp_path / SIGNAL_LOG_FILE} unusable (not a regular file)"

    def evaluate(self, at_ms, quotes, **_):
        raise UnusableLog(notice)

    monkeypatch.setattr(Recorder, "evaluate", evaluate)
    posted: list = []
    thread = HistoryThread(SignalConfig(), posted.append, lambda: 1_795_000_000_000, tmp_path)
    worker = threading.Thread(target=thread.run)
    worker.start()
    for at in (1, 2):  # the same problem twice: reported once
        thread.evaluate(1_795_000_000_000 + at, [])
    thread.stop()
    assert thread.wait(10)
    worker.join(10)
    assert [m.reason for m in posted if isinstance(m, HistoryProblem)] == [notice]
