"""The history database file: where it lives, its WAL bounds, and what opening refuses.

File: ``data_dir()/history.sqlite3`` in WAL mode with ``synchronous=NORMAL``. Each
``record()`` is one transaction, so a process killed mid-write (kill -9) leaves a
database that opens with every earlier refresh intact and the one in flight
either wholly present or wholly absent (WAL with NORMAL sync is durable against
process crashes; only an OS crash or power loss can drop the last commits).
The WAL is checkpointed every ``WAL_CHECKPOINT_BYTES`` (512 KB) and after each
compaction, and cut back to ``WAL_SIZE_LIMIT_BYTES`` (1 MB) when it restarts:
SQLite's default of 1,000 pages let it reach 64 MB at 64 KB pages, and it counts
in the history's disk budget. The file is
created 0600 in a 0700 folder; SQLite gives the -wal and -shm the file's mode.

A file that is not a readable SQLite database is refused with ``HistoryError``
naming the path, or, when the caller
asks (``open(move_unusable_aside=True)``), moved aside to
``history.sqlite3.corrupt-<UTC time>`` with its -wal and -shm and a new file
started, the one-line notice in ``store.notices``. A locked or busy file and
one from a newer fundtui are never moved.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from fundtui.store.files import PRIVATE_FILE_MODE, move_aside
from fundtui.store.history.errors import HistoryError
from fundtui.store.paths import HISTORY_FILE, data_dir

FILE_NAME = HISTORY_FILE
#: Page size of a new file (see ``open``).
PAGE_SIZE = 65_536
#: The WAL is copied into the file (checkpointed) once it holds this much: at
#: 64 KB pages SQLite's default of 1,000 pages let it reach 64 MB beside a
#: file of a few MB. A checkpoint every ~512 KB (8 pages; one or two answers of
#: 1,800 quotes) costs a copy of the pages the answers touched (mostly the same
#: few at the end of ``raw``) and two fsyncs, in the writer thread. Between
#: restarts the WAL holds this plus the commit that crossed it.
WAL_CHECKPOINT_BYTES = 512 << 10
#: When the WAL restarts after a checkpoint it is cut back to this size, so a
#: WAL that grew past the checkpoint size (a long compaction step, a reader in
#: another process holding a checkpoint back) does not keep that size on disk.
#: At 1,800 quotes every 30 s the WAL (with its -shm) then sits at 1.1 MB,
#: against 2.1 MB with a 1 MB checkpoint and a 2 MB limit (``history_size.py``).
WAL_SIZE_LIMIT_BYTES = 1 << 20
#: How long opening or writing waits for another process's lock before failing.
BUSY_TIMEOUT_S = 10.0


def default_path() -> Path:
    return data_dir() / FILE_NAME


class _NotADatabase(HistoryError):
    """What sits at the history file's path is plainly not an SQLite database."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"History database {path} is unusable: {reason}")
        self.reason = reason


#: The first bytes of every SQLite database file; its header is 100 bytes long.
_MAGIC = b"SQLite format 3\x00"
_HEADER_BYTES = 100


def _check_header(path: Path) -> None:
    """Refuse, before SQLite opens it, what is not a database file at all: a folder
    or other non-regular file (a FIFO would hang the open), or a file whose header
    is not SQLite's or is cut short. SQLite itself would report most of these,
    but only after opening the file's -wal, which it may empty or delete."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if not stat.S_ISREG(info.st_mode):
        raise _NotADatabase(path, "not a regular file")
    if info.st_size == 0:
        return  # an empty file is an empty database (a new one is created so)
    with open(path, "rb") as f:
        head = f.read(_HEADER_BYTES)
    if not (head.startswith(_MAGIC) or _MAGIC.startswith(head)):
        raise _NotADatabase(path, "not an SQLite database")
    if len(head) < _HEADER_BYTES:
        raise _NotADatabase(path, f"SQLite header cut short at {len(head)} bytes")


#: SQLite's primary result codes for "this is not (or no longer) a database file".
_NOT_A_DATABASE_CODES = (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT)


def _is_not_a_database(exc: HistoryError) -> bool:
    """Whether ``open`` failed because of what the file holds, not because it is
    busy, locked, unreadable or from a newer fundtui (those are never moved)."""
    if isinstance(exc, _NotADatabase):
        return True
    cause = exc.__cause__
    code = getattr(cause, "sqlite_errorcode", None)
    return (
        isinstance(cause, sqlite3.DatabaseError)
        and code is not None
        and code & 0xFF in _NOT_A_DATABASE_CODES
    )


def _reason(exc: HistoryError) -> str:
    if isinstance(exc, _NotADatabase):
        return exc.reason
    return str(exc.__cause__) or "not a database"


def _set_aside(path: Path, reason: str) -> tuple[str, bool]:
    """Move the file aside, then its -wal and -shm (a WAL left behind would be
    replayed into the new file); the one-line notice, and whether all moved."""
    notice = move_aside(path, reason, "History database")
    if not _moved(path):
        return notice, False
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists() or side.is_symlink():
            side_notice = move_aside(side, reason, "History database")
            if not _moved(side):
                return f"{notice}; {side_notice}", False
    return notice, True


def _moved(path: Path) -> bool:
    return not (path.exists() or path.is_symlink())


def _create_private(path: Path) -> None:
    """Create a missing history file empty and 0600 (an empty file is an empty
    SQLite database); SQLite would create it 0644, and its -wal and -shm take
    the database file's mode. An existing file keeps the mode it has."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def _bound_wal(db: sqlite3.Connection) -> None:
    """Checkpoint every ``WAL_CHECKPOINT_BYTES`` of WAL, counted in this file's pages
    (a file made before 64 KB pages keeps its 4 KB ones), and cut a grown WAL back
    to ``WAL_SIZE_LIMIT_BYTES`` when it restarts. What opening wrote (a new file's
    tables: 13 pages, 832 KB) is checkpointed at once: left in the WAL, the first
    answer's commit came on top of it and the WAL kept that size (1.5 MB)."""
    page = db.execute("PRAGMA page_size").fetchone()[0] or PAGE_SIZE
    db.execute(f"PRAGMA wal_autocheckpoint = {max(1, WAL_CHECKPOINT_BYTES // page):d}")
    db.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES:d}")
    _checkpoint(db)


def _checkpoint(db: sqlite3.Connection) -> None:
    """Copy the WAL into the file as far as readers allow, never waiting for one."""
    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
