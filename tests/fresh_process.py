"""Run a snippet of Python in a fresh interpreter (this checkout on its path) and
read what it printed last as JSON: for what only a new process shows (which
modules an import pulls in, the garbage collector at the entry point)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def last_json(code: str, timeout: float = 60) -> Any:
    """``python -c code`` from the repository; fails the test unless it exits 0."""
    p = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=timeout,
    )
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.splitlines()[-1])
