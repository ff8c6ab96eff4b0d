"""The engine runs without Textual: board rows and signal hits from the fake venues.

The run is in a fresh interpreter (``tests/engine_headless.py``): in this one,
other tests have imported Textual already and a leak would go unseen.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_engine_gives_rows_and_hits_with_no_textual_imported(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "FUNDTUI_DATA_DIR": str(tmp_path / "data"),
        "FUNDTUI_CACHE_DIR": str(tmp_path / "cache"),
        "FUNDTUI_CONFIG_DIR": str(tmp_path / "config"),
    }
    p = subprocess.run(
        [sys.executable, "-m", "tests.engine_headless", str(tmp_path / "h")],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr[-2000:]
    out = json.loads(p.stdout.splitlines()[-1])
    assert out["textual"] is False
    assert out["ui"] == []
    assert out["polled"] == ["binance", "okx"]
    assert len(out["bases"]) > 10 and "BTC" in out["bases"]
    assert "BTC" in out["both_venues"]
    assert "spread" in out["rules"]
    # every hit the engine emitted is in the log its writer thread keeps
    assert out["logged"] == out["hits"] > 0
