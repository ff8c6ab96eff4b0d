"""What the history file holds: the sample, the tables, their time spans, the migrations.

Schema version lives in ``PRAGMA user_version``; ``MIGRATIONS[i]`` upgrades
version ``i`` to ``i + 1`` and each runs in its own transaction together with the
version bump. A file with a newer version than this code knows is refused with
``HistoryVersionError`` (never downgraded).

Layout (schema v3). Samples live in five tables:

- ``raw``: one row per (refresh, market), keyed by time first, so a refresh
  appends to the end of the b-tree and its commit writes a few dozen pages.
  It holds only what ``compact`` has not packed yet: about the last
  ``COMPACT_EVERY_MS`` (5 min; the app compacts that often). SQLite keeps the
  pages of deleted rows for reuse, so the file always holds room for this
  table at its largest: the cadence bounds that to ~1 MB at 1,800 quotes a
  refresh (an hour's rows took 13 MB). As in a packed block, a premium that
  mark and index give back is not stored (reads recompute it).
- ``hour``: packed samples, one row per (market, UTC hour) of the hours not
  merged yet (the open hour, and a closed one until the next ``compact``).
  ``compact(now)`` packs every ``raw`` row older than the last multiple of
  ``COMPACT_EVERY_MS``, merging it into the hour's block.
- ``six_hour`` (v2): one block per market and UTC 6-hour window (00, 06, 12,
  18 h) holding the window's closed hours, once the window is whole: one
  block's fixed costs (its first values, the compressor's tables, the row)
  spread over up to 6x the samples, and LZMA instead of zlib
  (``_pack(dense=True)``); together ~20 % smaller than six hour blocks.
- ``six_hour_open`` (v3): the same blocks for windows not whole yet. ``compact``
  merges each hour block into its window's block once the hour has ended, so
  an open window's block grows by an hour at a time; blocks growing in place
  split their pages, and in ``six_hour`` they left its pages ~12 % empty (4.8 MB
  in a 30-day file). A whole window's blocks are written to ``six_hour`` once,
  in key order, after every older one: they fill its pages at the end of the
  b-tree. The open table holds one window (~4.5 MB at its largest at 1,800
  quotes every 30 s) and reuses its own pages window after window. Files of
  schema v2 may still have an open window's blocks in ``six_hour``; the next
  merge moves each into the table it belongs in.
- ``kept``: packed samples that survived retention, one row per market and
  7-day block of the epoch grid (``day_ms`` is the block's start; files of
  schema v1 also have 1-day blocks, which read the same and are merged into
  7-day ones when retention next touches them).
  The packed tables are keyed (market, time) WITHOUT ROWID: a block is a few
  hundred bytes to a few KB, so it lives in the key b-tree's leaf with no
  second index. Reads take a block when it starts within its table's span
  (1 h, 6 h, 7 days) before the range.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fundtui.store.history.errors import HistoryVersionError, _rollback

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
RAW_RETENTION_MS = 48 * HOUR_MS
#: How often the app compacts: raw rows older than the last multiple of this are packed.
COMPACT_EVERY_MS = 5 * 60_000
#: Span of the blocks closed hours are merged into, and of retention's blocks.
SIX_HOURS_MS = 6 * HOUR_MS
WEEK_MS = 7 * DAY_MS
#: Window for samples whose interval is unknown.
DEFAULT_INTERVAL_HOURS = 8.0
_FOREVER = 1 << 62


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


#: Internal sample row: (at_ms, rate, interval_hours, next_funding_dt, mark, idx,
#: premium, oi_usd), the columns of ``raw`` after ``market_id``.
Row = tuple


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
    # of what retention kept, keyed by market then time (a block is a few hundred
    # bytes, so it sits in the key b-tree's leaf; no rowid, no second index).
    for table, col in (("hour", "hour_ms"), ("kept", "day_ms")):
        db.execute(f"""CREATE TABLE {table} (
            market_id INTEGER NOT NULL,
            {col} INTEGER NOT NULL,
            n INTEGER NOT NULL,
            data BLOB NOT NULL,
            PRIMARY KEY (market_id, {col})) WITHOUT ROWID""")
    # One row per recorded refresh (time, quote count): latest_at without a scan.
    db.execute("CREATE TABLE refresh (at_ms INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    db.execute("""CREATE TABLE settlement (
        market_id INTEGER NOT NULL,
        funding_time_ms INTEGER NOT NULL,
        rate REAL NOT NULL,
        interval_hours REAL,
        PRIMARY KEY (market_id, funding_time_ms)) WITHOUT ROWID""")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER) WITHOUT ROWID")


def _v2(db: sqlite3.Connection) -> None:
    # six_hour: closed hours merged six at a time (see module doc). kept's day_ms
    # is from now on the start of a 7-day block; the 1-day blocks already there
    # read as before and are merged into 7-day ones when retention next touches them.
    # Keyed by time first: a window's blocks are all written at once, after every
    # older one, so they fill pages at the end of the b-tree, and retention empties
    # whole pages at its start (keyed by market first, the pages ran ~15 % empty).
    # The index serves one market's reads.
    db.execute("""CREATE TABLE six_hour (
        start_ms INTEGER NOT NULL,
        market_id INTEGER NOT NULL,
        n INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (start_ms, market_id)) WITHOUT ROWID""")
    db.execute("CREATE INDEX six_hour_market ON six_hour (market_id, start_ms)")


def _v3(db: sqlite3.Connection) -> None:
    # six_hour_open: the blocks of windows not whole yet (see module doc). Keyed by
    # market: there is one open window, and its blocks are rewritten in place.
    db.execute("""CREATE TABLE six_hour_open (
        market_id INTEGER NOT NULL,
        start_ms INTEGER NOT NULL,
        n INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (market_id, start_ms)) WITHOUT ROWID""")


#: Ordered migrations; ``MIGRATIONS[i]`` takes the schema from version i to i + 1.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2, _v3]
SCHEMA_VERSION = len(MIGRATIONS)

_RAW_COLS = "at_ms, funding_rate, interval_hours, next_funding_dt, mark, idx, premium, oi_usd"


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise HistoryVersionError(
            f"History database {path} has schema version {version}, newer than this "
            f"fundtui knows ({SCHEMA_VERSION}); not opening it"
        )
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
