"""The signals log: every hit appended as one JSON line, in the data folder.

One object per line, oldest first::

    {"time": "2026-11-21T10:00:00Z", "time_ms": 1763719200000, "rule": "spread",
     "base": "BTC", "venues": ["bybit", "okx"], "value": 0.0007, "threshold": 0.0005,
     "explanation": "...", "extras": {...}}

Rates are decimal fractions as in ``fundtui.core.signals``. When the file passes
``MAX_BYTES`` it is renamed to ``signals.jsonl.1`` (replacing an older one) and a
new file is started, so the log stays bounded without losing the recent past.
Writes are appends of whole lines to a file created 0600; a line cut short by a
crash is skipped when read back.

Reading never writes: lines that are not UTF-8, not JSON or not a hit are skipped
and the file is left as it is, and only its end is read, so any size is fine.
Only something the log cannot be (a folder, a FIFO, a link to a device) or a log
we may not read is moved aside, with a one-line notice (``store.files``).
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fundtui.core.signal_types import Hit
from fundtui.core.timefmt import iso_utc
from fundtui.store import files
from fundtui.store.atomic import write_atomic
from fundtui.store.paths import SIGNAL_LOG_FILE, data_dir

FILE_NAME = SIGNAL_LOG_FILE
MAX_BYTES = 20 * 1024 * 1024
#: What ``recent`` reads from the end per hit asked for: a hit's line is well
#: under a kilobyte, so 500 hits read at most 4 MB whatever the file's size.
TAIL_BYTES_PER_HIT = 8 * 1024


class UnusableLog(OSError):
    """The signals log could not be read; ``str()`` is the one-line notice."""


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
        return Hit(
            int(obj["time_ms"]),
            str(obj["rule"]),
            str(obj["base"]),
            tuple(str(v) for v in obj["venues"]),
            float(obj["value"]),
            float(obj["threshold"]),
            str(obj["explanation"]),
            dict(obj.get("extras") or {}),
        )
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
        return None


class SignalLog:
    def __init__(self, path: Path | None = None, max_bytes: int = MAX_BYTES) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.max_bytes = max_bytes

    def append(self, hits: Iterable[Hit]) -> int:
        """Append hits; returns how many were written. Raises OSError on failure
        (also when what is at the path is not a regular file)."""
        data = "".join(
            json.dumps(hit_to_json(h), separators=(",", ":")) + "\n" for h in hits
        ).encode("utf-8")
        if not data:
            return 0
        count = data.count(b"\n")
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            info = None
        if info is not None and not stat.S_ISREG(info.st_mode):
            raise UnusableLog(files.unusable_notice(self.path, "not a regular file", "Signals log"))
        if info is not None and info.st_size + len(data) > self.max_bytes:
            os.replace(self.path, self.path.with_name(self.path.name + ".1"))
        elif info is not None and info.st_size:
            try:
                last, _ = files.read_tail(self.path, 1)
            except files.UnusableFile as e:
                raise UnusableLog(files.unusable_notice(self.path, str(e), "Signals log")) from None
            if last != b"\n":  # a line cut short by a crash: start a new one
                data = b"\n" + data
        fd = files.open_private_append(self.path)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        return count

    def recent(self, limit: int = 500) -> list[Hit]:
        """The newest ``limit`` hits in the log, oldest first; a missing file is empty.

        Raises UnusableLog (an OSError) with the one-line notice when the log could
        not be read (and was moved aside, unless the reason may pass).
        """
        tail, notice = files.read_guarded(
            self.path,
            lambda p: files.read_tail(p, max(1, limit) * TAIL_BYTES_PER_HIT),
            "Signals log",
        )
        if notice:
            raise UnusableLog(notice)
        if tail is None:
            return []
        data, start = tail
        lines = data.split(b"\n")
        if start:
            lines = lines[1:]  # the read began inside a line
        out: list[Hit] = []
        for line in reversed(lines):  # newest first: parse only as many as wanted
            if len(out) >= limit:
                break
            try:
                hit = hit_from_json(json.loads(line.decode("utf-8")))
            except (ValueError, RecursionError):  # not UTF-8, not JSON, nested too deep
                continue
            if hit is not None:
                out.append(hit)
        out.reverse()
        return out


def export(hits: Iterable[Hit], folder: Path, now_ms: int) -> Path:
    """``hits`` as JSON lines (the log's own shape) in a new file in ``folder``, named
    for the UTC time; the path. Never overwrites: a second export in the same
    second gets a suffix. Raises OSError."""
    stamp = iso_utc(now_ms).replace(":", "").replace("-", "")
    text = "".join(json.dumps(hit_to_json(h), ensure_ascii=True) + "\n" for h in hits)
    for n in range(100):
        path = folder / f"signals-export-{stamp}{'' if n == 0 else f'-{n}'}.jsonl"
        if not os.path.lexists(path):
            write_atomic(path, text)
            return path
    raise OSError(f"too many exports at {stamp} in {folder}")
