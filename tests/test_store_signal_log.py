"""The JSONL signals log: one line per hit, read back, bounded, robust to a cut line."""

from __future__ import annotations

import errno
import json
import math
import os
import stat

import pytest

from fundtui.core.signals import Hit
from fundtui.store import files, signal_log
from fundtui.store.signal_log import SignalLog, default_path


def hit(i: int, rule: str = "spread", value: float = 0.0007) -> Hit:
    return Hit(
        1_767_225_600_000 + i * 1000,
        rule,
        "BTC",
        ("okx", "binance"),
        value,
        0.0005,
        f"hit {i}",
        {"apr": 0.7665, "n": i},
    )


def test_hits_round_trip_through_the_log(tmp_path):
    log = SignalLog(tmp_path / "signals.jsonl")
    assert log.append([hit(1), hit(2, "deviation")]) == 2
    assert log.append([]) == 0
    assert log.recent() == [hit(1), hit(2, "deviation")]
    line = json.loads((tmp_path / "signals.jsonl").read_text().splitlines()[0])
    assert line["time"] == "2026-01-01T00:00:01Z" and line["venues"] == ["okx", "binance"]
    assert line["extras"] == {"apr": 0.7665, "n": 1}


def test_recent_returns_the_newest_and_skips_damaged_lines(tmp_path):
    path = tmp_path / "signals.jsonl"
    log = SignalLog(path)
    log.append([hit(i) for i in range(5)])
    with open(path, "a") as f:
        f.write('{"time_ms": 12, "rule": "sp')  # cut short by a crash
    assert [h.explanation for h in log.recent(2)] == ["hit 3", "hit 4"]
    log.append([hit(9)])  # starts on a line of its own, not glued to the cut one
    assert [h.explanation for h in log.recent(10)] == [f"hit {i}" for i in (0, 1, 2, 3, 4, 9)]


def test_non_finite_numbers_are_written_as_null(tmp_path):
    log = SignalLog(tmp_path / "s.jsonl")
    log.append([hit(1, value=math.inf)])
    assert json.loads((tmp_path / "s.jsonl").read_text())["value"] is None


def test_log_rolls_over_to_one_previous_file(tmp_path):
    path = tmp_path / "signals.jsonl"
    log = SignalLog(path, max_bytes=600)
    for i in range(10):
        log.append([hit(i)])
    assert path.stat().st_size <= 600
    assert (tmp_path / "signals.jsonl.1").exists()
    assert log.recent()[-1] == hit(9)


def test_missing_log_reads_empty_and_default_path_is_in_the_data_folder(tmp_path):
    assert SignalLog(tmp_path / "none.jsonl").recent() == []
    assert default_path().name == "signals.jsonl"


# --------------------------------------------------------------------------- hostile logs


def asides(path):
    return sorted(path.parent.glob(path.name + ".corrupt-*"))


@pytest.mark.parametrize(
    "bad",
    [
        b"\xff\xfe not utf-8\n",
        b"not json at all\n",
        b"[1, 2, 3]\n",  # JSON, not a hit
        b'{"time_ms": "soon", "rule": "spread"}\n',
        b'{"time_ms": 1e400, "rule": "s", "base": "B", "venues": [], "value": 1, '
        b'"threshold": 1, "explanation": ""}\n',  # int(inf)
        b'{"time_ms": 1, "rule": "s", "base": "B", "venues": [], "value": 1, '
        b'"threshold": 1, "explanation": "", "extras": "ab"}\n',
        b"[" * 100_000 + b"]" * 100_000 + b"\n",
        b"\n\n\x00\x00\x00\n",
    ],
)
def test_a_bad_line_is_skipped_and_the_log_is_left_as_it_is(tmp_path, bad):
    path = tmp_path / "signals.jsonl"
    log = SignalLog(path)
    log.append([hit(1)])
    with open(path, "ab") as f:
        f.write(bad)
    log.append([hit(2)])
    before = path.read_bytes()
    assert log.recent() == [hit(1), hit(2)]
    assert path.read_bytes() == before and not asides(path)


def test_an_empty_or_truncated_log_reads_what_it_has(tmp_path):
    path = tmp_path / "signals.jsonl"
    path.write_bytes(b"")
    assert SignalLog(path).recent() == []
    SignalLog(path).append([hit(1), hit(2)])
    path.write_bytes(path.read_bytes()[:-20])
    assert SignalLog(path).recent() == [hit(1)]
    assert not asides(path)


def test_a_huge_log_is_read_from_its_end_only(tmp_path, monkeypatch):
    path = tmp_path / "signals.jsonl"
    with open(path, "wb") as f:
        f.truncate(30 * 1024**3)  # 30 GB of NULs, sparse
    SignalLog(path, max_bytes=10**12).append([hit(i) for i in range(3)])
    read = []
    real_read = os.read
    monkeypatch.setattr(files.os, "read", lambda fd, n: read.append(n) or real_read(fd, n))
    assert SignalLog(path).recent(2) == [hit(1), hit(2)]
    assert sum(read) <= 2 * signal_log.TAIL_BYTES_PER_HIT
    assert path.stat().st_size > 30 * 1024**3 and not asides(path)


@pytest.mark.parametrize(
    "case", ["directory", "fifo", "link to /dev/zero", "link loop", "may not read"]
)
def test_what_cannot_be_a_log_is_moved_aside_with_one_line(tmp_path, case, monkeypatch):
    path = tmp_path / "signals.jsonl"
    if case == "directory":
        path.mkdir()
    elif case == "fifo":
        os.mkfifo(path)
    elif case == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    elif case == "link loop":
        path.symlink_to(path)
    else:
        SignalLog(path).append([hit(1)])
        if os.geteuid() == 0:  # root reads through chmod 000: refuse as the kernel would
            real_open = os.open

            def denied(p, *a, **k):
                if os.fspath(p) == os.fspath(path):
                    raise PermissionError(errno.EACCES, "Permission denied", os.fspath(p))
                return real_open(p, *a, **k)

            monkeypatch.setattr(files.os, "open", denied)
        else:
            path.chmod(0)
    log = SignalLog(path)
    with pytest.raises(OSError) as caught:  # the app reports an OSError from recent()
        log.recent()
    notice = str(caught.value)
    assert "\n" not in notice and notice.isprintable() and str(path) in notice
    assert "moved to signals.jsonl.corrupt-" in notice
    (aside,) = asides(path)
    monkeypatch.undo()
    assert log.append([hit(7)]) == 1  # a new log is started beside the one kept
    assert log.recent() == [hit(7)]
    if case == "may not read":
        aside.chmod(0o600)
        assert SignalLog(aside).recent() == [hit(1)]
    else:
        assert os.path.lexists(aside)


@pytest.mark.parametrize("case", ["fifo", "link to /dev/null", "directory"])
def test_append_refuses_what_is_not_a_regular_file_without_blocking(tmp_path, case):
    path = tmp_path / "signals.jsonl"
    if case == "fifo":
        os.mkfifo(path)  # nobody reads it: an append used to block forever
    elif case == "directory":
        path.mkdir()
    else:
        path.symlink_to("/dev/null")
    with pytest.raises(OSError, match="not a regular file"):
        SignalLog(path).append([hit(1)])


def test_the_log_and_its_folder_are_private(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "new" / "signals.jsonl"
        SignalLog(path, max_bytes=600).append([hit(1)])
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        for i in range(5):  # rolled over: the new file is private too
            SignalLog(path, max_bytes=600).append([hit(i)])
        assert (tmp_path / "new" / "signals.jsonl.1").exists()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(old)
