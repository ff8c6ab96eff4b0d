"""``fundtui record`` as a process against the fake venues: it polls, records, logs hits,
stops on SIGTERM / SIGINT / SIGHUP with the rule state saved, and a restart within a
hit's cooldown does not fire it again (the issue's IMX ``spread`` hit that fired again
66 s after a restart; here ETH's spread is made wide at the fake Binance).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from fundtui.store import paths
from fundtui.store.poller_lock import PollerLock
from tests.recordhelp import (
    REFRESH_S,
    REPO,
    Recording,
    evaluations,
    history_rows,
    logged_spreads,
    spread_hits,
    start_fakes,
    write_config,
)


@pytest.fixture
def fakes():
    venues = start_fakes()
    yield venues
    for fake in venues.values():
        fake.stop()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_record_polls_logs_the_hit_and_stops_cleanly(tmp_path, fakes, sig):
    folder = paths.history_dir()
    rec = Recording("--config", str(write_config(tmp_path, fakes)), "--verbose")
    try:
        lines = rec.wait_for(lambda ls: spread_hits(ls) and evaluations(ls) >= 1)
    finally:
        code, took = rec.stop(sig)
    assert code == 0, rec.lines[-20:]
    assert took < 2.0
    assert "Traceback" not in "\n".join(rec.lines)
    # the log: UTC ISO time, level, then the event; venue states once, not per poll
    hit = spread_hits(lines)[0]
    assert hit.split(" ")[0].endswith("Z") and hit.split(" ")[1] == "INFO"
    assert " hit spread ETH binance/okx 0.4900%/8h (threshold 0.0500%/8h): " in hit
    assert sum(" INFO binance live" in line for line in rec.lines) == 1
    assert any(f"stopping ({sig.name})" in line for line in rec.lines)
    # it recorded: samples in history (intact), the hit in the log, the state saved
    raw, check = history_rows(folder)
    assert raw > 0 and check == "ok"
    assert len(logged_spreads(folder)) == 1
    state = json.loads((folder / paths.CHECKPOINT_FILE).read_text())
    assert state
    # the venue was asked for rates, no more than once per refresh
    assert fakes["binance"].hits("/fapi/v1/premiumIndex") >= 1


def test_sighup_saves_the_state_and_a_restart_within_the_cooldown_stays_quiet(tmp_path, fakes):
    folder = paths.history_dir()
    cfg = str(write_config(tmp_path, fakes))
    first = Recording("--config", cfg, "--verbose")
    try:
        first.wait_for(lambda ls: spread_hits(ls) and evaluations(ls) >= 1)
    finally:
        code, took = first.stop(signal.SIGHUP)
    assert code == 0 and took < 2.0
    assert any("stopping (SIGHUP)" in line for line in first.lines)
    checkpoint = folder / paths.CHECKPOINT_FILE
    assert checkpoint.is_file()
    saved_at = checkpoint.stat().st_mtime_ns

    second = Recording("--config", cfg, "--verbose")
    try:
        # two refreshes evaluated with ETH's spread still wide: no second hit
        lines = second.wait_for(lambda ls: evaluations(ls) >= 2, timeout=60 + 2 * REFRESH_S)
    finally:
        code, _ = second.stop(signal.SIGTERM)
    assert code == 0
    assert any("signals continue from the saved state" in line for line in lines)
    assert spread_hits(lines) == []
    assert len(logged_spreads(folder)) == 1
    assert checkpoint.stat().st_mtime_ns > saved_at
    raw, check = history_rows(folder)
    assert raw > 0 and check == "ok"


def test_record_stands_by_while_another_process_polls_then_takes_over(tmp_path, fakes):
    folder = paths.history_dir()
    other = PollerLock(folder)
    assert other.try_acquire()  # another fundtui polls this folder
    rec = Recording("--config", str(write_config(tmp_path, fakes)))
    try:
        rec.wait_for(lambda ls: any("standing by" in line for line in ls), timeout=30)
        time.sleep(1.0)
        assert fakes["binance"].hits() == 0 and fakes["okx"].hits() == 0
        released = time.monotonic()
        other.release()
        rec.wait_for(lambda ls: any("binance live" in line for line in ls), timeout=30)
        # it tried again within one refresh interval (plus the time to build ccxt)
        assert time.monotonic() - released < REFRESH_S + 15
        assert any("taking over polling" in line for line in rec.lines)
    finally:
        other.release()
        code, took = rec.stop(signal.SIGTERM)
    assert code == 0 and took < 2.0


def test_stop_while_standing_by_exits_0_at_once(tmp_path, fakes):
    other = PollerLock(paths.history_dir())
    assert other.try_acquire()
    try:
        rec = Recording("--config", str(write_config(tmp_path, fakes)))
        rec.wait_for(lambda ls: any("standing by" in line for line in ls), timeout=30)
        code, took = rec.stop(signal.SIGHUP)
    finally:
        other.release()
    assert code == 0 and took < 2.0
    assert not (paths.history_dir() / paths.HISTORY_FILE).exists()


def run_record(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fundtui", "record", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "config", "says"),
    [
        ([], "[general]\nrefresh_seconds = 1\n", "refresh_seconds"),
        ([], "[general]\nbogus = 1\n", 'unknown key "bogus"'),
        ([], '[general]\nexchanges = ["\\u001b]0;PWNED\\u0007"]\n', "unknown exchange"),
        (["--refresh", "2"], "", "--refresh"),
        (["--refresh", "nan"], "", "--refresh"),
        (["--exchanges", "binance,\x1b]0;PWNED\x07x"], "", "unknown exchange"),
        (["--quiet", "--verbose"], "", "not allowed with"),
    ],
)
def test_bad_config_or_flags_is_one_line_and_exit_2(tmp_path, args, config, says):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(config)
    p = run_record("--config", str(cfg), *args)
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr
    lines = p.stderr.splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("fundtui") and says in lines[0]
    assert "\x1b" not in p.stderr and "\x07" not in p.stderr
    assert not (paths.history_dir() / paths.HISTORY_FILE).exists()


def test_a_stop_while_the_venues_are_still_being_built_exits_0_within_2s(tmp_path, fakes):
    rec = Recording("--config", str(write_config(tmp_path, fakes)))
    rec.wait_for(lambda ls: any("recording into" in line for line in ls), timeout=30)
    code, took = rec.stop(signal.SIGTERM)  # ccxt is still being imported in a thread
    assert code == 0 and took < 2.0, rec.lines
    assert "Traceback" not in "\n".join(rec.lines)
