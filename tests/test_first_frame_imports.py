"""What the board's first frame needs imported, and what it must not wait for.

The app module, the engine and the config are imported before the first frame is
drawn; ccxt (about a second), SQLite, the alert and chart libraries and ctypes are
imported when they are first used, after it (benchmarks/first_frame.py times it)."""

from __future__ import annotations

from pathlib import Path

from tests.fresh_process import last_json

REPO = Path(__file__).resolve().parents[1]
LATER = ("ccxt", "sqlite3", "ctypes", "apprise", "httpx", "plotext", "textual_plotext")


def test_the_first_frame_s_modules_leave_the_heavy_ones_for_later():
    code = (
        "import json, sys\n"
        "import fundtui.cli, fundtui.ui.app, fundtui.engine.engine\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(LATER)!r})))\n"
    )
    assert last_json(code) == []
