"""The poller's latest answers, for the processes attached to it: ``live.sqlite3``.

Why a SQLite file and not a socket: an attached viewer's first frame needs the
latest answers at once, whether or not the poller is busy, alive or just gone;
a file in WAL mode gives that with one read, lets any number of readers in
without the poller serving them, survives the poller's death with its
timestamps intact (so a viewer ages a venue to stale exactly as the poller
would have), and needs no path-length or permission dance that a Unix socket in
a deep data folder would. The poller writes at most once per board rebuild, a
few hundred KB at 1,800 quotes; readers check ``PRAGMA data_version``, which
costs nothing when nothing changed.

Tables:

- ``answers``: one row per venue: its status (``VenueStatus`` fields) and its
  last good quotes (``Quote`` fields, as JSON arrays in :data:`QUOTE_FIELDS`
  order), with the time written.
- ``hits``: the hits the poller logged, numbered, the last :data:`KEEP_HITS`.
- ``meta``: the layout version, the poller's refresh interval and heartbeat.

Everything read back is checked: a row that does not decode is skipped, never
trusted; a file that is not this layout is replaced by the poller (it is a
cache of what the poller holds in memory, nothing is lost).
"""

from __future__ import annotations

import dataclasses
import json
import math
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fundtui.core.quote import Quote
from fundtui.core.signal_types import Hit
from fundtui.core.status import VenueStatus
from fundtui.store.paths import LIVE_FILE
from fundtui.store.signal_log import hit_from_json, hit_to_json

LAYOUT = 1
KEEP_HITS = 2000
QUOTE_FIELDS = tuple(f.name for f in dataclasses.fields(Quote))
STATUS_FIELDS = tuple(f.name for f in dataclasses.fields(VenueStatus))
BUSY_TIMEOUT_S = 2.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS answers (
    venue TEXT PRIMARY KEY, written_ms INTEGER NOT NULL,
    status TEXT NOT NULL, quotes TEXT
);
CREATE TABLE IF NOT EXISTS hits (seq INTEGER PRIMARY KEY, hit TEXT NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class VenueAnswer:
    """One venue as the poller last knew it: its status and its last good quotes."""

    venue: str
    status: VenueStatus
    quotes: tuple[Quote, ...]


def _num(x: Any) -> Any:
    return None if isinstance(x, float) and not math.isfinite(x) else x


def quote_row(q: Quote) -> list[Any]:
    return [_num(getattr(q, f)) for f in QUOTE_FIELDS]


def quote_from_row(row: Any) -> Quote | None:
    if not isinstance(row, list) or len(row) != len(QUOTE_FIELDS):
        return None
    try:
        q = Quote(**dict(zip(QUOTE_FIELDS, row, strict=True)))
    except TypeError:
        return None
    ok = isinstance(q.venue, str) and isinstance(q.symbol, str) and isinstance(q.base, str)
    return q if ok and isinstance(q.quote, str) and isinstance(q.multiplier, int) else None


def status_json(st: VenueStatus) -> str:
    return json.dumps([getattr(st, f) for f in STATUS_FIELDS])


def status_from_json(text: str, venue: str) -> VenueStatus | None:
    try:
        values = json.loads(text)
        if not isinstance(values, list) or len(values) != len(STATUS_FIELDS):
            return None
        st = VenueStatus(**dict(zip(STATUS_FIELDS, values, strict=True)))
    except (ValueError, TypeError):
        return None
    return st if st.venue == venue else None


class LiveBoard:
    """One connection to ``live.sqlite3``: the poller's for writing, a viewer's for reading."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        self._version = -1
        self._seen: dict[str, int] = {}  # venue -> written_ms last read

    @classmethod
    def open(cls, folder: Path, writer: bool) -> LiveBoard:
        """Open (the poller: create or replace) the live file in ``folder``.

        Raises ``sqlite3.Error`` / ``OSError``; a reader also raises
        ``FileNotFoundError`` when no poller ever wrote one.
        """
        path = Path(folder) / LIVE_FILE
        if not writer and not path.is_file():
            raise FileNotFoundError(path)
        if writer:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not path.exists():
                path.touch(mode=0o600)
        db = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_S
        )
        try:
            if writer:
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = OFF")  # a cache: a lost write is re-made
                db.executescript(_SCHEMA)
                layout = db.execute("SELECT value FROM meta WHERE key = 'layout'").fetchone()
                if layout is None or layout[0] != str(LAYOUT):
                    db.executescript("DELETE FROM answers; DELETE FROM hits; DELETE FROM meta;")
                    db.execute("INSERT INTO meta VALUES ('layout', ?)", (str(LAYOUT),))
            else:
                db.execute("PRAGMA query_only = 1")
        except sqlite3.Error:
            db.close()
            raise
        return cls(db, path)

    def close(self) -> None:
        self._db.close()

    # --- the poller ----------------------------------------------------------------

    def write(
        self,
        answers: Iterable[tuple[VenueStatus, tuple[Quote, ...] | None]],
        now_ms: int,
        refresh_s: float,
        pid: int,
    ) -> None:
        """Each venue's status, and its quotes where given (None: keep the stored ones)."""
        db = self._db
        with db:
            db.execute("BEGIN IMMEDIATE")
            for st, quotes in answers:
                if quotes is None:
                    db.execute(
                        "INSERT INTO answers (venue, written_ms, status) VALUES (?, ?, ?) "
                        "ON CONFLICT(venue) DO UPDATE SET written_ms = excluded.written_ms, "
                        "status = excluded.status",
                        (st.venue, now_ms, status_json(st)),
                    )
                else:
                    db.execute(
                        "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)",
                        (
                            st.venue,
                            now_ms,
                            status_json(st),
                            json.dumps([quote_row(q) for q in quotes]),
                        ),
                    )
            db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                (
                    ("refresh_s", repr(float(refresh_s))),
                    ("heartbeat_ms", str(now_ms)),
                    ("pid", str(pid)),
                ),
            )

    def add_hits(self, hits: Iterable[Hit]) -> None:
        db = self._db
        with db:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                "INSERT INTO hits (hit) VALUES (?)", ((json.dumps(hit_to_json(h)),) for h in hits)
            )
            db.execute(
                "DELETE FROM hits WHERE seq <= (SELECT MAX(seq) FROM hits) - ?", (KEEP_HITS,)
            )

    def forget(self, venues: Iterable[str]) -> None:
        """Venues no longer polled (a new poller with other venues) are not shown as live."""
        keep = list(venues)
        with self._db:
            marks = ",".join("?" * len(keep))
            self._db.execute(f"DELETE FROM answers WHERE venue NOT IN ({marks})", keep)

    # --- a viewer ------------------------------------------------------------------

    def changed(self) -> bool:
        """Whether another connection wrote since the last call (cheap)."""
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version == self._version:
            return False
        self._version = version
        return True

    def read_answers(self) -> list[VenueAnswer]:
        """The venues written since the last read (all of them the first time)."""
        out = []
        rows = self._db.execute("SELECT venue, written_ms, status, quotes FROM answers")
        for venue, written_ms, status, quotes in rows.fetchall():
            if not isinstance(venue, str) or self._seen.get(venue) == written_ms:
                continue
            st = status_from_json(status, venue) if isinstance(status, str) else None
            if st is None:
                continue
            self._seen[venue] = written_ms
            out.append(VenueAnswer(venue, st, _quotes(quotes)))
        return out

    def read_hits(self, after_seq: int) -> tuple[list[Hit], int]:
        """Hits numbered after ``after_seq`` and the last number read."""
        rows = self._db.execute(
            "SELECT seq, hit FROM hits WHERE seq > ? ORDER BY seq", (after_seq,)
        ).fetchall()
        hits = []
        for seq, text in rows:
            after_seq = max(after_seq, seq)
            try:
                hit = hit_from_json(json.loads(text))
            except (ValueError, TypeError):
                hit = None
            if hit is not None:
                hits.append(hit)
        return hits, after_seq

    def last_hit_seq(self) -> int:
        row = self._db.execute("SELECT MAX(seq) FROM hits").fetchone()
        return int(row[0] or 0)

    def meta(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self._db.execute("SELECT key, value FROM meta")}


def _quotes(text: Any) -> tuple[Quote, ...]:
    if not isinstance(text, str):
        return ()
    try:
        rows = json.loads(text)
    except ValueError:
        return ()
    if not isinstance(rows, list):
        return ()
    return tuple(q for r in rows if (q := quote_from_row(r)) is not None)
