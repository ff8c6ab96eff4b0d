"""The HistoryStore: opening the file, recording refreshes, reading samples back.

Threading: the connection is opened with ``check_same_thread=False`` and every
method takes a lock, so the store may be opened on one thread and used from a
background worker; each method is self-contained (its own transaction), except
``compact``, which runs as short steps (each a transaction of about 10 ms, the
packing done between them with the lock released) so a ``record`` from another
thread never waits for a whole compaction. A
SQLite failure after opening (disk full, damage found later, a closed store) is
raised as ``HistoryError``, so callers handle one exception type.

Compaction (``compaction``) and the settlement cache (``settlements``) are
mixed in; the block format is in ``codec``, the tables in ``schema``, the file
and its WAL in ``sqlite_file``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from fundtui.core.quote import Quote
from fundtui.store.files import private_dir
from fundtui.store.history.codec import _oi_digits, _unpack
from fundtui.store.history.compaction import Compaction
from fundtui.store.history.errors import HistoryError, _guarded, _rollback
from fundtui.store.history.schema import (
    _FOREVER,
    _RAW_COLS,
    HOUR_MS,
    SIX_HOURS_MS,
    WEEK_MS,
    Row,
    Sample,
    _migrate,
)
from fundtui.store.history.settlements import Settlements
from fundtui.store.history.sqlite_file import (
    BUSY_TIMEOUT_S,
    PAGE_SIZE,
    _bound_wal,
    _check_header,
    _create_private,
    _is_not_a_database,
    _reason,
    _set_aside,
    default_path,
)


class HistoryStore(Compaction, Settlements):
    """The funding-history database. Create with ``HistoryStore.open()``."""

    def __init__(self, db: sqlite3.Connection, path: Path):
        self._db = db
        self.path = path
        self._lock = threading.Lock()
        self._compact_lock = threading.Lock()
        self._packing_before = -_FOREVER
        self._late_writes = 0
        # the hour of the last retention pass's cut-off, or None for "run it": a
        # record older than that cut-off clears it
        self._retained_hour: int | None = None
        self._ids: dict[tuple[str, str], int] = {}
        #: One-line notes from opening (a file moved aside), for the caller to show.
        self.notices: list[str] = []

    # ------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, path: Path | None = None, *, move_unusable_aside: bool = False) -> HistoryStore:
        """Open (creating and migrating as needed) the history file at ``path``.

        A new file is created 0600 in a 0700 folder (``store.files``); SQLite gives
        its -wal and -shm the database file's mode. Raises ``HistoryVersionError``
        for a file from a newer fundtui and ``HistoryError`` for anything else
        that makes the file unusable. With ``move_unusable_aside``, a file that is
        not a database at all (garbage, a cut-short header, damage SQLite reports
        on opening, a folder or other non-regular file at its path) is moved aside
        with its -wal and -shm (``files.move_aside``) and a new one started; the
        one-line notice is in ``store.notices`` for the caller to show. A locked or
        busy file, or one from a newer fundtui, is never moved.
        """
        path = Path(path) if path is not None else default_path()
        notices: list[str] = []
        try:
            return cls._open(path, notices)
        except HistoryError as exc:
            if not move_unusable_aside or not _is_not_a_database(exc):
                raise
            notice, moved = _set_aside(path, _reason(exc))
            if not moved:
                raise HistoryError(f"{notice}; not opening it") from exc
            notices.append(notice)
            try:
                return cls._open(path, notices)
            except HistoryError as again:  # moved, but no new file: still say so
                raise HistoryError(f"{notice}; {again}") from again

    @classmethod
    def _open(cls, path: Path, notices: list[str]) -> HistoryStore:
        db = None
        try:
            _check_header(path)
            private_dir(path.parent)
            _create_private(path)
            db = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_S
            )
            # Before anything is written: a new file gets PAGE_SIZE pages (ignored
            # for an existing file). Packed hour blocks are a few KB each, and a
            # page only holds whole rows, so 4 KB pages would be half empty.
            db.execute(f"PRAGMA page_size = {PAGE_SIZE:d}")
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise HistoryError(f"History database {path}: cannot use WAL mode ({mode})")
            db.execute("PRAGMA synchronous = NORMAL")
            _migrate(db, path)
            _bound_wal(db)
            store = cls(db, path)
            store.notices = notices
            return store
        except HistoryError:
            if db is not None:
                db.close()
            raise
        except (sqlite3.Error, OSError) as exc:
            if db is not None:
                db.close()
            raise HistoryError(f"History database {path} is unusable: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ writing

    def _market_id(self, venue: str, symbol: str, base: str | None, quote: str | None) -> int:
        key = (venue, symbol)
        mid = self._ids.get(key)
        if mid is not None:
            return mid
        row = self._db.execute(
            "INSERT INTO market (venue, symbol, base, quote) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (venue, symbol) DO UPDATE SET "
            "base = COALESCE(excluded.base, base), quote = COALESCE(excluded.quote, quote) "
            "RETURNING id",
            (venue, symbol, base, quote),
        ).fetchone()
        self._ids[key] = row[0]
        return row[0]

    @_guarded
    def record(self, quotes: Iterable[Quote], at_ms: int) -> int:
        """Store one refresh's quotes, all stamped ``at_ms``, in one transaction.

        A quote for a (venue, symbol) already stored at ``at_ms`` replaces it.
        Returns the number of quotes written.
        """
        at_ms = int(at_ms)
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                rows = []
                for q in quotes:
                    mid = self._market_id(q.venue, q.symbol, q.base, q.quote)
                    nf = q.next_funding_ms
                    mark, idx = q.mark_price, q.index_price
                    rows.append(
                        (
                            mid,
                            at_ms,
                            q.funding_rate,
                            q.interval_hours,
                            None if nf is None else int(nf) - at_ms,
                            mark,
                            idx,
                            # as in a packed block: only a premium that cannot
                            # be recomputed from mark and index (see _read)
                            None if mark is not None and idx else q.venue_premium,
                            _oi_digits(q.open_interest_usd),
                        )
                    )
                db.executemany("INSERT OR REPLACE INTO raw VALUES (?,?,?,?,?,?,?,?,?)", rows)
                db.execute("INSERT OR REPLACE INTO refresh VALUES (?, ?)", (at_ms, len(rows)))
                db.execute("COMMIT")
                if at_ms < self._packing_before:  # into a span compact is packing
                    self._late_writes += 1
                if self._retained_hour is not None and at_ms < (self._retained_hour + 1) * HOUR_MS:
                    self._retained_hour = None  # behind retention: the next compact reduces it
            except BaseException:
                _rollback(db)
                self._ids.clear()  # ids inserted in the rolled-back transaction are gone
                raise
        return len(rows)

    # ------------------------------------------------------------ reading

    def _read(self, market_ids: list[int] | None, since_ms: int, until_ms: int) -> list[Sample]:
        """Samples of ``market_ids`` (None: all) in ``[since_ms, until_ms)``, by market, time."""
        if market_ids is not None and not market_ids:
            return []
        since_ms, until_ms = int(since_ms), int(until_ms)
        by_market: dict[int, dict[int, Row]] = {}

        def add(mid: int, rows: Iterable[Row]) -> None:
            d = by_market.setdefault(mid, {})
            for r in rows:
                if since_ms <= r[0] < until_ms:
                    d[r[0]] = r

        sel = ""
        ids: tuple = ()
        if market_ids is not None:
            sel = f" AND market_id IN ({','.join('?' * len(market_ids))})"
            ids = tuple(market_ids)
        with self._lock:
            db = self._db
            # Older layers first: a later layer's sample at the same time replaces it.
            for table, col, span in (
                ("kept", "day_ms", WEEK_MS),
                ("six_hour", "start_ms", SIX_HOURS_MS),
                ("six_hour_open", "start_ms", SIX_HOURS_MS),
                ("hour", "hour_ms", HOUR_MS),
            ):
                lo = max(since_ms - span + 1, -_FOREVER)
                for mid, start, data in db.execute(
                    f"SELECT market_id, {col}, data FROM {table} "
                    f"WHERE {col} >= ? AND {col} < ?{sel}",
                    (lo, until_ms, *ids),
                ):
                    add(mid, _unpack(data, start))
            # raw is keyed by time: one pass over the range (it holds about an hour).
            groups: dict[int, list[Row]] = {}
            for r in db.execute(
                f"SELECT market_id, {_RAW_COLS} FROM raw WHERE at_ms >= ? AND at_ms < ?{sel}",
                (since_ms, until_ms, *ids),
            ):
                groups.setdefault(r[0], []).append(r[1:])
            for mid, rows in groups.items():
                add(mid, rows)
            names = {}
            if by_market:
                found = list(by_market)
                names = {
                    r[0]: r[1:]
                    for r in db.execute(
                        f"SELECT id, venue, symbol, base, quote FROM market "
                        f"WHERE id IN ({','.join('?' * len(found))})",
                        found,
                    )
                }
        out: list[Sample] = []
        for mid in sorted(by_market, key=lambda m: names[m][:2]):
            venue, symbol, base, quote = names[mid]
            for at in sorted(by_market[mid]):
                _, rate, iv, nf_dt, mark, idx, prem, oi = by_market[mid][at]
                if mark is not None and idx:  # raw rows store no recomputable premium
                    prem = (mark - idx) / idx
                out.append(
                    Sample(
                        venue,
                        symbol,
                        base,
                        quote,
                        at,
                        rate,
                        iv,
                        None if nf_dt is None else at + nf_dt,
                        mark,
                        idx,
                        prem,
                        oi,
                    )
                )
        return out

    @_guarded
    def series(
        self, venue: str, symbol: str, since_ms: int, until_ms: int | None = None
    ) -> list[Sample]:
        """Samples of one market with ``since_ms <= at_ms`` (``< until_ms``), oldest first.

        Reads the market's packed hour and day blocks overlapping the range by
        key, plus the unpacked rows (about the current hour, stored by time, so
        that part scans every market's rows in it). To load many markets at
        once use ``all_since``, which reads each block once.
        """
        with self._lock:
            row = self._db.execute(
                "SELECT id FROM market WHERE venue = ? AND symbol = ?", (venue, symbol)
            ).fetchone()
        until = _FOREVER if until_ms is None else until_ms
        return self._read([row[0]] if row else [], since_ms, until)

    @_guarded
    def series_by_base(self, base: str, since_ms: int) -> dict[str, list[Sample]]:
        """Samples of every market with normalized ``base``, by venue, oldest first.

        A venue listing several markets for one base (USDT and USDC) gets them
        all in its list, in time order; ``Sample.symbol`` tells them apart.
        """
        with self._lock:
            ids = [r[0] for r in self._db.execute("SELECT id FROM market WHERE base = ?", (base,))]
        out: dict[str, list[Sample]] = {}
        samples = self._read(ids, since_ms, _FOREVER)
        samples.sort(key=lambda s: (s.venue, s.at_ms, s.symbol))
        for s in samples:
            out.setdefault(s.venue, []).append(s)
        return out

    @_guarded
    def all_since(
        self, since_ms: int, until_ms: int | None = None
    ) -> dict[tuple[str, str], list[Sample]]:
        """Every market's samples in ``[since_ms, until_ms)``, by (venue, symbol), oldest first.

        One pass over the stored history, for warming up averages after a restart.
        Every sample becomes a Python object: 24 h of 1,800 quotes every 30 s is
        5 M samples (gigabytes), so warm up from a short raw span plus the
        compacted history, or per base with ``series_by_base``.
        """
        out: dict[tuple[str, str], list[Sample]] = {}
        for s in self._read(None, since_ms, _FOREVER if until_ms is None else until_ms):
            out.setdefault((s.venue, s.symbol), []).append(s)
        return out

    @_guarded
    def latest_at(self) -> int | None:
        """Time of the newest stored refresh, or ``None`` if nothing was recorded."""
        with self._lock:
            return self._db.execute("SELECT MAX(at_ms) FROM refresh").fetchone()[0]
