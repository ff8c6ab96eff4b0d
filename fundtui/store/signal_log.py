"""The signals log: every hit appended as one JSON line, in the data folder.

One object per line, oldest first::

    {"time": "2026-11-21T10:00:00Z", "time_ms": 1763719200000, "rule": "spread",
     "base": "BTC", "venues": ["bybit", "okx"], "value": 0.0007, "threshold": 0.0005,
     "explanation": "...", "extras": {...}}

Rates are decimal fractions as in ``fundtui.core.signals``. When the file passes
``MAX_BYTES`` it is renamed to ``signals.jsonl.1`` (replacing an older one) and a
new file is started, so the log stays bounded without losing the recent past.
Writes are appends of whole lines; a line cut short by a crash is skipped when
read back.
"""

from __future__ import annotations

import json
import math
import os
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fundtui.core.signal_types import Hit
from fundtui.core.timefmt import iso_utc
from fundtui.store.paths import SIGNAL_LOG_FILE, data_dir

FILE_NAME = SIGNAL_LOG_FILE
MAX_BYTES = 20 * 1024 * 1024


def default_path() -> Path:
    return data_dir() / FILE_NAME


def _plain(value: Any) -> Any:
    """JSON-safe: non-finite floats become null, tuples lists, anything else a string."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def hit_to_json(hit: Hit) -> dict[str, Any]:
    return {
        "time": iso_utc(hit.time_ms),
        "time_ms": hit.time_ms,
        "rule": hit.rule,
        "base": hit.base,
        "venues": list(hit.venues),
        "value": _plain(hit.value),
        "threshold": _plain(hit.threshold),
        "explanation": hit.explanation,
        "extras": _plain(dict(hit.extras)),
    }


def hit_from_json(obj: Any) -> Hit | None:
    """A hit read back from a log line, or None when the line is not one."""
    try:
        return Hit(int(obj["time_ms"]), str(obj["rule"]), str(obj["base"]),
                   tuple(str(v) for v in obj["venues"]), float(obj["value"]),
                   float(obj["threshold"]), str(obj["explanation"]),
                   dict(obj.get("extras") or {}))
    except (KeyError, TypeError, ValueError):
        return None


class SignalLog:
    def __init__(self, path: Path | None = None, max_bytes: int = MAX_BYTES) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.max_bytes = max_bytes

    def append(self, hits: Iterable[Hit]) -> int:
        """Append hits; returns how many were written. Raises OSError on failure."""
        lines = "".join(json.dumps(hit_to_json(h), separators=(",", ":")) + "\n"
                        for h in hits)
        if not lines:
            return 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            size = self.path.stat().st_size
            if size + len(lines) > self.max_bytes:
                os.replace(self.path, self.path.with_name(self.path.name + ".1"))
            elif size:
                with open(self.path, "rb") as f:
                    f.seek(-1, os.SEEK_END)
                    if f.read(1) != b"\n":  # a line cut short by a crash: start a new one
                        lines = "\n" + lines
        except FileNotFoundError:
            pass
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(lines)
        return lines.count("\n")

    def recent(self, limit: int = 500) -> list[Hit]:
        """The newest ``limit`` hits in the log, oldest first; a missing file is empty."""
        out: deque[Hit] = deque(maxlen=limit)
        try:
            with open(self.path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    try:
                        hit = hit_from_json(json.loads(line))
                    except ValueError:
                        continue
                    if hit is not None:
                        out.append(hit)
        except FileNotFoundError:
            pass
        return list(out)
