"""Funding history: every refresh's quotes in an embedded SQLite file, with bounded retention.

File: ``data_dir()/history.sqlite3`` in WAL mode with ``synchronous=NORMAL``. Each
``record()`` is one transaction, so a process killed mid-write (kill -9) leaves a
database that opens with every earlier refresh intact and the one in flight
either wholly present or wholly absent (WAL with NORMAL sync is durable against
process crashes; only an OS crash or power loss can drop the last commits).

Schema version lives in ``PRAGMA user_version``; ``MIGRATIONS[i]`` upgrades
version ``i`` to ``i + 1`` and each runs in its own transaction together with the
version bump. A file with a newer version than this code knows is refused with
``HistoryVersionError`` (never downgraded); a file that is not a readable SQLite
database is refused with ``HistoryError`` naming the path. The app shows the
message and runs without history.

Retention (``compact``): samples from the last ``RAW_RETENTION_MS`` (48 h) are kept
as recorded. Older samples are reduced to one per (venue, symbol, funding
interval window), where window ``k`` of a market with interval ``I`` is
``[k*I, (k+1)*I)`` in epoch ms (venues settle at multiples of the interval, UTC).
The sample kept is the **last one recorded inside the window**: the predicted
rate just before settlement is the rate that was actually paid, so the reduced
series is the settled-funding series. The interval is the sample's own
``interval_hours`` (a sample without one uses 8 h windows), and it is part of the
grouping, so an interval change never merges samples of different intervals.

Threading: the connection is opened with ``check_same_thread=False`` and every
method takes a lock, so the store may be opened on one thread and used from a
background worker; each method is self-contained (its own transaction). A
SQLite failure after opening (disk full, damage found later, a closed store) is
raised as ``HistoryError``, so callers handle one exception type.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from fundtui.core.accrual import Settlement
from fundtui.core.quote import Quote
from fundtui.core.text import describe_exception
from fundtui.store.paths import data_dir

FILE_NAME = "history.sqlite3"
HOUR_MS = 3_600_000
RAW_RETENTION_MS = 48 * HOUR_MS
#: Window for samples whose interval is unknown.
DEFAULT_INTERVAL_HOURS = 8.0
#: How far before the previous compaction cut-off ``compact`` looks again, so a
#: settlement window straddling the previous cut-off is finished off. Venue
#: intervals are at most 8 h; 24 h leaves room.
COMPACT_LOOKBACK_MS = 24 * HOUR_MS
_FOREVER = 1 << 62

T = TypeVar("T")


class HistoryError(Exception):
    """The history database cannot be used; the message is one line naming the file."""


class HistoryVersionError(HistoryError):
    """The history database was written by a newer fundtui (higher schema version)."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One stored quote: what a venue said about one perpetual at one refresh."""

    venue: str
    symbol: str
    base: str | None
    quote: str | None
    at_ms: int
    funding_rate: float | None
    interval_hours: float | None
    next_funding_ms: int | None
    mark_price: float | None
    index_price: float | None
    premium: float | None
    open_interest_usd: float | None


# --------------------------------------------------------------------- schema

def _v1(db: sqlite3.Connection) -> None:
    db.execute("""CREATE TABLE market (
        id INTEGER PRIMARY KEY,
        venue TEXT NOT NULL,
        symbol TEXT NOT NULL,
        base TEXT,
        quote TEXT,
        UNIQUE (venue, symbol))""")
    db.execute("CREATE INDEX market_base ON market (base)")
    # Stored quotes live in two tables with the same columns (next_funding_dt is
    # next_funding_ms - at_ms, a small integer on disk):
    # - raw: the recent samples, keyed by time first, so a refresh appends to the
    #   end of the b-tree and its commit writes a few dozen pages. Keyed by market
    #   first, every refresh would dirty one page per market (1,800 pages, ~7 MB
    #   of WAL per refresh); reading one market's recent series scans the time
    #   range instead, which is the cheaper side of the trade.
    # - kept: what compaction keeps of older samples (one per settlement window),
    #   keyed by market first for series reads; written once an hour.
    for table, key in (("raw", "at_ms, market_id"), ("kept", "market_id, at_ms")):
        db.execute(f"""CREATE TABLE {table} (
            market_id INTEGER NOT NULL,
            at_ms INTEGER NOT NULL,
            funding_rate REAL,
            interval_hours REAL,
            next_funding_dt INTEGER,
            mark REAL,
            idx REAL,
            premium REAL,
            oi_usd REAL,
            PRIMARY KEY ({key})) WITHOUT ROWID""")
    # One row per recorded refresh (time, quote count): latest_at without a scan.
    db.execute("CREATE TABLE refresh (at_ms INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    db.execute("""CREATE TABLE settlement (
        market_id INTEGER NOT NULL,
        funding_time_ms INTEGER NOT NULL,
        rate REAL NOT NULL,
        interval_hours REAL,
        PRIMARY KEY (market_id, funding_time_ms)) WITHOUT ROWID""")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER) WITHOUT ROWID")


#: Ordered migrations; ``MIGRATIONS[i]`` takes the schema from version i to i + 1.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1]
SCHEMA_VERSION = len(MIGRATIONS)


_COLS = ("market_id, at_ms, funding_rate, interval_hours, next_funding_dt, mark, idx, premium, "
         "oi_usd")


def default_path() -> Path:
    return data_dir() / FILE_NAME


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise HistoryVersionError(
            f"History database {path} has schema version {version}, newer than this "
            f"fundtui knows ({SCHEMA_VERSION}); not opening it")
    for target in range(version + 1, SCHEMA_VERSION + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the write lock: another process may have migrated meanwhile.
            current = db.execute("PRAGMA user_version").fetchone()[0]
            if current >= target:
                db.execute("ROLLBACK")
                continue
            MIGRATIONS[target - 1](db)
            db.execute(f"PRAGMA user_version = {target:d}")
            db.execute("COMMIT")
        except BaseException:
            _rollback(db)
            raise


def _rollback(db: sqlite3.Connection) -> None:
    """Roll back the open transaction, if any, without masking the error being handled."""
    try:
        if db.in_transaction:
            db.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Report SQLite failures (disk full, damage found later, closed store) as HistoryError."""
    @functools.wraps(method)
    def wrapper(self: HistoryStore, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise HistoryError(
                f"History database {self.path}: {describe_exception(exc)}") from exc
    return wrapper


def _window_sql(col_at: str, col_iv: str) -> str:
    """SQL for the settlement window index of a sample (integer division of epoch ms)."""
    width = f"CAST(COALESCE({col_iv}, {DEFAULT_INTERVAL_HOURS!r}) * {HOUR_MS} AS INTEGER)"
    return f"({col_at} / {width})"


class HistoryStore:
    """The funding-history database. Create with ``HistoryStore.open()``."""

    def __init__(self, db: sqlite3.Connection, path: Path):
        self._db = db
        self.path = path
        self._lock = threading.Lock()
        self._ids: dict[tuple[str, str], int] = {}

    # ------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, path: Path | None = None) -> HistoryStore:
        """Open (creating and migrating as needed) the history file at ``path``.

        Raises ``HistoryVersionError`` for a file from a newer fundtui and
        ``HistoryError`` for anything else that makes the file unusable.
        """
        path = Path(path) if path is not None else default_path()
        db = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                 timeout=10.0)
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise HistoryError(f"History database {path}: cannot use WAL mode ({mode})")
            db.execute("PRAGMA synchronous = NORMAL")
            _migrate(db, path)
            return cls(db, path)
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
            "RETURNING id", (venue, symbol, base, quote)).fetchone()
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
                    rows.append((mid, at_ms, q.funding_rate, q.interval_hours,
                                 None if nf is None else int(nf) - at_ms,
                                 q.mark_price, q.index_price, q.premium, q.open_interest_usd))
                db.executemany("INSERT OR REPLACE INTO raw VALUES (?,?,?,?,?,?,?,?,?)", rows)
                db.execute("INSERT OR REPLACE INTO refresh VALUES (?, ?)", (at_ms, len(rows)))
                # A refresh older than the compaction mark (clock stepped back) pulls
                # the mark back so the next compact() covers it.
                db.execute("UPDATE meta SET value = ? WHERE key = 'compacted_until' "
                           "AND value > ?", (at_ms, at_ms))
                db.execute("COMMIT")
            except BaseException:
                _rollback(db)
                self._ids.clear()  # ids inserted in the rolled-back transaction are gone
                raise
        return len(rows)

    @_guarded
    def compact(self, now_ms: int) -> int:
        """Apply retention (see module doc) to samples older than ``now_ms - 48 h``.

        Only samples between the previous cut-off (less ``COMPACT_LOOKBACK_MS``)
        and the new one are examined, so a run costs what was recorded since
        the last one; running it again with the same ``now_ms`` deletes nothing.
        Returns the number of samples deleted (moved samples not counted).
        """
        cut = int(now_ms) - RAW_RETENTION_MS
        win = _window_sql("s.at_ms", "s.interval_hours")
        win_raw = _window_sql("at_ms", "interval_hours")
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute("SELECT value FROM meta WHERE key = 'compacted_until'").fetchone()
                done = row[0] if row else None
                lo = 0 if done is None else max(0, done - COMPACT_LOOKBACK_MS)
                deleted = 0
                if done is None or cut > lo:
                    # 1. Of the raw samples now past the raw window, the last per
                    #    (market, interval, window) moves to kept; the rest go.
                    moved = db.execute(f"""
                        INSERT OR REPLACE INTO kept SELECT {_COLS} FROM (
                            SELECT *, ROW_NUMBER() OVER (
                                PARTITION BY market_id, interval_hours, {win_raw}
                                ORDER BY at_ms DESC) AS rn
                            FROM raw WHERE at_ms < ?) WHERE rn = 1""", (cut,)).rowcount
                    deleted = db.execute("DELETE FROM raw WHERE at_ms < ?", (cut,)).rowcount - moved
                    # 2. A window straddling the previous cut-off now has a sample
                    #    kept from each side; keep the later one. Per market, a range
                    #    read on kept's (market_id, at_ms) key.
                    cur = db.execute(f"""
                        DELETE FROM kept WHERE (market_id, at_ms) IN (
                            SELECT market_id, at_ms FROM (
                                SELECT s.market_id, s.at_ms, ROW_NUMBER() OVER (
                                    PARTITION BY s.market_id, s.interval_hours, {win}
                                    ORDER BY s.at_ms DESC) AS rn
                                FROM market m CROSS JOIN kept s
                                WHERE s.market_id = m.id AND s.at_ms >= ? AND s.at_ms < ?)
                            WHERE rn > 1)""", (lo, cut))
                    deleted += cur.rowcount
                    # Refresh markers older than the raw window go too; the newest stays.
                    db.execute("DELETE FROM refresh WHERE at_ms < ? "
                               "AND at_ms < (SELECT MAX(at_ms) FROM refresh)", (cut,))
                    db.execute("INSERT INTO meta VALUES ('compacted_until', ?) ON CONFLICT (key) "
                               "DO UPDATE SET value = MAX(value, excluded.value)", (cut,))
                db.execute("COMMIT")
            except BaseException:
                _rollback(db)
                raise
        return deleted

    @_guarded
    def save_settlements(self, venue: str, symbol: str, settlements: Iterable[Settlement]) -> int:
        """Cache settled funding (e.g. ccxt ``fetch_funding_rate_history``); returns rows written.

        A settlement already stored for the same time is replaced.
        """
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                mid = self._market_id(venue, symbol, None, None)
                rows = [(mid, int(s.funding_time_ms), float(s.rate), s.interval_hours)
                        for s in settlements]
                db.executemany("INSERT OR REPLACE INTO settlement VALUES (?,?,?,?)", rows)
                db.execute("COMMIT")
            except BaseException:
                _rollback(db)
                self._ids.clear()
                raise
        return len(rows)

    # ------------------------------------------------------------ reading

    @_guarded
    def settlements(self, venue: str, symbol: str, since_ms: int) -> list[Settlement]:
        """Cached settlements of one market at or after ``since_ms``, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT st.funding_time_ms, st.rate, st.interval_hours "
                "FROM market m JOIN settlement st ON st.market_id = m.id "
                "WHERE m.venue = ? AND m.symbol = ? AND st.funding_time_ms >= ? "
                "ORDER BY st.funding_time_ms", (venue, symbol, int(since_ms))).fetchall()
        return [Settlement(t, r, iv) for t, r, iv in rows]

    def _read(self, market_ids: list[int] | None, since_ms: int,
              until_ms: int) -> list[Sample]:
        """Samples of ``market_ids`` (None: all) in ``[since_ms, until_ms)``, by market, time."""
        if market_ids is not None and not market_ids:
            return []
        cols = ("m.venue, m.symbol, m.base, m.quote, s.at_ms, s.funding_rate, "
                "s.interval_hours, s.next_funding_dt, s.mark, s.idx, s.premium, s.oi_usd")
        where = "s.at_ms >= ? AND s.at_ms < ?"
        args: tuple = (int(since_ms), int(until_ms))
        if market_ids is not None:
            where += f" AND s.market_id IN ({','.join('?' * len(market_ids))})"
            args += tuple(market_ids)
        # kept is read by key per market; raw (time-keyed) in one pass over the
        # time range (CROSS JOIN keeps raw the outer loop).
        with self._lock:
            rows = self._db.execute(
                f"SELECT {cols} FROM market m JOIN kept s ON s.market_id = m.id WHERE {where}",
                args).fetchall()
            rows += self._db.execute(
                f"SELECT {cols} FROM raw s CROSS JOIN market m ON m.id = s.market_id "
                f"WHERE {where}", args).fetchall()
        rows.sort(key=lambda r: (r[0], r[1], r[4]))
        return [self._sample(r) for r in rows]

    @staticmethod
    def _sample(row: tuple) -> Sample:
        venue, symbol, base, quote, at, rate, iv, nf_dt, mark, idx, prem, oi = row
        return Sample(venue, symbol, base, quote, at, rate, iv,
                      None if nf_dt is None else at + nf_dt, mark, idx, prem, oi)

    @_guarded
    def series(self, venue: str, symbol: str, since_ms: int,
               until_ms: int | None = None) -> list[Sample]:
        """Samples of one market with ``since_ms <= at_ms`` (``< until_ms``), oldest first.

        Raw samples (the last 48 h) are stored by time, so this scans every
        market's raw samples in the range asked for: about 0.3 s for 24 h of
        1,800 quotes every 30 s. Ask for the span you need; to load many
        markets at once use ``all_since``, which makes that scan once.
        """
        with self._lock:
            row = self._db.execute("SELECT id FROM market WHERE venue = ? AND symbol = ?",
                                   (venue, symbol)).fetchone()
        until = _FOREVER if until_ms is None else until_ms
        return self._read([row[0]] if row else [], since_ms, until)

    @_guarded
    def series_by_base(self, base: str, since_ms: int) -> dict[str, list[Sample]]:
        """Samples of every market with normalized ``base``, by venue, oldest first.

        A venue listing several markets for one base (USDT and USDC) gets them
        all in its list, in time order; ``Sample.symbol`` tells them apart.
        """
        with self._lock:
            ids = [r[0] for r in self._db.execute("SELECT id FROM market WHERE base = ?",
                                                  (base,))]
        out: dict[str, list[Sample]] = {}
        samples = self._read(ids, since_ms, _FOREVER)
        samples.sort(key=lambda s: (s.venue, s.at_ms, s.symbol))
        for s in samples:
            out.setdefault(s.venue, []).append(s)
        return out

    @_guarded
    def all_since(self, since_ms: int,
                  until_ms: int | None = None) -> dict[tuple[str, str], list[Sample]]:
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
