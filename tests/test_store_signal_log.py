"""The JSONL signals log: one line per hit, read back, bounded, robust to a cut line."""

from __future__ import annotations

import json
import math

from fundtui.core.signals import Hit
from fundtui.store.signal_log import SignalLog, default_path


def hit(i: int, rule: str = "spread", value: float = 0.0007) -> Hit:
    return Hit(1_767_225_600_000 + i * 1000, rule, "BTC", ("okx", "binance"), value, 0.0005,
               f"hit {i}", {"apr": 0.7665, "n": i})


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
