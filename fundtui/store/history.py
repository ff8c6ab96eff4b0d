"""Funding history: every refresh's quotes in an embedded SQLite file, with bounded retention.

File: ``data_dir()/history.sqlite3`` in WAL mode with ``synchronous=NORMAL``. Each
``record()`` is one transaction, so a process killed mid-write (kill -9) leaves a
database that opens with every earlier refresh intact and the one in flight
either wholly present or wholly absent (WAL with NORMAL sync is durable against
process crashes; only an OS crash or power loss can drop the last commits).
The WAL is checkpointed every ``WAL_CHECKPOINT_BYTES`` (4 MB) and after each
compaction, and cut back to ``WAL_SIZE_LIMIT_BYTES`` (8 MB) when it restarts:
SQLite's default of 1,000 pages let it reach 64 MB at 64 KB pages. The file is
created 0600 in a 0700 folder; SQLite gives the -wal and -shm the file's mode.

Schema version lives in ``PRAGMA user_version``; ``MIGRATIONS[i]`` upgrades
version ``i`` to ``i + 1`` and each runs in its own transaction together with the
version bump. A file with a newer version than this code knows is refused with
``HistoryVersionError`` (never downgraded); a file that is not a readable SQLite
database is refused with ``HistoryError`` naming the path, or, when the caller
asks (``open(move_unusable_aside=True)``), moved aside to
``history.sqlite3.corrupt-<UTC time>`` with its -wal and -shm and a new file
started, the one-line notice in ``store.notices``. A locked or busy file and
one from a newer fundtui are never moved.

Layout (schema v2). Samples live in four tables:

- ``raw``: one row per (refresh, market), keyed by time first, so a refresh
  appends to the end of the b-tree and its commit writes a few dozen pages.
  It holds only what ``compact`` has not packed yet: about the last
  ``COMPACT_EVERY_MS`` (5 min; the app compacts that often). SQLite keeps the
  pages of deleted rows for reuse, so the file always holds room for this
  table at its largest: the cadence bounds that to ~1 MB at 1,800 quotes a
  refresh (an hour's rows took 13 MB). As in a packed block, a premium that
  mark and index give back is not stored (reads recompute it).
- ``hour``: packed samples, one row per (market, UTC hour) of the hours not
  merged yet. ``compact(now)`` packs every ``raw`` row older than the last
  multiple of ``COMPACT_EVERY_MS``, merging it into the hour's block.
- ``six_hour`` (v2): the hour blocks of a closed UTC 6-hour window (00, 06,
  12, 18 h), merged into one block per market by ``compact`` once the window
  has ended: one block's fixed costs (its first values, the compressor's
  tables, the row) spread over 6x the samples, and LZMA instead of zlib
  (``_pack(dense=True)``); together ~20 % smaller than six hour blocks.
- ``kept``: packed samples that survived retention, one row per market and
  7-day block of the epoch grid (``day_ms`` is the block's start; files of
  schema v1 also have 1-day blocks, which read the same and are merged into
  7-day ones when retention next touches them).
  The packed tables are keyed (market, time) WITHOUT ROWID: a block is a few
  hundred bytes to a few KB, so it lives in the key b-tree's leaf with no
  second index. Reads take a block when it starts within its table's span
  (1 h, 6 h, 7 days) before the range.

A packed block (version 2) is ``zlib`` (or, marked by a first byte 3, raw
LZMA2) of a column layout: the sample count,
then per column a presence byte (none / all / one byte per sample) and the
present values. Every value reads back exactly as recorded, bit for bit:

- times and ``next_funding_ms - at_ms`` are integers: the first one, then
  zigzag deltas at the narrowest byte width that holds them, byte-planed (all
  first bytes, then all second bytes...), so a steady 30 s refresh or an
  unchanged next-funding time costs next to nothing;
- a float column is stored as integers in units of 10**-e when every value is
  a decimal of at most ``_MAX_DECIMALS`` places (what venues send as text:
  "0.00013062", "93902.89680851"; checked value by value, ``n / 10**e == v``),
  delta-coded as above, else as XOR-ed float bits;
- the index price, when both it and the mark are decimals, as ``index - mark``
  in shared units (the basis moves far less than either price);
- open interest as ``oi / mark`` when that quotient times the mark gives the
  value back bit for bit (gate and hyperliquid send contracts or coins and the
  feed multiplies by the mark), or predicted from the previous value scaled by
  the mark's move (bybit sends coins x mark, rounded to cents), whichever
  compresses smaller;
- the premium only when it cannot be recomputed from mark and index (the
  venue's own figure).

Blocks of the earlier layout (version 1: rate in 1e-10 units, float32 index
and open interest) still read, and are rewritten in version 2 whenever
``compact`` repacks them.

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
background worker; each method is self-contained (its own transaction), except
``compact``, which runs as short steps (each a transaction of about 10 ms, the
packing done between them with the lock released) so a ``record`` from another
thread never waits for a whole compaction. A
SQLite failure after opening (disk full, damage found later, a closed store) is
raised as ``HistoryError``, so callers handle one exception type.
"""

from __future__ import annotations

import functools
import lzma
import math
import os
import sqlite3
import stat
import struct
import threading
import time
import zlib
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import TypeVar

from fundtui.core.accrual import Settlement
from fundtui.core.quote import Quote
from fundtui.core.text import describe_exception
from fundtui.store.files import PRIVATE_FILE_MODE, move_aside, private_dir
from fundtui.store.paths import HISTORY_FILE, data_dir

FILE_NAME = HISTORY_FILE
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
#: Page size of a new file (see ``open``).
PAGE_SIZE = 65_536
#: The WAL is copied into the file (checkpointed) once it holds this much: at
#: 64 KB pages SQLite's default of 1,000 pages let it reach 64 MB beside a
#: file of a few MB. A checkpoint every ~4 MB costs a copy of the pages the
#: answers touched (mostly the same few at the end of ``raw``) and two fsyncs.
WAL_CHECKPOINT_BYTES = 4 << 20
#: When the WAL restarts after a checkpoint it is cut back to this size, so a
#: WAL that grew past the checkpoint size (a long compaction step, a reader in
#: another process holding a checkpoint back) does not keep that size on disk.
WAL_SIZE_LIMIT_BYTES = 8 << 20
#: How long opening or writing waits for another process's lock before failing.
BUSY_TIMEOUT_S = 10.0
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
_BLOCK_VERSION = 2
#: Largest decimal exponent tried for a column (okx sends rates with 16 decimals).
_MAX_DECIMALS = 18
_WIDTH_CODE = {1: "B", 2: "H", 4: "I", 8: "Q"}
_V1_FIELDS = (("q", 8), ("q", 8), ("d", 8), ("q", 8), ("d", 8), ("f", 4), ("d", 8), ("d", 8),
              ("f", 4))
_V1_RATE_SCALE = 1e10
#: Powers of ten as floats: exact up to 10**22, so ``n / _TEN[e]`` is correctly rounded.
_TEN = tuple(10.0 ** e for e in range(_MAX_DECIMALS + 1))
#: First byte of an LZMA block (a zlib stream's first byte always ends in 0x8).
_LZMA_TAG = 3
#: LZMA2 with a 64 KB dictionary (blocks are a few KB; compressing needs ~1 MB,
#: not the ~90 MB of the default preset) and no position bits (the columns are
#: byte-planed, so byte position says nothing).
_LZMA_FILTERS = [{"id": lzma.FILTER_LZMA2, "preset": 6, "dict_size": 1 << 16,
                  "lc": 3, "lp": 0, "pb": 0}]


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


def _enc_ints(values: list[int]) -> bytes:
    """Integers: the first as int64, then zigzag deltas at the narrowest width, byte-planed.

    A constant column (every delta zero) costs nine bytes; one that moves by a
    few units a sample costs one byte a value before compression.
    """
    first = values[0]
    zz = []
    prev = first
    for v in values[1:]:
        d = v - prev
        prev = v
        zz.append(d << 1 if d >= 0 else (-d << 1) - 1)
    top = max(zz, default=0)
    width = 0 if top == 0 else 1 if top < 1 << 8 else 2 if top < 1 << 16 else (
        4 if top < 1 << 32 else 8)
    head = struct.pack("<qB", first, width)
    if not width:
        return head
    return head + _shuffle(array(_WIDTH_CODE[width], zz).tobytes(), width)


def _dec_ints(data: bytes, pos: int, n: int) -> tuple[list[int], int]:
    first, width = struct.unpack_from("<qB", data, pos)
    pos += 9
    if not width:
        return [first] * n, pos
    k = (n - 1) * width
    zz = array(_WIDTH_CODE[width])
    zz.frombytes(_unshuffle(data[pos:pos + k], width))
    pos += k
    return list(accumulate([(z >> 1) ^ -(z & 1) for z in zz], initial=first)), pos


def _decimals(v: float) -> int:
    """Decimal places of the shortest text that reads back as ``v`` (``repr``)."""
    r = repr(v)
    mant, _, exp = r.partition("e")
    places = len(mant.partition(".")[2].rstrip("0"))
    return max(places - int(exp), 0) if exp else places


def _scaled(values: list[float]) -> tuple[int, list[int]] | None:
    """``(e, ints)`` with ``ints[i] / 10**e == values[i]`` exactly for every value, or None.

    ``e`` is the most decimal places any value needs (from its shortest repr),
    so numbers a venue sent as decimal text ("0.00013062", "93902.89680851")
    become small integers; anything else (NaN, -0.0, computed products,
    magnitudes past 2**62) is refused and stored as float bits instead.
    """
    # Guess from three values, then check all; a value needing more places fails
    # the check, and only then is every distinct value's repr read.
    e = max(_decimals(values[0]), _decimals(values[-1]), _decimals(values[len(values) // 2]))
    got = _scale_exactly(values, e)
    if got is None:
        e2 = max(map(_decimals, set(values)))
        if e2 > e:
            got = _scale_exactly(values, e2)
            e = e2
    return None if got is None else (e, got)


def _scale_exactly(values: list[float], e: int) -> list[int] | None:
    if e > _MAX_DECIMALS:
        return None
    scale = _TEN[e]
    ints = [round(v * scale) if -4e18 < v * scale < 4e18 else None for v in values]
    for n, v in zip(ints, values, strict=True):
        if n is None or n / scale != v or (not n and math.copysign(1.0, v) < 0):
            return None
    return ints


def _enc_floats(values: list[float]) -> bytes:
    """Floats exactly: as decimal integers when they are decimals, else XOR-ed float bits."""
    sc = _scaled(values)
    if sc is not None:
        return b"D" + bytes((sc[0],)) + _enc_ints(sc[1])
    bits = array("Q", array("d", values).tobytes())
    xs = array("Q", bits)
    for i in range(len(bits) - 1, 0, -1):
        xs[i] ^= bits[i - 1]
    return b"X" + _shuffle(xs.tobytes(), 8)


def _dec_floats(data: bytes, pos: int, n: int) -> tuple[list[float], int]:
    tag = data[pos]
    if tag == 68:  # D
        scale = _TEN[data[pos + 1]]
        ints, pos = _dec_ints(data, pos + 2, n)
        return [v / scale for v in ints], pos
    if tag != 88:  # X
        raise sqlite3.DatabaseError(f"unknown packed column tag {tag}")
    xs = array("Q")
    xs.frombytes(_unshuffle(data[pos + 1:pos + 1 + 8 * n], 8))
    for i in range(1, n):
        xs[i] ^= xs[i - 1]
    return array("d", xs.tobytes()).tolist(), pos + 1 + 8 * n


def _enc_index(idx: list[float], mark: list[float | None]) -> bytes:
    """The index price: as ``index - mark`` in shared decimal units when both are
    decimals (the basis moves far less than either price), else on its own."""
    plain = _enc_floats(idx)
    if None in mark:
        return plain
    both = _scaled(idx + mark)  # type: ignore[operator]
    if both is None:
        return plain
    e, ints = both
    n = len(idx)
    try:
        basis = b"B" + bytes((e,)) + _enc_ints(
            [a - b for a, b in zip(ints[:n], ints[n:], strict=True)])
    except OverflowError:  # differences past 64 bits: not prices
        return plain
    return basis if len(zlib.compress(basis, 1)) < len(zlib.compress(plain, 1)) else plain


def _predict(prev: int, mark_prev: float, mark: float) -> int:
    """``prev`` moved with the mark; the same float steps on both sides, so exact."""
    return round(prev * (mark / mark_prev))


def _enc_oi(oi: list[float], mark: list[float | None]) -> bytes:
    """Open interest: as ``oi / mark`` when that quotient times the mark gives the
    value back bit for bit (gate and hyperliquid send contracts or coins, and the
    feed multiplies by the mark, so the quotient is what the venue sent and
    changes only when positions do), else on its own."""
    plain = _enc_floats(oi)
    if None in mark or 0.0 in mark:
        return plain
    best = plain
    sc = _scaled(oi) if plain[:1] == b"D" else None
    if sc is not None and len(oi) > 1:
        # bybit sends the value (coins x mark, rounded): predict each from the one
        # before scaled by the mark's move, and store what the prediction missed
        e, ints = sc
        acc = [ints[0]]
        total = ints[0]
        try:
            for k in range(1, len(ints)):
                total += ints[k] - _predict(ints[k - 1], mark[k - 1], mark[k])  # type: ignore[arg-type]
                acc.append(total)
            pred = b"P" + bytes((e,)) + _enc_ints(acc)
        except (ArithmeticError, ValueError, struct.error):  # inf/NaN marks, past int64
            pred = None
        if pred is not None and len(zlib.compress(pred, 1)) < len(zlib.compress(plain, 1)):
            best = pred
    qs = []
    for o, m in zip(oi, mark, strict=True):
        q = o / m  # type: ignore[operator]
        if q * m != o:  # type: ignore[operator]
            for c in (math.nextafter(q, math.inf), math.nextafter(q, -math.inf)):
                if c * m == o:  # type: ignore[operator]
                    q = c
                    break
            else:
                return best
        qs.append(q)
    ratio = b"R" + _enc_floats(qs)
    return ratio if len(zlib.compress(ratio, 1)) < len(zlib.compress(best, 1)) else best


def _pack(rows: list[Row], start_ms: int, dense: bool = False) -> bytes:
    """Encode rows (sorted by time, distinct times) of one market into a block.

    ``dense``: LZMA instead of zlib, about 12 % smaller and four times slower to
    write (reading costs the same): for the blocks written once and kept, not
    the hour blocks rewritten every ``COMPACT_EVERY_MS``.

    Layout (version 2), zlib-compressed: version byte, sample count, then per
    column a presence byte (0 none, 1 all, 2 followed by one byte per sample)
    and the present values. Times and ``next_funding_dt`` are integers; the
    other columns are floats stored exactly (see ``_enc_floats``), the index
    and open interest possibly against the mark; the premium only when it
    cannot be recomputed from mark and index (the venue's own figure).
    """
    n = len(rows)
    cols = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(8)]
    at = cols[0]
    mark = cols[4]
    cols[0] = [a - start_ms for a in at]
    cols[6] = [None if m is not None and i else p
               for m, i, p in zip(mark, cols[5], cols[6], strict=True)]
    parts = [struct.pack("<BI", _BLOCK_VERSION, n)]
    for ci, values in enumerate(cols):
        present = [v for v in values if v is not None]
        if not present:
            parts.append(b"\0")
            continue
        if len(present) == n:
            parts.append(b"\1")
            marks = mark
        else:
            parts.append(b"\2" + bytes(v is not None for v in values))
            marks = [m for m, v in zip(mark, values, strict=True) if v is not None]
        if ci in (0, 3):
            parts.append(_enc_ints(present))
        elif ci == 5:
            parts.append(_enc_index(present, marks))
        elif ci == 7:
            parts.append(_enc_oi(present, marks))
        else:
            parts.append(_enc_floats(present))
    if dense:
        return bytes((_LZMA_TAG,)) + lzma.compress(b"".join(parts), format=lzma.FORMAT_RAW,
                                                   filters=_LZMA_FILTERS)
    return zlib.compress(b"".join(parts), 9)


def _unpack(blob: bytes, start_ms: int) -> list[Row]:
    if blob[:1] == bytes((_LZMA_TAG,)):
        data = lzma.decompress(blob[1:], format=lzma.FORMAT_RAW, filters=_LZMA_FILTERS)
    else:
        data = zlib.decompress(blob)
    version, n = struct.unpack_from("<BI", data)
    if version == 1:
        return _unpack_v1(data, n, start_ms)
    if version != _BLOCK_VERSION:
        raise sqlite3.DatabaseError(f"unknown packed block version {version}")
    pos = 5
    cols: list[list] = []
    for ci in range(8):
        kind = data[pos]
        pos += 1
        if kind == 0:
            cols.append([None] * n)
            continue
        present = None
        k = n
        if kind == 2:
            present = data[pos:pos + n]
            pos += n
            k = sum(present)
        if ci in (0, 3):
            values, pos = _dec_ints(data, pos, k)
        elif ci == 7 and data[pos] == 80:  # P: oi predicted from the mark's move
            scale = _TEN[data[pos + 1]]
            acc, pos = _dec_ints(data, pos + 2, k)
            marks = cols[4] if present is None else [
                m for m, p in zip(cols[4], present, strict=True) if p]
            ints = [acc[0]]
            for j in range(1, k):
                ints.append(acc[j] - acc[j - 1] + _predict(ints[j - 1], marks[j - 1], marks[j]))
            values = [v / scale for v in ints]
        elif ci in (5, 7) and data[pos] in (66, 82):  # B: index - mark; R: oi / mark
            tag = data[pos]
            marks = cols[4] if present is None else [
                m for m, p in zip(cols[4], present, strict=True) if p]
            if tag == 66:
                e = data[pos + 1]
                diffs, pos = _dec_ints(data, pos + 2, k)
                scale = _TEN[e]
                values = [(round(m * scale) + d) / scale for m, d in zip(marks, diffs,
                                                                       strict=True)]
            else:
                qs, pos = _dec_floats(data, pos + 1, k)
                values = [q * m for q, m in zip(qs, marks, strict=True)]
        else:
            values, pos = _dec_floats(data, pos, k)
        if present is not None:
            it = iter(values)
            values = [next(it) if p else None for p in present]
        cols.append(values)
    out = []
    for dt, rate, iv, nf, mark, idx, prem, oi in zip(*cols, strict=True):
        if mark is not None and idx:
            prem = (mark - idx) / idx
        out.append((start_ms + dt, rate, iv, nf, mark, idx, prem, oi))
    return out


def _unpack_v1(data: bytes, n: int, start_ms: int) -> list[Row]:
    """Blocks written before version 2 (rate in 1e-10 units, float32 index and OI)."""
    pos = 5
    cols = []
    for code, size in _V1_FIELDS:
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
        out.append((at, None if rate is None else rate / _V1_RATE_SCALE, iv, nf, mark, idx,
                    prem, oi))
    return out


#: Significant digits open interest is recorded with (see ``_oi_digits``).
OI_DIGITS = 8


def _oi_digits(oi: float | None) -> float | None:
    """Open interest to ``OI_DIGITS`` significant digits (within 0.000005 %).

    Venues report open interest in contracts or coins that the feeds multiply by
    the mark, so the dollar figure carries 15-17 digits of which the last ones
    are the product's, and every refresh moves them: kept exactly they were a
    third of the file. Eight digits keep every change of one part in 10**7, far
    below anything shown (three or four digits) or tested (the 5 % of
    oi_regime). Everything else is stored exactly as the venue sent it.
    """
    if oi is None or oi == 0 or not math.isfinite(oi):
        return oi
    return float(f"{oi:.{OI_DIGITS}g}")


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


#: Ordered migrations; ``MIGRATIONS[i]`` takes the schema from version i to i + 1.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2]
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
    return (isinstance(cause, sqlite3.DatabaseError) and code is not None
            and code & 0xFF in _NOT_A_DATABASE_CODES)


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
    to ``WAL_SIZE_LIMIT_BYTES`` when it restarts."""
    page = db.execute("PRAGMA page_size").fetchone()[0] or PAGE_SIZE
    db.execute(f"PRAGMA wal_autocheckpoint = {max(1, WAL_CHECKPOINT_BYTES // page):d}")
    db.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES:d}")


def _checkpoint(db: sqlite3.Connection) -> None:
    """Copy the WAL into the file as far as readers allow, never waiting for one."""
    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


class HistoryStore:
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
    def open(cls, path: Path | None = None, *,
             move_unusable_aside: bool = False) -> HistoryStore:
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
            db = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                 timeout=BUSY_TIMEOUT_S)
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
                    mark, idx = q.mark_price, q.index_price
                    rows.append((mid, at_ms, q.funding_rate, q.interval_hours,
                                 None if nf is None else int(nf) - at_ms, mark, idx,
                                 # as in a packed block: only a premium that cannot
                                 # be recomputed from mark and index (see _read)
                                 None if mark is not None and idx else q.venue_premium,
                                 _oi_digits(q.open_interest_usd)))
                db.executemany("INSERT OR REPLACE INTO raw VALUES (?,?,?,?,?,?,?,?,?)", rows)
                db.execute("INSERT OR REPLACE INTO refresh VALUES (?, ?)", (at_ms, len(rows)))
                db.execute("COMMIT")
                if at_ms < self._packing_before:  # into a span compact is packing
                    self._late_writes += 1
                if (self._retained_hour is not None
                        and at_ms < (self._retained_hour + 1) * HOUR_MS):
                    self._retained_hour = None  # behind retention: the next compact reduces it
            except BaseException:
                _rollback(db)
                self._ids.clear()  # ids inserted in the rolled-back transaction are gone
                raise
        return len(rows)

    # ------------------------------------------------------------ compaction
    #
    # Only ``compact`` writes the packed tables, one run at a time
    # (``_compact_lock``). It holds the store lock only for short steps, each its
    # own transaction of at most about ``_STEP_S``: the CPU work (packing,
    # reduction) runs between them, so a refresh's ``record`` waits for at most
    # one step. Every step leaves the database consistent: a sample is always in
    # raw, in an hour block or in a day block (briefly in two of them, with the
    # same values; reads merge by time), and a crash between steps is finished
    # by the next run.

    _STEP_S = 0.010
    _RAW_SLICE_MS = 60_000

    def _locked_steps(self, items: list, fn: Callable[[sqlite3.Connection, object], None]) -> None:
        """Run ``fn(db, item)`` for every item, in transactions of at most about ``_STEP_S``."""
        clock = time.perf_counter
        i = 0
        while i < len(items):
            with self._lock:
                db = self._db
                db.execute("BEGIN IMMEDIATE")
                try:
                    t0 = clock()
                    while i < len(items):
                        fn(db, items[i])
                        i += 1
                        if clock() - t0 > self._STEP_S:
                            break
                    db.execute("COMMIT")
                except BaseException:
                    _rollback(db)
                    raise
            time.sleep(0)  # let a waiting refresh in before the next step

    def _read_locked(self, sql: str, args: tuple) -> list:
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        time.sleep(0)
        return rows

    #: Markets packed at a time. A span's rows become Python tuples while they are
    #: packed: all 1,800 markets' 5 minutes at a 5 s refresh were ~35 MB of small
    #: objects (with their hour blocks, read and rewritten, ~20 MB more), and the
    #: process kept that memory after they were freed (resident memory stepped up
    #: by 32 MB at the first full compaction and stayed there). 200 at a time
    #: keep it to a ninth, for a few more passes over the span's rows in SQLite.
    _PACK_MARKETS = 200

    def _pack_hour(self, hour: int, before_ms: int) -> bool:
        """Pack the raw rows of ``[hour, min(hour + 1 h, before_ms))`` into hour blocks,
        ``_PACK_MARKETS`` markets at a time.

        Returns False (nothing deleted) when a refresh for that span was recorded
        meanwhile; the caller runs it again.
        """
        hi = min(hour + HOUR_MS, before_ms)
        gen = self._late_writes
        mids = [r[0] for r in self._read_locked(
            "SELECT DISTINCT market_id FROM raw WHERE at_ms >= ? AND at_ms < ? "
            "ORDER BY market_id", (hour, hi))]
        for k in range(0, len(mids), self._PACK_MARKETS):
            self._pack_markets(hour, hi, mids[k:k + self._PACK_MARKETS])
        # Delete what was packed, a slice at a time; stop at a refresh recorded
        # into the span since it was read (its rows are not in the blocks yet).
        for lo in range(hour, hi, self._RAW_SLICE_MS):
            with self._lock:
                if self._late_writes != gen:
                    return False
                db = self._db
                db.execute("BEGIN IMMEDIATE")
                try:
                    db.execute("DELETE FROM raw WHERE at_ms >= ? AND at_ms < ?",
                               (lo, min(lo + self._RAW_SLICE_MS, hi)))
                    db.execute("COMMIT")
                except BaseException:
                    _rollback(db)
                    raise
            time.sleep(0)
        return True

    def _pack_markets(self, hour: int, hi: int, mids: list[int]) -> None:
        """Merge the raw rows of ``mids`` in ``[hour, hi)`` into their hour blocks."""
        marks = ",".join("?" * len(mids))
        groups: dict[int, list[Row]] = {}
        for lo in range(hour, hi, self._RAW_SLICE_MS):
            for r in self._read_locked(
                    f"SELECT market_id, {_RAW_COLS} FROM raw WHERE at_ms >= ? AND at_ms < ? "
                    f"AND market_id IN ({marks})",
                    (lo, min(lo + self._RAW_SLICE_MS, hi), *mids)):
                groups.setdefault(r[0], []).append(r[1:])
        old: dict[int, bytes] = dict(self._read_locked(
            f"SELECT market_id, data FROM hour WHERE hour_ms = ? AND market_id IN ({marks})",
            (hour, *mids)))
        blocks = []
        for mid in sorted(groups):
            rows = groups.pop(mid)
            rows.sort(key=lambda r: r[0])
            if mid in old:
                merged = {r[0]: r for r in _unpack(old.pop(mid), hour)}
                merged.update((r[0], r) for r in rows)
                rows = sorted(merged.values(), key=lambda r: r[0])
            blocks.append((mid, hour, len(rows), _pack(rows, hour)))
        self._locked_steps(blocks, lambda db, b: db.execute(
            "INSERT OR REPLACE INTO hour VALUES (?, ?, ?, ?)", b))

    def _merge_closed(self, end_ms: int, cut: int) -> None:
        """Merge the hour blocks of every 6-hour window ending by ``end_ms`` into one
        dense block per market and window (``six_hour``).

        Windows wholly older than ``cut`` are left to retention, which reduces
        them anyway. Only ``compact`` writes hour blocks, and it runs one at a
        time, so they cannot change between the read and the write here.
        """
        mids = [r[0] for r in self._read_locked("SELECT id FROM market ORDER BY id", ())]
        for k in range(0, len(mids), 200):
            chunk = mids[k:k + 200]
            marks = ",".join("?" * len(chunk))
            windows: dict[tuple[int, int], list[tuple[int, bytes]]] = {}
            for mid, hour, data in self._read_locked(
                    f"SELECT market_id, hour_ms, data FROM hour WHERE market_id IN ({marks}) "
                    f"AND hour_ms < ?", (*chunk, end_ms)):
                w = hour // SIX_HOURS_MS * SIX_HOURS_MS
                if w + SIX_HOURS_MS <= end_ms and w + SIX_HOURS_MS > cut:
                    windows.setdefault((mid, w), []).append((hour, data))
            if not windows:
                continue
            lo = min(w for _, w in windows)
            found = sorted({mid for mid, _ in windows})
            existing = {(mid, w): data for mid, w, data in self._read_locked(
                f"SELECT market_id, start_ms, data FROM six_hour WHERE market_id IN "
                f"({','.join('?' * len(found))}) AND start_ms >= ? AND start_ms < ?",
                (*found, lo, end_ms))}
            work = []
            for (mid, w), hours in sorted(windows.items()):
                merged: dict[int, Row] = {}
                if (mid, w) in existing:
                    merged.update((r[0], r) for r in _unpack(existing[mid, w], w))
                for hour, data in hours:
                    merged.update((r[0], r) for r in _unpack(data, hour))
                rows = sorted(merged.values(), key=lambda r: r[0])
                work.append((mid, w, len(rows), _pack(rows, w, dense=True)))
            self._locked_steps(work, self._write_merged)

    @staticmethod
    def _write_merged(db: sqlite3.Connection, item: tuple) -> None:
        mid, w, n, data = item
        db.execute("INSERT OR REPLACE INTO six_hour (market_id, start_ms, n, data) "
                   "VALUES (?, ?, ?, ?)", item)
        db.execute("DELETE FROM hour WHERE market_id = ? AND hour_ms >= ? AND hour_ms < ?",
                   (mid, w, w + SIX_HOURS_MS))

    def _retain(self, blocks: list[tuple[str, int, bytes]], kept: list[tuple[int, bytes]],
                cut: int) -> tuple[list, list, list, int]:
        """Retention for one market: its ``(table, start, data)`` blocks starting
        before ``cut`` and its kept blocks that may merge with them. Returns (block
        updates, kept range, kept blocks, samples deleted) for ``_write_retained``."""
        old_rows: list[Row] = []
        updates = []
        for table, start, data in blocks:
            rows = _unpack(data, start)
            rest = [r for r in rows if r[0] >= cut]
            if len(rest) == len(rows):
                continue
            old_rows.extend(r for r in rows if r[0] < cut)
            updates.append((table, start, len(rest), _pack(rest, start) if rest else None))
        if not old_rows:
            return updates, [], [], 0
        old_rows.sort(key=lambda r: r[0])
        # settlement windows are at most a day: the reduction looks back one
        lo_week = (old_rows[0][0] - DAY_MS) // WEEK_MS * WEEK_MS
        hi_week = old_rows[-1][0] // WEEK_MS * WEEK_MS + WEEK_MS
        merged: dict[int, Row] = {}
        count = len(old_rows)
        for start, data in kept:  # 7-day blocks, and 1-day ones of schema version 1
            if lo_week <= start < hi_week:
                prev = _unpack(data, start)
                count += len(prev)
                merged.update((r[0], r) for r in prev)
        merged.update((r[0], r) for r in old_rows)
        survivors = _reduce(sorted(merged.values(), key=lambda r: r[0]))
        by_week: dict[int, list[Row]] = {}
        for r in survivors:
            by_week.setdefault(r[0] // WEEK_MS * WEEK_MS, []).append(r)
        # zlib: the current week's block is rewritten at every pass; LZMA would save
        # only ~4 % on blocks this small, at four times the cost
        packed = [(w, len(rs), _pack(rs, w)) for w, rs in by_week.items()]
        return updates, [lo_week, hi_week], packed, count - len(survivors)

    @staticmethod
    def _write_retained(db: sqlite3.Connection, item: tuple) -> None:
        mid, (updates, kept_range, kept_blocks, _) = item
        for table, start, n, data in updates:
            col = "hour_ms" if table == "hour" else "start_ms"
            if n:
                db.execute(f"UPDATE {table} SET n = ?, data = ? WHERE market_id = ? AND "
                           f"{col} = ?", (n, data, mid, start))
            else:
                db.execute(f"DELETE FROM {table} WHERE market_id = ? AND {col} = ?",
                           (mid, start))
        if kept_range:
            db.execute("DELETE FROM kept WHERE market_id = ? AND day_ms >= ? AND day_ms < ?",
                       (mid, *kept_range))
            db.executemany("INSERT INTO kept VALUES (?, ?, ?, ?)",
                           [(mid, *b) for b in kept_blocks])

    @_guarded
    def compact(self, now_ms: int) -> int:
        """Pack, merge and apply retention (see module doc) as of ``now_ms``.

        Packs the raw rows older than the last multiple of ``COMPACT_EVERY_MS``
        into hour blocks, merges the hour blocks of closed 6-hour windows, then
        reduces the samples older than ``now_ms - 48 h``: at most once per hour
        of that cut-off (so a sample stays raw for 48 to 49 h), or again when a
        refresh was recorded behind it. Only blocks reaching past the cut-off
        are examined, so a run costs what was recorded since the last one;
        running it again with the same ``now_ms`` deletes nothing.
        The store lock is held only for short steps (see ``_STEP_S``), so a
        ``record`` from another thread is never held up for the whole run.
        Returns the number of samples deleted (moved samples not counted).
        Ends with a passive checkpoint, so the blocks it wrote reach the file and
        the WAL restarts small at the next answer (it never waits for a reader).
        """
        deleted = self._compact(int(now_ms))
        with self._lock:
            _checkpoint(self._db)
        return deleted

    def _compact(self, now_ms: int) -> int:
        now_ms = int(now_ms)
        cut = now_ms - RAW_RETENTION_MS
        before = now_ms // COMPACT_EVERY_MS * COMPACT_EVERY_MS
        with self._compact_lock:
            self._packing_before = before
            try:
                while True:
                    row = self._read_locked("SELECT MIN(at_ms) FROM raw WHERE at_ms < ?",
                                            (before,))
                    if row[0][0] is None:
                        break
                    self._pack_hour(row[0][0] // HOUR_MS * HOUR_MS, before)
            finally:
                self._packing_before = -_FOREVER
            self._merge_closed(now_ms // HOUR_MS * HOUR_MS // SIX_HOURS_MS * SIX_HOURS_MS,
                               cut)
            if self._retained_hour is not None and cut // HOUR_MS <= self._retained_hour:
                return 0
            self._retained_hour = cut // HOUR_MS
            mids = [r[0] for r in self._read_locked("SELECT id FROM market ORDER BY id", ())]
            deleted = 0
            for k in range(0, len(mids), 200):
                chunk = mids[k:k + 200]
                marks = ",".join("?" * len(chunk))
                blocks: dict[int, list[tuple[str, int, bytes]]] = {}
                for table, col in (("six_hour", "start_ms"), ("hour", "hour_ms")):
                    for mid, start, data in self._read_locked(
                            f"SELECT market_id, {col}, data FROM {table} WHERE market_id IN "
                            f"({marks}) AND {col} < ? ORDER BY market_id, {col}",
                            (*chunk, cut)):
                        blocks.setdefault(mid, []).append((table, start, data))
                if not blocks:
                    continue
                lo = min(b[1] for bs in blocks.values() for b in bs) - DAY_MS - WEEK_MS
                kept: dict[int, list] = {}
                found = sorted(blocks)
                for mid, start, data in self._read_locked(
                        f"SELECT market_id, day_ms, data FROM kept WHERE market_id IN "
                        f"({','.join('?' * len(found))}) AND day_ms >= ?", (*found, lo)):
                    kept.setdefault(mid, []).append((start, data))
                work = [(mid, self._retain(blocks[mid], kept.get(mid, []), cut))
                        for mid in found]
                deleted += sum(w[1][3] for w in work)
                self._locked_steps(work, self._write_retained)
            with self._lock:
                # Refresh markers older than the raw window go too; the newest stays.
                self._db.execute("DELETE FROM refresh WHERE at_ms < ? "
                                 "AND at_ms < (SELECT MAX(at_ms) FROM refresh)", (cut,))
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
            for table, col, span in (("kept", "day_ms", WEEK_MS),
                                     ("six_hour", "start_ms", SIX_HOURS_MS),
                                     ("hour", "hour_ms", HOUR_MS)):
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
                if mark is not None and idx:  # raw rows store no recomputable premium
                    prem = (mark - idx) / idx
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
