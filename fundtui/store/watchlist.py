"""The watchlist: bases the user marked, kept as JSON in the data folder.

File shape: ``{"version": 1, "bases": ["BTC", "ETH"]}``. A file that cannot be
used never stops the app: the list starts empty with a one-line notice, and the
file is moved aside to ``watchlist.json.corrupt-<UTC time>`` (``store.files``). One
that could not be moved then is moved before the first save, or the save fails:
nothing the user had is silently lost.
"""

from __future__ import annotations

import json
from pathlib import Path

from fundtui.store import files
from fundtui.store.atomic import write_atomic
from fundtui.store.paths import history_dir

FILE_NAME = "watchlist.json"
VERSION = 1
#: A few thousand bases are a few tens of KB; a megabyte is no watchlist.
MAX_BYTES = 1024 * 1024


def default_path(demo: bool = False) -> Path:
    """The data folder's watchlist; the demo market keeps its own (in its folder),
    so watching a simulated coin never changes the real list."""
    return history_dir(demo) / FILE_NAME


class Watchlist:
    """A set of base symbols with load/save to one JSON file."""

    def __init__(self, path: Path, bases: set[str] | None = None, corrupt: bool = False):
        self.path = path
        self.bases: set[str] = set(bases or ())
        self._corrupt = corrupt  # an unusable file is still on disk: move it before saving

    @classmethod
    def load(cls, path: Path | None = None, demo: bool = False) -> tuple[Watchlist, str | None]:
        """The watchlist at ``path`` (default: the data folder's, or the demo's), and a
        one-line notice if it was unusable. Never raises."""
        path = path or default_path(demo)
        bases, notice = files.load_json(path, _parse, "Watchlist", MAX_BYTES)
        if notice is None:
            return cls(path, bases), None
        return cls(path, corrupt=files.still_there(path)), notice + "; starting empty"

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
        if self._corrupt and files.still_there(self.path):
            notice = files.move_aside(self.path, "as loaded", "Watchlist")
            if files.still_there(self.path):
                raise OSError(notice)
        self._corrupt = False
        payload = json.dumps({"version": VERSION, "bases": sorted(self.bases)}, indent=1)
        write_atomic(self.path, payload + "\n")


def _parse(data: object) -> set[str]:
    # A bare list is accepted too, for hand-written files.
    items = data.get("bases") if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(b, str) for b in items):
        raise TypeError("expected a list of base symbols under 'bases'")
    return {b.strip() for b in items if b.strip()}
