"""SIGHUP to the board (an SSH disconnect, a closed terminal, ``tmux kill-session``)
quits it the way ``q`` does: the rules' state saved, history closed intact, and a
restart within the cooldown fires no hit a second time.

The board runs as a real process (``python -m fundtui --demo``) in a pseudo-terminal:
once with SIGHUP sent to it, once with the terminal itself hung up (the master side
closed, so the kernel sends the SIGHUP and the terminal is gone while the app exits),
and once with the terminal gone and no signal at all (a pty that is not the board's
controlling terminal: only its reads and writes fail; Textual's driver alone would
block on its full output queue for good).
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import sqlite3
import sys
import threading
import time
from pathlib import Path

import pytest

from fundtui.store import paths

REPO = Path(__file__).resolve().parents[1]
REFRESH_S = 5
COOLDOWN_MS = 1_800_000  # the default cooldown_s


class Board:
    """The board in a pty; its output drained by a thread (the app never blocks)."""

    def __init__(self, config: Path, controlling: bool = True) -> None:
        if controlling:
            pid, fd = pty.fork()
        else:  # the pty is its stdin/out/err only: closing it sends no SIGHUP
            fd, slave = os.openpty()
            pid = os.fork()
            if pid == 0:
                os.setsid()
                for n in (0, 1, 2):
                    os.dup2(slave, n)
                os.close(fd)
            os.close(slave)
        if pid == 0:  # the child: exec at once
            os.chdir(REPO)
            env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm-256color"}
            argv = [sys.executable, "-m", "fundtui", "--demo", "--config", str(config)]
            os.execve(sys.executable, argv, env)
        self.pid, self.fd = pid, fd
        self.closed = threading.Event()
        self.status: int | None = None
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        while not self.closed.is_set():
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.1)
                if ready and not os.read(self.fd, 65536):
                    return
            except OSError:  # the child is gone or the master closed
                return

    def hang_up(self) -> None:
        """Close the terminal: the kernel hangs up the session (SIGHUP)."""
        self.closed.set()
        os.close(self.fd)

    def wait(self, timeout: float) -> float:
        """Seconds until the process exited; fails past ``timeout``."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
                return time.monotonic() - started
            time.sleep(0.02)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        pytest.fail(f"the board did not exit within {timeout} s")

    def close(self) -> None:
        if not self.closed.is_set():
            self.closed.set()
            try:
                os.close(self.fd)
            except OSError:
                pass


def wait_until(what, timeout: float, why: str) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        if time.monotonic() > deadline:
            pytest.fail(why)
        time.sleep(0.1)


def logged(folder: Path) -> list[dict]:
    path = folder / paths.SIGNAL_LOG_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


def history(folder: Path, sql: str):
    db = sqlite3.connect(f"file:{folder / paths.HISTORY_FILE}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute(sql).fetchone()[0]
    finally:
        db.close()


def last_poll_ms(folder: Path) -> int:
    if not (folder / paths.HISTORY_FILE).exists():
        return 0
    try:
        return history(folder, "SELECT coalesce(max(at_ms), 0) FROM refresh") or 0
    except sqlite3.OperationalError:  # not made yet
        return 0


def repeats_within_cooldown(hits: list[dict]) -> list[tuple]:
    last: dict[tuple, int] = {}
    repeats = []
    for h in sorted(hits, key=lambda h: h["time_ms"]):
        key = (h["rule"], h["base"], tuple(h["venues"]))
        if key in last and h["time_ms"] - last[key] < COOLDOWN_MS:
            repeats.append(key)
        last[key] = h["time_ms"]
    return repeats


def run_until_evaluated(
    config: Path, folder: Path, since_ms: int, controlling: bool = True
) -> Board:
    """Start the board; return once a poll of the second refresh after ``since_ms`` is
    in history (the writer works in order: the first refresh was evaluated by then)."""
    board = Board(config, controlling)
    wait_until(
        lambda: last_poll_ms(folder) >= since_ms + REFRESH_S * 1000 and logged(folder),
        90,
        "the board recorded no refresh",
    )
    return board


@pytest.mark.parametrize("how", ["signal", "terminal closed", "sigterm", "terminal lost"])
def test_sighup_saves_state_and_history_and_a_restart_repeats_no_hit(tmp_path, how):
    config = tmp_path / "config.toml"
    config.write_text(f"[general]\nrefresh_seconds = {REFRESH_S}\n")
    folder = paths.history_dir(demo=True)
    checkpoint = folder / paths.CHECKPOINT_FILE

    controlling = how != "terminal lost"
    board = run_until_evaluated(config, folder, int(time.time() * 1000), controlling)
    try:
        first_hits = logged(folder)
        assert first_hits  # the demo market's spreads fired
        assert not checkpoint.exists()  # written on the way out, by the handler
        if how == "signal":
            os.kill(board.pid, signal.SIGHUP)
        elif how == "sigterm":  # kill, or a service manager stopping it: the same
            os.kill(board.pid, signal.SIGTERM)
        else:
            board.hang_up()
        took = board.wait(15)
    finally:
        board.close()
    assert os.WIFEXITED(board.status), f"killed by signal {os.WTERMSIG(board.status)}"
    assert os.WEXITSTATUS(board.status) == 0
    assert took < 5
    assert checkpoint.is_file() and json.loads(checkpoint.read_text())
    assert history(folder, "PRAGMA integrity_check") == "ok"
    assert history(folder, "SELECT count(*) FROM raw") > 0
    assert not (folder / (paths.HISTORY_FILE + "-wal")).exists() or (
        (folder / (paths.HISTORY_FILE + "-wal")).stat().st_size == 0
    )

    again = run_until_evaluated(config, folder, int(time.time() * 1000))
    try:
        os.kill(again.pid, signal.SIGHUP)
        again.wait(15)
    finally:
        again.close()
    assert repeats_within_cooldown(logged(folder)) == []
