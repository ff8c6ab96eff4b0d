"""What the board's first frame needs imported, and what it must not wait for.

The app module, the engine and the config are imported before the first frame is
drawn; ccxt (about a second), SQLite, the alert and chart libraries and ctypes are
imported when they are first used, after it (benchmarks/first_frame.py times it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LATER = ("ccxt", "sqlite3", "ctypes", "apprise", "httpx", "plotext", "textual_plotext")


def test_the_first_frame_s_modules_leave_the_heavy_ones_for_later():
    code = (
        "import json, sys\n"
        "import fundtui.cli, fundtui.ui.app, fundtui.engine.engine\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(LATER)!r})))\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
    )
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout.splitlines()[-1]) == []
