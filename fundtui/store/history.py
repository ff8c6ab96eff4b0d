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

Layout (schema v1). Samples live in three tables:

- ``raw``: one row per (refresh, market), keyed by time first, so a refresh
  appends to the end of the b-tree and its commit writes a few dozen pages.
  It holds only what ``compact`` has not packed yet: the current hour, plus
  anything recorded since the last ``compact``.
- ``hour``: packed samples, one row per (market, UTC hour) of the last 48 h.
  ``compact(now)`` packs every ``raw`` row older than the start of ``now``'s hour.
- ``kept``: packed samples that survived retention, one row per (market, UTC day).

A packed block is ``zlib`` of a column layout: the sample count, then per
field a presence byte per sample and the present values as a typed array,
byte-shuffled (all first bytes, then all second bytes, ...) so that slowly
changing values compress. Times are ms deltas from the block start and the
previous sample; ``next_funding_ms`` is stored as ``next_funding_ms - at_ms``;
the funding rate as an integer in 1e-10 units (exact for rates with at most 10
decimals, which is what venues publish); interval and mark price as float64;
the index price as float32 ``index / mark - 1`` when a non-zero mark is present
(relative error about 1e-11), else float64; open interest as float32 (7
significant digits); the premium only when it cannot be recomputed from mark
and index (the venue's own figure). So packed samples read back equal to what
was recorded except the index price, open interest and derived premium, which
come back rounded as described.

Retention (``compact``): samples from the last ``RAW_RETENTION_MS`` (48 h) are kept
as recorded. Older samples are reduced to one per (venue, symbol, funding
interval window), where window ``k`` of a market with interval ``I`` is
``[k*I, (k+1)*I)`` in epoch ms (venues settle at multiples of the interval, UTC).
The sample kept is the **last one recorded inside the window**: the predicted
rate just before settlement is the rate that was actually paid, so the reduced
series is the settled-funding series. The interval is the sample's own
``interval_hours`` (a sample without one uses 8 h windows), and it is part of the
grouping, so an interval change never merges samples of different intervals.
Windows are at most 24 h, so the reduction of a day looks back one day.

Threading: the connection is opened with ``check_same_thread=False`` and every
method takes a lock, so the store may be opened on one thread and used from a
background worker; each method is self-contained (its own transaction). A
SQLite failure after opening (disk full, damage found later, a closed store) is
raised as ``HistoryError``, so callers handle one exception type.
"""

from __future__ import annotations

import functools
import sqlite3
import struct
import threading
import zlib
from array import array
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
DAY_MS = 24 * HOUR_MS
RAW_RETENTION_MS = 48 * HOUR_MS
#: Window for samples whose interval is unknown.
DEFAULT_INTERVAL_HOURS = 8.0
#: Page size of a new file (see ``open``).
PAGE_SIZE = 65_536
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


# --------------------------------------------------------------------- packed blocks

#: Internal sample row: (at_ms, rate, interval_hours, next_funding_dt, mark, idx,
#: premium, oi_usd), the columns of ``raw`` after ``market_id``.
Row = tuple
_RATE_SCALE = 1e10
#: (typecode, item size) of each packed field, in order.
_FIELDS = (("q", 8), ("q", 8), ("d", 8), ("q", 8), ("d", 8), ("f", 4), ("d", 8), ("d", 8),
           ("f", 4))
_BLOCK_VERSION = 1


def _shuffle(data: bytes, size: int) -> bytes:
    return b"".join(data[i::size] for i in range(size)) if size > 1 else data


def _unshuffle(data: bytes, size: int) -> bytes:
    if size <= 1:
        return data
    out = bytearray(len(data))
    n = len(data) // size
    for i in range(size):
        out[i::size] = data[i * n:(i + 1) * n]
    return bytes(out)


def _pack(rows: list[Row], start_ms: int) -> bytes:
    """Encode rows (sorted by time, distinct times) of one market into a block."""
    n = len(rows)
    cols: list[list] = [[] for _ in _FIELDS]
    prev = start_ms
    for at, rate, iv, nf, mark, idx, prem, oi in rows:
        cols[0].append(at - prev)
        prev = at
        cols[1].append(None if rate is None else round(rate * _RATE_SCALE))
        cols[2].append(iv)
        cols[3].append(nf)
        cols[4].append(mark)
        if idx is not None and mark:
            cols[5].append(idx / mark - 1.0)
            cols[6].append(None)
        else:
            cols[5].append(None)
            cols[6].append(idx)
        derivable = mark is not None and bool(idx)
        cols[7].append(None if derivable else prem)
        cols[8].append(oi)
    parts = [struct.pack("<BI", _BLOCK_VERSION, n)]
    for (code, size), values in zip(_FIELDS, cols, strict=True):
        present = bytes(v is not None for v in values)
        parts.append(present)
        parts.append(_shuffle(array(code, [v for v in values if v is not None]).tobytes(),
                              size))
    return zlib.compress(b"".join(parts), 6)


def _unpack(blob: bytes, start_ms: int) -> list[Row]:
    data = zlib.decompress(blob)
    version, n = struct.unpack_from("<BI", data)
    if version != _BLOCK_VERSION:
        raise sqlite3.DatabaseError(f"unknown packed block version {version}")
    pos = 5
    cols = []
    for code, size in _FIELDS:
        present = data[pos:pos + n]
        pos += n
        k = sum(present)
        values = array(code)
        values.frombytes(_unshuffle(data[pos:pos + k * size], size))
        pos += k * size
        if k == n:
            cols.append(values.tolist())
        else:
            it = iter(values.tolist())
            cols.append([next(it) if p else None for p in present])
    out = []
    at = start_ms
    for dt, rate, iv, nf, mark, rel, idx_abs, prem, oi in zip(*cols, strict=True):
        at += dt
        idx = idx_abs if rel is None else mark * (1.0 + rel)
        if mark is not None and idx:
            prem = (mark - idx) / idx
        out.append((at, None if rate is None else rate / _RATE_SCALE, iv, nf, mark, idx,
                    prem, oi))
    return out


def _window_key(row: Row) -> tuple:
    iv = row[2]
    width = int((iv if iv is not None else DEFAULT_INTERVAL_HOURS) * HOUR_MS)
    return iv, row[0] // max(width, 1)


def _reduce(rows: list[Row]) -> list[Row]:
    """The last row per (interval, settlement window), in time order (rows sorted by time)."""
    last: dict[tuple, Row] = {}
    for r in rows:
        last[_window_key(r)] = r
    return sorted(last.values(), key=lambda r: r[0])


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
    # raw: the samples not packed yet (next_funding_dt is next_funding_ms - at_ms).
    # Keyed by time first, so a refresh appends to the end of the b-tree; keyed by
    # market first, every refresh would dirty one page per market.
    db.execute("""CREATE TABLE raw (
        market_id INTEGER NOT NULL,
        at_ms INTEGER NOT NULL,
        funding_rate REAL,
        interval_hours REAL,
        next_funding_dt INTEGER,
        mark REAL,
        idx REAL,
        premium REAL,
        oi_usd REAL,
        PRIMARY KEY (at_ms, market_id)) WITHOUT ROWID""")
    # Packed blocks (see module doc): hour blocks of the last 48 h and day blocks
    # of what retention kept. Rowid tables, so the blobs stay out of the key
    # b-trees; hour_start lets compact find the blocks past the raw window.
    for table, col in (("hour", "hour_ms"), ("kept", "day_ms")):
        db.execute(f"""CREATE TABLE {table} (
            market_id INTEGER NOT NULL,
            {col} INTEGER NOT NULL,
            n INTEGER NOT NULL,
            data BLOB NOT NULL,
            UNIQUE (market_id, {col}))""")
    db.execute("CREATE INDEX hour_start ON hour (hour_ms)")
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

_RAW_COLS = ("at_ms, funding_rate, interval_hours, next_funding_dt, mark, idx, premium, "
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
            # Before anything is written: a new file gets PAGE_SIZE pages (ignored
            # for an existing file). Packed hour blocks are a few KB each, and a
            # page only holds whole rows, so 4 KB pages would be half empty.
            db.execute(f"PRAGMA page_size = {PAGE_SIZE:d}")
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
                db.execute("COMMIT")
            except BaseException:
                _rollback(db)
                self._ids.clear()  # ids inserted in the rolled-back transaction are gone
                raise
        return len(rows)

    def _pack_raw(self, before_ms: int) -> None:
        """Move the raw rows older than ``before_ms`` into hour blocks (merging)."""
        db = self._db
        groups: dict[tuple[int, int], list[Row]] = {}
        for r in db.execute(f"SELECT market_id, {_RAW_COLS} FROM raw WHERE at_ms < ? "
                            "ORDER BY market_id, at_ms", (before_ms,)):
            groups.setdefault((r[0], r[1] // HOUR_MS * HOUR_MS), []).append(r[1:])
        for (mid, hour), rows in groups.items():
            old = db.execute("SELECT data FROM hour WHERE market_id = ? AND hour_ms = ?",
                             (mid, hour)).fetchone()
            if old is not None:
                merged = {r[0]: r for r in _unpack(old[0], hour)}
                merged.update((r[0], r) for r in rows)
                rows = sorted(merged.values(), key=lambda r: r[0])
            db.execute("INSERT OR REPLACE INTO hour VALUES (?, ?, ?, ?)",
                       (mid, hour, len(rows), _pack(rows, hour)))
        db.execute("DELETE FROM raw WHERE at_ms < ?", (before_ms,))

    def _write_days(self, mid: int, lo_day: int, hi_day: int, rows: list[Row]) -> None:
        db = self._db
        db.execute("DELETE FROM kept WHERE market_id = ? AND day_ms >= ? AND day_ms <= ?",
                   (mid, lo_day, hi_day))
        days: dict[int, list[Row]] = {}
        for r in rows:
            days.setdefault(r[0] // DAY_MS * DAY_MS, []).append(r)
        db.executemany("INSERT INTO kept VALUES (?, ?, ?, ?)",
                       [(mid, d, len(rs), _pack(rs, d)) for d, rs in days.items()])

    @_guarded
    def compact(self, now_ms: int) -> int:
        """Pack and apply retention (see module doc) as of ``now_ms``.

        Packs the raw rows older than ``now_ms``'s hour, then reduces the samples
        older than ``now_ms - 48 h``. Only the hour blocks reaching past that
        cut-off are examined, so a run costs what was recorded since the last
        one; running it again with the same ``now_ms`` deletes nothing.
        Returns the number of samples deleted (moved samples not counted).
        """
        now_ms = int(now_ms)
        cut = now_ms - RAW_RETENTION_MS
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                self._pack_raw(now_ms // HOUR_MS * HOUR_MS)
                old: dict[int, list[Row]] = {}
                for mid, hour, data in db.execute(
                        "SELECT market_id, hour_ms, data FROM hour WHERE hour_ms < ? "
                        "ORDER BY hour_ms", (cut,)).fetchall():
                    rows = _unpack(data, hour)
                    rest = [r for r in rows if r[0] >= cut]
                    old.setdefault(mid, []).extend(r for r in rows if r[0] < cut)
                    if rest:
                        db.execute("UPDATE hour SET n = ?, data = ? WHERE market_id = ? AND "
                                   "hour_ms = ?", (len(rest), _pack(rest, hour), mid, hour))
                    else:
                        db.execute("DELETE FROM hour WHERE market_id = ? AND hour_ms = ?",
                                   (mid, hour))
                deleted = 0
                for mid, rows in old.items():
                    if not rows:
                        continue
                    lo_day = (rows[0][0] // DAY_MS - 1) * DAY_MS
                    hi_day = rows[-1][0] // DAY_MS * DAY_MS
                    merged: dict[int, Row] = {}
                    count = len(rows)
                    for day, data in db.execute(
                            "SELECT day_ms, data FROM kept WHERE market_id = ? AND day_ms >= ? "
                            "AND day_ms <= ? ORDER BY day_ms", (mid, lo_day, hi_day)):
                        prev = _unpack(data, day)
                        count += len(prev)
                        merged.update((r[0], r) for r in prev)
                    merged.update((r[0], r) for r in rows)
                    survivors = _reduce(sorted(merged.values(), key=lambda r: r[0]))
                    deleted += count - len(survivors)
                    self._write_days(mid, lo_day, hi_day, survivors)
                # Refresh markers older than the raw window go too; the newest stays.
                db.execute("DELETE FROM refresh WHERE at_ms < ? "
                           "AND at_ms < (SELECT MAX(at_ms) FROM refresh)", (cut,))
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
            for table, col, span in (("kept", "day_ms", DAY_MS), ("hour", "hour_ms", HOUR_MS)):
                lo = max(since_ms - span + 1, -_FOREVER)
                for mid, start, data in db.execute(
                        f"SELECT market_id, {col}, data FROM {table} "
                        f"WHERE {col} >= ? AND {col} < ?{sel}", (lo, until_ms, *ids)):
                    add(mid, _unpack(data, start))
            # raw is keyed by time: one pass over the range (it holds about an hour).
            groups: dict[int, list[Row]] = {}
            for r in db.execute(f"SELECT market_id, {_RAW_COLS} FROM raw "
                                f"WHERE at_ms >= ? AND at_ms < ?{sel}",
                                (since_ms, until_ms, *ids)):
                groups.setdefault(r[0], []).append(r[1:])
            for mid, rows in groups.items():
                add(mid, rows)
            names = {}
            if by_market:
                found = list(by_market)
                names = {r[0]: r[1:] for r in db.execute(
                    f"SELECT id, venue, symbol, base, quote FROM market "
                    f"WHERE id IN ({','.join('?' * len(found))})", found)}
        out: list[Sample] = []
        for mid in sorted(by_market, key=lambda m: names[m][:2]):
            venue, symbol, base, quote = names[mid]
            for at in sorted(by_market[mid]):
                _, rate, iv, nf_dt, mark, idx, prem, oi = by_market[mid][at]
                out.append(Sample(venue, symbol, base, quote, at, rate, iv,
                                  None if nf_dt is None else at + nf_dt, mark, idx, prem, oi))
        return out

    @_guarded
    def series(self, venue: str, symbol: str, since_ms: int,
               until_ms: int | None = None) -> list[Sample]:
        """Samples of one market with ``since_ms <= at_ms`` (``< until_ms``), oldest first.

        Reads the market's packed hour and day blocks overlapping the range by
        key, plus the unpacked rows (about the current hour, stored by time, so
        that part scans every market's rows in it). To load many markets at
        once use ``all_since``, which reads each block once.
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
