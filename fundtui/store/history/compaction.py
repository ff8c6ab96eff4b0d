"""Compaction: packing raw rows into blocks, merging closed hours, and retention.

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

``HistoryStore`` takes these methods from ``Compaction``; they use its
connection, its two locks and its market ids (see ``store``).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from fundtui.store.history.codec import _pack, _unpack
from fundtui.store.history.errors import _guarded, _rollback
from fundtui.store.history.schema import (
    _FOREVER,
    _RAW_COLS,
    COMPACT_EVERY_MS,
    DAY_MS,
    DEFAULT_INTERVAL_HOURS,
    HOUR_MS,
    RAW_RETENTION_MS,
    SIX_HOURS_MS,
    WEEK_MS,
    Row,
)
from fundtui.store.history.sqlite_file import _checkpoint

#: Where a market's 6-hour window block lives: once whole, and while open.
_SIX_HOUR_TABLES = ("six_hour", "six_hour_open")


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


class Compaction:
    """The compaction steps of ``HistoryStore`` (a mixin: the store holds the state)."""

    _db: sqlite3.Connection
    _lock: threading.Lock
    _compact_lock: threading.Lock
    _packing_before: int
    _late_writes: int
    _retained_hour: int | None

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
    #: Items (blocks) a step writes at most. A step's pages all go to the WAL in
    #: its commit, and the WAL's largest size is the checkpoint size plus the
    #: largest commit; ``_STEP_S`` alone would let a fast machine write a few
    #: hundred blocks (a dozen 64 KB pages) in one step.
    _STEP_ITEMS = 32
    _RAW_SLICE_MS = 60_000

    def _locked_steps(self, items: list, fn: Callable[[sqlite3.Connection, Any], object]) -> None:
        """Run ``fn(db, item)`` for every item, in transactions of at most about
        ``_STEP_S`` and ``_STEP_ITEMS`` items."""
        clock = time.perf_counter
        i = 0
        while i < len(items):
            with self._lock:
                db = self._db
                db.execute("BEGIN IMMEDIATE")
                try:
                    t0 = clock()
                    last = min(len(items), i + self._STEP_ITEMS)
                    while i < last:
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
        mids = [
            r[0]
            for r in self._read_locked(
                "SELECT DISTINCT market_id FROM raw WHERE at_ms >= ? AND at_ms < ? "
                "ORDER BY market_id",
                (hour, hi),
            )
        ]
        for k in range(0, len(mids), self._PACK_MARKETS):
            self._pack_markets(hour, hi, mids[k : k + self._PACK_MARKETS])
        # Delete what was packed, a slice at a time; stop at a refresh recorded
        # into the span since it was read (its rows are not in the blocks yet).
        for lo in range(hour, hi, self._RAW_SLICE_MS):
            with self._lock:
                if self._late_writes != gen:
                    return False
                db = self._db
                db.execute("BEGIN IMMEDIATE")
                try:
                    db.execute(
                        "DELETE FROM raw WHERE at_ms >= ? AND at_ms < ?",
                        (lo, min(lo + self._RAW_SLICE_MS, hi)),
                    )
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
                (lo, min(lo + self._RAW_SLICE_MS, hi), *mids),
            ):
                groups.setdefault(r[0], []).append(r[1:])
        old: dict[int, bytes] = dict(
            self._read_locked(
                f"SELECT market_id, data FROM hour WHERE hour_ms = ? AND market_id IN ({marks})",
                (hour, *mids),
            )
        )
        blocks = []
        for mid in sorted(groups):
            rows = groups.pop(mid)
            rows.sort(key=lambda r: r[0])
            if mid in old:
                merged = {r[0]: r for r in _unpack(old.pop(mid), hour)}
                merged.update((r[0], r) for r in rows)
                rows = sorted(merged.values(), key=lambda r: r[0])
            blocks.append((mid, hour, len(rows), _pack(rows, hour)))
        self._locked_steps(
            blocks, lambda db, b: db.execute("INSERT OR REPLACE INTO hour VALUES (?, ?, ?, ?)", b)
        )

    def _merge_closed(self, end_ms: int, cut: int) -> None:
        """Merge the hour blocks of every hour ending by ``end_ms`` into the dense
        block of their 6-hour window, one per market and window: in ``six_hour``
        once the window is whole (it ends by ``end_ms``), else in ``six_hour_open``.
        Then the open blocks of windows that are whole by now (a market that stopped
        answering) move to ``six_hour`` too.

        An hour joins its window's block once it has closed, not once the window
        has: the hour blocks of a whole window (~5.6 MB at 1,800 quotes every 30 s,
        zlib) would otherwise pile up beside the dense blocks for six hours and
        leave that much free in the file once merged. Rewriting the window's block
        each hour costs about 2 ms of packing per market and hour.
        Windows wholly older than ``cut`` are left to retention, which reduces
        them anyway. Only ``compact`` writes hour blocks, and it runs one at a
        time, so they cannot change between the read and the write here.
        """
        mids = [r[0] for r in self._read_locked("SELECT id FROM market ORDER BY id", ())]
        for k in range(0, len(mids), 200):
            chunk = mids[k : k + 200]
            marks = ",".join("?" * len(chunk))
            windows: dict[tuple[int, int], list[tuple[int, bytes]]] = {}
            for mid, hour, data in self._read_locked(
                f"SELECT market_id, hour_ms, data FROM hour WHERE market_id IN ({marks}) "
                f"AND hour_ms < ?",
                (*chunk, end_ms),
            ):
                w = hour // SIX_HOURS_MS * SIX_HOURS_MS
                if w + SIX_HOURS_MS > cut:  # and the hour closed: hour_ms < end_ms
                    windows.setdefault((mid, w), []).append((hour, data))
            if not windows:
                continue
            lo = min(w for _, w in windows)
            found = sorted({mid for mid, _ in windows})
            existing: dict[tuple[int, int], bytes] = {}
            for table in _SIX_HOUR_TABLES:  # a v2 file's open window is in six_hour
                existing.update(
                    ((mid, w), data)
                    for mid, w, data in self._read_locked(
                        f"SELECT market_id, start_ms, data FROM {table} WHERE market_id IN "
                        f"({','.join('?' * len(found))}) AND start_ms >= ? AND start_ms < ?",
                        (*found, lo, end_ms),
                    )
                )
            work = []
            # in key order of six_hour (window, market): whole windows fill its last pages
            for (mid, w), hours in sorted(windows.items(), key=lambda kv: kv[0][::-1]):
                merged: dict[int, Row] = {}
                if (mid, w) in existing:
                    merged.update((r[0], r) for r in _unpack(existing[mid, w], w))
                for hour, data in hours:
                    merged.update((r[0], r) for r in _unpack(data, hour))
                rows = sorted(merged.values(), key=lambda r: r[0])
                whole = w + SIX_HOURS_MS <= end_ms
                # the hours merged: those before end_ms (the open hour's block stays)
                hi = min(w + SIX_HOURS_MS, end_ms)
                work.append((mid, w, len(rows), _pack(rows, w, dense=True), whole, hi))
            self._locked_steps(work, self._write_merged)
        self._close_open(end_ms)

    @staticmethod
    def _write_merged(db: sqlite3.Connection, item: tuple) -> None:
        mid, w, n, data, whole, hi = item
        into, other = _SIX_HOUR_TABLES if whole else _SIX_HOUR_TABLES[::-1]
        db.execute(
            f"INSERT OR REPLACE INTO {into} (market_id, start_ms, n, data) VALUES (?, ?, ?, ?)",
            (mid, w, n, data),
        )
        db.execute(f"DELETE FROM {other} WHERE market_id = ? AND start_ms = ?", (mid, w))
        db.execute(
            "DELETE FROM hour WHERE market_id = ? AND hour_ms >= ? AND hour_ms < ?",
            (mid, w, hi),
        )

    def _close_open(self, end_ms: int) -> None:
        """Move the open blocks of windows whole by ``end_ms`` to ``six_hour``, in its
        key order (those the merge left: markets with no new hour in them)."""
        rows = self._read_locked(
            "SELECT market_id, start_ms, n, data FROM six_hour_open WHERE start_ms <= ? "
            "ORDER BY start_ms, market_id",
            (end_ms - SIX_HOURS_MS,),
        )
        self._locked_steps([(*r, True, r[1] + SIX_HOURS_MS) for r in rows], self._write_merged)

    def _retain(
        self, blocks: list[tuple[str, int, bytes]], kept: list[tuple[int, bytes]], cut: int
    ) -> tuple[list, list, list, int]:
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
            # a cut dense block stays dense (zlib would make it ~8 % larger)
            block = _pack(rest, start, dense=table == "six_hour") if rest else None
            updates.append((table, start, len(rest), block))
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
                db.execute(
                    f"UPDATE {table} SET n = ?, data = ? WHERE market_id = ? AND {col} = ?",
                    (n, data, mid, start),
                )
            else:
                db.execute(f"DELETE FROM {table} WHERE market_id = ? AND {col} = ?", (mid, start))
        if kept_range:
            db.execute(
                "DELETE FROM kept WHERE market_id = ? AND day_ms >= ? AND day_ms < ?",
                (mid, *kept_range),
            )
            db.executemany("INSERT INTO kept VALUES (?, ?, ?, ?)", [(mid, *b) for b in kept_blocks])

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
                    row = self._read_locked("SELECT MIN(at_ms) FROM raw WHERE at_ms < ?", (before,))
                    if row[0][0] is None:
                        break
                    self._pack_hour(row[0][0] // HOUR_MS * HOUR_MS, before)
            finally:
                self._packing_before = -_FOREVER
            self._merge_closed(now_ms // HOUR_MS * HOUR_MS, cut)
            if self._retained_hour is not None and cut // HOUR_MS <= self._retained_hour:
                return 0
            self._retained_hour = cut // HOUR_MS
            mids = [r[0] for r in self._read_locked("SELECT id FROM market ORDER BY id", ())]
            deleted = 0
            for k in range(0, len(mids), 200):
                chunk = mids[k : k + 200]
                marks = ",".join("?" * len(chunk))
                blocks: dict[int, list[tuple[str, int, bytes]]] = {}
                for table, col in (("six_hour", "start_ms"), ("hour", "hour_ms")):
                    for mid, start, data in self._read_locked(
                        f"SELECT market_id, {col}, data FROM {table} WHERE market_id IN "
                        f"({marks}) AND {col} < ? ORDER BY market_id, {col}",
                        (*chunk, cut),
                    ):
                        blocks.setdefault(mid, []).append((table, start, data))
                if not blocks:
                    continue
                lo = min(b[1] for bs in blocks.values() for b in bs) - DAY_MS - WEEK_MS
                kept: dict[int, list] = {}
                found = sorted(blocks)
                for mid, start, data in self._read_locked(
                    f"SELECT market_id, day_ms, data FROM kept WHERE market_id IN "
                    f"({','.join('?' * len(found))}) AND day_ms >= ?",
                    (*found, lo),
                ):
                    kept.setdefault(mid, []).append((start, data))
                work = [(mid, self._retain(blocks[mid], kept.get(mid, []), cut)) for mid in found]
                deleted += sum(w[1][3] for w in work)
                self._locked_steps(work, self._write_retained)
            with self._lock:
                # Refresh markers older than the raw window go too; the newest stays.
                self._db.execute(
                    "DELETE FROM refresh WHERE at_ms < ? "
                    "AND at_ms < (SELECT MAX(at_ms) FROM refresh)",
                    (cut,),
                )
        return deleted
