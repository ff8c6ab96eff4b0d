"""Running ``fundtui record`` as a process in tests: the fake venues, its config, its
stderr read as it comes, and what it left in the data folder."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from fundtui.store import paths
from tests.fakevenue.server import FakeVenue

REPO = Path(__file__).resolve().parents[1]
REFRESH_S = 5


def start_fakes() -> dict[str, FakeVenue]:
    """Fake Binance and OKX, ETH's spread between them made wide."""
    venues = {v: FakeVenue(v).start() for v in ("binance", "okx")}
    # ETH pays 0.5 %/8h at Binance, ~0.01 % at OKX: one wide spread, far over 0.05 %
    for row in venues["binance"].payload("premiumIndex"):
        if row["symbol"] == "ETHUSDT":
            row["lastFundingRate"] = "0.00500000"
    return venues


def write_config(tmp_path: Path, fakes: dict[str, FakeVenue], extra: str = "") -> Path:
    cfg = tmp_path / "record.toml"
    text = f'[general]\nexchanges = ["binance", "okx"]\nrefresh_seconds = {REFRESH_S}\n'
    for venue, fake in fakes.items():
        text += f'[exchanges.{venue}]\napi_base = "{fake.url}"\n'
    cfg.write_text(text + extra)
    return cfg


class Recording:
    """``python -m fundtui record ...`` with its stderr read into ``lines`` as it comes."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fundtui", "record", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, what, timeout: float = 60.0) -> list[str]:
        """Lines so far once ``what(lines)`` holds; fails with the log otherwise."""
        deadline = time.monotonic() + timeout
        while not what(self.lines):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                pytest.fail("record did not get there:\n" + "\n".join(self.lines[-40:]))
            time.sleep(0.05)
        return list(self.lines)

    def stop(self, sig: signal.Signals) -> tuple[int, float]:
        """Send ``sig``; the exit code and the seconds it took to exit."""
        started = time.monotonic()
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"record did not exit on {sig.name}:\n" + "\n".join(self.lines[-40:]))
        self._reader.join(5)
        return code, time.monotonic() - started

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def spread_hits(lines: list[str], base: str = "ETH") -> list[str]:
    return [line for line in lines if f" hit spread {base} " in line]


def evaluations(lines: list[str]) -> int:
    return sum(" signals evaluated: " in line for line in lines)


def logged_spreads(folder: Path, base: str = "ETH") -> list[dict]:
    log = folder / paths.SIGNAL_LOG_FILE
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    return [r for r in rows if r["rule"] == "spread" and r["base"] == base]


def history_rows(folder: Path) -> tuple[int, str]:
    db = sqlite3.connect(f"file:{folder / paths.HISTORY_FILE}?mode=ro", uri=True)
    try:
        raw = db.execute("SELECT count(*) FROM raw").fetchone()[0]
        check = db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()
    return raw, check
