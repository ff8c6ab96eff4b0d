"""The saved signal state as the hostile file it may be: a planted pickle never runs,
a damaged file is moved aside with one line and the engine replays history, a
state of another version is simply not used."""

from __future__ import annotations

import errno
import json
import os
import pickle
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from fundtui import cli
from fundtui.core.signal_state import VERSION, chunks, dumps
from fundtui.core.signals import SignalConfig, SignalEngine
from fundtui.engine.recorder import Recorder, history_folder
from fundtui.store import checkpoint
from fundtui.store.checkpoint import MAX_STATE_BYTES
from fundtui.store.paths import CHECKPOINT_FILE, LEGACY_CHECKPOINT_FILE, data_dir
from tests.test_core_signal_state import busy_engine
from tests.test_store_recorder import STEP, T0, _next, paths, run, same_state

REPO = Path(__file__).resolve().parents[1]
CONFIG = SignalConfig(cooldown_s=0)


class Plant:
    """What a planted pickle does when loaded: run a shell command."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {shlex.quote(str(self.marker))}",)


def planted(marker: Path, protocol: int = pickle.HIGHEST_PROTOCOL) -> bytes:
    """A pickle shaped like the earlier checkpoint, proven to run its command."""
    payload = pickle.dumps(
        {"version": 2, "config": CONFIG, "at_ms": T0, "engine": Plant(marker)}, protocol=protocol
    )
    pickle.loads(payload)  # the control: loading it does run the command ...
    assert marker.exists()
    marker.unlink()  # ... so its absence later means it was never loaded
    return payload


def saved_state(tmp_path: Path) -> tuple[Path, SignalEngine]:
    """80 refreshes recorded and the state saved on close; the never-stopped engine."""
    rec, _ = Recorder.open(CONFIG, *paths(tmp_path))
    rec.warm_up(T0)
    steady = SignalEngine(CONFIG)
    run(rec, steady, 0, 80)
    assert rec.close() == []
    return paths(tmp_path)[2], steady


def reopen(tmp_path: Path):
    again, problems = Recorder.open(CONFIG, *paths(tmp_path))
    assert problems == []
    return again, again.warm_up(T0 + 80 * STEP)


def aside(folder: Path, name: str) -> list[Path]:
    return sorted(folder.glob(f"{name}.corrupt-*"))


def _json_spoil(edit):
    def spoil(path: Path) -> None:
        data = json.loads(path.read_text())
        edit(data)
        path.write_text(json.dumps(data))

    return spoil


def _ring_short(data):
    row = data["markets"][0]
    row[2 + data["fields"].index("ring_sum")] = "AAAA"


def _text_sub(old: str, new: str):
    def spoil(path: Path) -> None:
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))

    return spoil


def _first_rate(path: Path) -> str:
    data = json.loads(path.read_text())
    return json.dumps(data["markets"][0][2 + data["fields"].index("last_r8")])


def _at_ms(path: Path) -> str:
    return f'"at_ms":{json.loads(path.read_text())["at_ms"]}'


SPOILS = {
    "not UTF-8": lambda p: p.write_bytes(b"\xff\xfe" + p.read_bytes()[2:]),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "empty": lambda p: p.write_bytes(b""),
    "null": lambda p: p.write_text("null"),
    "deeply nested": lambda p: p.write_text("[" * 200_000),
    "at_ms as text": _json_spoil(lambda d: d.update(at_ms=str(d["at_ms"]))),
    "markets as an object": _json_spoil(lambda d: d.update(markets={"x": 1})),
    "ring too short": _json_spoil(_ring_short),
    "at_ms NaN token": lambda p: _text_sub(_at_ms(p), '"at_ms":NaN')(p),
    "rate Infinity token": lambda p: _text_sub(_first_rate(p), "Infinity")(p),
    "rate 1e999": lambda p: _text_sub(_first_rate(p), "1e999")(p),
    "at_ms of 5000 digits": lambda p: _text_sub(_at_ms(p), '"at_ms":' + "9" * 5000)(p),
    "a directory": lambda p: (p.unlink(), p.mkdir(), (p / "x").write_text("{}")),
    "a FIFO": lambda p: (p.unlink(), os.mkfifo(p)),
    "a link to /dev/zero": lambda p: (p.unlink(), p.symlink_to("/dev/zero")),
    "over the size bound": lambda p: os.truncate(p, MAX_STATE_BYTES + 1),  # sparse: cheap
}


@pytest.mark.parametrize("how", sorted(SPOILS))
def test_a_damaged_state_is_moved_aside_in_one_line_and_history_replayed(tmp_path, how):
    path, steady = saved_state(tmp_path)
    SPOILS[how](path)
    again, warm = reopen(tmp_path)
    assert warm.source == "history" and warm.samples == 80 * 3
    assert len(warm.problems) == 1, warm.problems
    line = warm.problems[0]
    assert "\n" not in line and line.startswith(f"signal state {path} unusable (")
    assert f"moved to {CHECKPOINT_FILE}.corrupt-" in line
    assert not os.path.lexists(path) and len(aside(tmp_path, CHECKPOINT_FILE)) == 1
    same_state(again.engine, steady, cooldowns=False)
    assert again.close() == []  # and the next save writes a good one
    assert json.loads(path.read_text())["version"] == VERSION


def test_a_state_of_another_version_is_not_used_and_the_next_save_replaces_it(tmp_path):
    path, steady = saved_state(tmp_path)
    data = json.loads(path.read_text())
    path.write_text(json.dumps(dict(data, version=VERSION + 1, markets="a layout of the future")))
    again, warm = reopen(tmp_path)
    assert warm.source == "history" and warm.problems == []
    assert json.loads(path.read_text())["version"] == VERSION + 1  # left as it is until ...
    same_state(again.engine, steady, cooldowns=False)
    again.close()
    assert json.loads(path.read_text())["version"] == VERSION  # ... the next save
    assert aside(tmp_path, CHECKPOINT_FILE) == []


@pytest.mark.parametrize("protocol", [0, pickle.HIGHEST_PROTOCOL])  # 0 is ASCII: valid UTF-8
def test_a_planted_pickle_never_runs_at_warm_up(tmp_path, protocol):
    marker = tmp_path / "pwned"
    payload = planted(marker, protocol)
    saved_state(tmp_path)
    legacy = tmp_path / LEGACY_CHECKPOINT_FILE
    legacy.write_bytes(payload)
    paths(tmp_path)[2].write_bytes(payload)
    again, warm = reopen(tmp_path)
    assert not marker.exists()
    assert warm.source == "history"
    assert len(warm.problems) == 2 and all("\n" not in p for p in warm.problems)
    assert f"moved to {CHECKPOINT_FILE}.corrupt-" in warm.problems[0]
    assert "rule state from an earlier version is not read" in warm.problems[1]
    assert "replaying history" in warm.problems[1]
    # both moved aside, unread and whole; nothing deleted
    assert [p.read_bytes() for p in aside(tmp_path, LEGACY_CHECKPOINT_FILE)] == [payload]
    assert [p.read_bytes() for p in aside(tmp_path, CHECKPOINT_FILE)] == [payload]
    assert not legacy.exists()
    again.close()
    _, warm = reopen(tmp_path)  # moved aside once: nothing more to say
    assert warm.source == "checkpoint" and warm.problems == []
    assert not marker.exists()


def test_an_earlier_pickle_beside_a_good_state_is_retired_and_the_state_used(tmp_path):
    marker = tmp_path / "pwned"
    _, steady = saved_state(tmp_path)
    (tmp_path / LEGACY_CHECKPOINT_FILE).write_bytes(planted(marker))
    again, warm = reopen(tmp_path)
    assert warm.source == "checkpoint" and not marker.exists()
    assert len(warm.problems) == 1 and f"continuing from {CHECKPOINT_FILE}" in warm.problems[0]
    same_state(again.engine, steady)
    for i in range(80, 100):
        t, board = _next(i)
        assert again.evaluate(t, board) == steady.update(t, board)


def test_a_planted_pickle_never_runs_at_the_signals_command(tmp_path):
    """``fundtui signals --demo --json`` in its own process, on a data folder with a
    planted pickle under both names."""
    marker = tmp_path / "pwned"
    payload = planted(marker)
    folder = history_folder(True)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / LEGACY_CHECKPOINT_FILE).write_bytes(payload)
    (folder / CHECKPOINT_FILE).write_bytes(payload)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-m", "fundtui", "signals", "--demo", "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    assert not marker.exists()
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["history"]["source"] == "none"
    assert "rule state from an earlier version is not read" in proc.stderr
    assert f"moved to {CHECKPOINT_FILE}.corrupt-" in proc.stderr
    assert not (folder / LEGACY_CHECKPOINT_FILE).exists()
    assert len(aside(folder, LEGACY_CHECKPOINT_FILE)) == len(aside(folder, CHECKPOINT_FILE)) == 1


def test_a_planted_pickle_never_runs_at_the_live_signals_command(tmp_path, monkeypatch, capsys):
    """The live data folder (no --demo): the state is read before any venue is polled."""
    import fundtui.feeds.poll as poll

    async def nobody_answers(venues, demo, timeout, notices=None):
        return [], {"binance": "down"}

    monkeypatch.setattr(poll, "poll_once", nobody_answers)
    marker = tmp_path / "pwned"
    (data_dir() / LEGACY_CHECKPOINT_FILE).write_bytes(planted(marker))
    assert cli.main(["signals", "--json"]) == 1
    assert not marker.exists()
    err = capsys.readouterr().err
    assert "rule state from an earlier version is not read" in err and "Traceback" not in err
    assert len(aside(data_dir(), LEGACY_CHECKPOINT_FILE)) == 1


async def test_a_planted_pickle_never_runs_at_app_start(tmp_path):
    """The app reads the state in its history thread at start: the pickle stays unread,
    both files are moved aside and the notices reach the screen."""
    from tests.fakesource import FrozenClock
    from tests.uihelp import loaded, make_app, market, until

    marker = tmp_path / "pwned"
    (data_dir() / LEGACY_CHECKPOINT_FILE).write_bytes(planted(marker))
    (data_dir() / CHECKPOINT_FILE).write_bytes(planted(marker))
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await until(pilot, lambda: app.recorder is not None)
        notes = [str(n.message) for n in app._notifications]
        assert any("rule state from an earlier version is not read" in n for n in notes)
        assert any(f"moved to {CHECKPOINT_FILE}.corrupt-" in n for n in notes)
    assert not marker.exists()
    assert len(aside(data_dir(), LEGACY_CHECKPOINT_FILE)) == 1
    assert len(aside(data_dir(), CHECKPOINT_FILE)) == 1
    assert json.loads((data_dir() / CHECKPOINT_FILE).read_text())["version"] == VERSION  # on quit


# --- the save streams, whole or not at all ---------------------------------------------


def test_a_save_writes_the_bytes_of_the_whole_document_0600_and_no_temp_file(tmp_path):
    path, steady = saved_state(tmp_path)  # saved by the recorder, on close
    at = json.loads(path.read_text())["at_ms"]
    assert path.read_bytes() == dumps(steady, at).encode("utf-8")  # version 3, unchanged
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert temp_files(tmp_path) == []


def test_the_save_writes_piece_by_piece_into_the_temp_file(tmp_path, monkeypatch):
    path = tmp_path / CHECKPOINT_FILE
    busy, _, at = busy_engine()  # 60 markets, some 180 KB: more than the write buffer
    seen = []

    def watched(engine, at_ms):  # how much of the document the temp file holds as it goes
        for piece in chunks(engine, at_ms):
            seen.append(sum(t.stat().st_size for t in temp_files(tmp_path)))
            yield piece

    monkeypatch.setattr(checkpoint, "chunks", watched)
    checkpoint.save(path, busy, at)
    assert seen[0] == 0 and 0 < seen[len(seen) // 2] < seen[-1] < path.stat().st_size
    assert path.read_bytes() == dumps(busy, at).encode("utf-8")


FAILURES = {
    "disk full mid-write": "chunks",
    "fsync fails": "fsync",
    "rename fails": "replace",
}


@pytest.mark.parametrize("how", sorted(FAILURES))
def test_a_failed_save_leaves_the_old_state_and_no_temp_file(tmp_path, monkeypatch, how):
    path, steady = saved_state(tmp_path)
    before = path.read_bytes()
    busy, _, at = busy_engine()  # 60 markets: a part is in the temp file when the disk fills
    full = errno.ENOSPC
    written = []

    def half_then_full(engine, at_ms):
        for i, piece in enumerate(chunks(engine, at_ms)):
            if i == 40:
                written.extend(t.stat().st_size for t in temp_files(tmp_path))
                raise OSError(full, os.strerror(full))
            yield piece

    def fails(*args):
        raise OSError(full, os.strerror(full))

    where = FAILURES[how]
    if where == "chunks":
        monkeypatch.setattr(checkpoint, "chunks", half_then_full)
    else:
        monkeypatch.setattr(checkpoint.os, where, fails)
    with pytest.raises(OSError, match="No space left"):
        checkpoint.save(path, busy, at)
    monkeypatch.undo()
    assert where != "chunks" or sum(written) > 0
    assert path.read_bytes() == before and temp_files(tmp_path) == []
    again, warm = reopen(tmp_path)
    assert warm.source == "checkpoint" and warm.problems == []  # the old state, still usable
    same_state(again.engine, steady)
    again.close()


def temp_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f".{CHECKPOINT_FILE}.*.tmp"))
