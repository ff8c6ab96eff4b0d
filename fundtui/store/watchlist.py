"""The watchlist: bases the user marked, kept as JSON in the data folder.

File shape: ``{"version": 1, "bases": ["BTC", "ETH"]}``. A file that cannot be
read or parsed never stops the app: the list starts empty with a notice, and the
unreadable file is moved aside to ``watchlist.json.corrupt`` before the first
save replaces it, so nothing the user had is silently lost.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from fundtui.core.text import describe_exception
from fundtui.store.atomic import write_atomic
from fundtui.store.paths import data_dir

FILE_NAME = "watchlist.json"
VERSION = 1


def default_path() -> Path:
    return data_dir() / FILE_NAME


class Watchlist:
    """A set of base symbols with load/save to one JSON file."""

    def __init__(self, path: Path, bases: set[str] | None = None, corrupt: bool = False):
        self.path = path
        self.bases: set[str] = set(bases or ())
        self._corrupt = corrupt  # the file on disk is unreadable; keep a copy before saving

    @classmethod
    def load(cls, path: Path | None = None) -> tuple[Watchlist, str | None]:
        """The watchlist at ``path`` (default: data folder), and a notice if it was unusable."""
        path = path or default_path()
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path), None
        except OSError as e:
            notice = f"Watchlist {path} unreadable ({e.strerror}); starting empty"
            return cls(path, corrupt=True), notice
        try:
            bases = _parse(json.loads(raw))
        except (ValueError, TypeError) as e:
            notice = f"Watchlist {path} is corrupt ({describe_exception(e)}); starting empty"
            return cls(path, corrupt=True), notice
        return cls(path, bases), None

    def __contains__(self, base: object) -> bool:
        return base in self.bases

    def __len__(self) -> int:
        return len(self.bases)

    def toggle(self, base: str) -> bool:
        """Add or remove ``base``; True when it is now watched. Does not save."""
        if base in self.bases:
            self.bases.discard(base)
            return False
        self.bases.add(base)
        return True

    def save(self) -> None:
        """Write atomically (temp file + rename). Raises OSError on failure."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self._corrupt and self.path.exists():
            os.replace(self.path, self.path.with_name(self.path.name + ".corrupt"))
        self._corrupt = False
        payload = json.dumps({"version": VERSION, "bases": sorted(self.bases)}, indent=1)
        write_atomic(self.path, payload + "\n")


def _parse(data: object) -> set[str]:
    # A bare list is accepted too, for hand-written files.
    items = data.get("bases") if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(b, str) for b in items):
        raise TypeError("expected a list of base symbols under 'bases'")
    return {b.strip() for b in items if b.strip()}
