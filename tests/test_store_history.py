"""The funding-history store: round trip, schema versions, retention, restart, kill -9."""

from __future__ import annotations

import csv
import math
import signal
import sqlite3
import struct
import subprocess
import sys
import textwrap
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundtui.core.accrual import Settlement, accumulated
from fundtui.core.quote import Quote
from fundtui.store import history
from fundtui.store.history import (
    HistoryError,
    HistoryStore,
    HistoryVersionError,
    Sample,
    schema,
)

MIN = 60_000
HOUR = 60 * MIN
DAY = 24 * HOUR
T0 = 59_000 * 8 * HOUR  # 2023-11-05 16:00 UTC, a multiple of 8 h (and of 4 h and 1 h)
DATA = Path(__file__).parent / "data"


def _q(
    symbol: str = "BTC/USDT:USDT",
    venue: str = "binance",
    base: str = "BTC",
    rate: float | None = 0.0001,
    interval: float | None = 8.0,
    **kw,
) -> Quote:
    return Quote(venue, symbol, base, "USDT", rate, interval, **kw)


@pytest.fixture
def store(tmp_path):
    s = HistoryStore.open(tmp_path / "h.sqlite3")
    yield s
    s.close()


# ------------------------------------------------------------------ round trip


def test_record_and_series_round_trip_with_missing_fields(store):
    full = _q(
        next_funding_ms=T0 + 8 * HOUR, mark_price=101.0, index_price=100.0, open_interest_usd=5e6
    )
    bare = _q("ETH/USDT:USDT", base="ETH", rate=None, interval=None)
    premium_only = _q("SOL/USDT:USDT", venue="okx", base="SOL", venue_premium=-0.0004)
    assert store.record([full, bare, premium_only], T0) == 3
    assert store.record([full], T0 + 30_000) == 1

    got = store.series("binance", "BTC/USDT:USDT", T0)
    assert got == [
        Sample(
            "binance",
            "BTC/USDT:USDT",
            "BTC",
            "USDT",
            at,
            0.0001,
            8.0,
            T0 + 8 * HOUR,
            101.0,
            100.0,
            pytest.approx(0.01),
            5e6,
        )
        for at in (T0, T0 + 30_000)
    ]
    assert store.series("binance", "BTC/USDT:USDT", T0, until_ms=T0 + 30_000)[-1].at_ms == T0
    assert store.series("binance", "ETH/USDT:USDT", 0) == [
        Sample(
            "binance", "ETH/USDT:USDT", "ETH", "USDT", T0, None, None, None, None, None, None, None
        )
    ]
    assert store.series("okx", "SOL/USDT:USDT", 0)[0].premium == -0.0004
    assert store.series("okx", "BTC/USDT:USDT", 0) == []
    assert store.latest_at() == T0 + 30_000


def test_packed_hours_read_back_as_recorded(store):
    quotes = [
        _q(
            rate=-0.00012345,
            next_funding_ms=T0 + 8 * HOUR,
            mark_price=64_123.45,
            index_price=64_100.5,
            open_interest_usd=1.234567e9,
        ),
        _q("ETH/USDT:USDT", base="ETH", rate=None, interval=None),
        _q("SOL/USDT:USDT", base="SOL", venue_premium=-0.0004, index_price=150.25),
        _q("XRP/USDT:USDT", base="XRP", mark_price=0.0, index_price=0.5),
        _q("DOGE/USDT:USDT", base="DOGE", rate=-2.0, interval=4.0, mark_price=0.1234),
    ]
    for k in range(0, 150):  # every 30 s for 75 min: two hours, the second open
        store.record(quotes, T0 + k * 30_000 + k % 7)
    before = store.all_since(0)
    store.compact(T0 + 2 * HOUR)  # packs both hours; nothing is past the raw window
    db = store._db
    assert db.execute("SELECT count(*) FROM raw").fetchone()[0] == 0
    # T0 + 2 h (18:00 UTC) closes the 6-hour window 12:00-18:00: its two hour blocks
    # per market are merged into one
    assert db.execute("SELECT count(*), SUM(n) FROM hour").fetchone() == (0, None)
    assert db.execute("SELECT count(*), SUM(n) FROM six_hour").fetchone() == (5, 750)
    after = store.all_since(0)
    assert list(after) == list(before)
    for key, samples in before.items():
        assert len(after[key]) == len(samples) == 150
        for old, new in zip(samples, after[key], strict=True):
            exact = ("at_ms", "funding_rate", "interval_hours", "next_funding_ms", "mark_price")
            assert [getattr(new, f) for f in exact] == [getattr(old, f) for f in exact]
            for f in ("index_price", "premium", "open_interest_usd"):
                assert getattr(new, f) == pytest.approx(getattr(old, f), rel=1e-7, abs=1e-12)
    lo, hi = T0 + HOUR - 1, T0 + HOUR + 31_000  # across the hour boundary
    assert store.series("binance", "BTC/USDT:USDT", lo, hi) == [
        s for s in after["binance", "BTC/USDT:USDT"] if lo <= s.at_ms < hi
    ]


def test_series_by_base_groups_by_venue(store):
    store.record([_q(), _q(venue="okx"), _q("ETH/USDT:USDT", base="ETH")], T0)
    store.record([_q(), _q("BTC/USDC:USDC", base="BTC")], T0 + MIN)
    got = store.series_by_base("BTC", T0)
    assert sorted(got) == ["binance", "okx"]
    assert [(s.symbol, s.at_ms) for s in got["binance"]] == [
        ("BTC/USDT:USDT", T0),
        ("BTC/USDC:USDC", T0 + MIN),
        ("BTC/USDT:USDT", T0 + MIN),
    ]
    assert [s.at_ms for s in got["okx"]] == [T0]
    assert store.series_by_base("BTC", T0 + 1)["binance"][0].at_ms == T0 + MIN
    assert store.series_by_base("DOGE", 0) == {}


def test_all_since_matches_per_market_series_across_compaction(store):
    _retention_fixture(store)
    store.record([_q(venue="okx", rate=None)], T0 + 60 * HOUR)
    store.compact(T0 + 72 * HOUR)
    since = T0 + 20 * HOUR  # reaches into the compacted part
    got = store.all_since(since)
    assert sorted(got) == [
        ("binance", "A/USDT:USDT"),
        ("binance", "B/USDT:USDT"),
        ("okx", "BTC/USDT:USDT"),
    ]
    for (venue, symbol), samples in got.items():
        assert samples == store.series(venue, symbol, since)
    assert [(s.at_ms - T0) / MIN for s in got["binance", "A/USDT:USDT"]][:3] == [
        1350.0,
        1440.0,
        1530.0,
    ]  # 1260 was compacted away (see A_KEPT)
    assert store.all_since(since, until_ms=since + 1) == {}
    assert store.all_since(T0 + 80 * HOUR) == {}


def test_empty_store_has_no_latest(store):
    assert store.latest_at() is None


def test_default_path_is_in_data_dir(tmp_path):
    s = HistoryStore.open()
    try:
        assert s.path == tmp_path / "data" / "history.sqlite3"
        assert s.path.exists()
    finally:
        s.close()


# ------------------------------------------------------------------ schema versions


def test_new_file_is_migrated_to_current_version_in_wal_mode(tmp_path):
    path = tmp_path / "h.sqlite3"
    path.touch()  # an empty file is an empty SQLite database
    HistoryStore.open(path).close()
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION >= 1
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"market", "raw", "kept", "refresh", "settlement", "meta"} <= tables
    finally:
        db.close()
    HistoryStore.open(path).close()  # reopening an up-to-date file is fine


def test_migrations_run_in_order_and_failed_one_rolls_back(tmp_path, monkeypatch):
    path = tmp_path / "h.sqlite3"

    def extra(db):
        db.execute("CREATE TABLE extra (x)")

    def extra_broken(db):
        db.execute("CREATE TABLE extra2 (x)")
        raise sqlite3.OperationalError("boom")

    known = len(history.MIGRATIONS)
    monkeypatch.setattr(schema, "MIGRATIONS", [*history.MIGRATIONS, extra, extra_broken])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(schema.MIGRATIONS))
    with pytest.raises(HistoryError, match="boom"):
        HistoryStore.open(path)
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == known + 1
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        assert "extra" in names and "extra2" not in names
    finally:
        db.close()


def test_future_schema_version_is_refused(tmp_path):
    path = tmp_path / "h.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {history.SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(HistoryVersionError) as err:
        HistoryStore.open(path)
    msg = str(err.value)
    assert str(path) in msg and "newer" in msg and "\n" not in msg
    db = sqlite3.connect(path)
    try:  # left as it was: not downgraded, no tables created
        assert db.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION + 1
        assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    finally:
        db.close()


def test_garbage_file_is_refused_naming_the_path(tmp_path):
    path = tmp_path / "h.sqlite3"
    garbage = b"this is not a database at all\n" * 200
    path.write_bytes(garbage)
    with pytest.raises(HistoryError) as err:
        HistoryStore.open(path)
    assert not isinstance(err.value, HistoryVersionError)
    assert str(path) in str(err.value) and "\n" not in str(err.value)
    assert path.read_bytes() == garbage  # the user's file is not touched


def test_damage_found_after_opening_is_a_history_error(tmp_path):
    path = tmp_path / "h.sqlite3"
    s = HistoryStore.open(path)
    for k in range(50):
        s.record([_q(f"S{i}/USDT:USDT", base=f"S{i}", mark_price=1.5) for i in range(40)], k)
    s.close()
    data = bytearray(path.read_bytes())
    page = history.PAGE_SIZE
    assert len(data) > 2 * page
    data[page:] = b"\xa5" * (len(data) - page)  # every page but the header and schema
    path.write_bytes(data)
    with pytest.raises(HistoryError, match=str(path)):
        s = HistoryStore.open(path)  # may open (header intact) and fail on first use
        try:
            s.latest_at()
            s.series("binance", "S1/USDT:USDT", 0)
            s.record([_q()], 10_000)
        finally:
            s.close()


def test_closed_store_raises_history_error(store):
    store.close()
    with pytest.raises(HistoryError):
        store.latest_at()
    with pytest.raises(HistoryError):
        store.record([_q()], T0)


# ------------------------------------------------------------------ retention


def _retention_fixture(store):
    """Two markets sampled every 90 min for 72 h: A with 4 h funding, B with 8 h.

    B also has a sample 1 ms before its first settlement (T0 + 8 h) and one exactly on it.
    """
    for m in range(0, 72 * 60 + 1, 90):
        at = T0 + m * MIN
        store.record(
            [
                _q("A/USDT:USDT", base="A", interval=4.0, rate=m * 1e-6),
                _q("B/USDT:USDT", base="B", interval=8.0, rate=m * 1e-6),
            ],
            at,
        )
    store.record([_q("B/USDT:USDT", base="B", interval=8.0, rate=-1.0)], T0 + 8 * HOUR - 1)
    store.record([_q("B/USDT:USDT", base="B", interval=8.0, rate=-2.0)], T0 + 8 * HOUR)


def _minutes(store, sym):
    return [(s.at_ms - T0) / MIN for s in store.series("binance", sym, 0)]


# Expected survivors, by hand. now = T0 + 72 h, so the raw window starts at 24 h = 1440 min.
# Samples are at 0, 90, ..., 4320 min. Older than 1440 min:
#  A (240-min windows): [0,240) 0,90,180 -> 180; [240,480) 270,360,450 -> 450;
#    [480,720) 540,630 -> 630; [720,960) 720,810,900 -> 900 (720 opens that window);
#    [960,1200) 990,1080,1170 -> 1170; [1200,1440) 1260,1350 -> 1350.
#  B (480-min windows): [0,480) 0..450 and 479.99998 -> 479.99998 (1 ms before settlement);
#    [480,960) 480, 540..900 -> 900; [960,1440) 990..1350 -> 1350.
RAW = [float(m) for m in range(1440, 4321, 90)]
A_KEPT = [180.0, 450.0, 630.0, 900.0, 1170.0, 1350.0] + RAW
B_KEPT = [480 - 1 / MIN, 900.0, 1350.0] + RAW


def test_compact_keeps_raw_48h_and_last_sample_per_settlement_window(store):
    _retention_fixture(store)
    now = T0 + 72 * HOUR
    assert store.compact(now) == (16 - 6) + (16 + 2 - 3)
    assert _minutes(store, "A/USDT:USDT") == A_KEPT
    assert _minutes(store, "B/USDT:USDT") == B_KEPT
    b = store.series("binance", "B/USDT:USDT", 0)
    assert b[0].funding_rate == -1.0  # the rate just before settlement is the one kept
    assert store.compact(now) == 0  # idempotent
    assert _minutes(store, "A/USDT:USDT") == A_KEPT
    assert store.latest_at() == T0 + 72 * HOUR


def test_compact_in_steps_matches_one_shot(store):
    _retention_fixture(store)
    for h in range(0, 73, 1):  # hourly as time advances, as the app would
        store.compact(T0 + h * HOUR)
    assert _minutes(store, "A/USDT:USDT") == A_KEPT
    assert _minutes(store, "B/USDT:USDT") == B_KEPT


def test_packing_a_few_markets_at_a_time_keeps_every_sample(tmp_path, monkeypatch):
    """Compaction packs ``_PACK_MARKETS`` markets at a time (bounded memory): with
    3 at a time over 10 markets, merging into hour blocks already written, every
    sample reads back exactly as with one pass over all of them."""

    def run(path, chunk):
        monkeypatch.setattr(HistoryStore, "_PACK_MARKETS", chunk)
        with HistoryStore.open(path) as s:
            for k in range(0, 50):  # every 90 s for 75 min: packed at 5-min marks
                at = T0 + k * 90_000
                s.record(
                    [
                        _q(
                            f"M{i}/USDT:USDT",
                            base=f"M{i}",
                            rate=(k * 7 + i) * 1e-6,
                            mark_price=100.0 + i + k / 100,
                            index_price=100.0 + i,
                        )
                        for i in range(10)
                        if (i + k) % 4
                    ],
                    at,
                )
                if k % 4 == 3:
                    s.compact(at)
            s.compact(T0 + 2 * HOUR)
            raw_left = s._db.execute("SELECT count(*) FROM raw").fetchone()[0]
            return s.all_since(0), raw_left

    chunked, raw_chunked = run(tmp_path / "a.sqlite3", 3)
    whole, raw_whole = run(tmp_path / "b.sqlite3", 1000)
    assert raw_chunked == raw_whole == 0  # all packed
    assert len(chunked) == 10 and sum(map(len, chunked.values())) == 10 * 50 * 3 // 4
    assert chunked == whole


def test_refresh_recorded_behind_compaction_mark_is_compacted_later(store):
    store.compact(T0 + 100 * HOUR)  # mark at T0 + 52 h
    for m in (0, 60, 120, 180):  # clock stepped back: an old refresh arrives
        store.record([_q("A/USDT:USDT", base="A", interval=4.0)], T0 + m * MIN)
    store.compact(T0 + 100 * HOUR)
    assert _minutes(store, "A/USDT:USDT") == [180.0]


# ------------------------------------------------------------------ block layers


def _moving(k: int, base: str = "BTC") -> Quote:
    """A quote whose every field moves with ``k``, at a venue's decimals."""
    return _q(
        f"{base}/USDT:USDT",
        base=base,
        rate=round(1e-4 + k * 3e-8, 10),
        next_funding_ms=T0 + 8 * HOUR,
        mark_price=round(64_000 + k * 1.37, 2),
        index_price=round(63_990 + k * 1.41, 8),
        open_interest_usd=1e9 + k * 1234.5,
    )


def _fields(samples):
    return [
        (
            s.at_ms,
            s.funding_rate,
            s.next_funding_ms,
            s.mark_price,
            s.index_price,
            s.open_interest_usd,
        )
        for s in samples
    ]


def test_compaction_packs_up_to_the_last_multiple_of_its_period(store):
    assert history.COMPACT_EVERY_MS == 5 * MIN
    for k in range(80):  # every 30 s for 40 min from T0
        store.record([_moving(k)], T0 + k * 30_000)
    before = _fields(store.series("binance", "BTC/USDT:USDT", 0))
    store.compact(T0 + 34 * MIN)  # packs what is older than T0 + 30 min
    db = store._db
    assert db.execute("SELECT MIN(at_ms) FROM raw").fetchone()[0] == T0 + 30 * MIN
    assert db.execute("SELECT hour_ms, n FROM hour").fetchall() == [(T0, 60)]
    for k in range(80, 110):
        store.record([_moving(k)], T0 + k * 30_000)
    store.compact(T0 + 54 * MIN)  # the same hour block grows to T0 + 50 min
    assert db.execute("SELECT hour_ms, n FROM hour").fetchall() == [(T0, 100)]
    assert db.execute("SELECT count(*) FROM raw").fetchone()[0] == 10
    # raw rows keep no premium that mark and index give back; reads recompute it
    assert db.execute("SELECT count(*) FROM raw WHERE premium IS NOT NULL").fetchone() == (0,)
    got = _fields(store.series("binance", "BTC/USDT:USDT", 0))
    assert got[:80] == before
    assert got[80:] == [
        _fields([s])[0]
        for s in (
            history.Sample(
                "binance",
                "BTC/USDT:USDT",
                "BTC",
                "USDT",
                T0 + k * 30_000,
                q.funding_rate,
                8.0,
                q.next_funding_ms,
                q.mark_price,
                q.index_price,
                q.premium,
                history._oi_digits(q.open_interest_usd),
            )
            for k in range(80, 110)
            for q in [_moving(k)]
        )
    ]
    assert [s.premium for s in store.series("binance", "BTC/USDT:USDT", T0 + 50 * MIN)] == [
        _moving(k).premium for k in range(100, 110)
    ]


def test_closed_six_hour_windows_become_one_dense_block(store):
    start = T0 - 4 * HOUR  # 12:00 UTC: the 6-hour window 12:00-18:00
    for k in range(7 * 6 + 1):  # every 10 min until T0 + 3 h
        at = start + k * 10 * MIN
        store.record([_moving(k), _moving(k, "ETH")], at)
        store.compact(at)
    recorded = {b: _fields(store.series("binance", f"{b}/USDT:USDT", 0)) for b in ("BTC", "ETH")}
    db = store._db
    rows = db.execute("SELECT start_ms, n, data FROM six_hour ORDER BY start_ms").fetchall()
    opened = db.execute("SELECT start_ms, n, data FROM six_hour_open").fetchall()
    # 12:00-18:00 whole; the open window 18:00-24:00 holds its closed hour 18:00 (a
    # closed hour joins its window's block at the next compaction, so the hour
    # blocks of a window never pile up beside the dense ones), in the open
    # windows' table until it is whole; 19:00 is still raw
    assert [(r[0], r[1]) for r in rows] == [(start, 36)] * 2
    assert [(r[0], r[1]) for r in opened] == [(T0 + 2 * HOUR, 6)] * 2
    assert all(r[2][0] == history._LZMA_TAG for r in rows + opened)
    assert db.execute("SELECT count(*) FROM hour").fetchone()[0] == 0
    for b in ("BTC", "ETH"):
        assert _fields(store.series("binance", f"{b}/USDT:USDT", 0)) == recorded[b]
        # narrow reads on either side of the block edge find exactly their samples
        edge = _fields(
            store.series(
                "binance", f"{b}/USDT:USDT", T0 + 2 * HOUR - 10 * MIN, T0 + 2 * HOUR + 10 * MIN + 1
            )
        )
        assert [f[0] for f in edge] == [T0 + 2 * HOUR + m * MIN for m in (-10, 0, 10)]
    assert store.compact(T0 + 3 * HOUR) == 0  # merging moves samples, deletes none


def test_a_window_moves_to_six_hour_once_whole_in_key_order(store):
    start = T0 - 4 * HOUR  # 12:00 UTC: the 6-hour window 12:00-18:00
    bases = ("ETH", "BTC", "SOL")  # market ids in this order
    seen = []
    for k in range(6 * 6 + 1):  # every 10 min, 12:00-18:00
        at = start + k * 10 * MIN
        store.record([_moving(k, b) for b in bases], at)
        store.compact(at)
        db = store._db
        seen.append(
            (
                db.execute("SELECT count(*) FROM six_hour").fetchone()[0],
                db.execute("SELECT count(*), min(n), max(n) FROM six_hour_open").fetchone(),
            )
        )
    # while the window is open its blocks grow in the open table, an hour at a time
    assert seen[7] == (0, (3, 6, 6))  # 13:10: the hour 12:00 merged (6 samples)
    assert seen[31] == (0, (3, 30, 30))  # 17:10: five hours
    # at 18:00 the window is whole: its blocks are in six_hour only, and in the
    # table's key order (window, market) they were written in (rowid-less: the
    # b-tree order is the key order; what is checked is that nothing is left open)
    assert seen[36] == (3, (0, None, None))
    got = db.execute("SELECT start_ms, market_id, n FROM six_hour").fetchall()
    ids = [store._market_id("binance", f"{b}/USDT:USDT", b, "USDT") for b in bases]
    assert got == [(start, i, 36) for i in sorted(ids)]
    for b in bases:
        assert [s.at_ms for s in store.series("binance", f"{b}/USDT:USDT", 0)] == [
            start + k * 10 * MIN for k in range(6 * 6 + 1)
        ]


def test_an_open_block_of_a_market_that_went_quiet_moves_when_its_window_ends(store):
    start = T0 - 4 * HOUR  # 12:00 UTC
    for k in range(8):  # BTC every 10 min, 12:00-13:10, then nothing
        store.record([_moving(k)], start + k * 10 * MIN)
    for k in range(8, 6 * 6 + 1):  # ETH goes on to 18:00
        at = start + k * 10 * MIN
        store.record([_moving(k, "ETH")], at)
        store.compact(at)
    db = store._db
    assert db.execute("SELECT count(*) FROM six_hour_open").fetchone()[0] == 0
    assert sorted(db.execute("SELECT n FROM six_hour").fetchall()) == [(8,), (28,)]
    assert len(store.series("binance", "BTC/USDT:USDT", 0)) == 8


def test_a_late_compaction_keeps_the_open_hours_samples(store):
    # The app closed at 13:10 before the hour 12:00 was merged and compacts again at
    # 13:20: merging the closed hour 12:00 must not drop the open hour's block, which
    # that compaction has just packed (13:00 and 13:10).
    start = T0 - 4 * HOUR  # 12:00 UTC
    for k in range(8):  # every 10 min, 12:00-13:10, no compaction
        store.record([_moving(k)], start + k * 10 * MIN)
    store.compact(start + 80 * MIN)
    assert [s.at_ms for s in store.series("binance", "BTC/USDT:USDT", 0)] == [
        start + k * 10 * MIN for k in range(8)
    ]
    assert store._db.execute("SELECT hour_ms, n FROM hour").fetchall() == [(start + HOUR, 2)]


def test_a_schema_2_files_open_window_moves_to_the_open_table(tmp_path, monkeypatch):
    path = tmp_path / "h.sqlite3"
    start = T0 - 4 * HOUR  # 12:00 UTC
    with monkeypatch.context() as m:  # a file written before the open windows' table
        m.setattr(schema, "MIGRATIONS", history.MIGRATIONS[:2])
        m.setattr(schema, "SCHEMA_VERSION", 2)
        old = HistoryStore.open(path)
        mid = old._market_id("binance", "BTC/USDT:USDT", "BTC", "USDT")
        rows = [
            (start + k * 10 * MIN, 1e-4, 8.0, 6 * HOUR, None, None, None, None) for k in range(6)
        ]  # the hour 12:00 as schema 2 left it: in six_hour, window still open
        old._db.execute(
            "INSERT INTO six_hour VALUES (?, ?, ?, ?)",
            (start, mid, 6, history._pack(rows, start, dense=True)),
        )
        old.close()
    store = HistoryStore.open(path)
    try:
        for k in range(6, 14):  # 13:00-14:10
            at = start + k * 10 * MIN
            store.record([_moving(k)], at)
            store.compact(at)
        db = store._db
        assert db.execute("SELECT count(*) FROM six_hour").fetchone()[0] == 0
        assert db.execute("SELECT start_ms, n FROM six_hour_open").fetchall() == [(start, 12)]
        assert [s.at_ms for s in store.series("binance", "BTC/USDT:USDT", 0)] == [
            start + k * 10 * MIN for k in range(14)
        ]
    finally:
        store.close()


def test_a_dense_block_cut_by_retention_stays_dense(store):
    start = T0 - 4 * HOUR  # 12:00 UTC
    for k in range(6 * 6 + 1):  # every 10 min, 12:00-18:00
        at = start + k * 10 * MIN
        store.record([_moving(k)], at)
        store.compact(at)
    whole = store._db.execute("SELECT n, length(data) FROM six_hour").fetchone()
    # 50 h after 12:00 the raw window's cut-off is 14:00: the block loses two hours
    store.compact(start + 50 * HOUR)
    n, data = store._db.execute("SELECT n, data FROM six_hour").fetchone()
    assert (whole[0], n) == (36, 24)
    assert data[0] == history._LZMA_TAG
    assert [s.at_ms for s in store.series("binance", "BTC/USDT:USDT", start + 2 * HOUR)][:2] == [
        start + 2 * HOUR,
        start + 2 * HOUR + 10 * MIN,
    ]


def test_day_blocks_of_schema_1_still_read_and_join_7_day_blocks(tmp_path, monkeypatch):
    path = tmp_path / "h.sqlite3"
    with monkeypatch.context() as m:  # a file written before six_hour and 7-day blocks
        m.setattr(schema, "MIGRATIONS", history.MIGRATIONS[:1])
        m.setattr(schema, "SCHEMA_VERSION", 1)
        old = HistoryStore.open(path)
        _retention_fixture(old)
        day = T0 // history.DAY_MS * history.DAY_MS  # 00:00 of T0's day
        legacy = [
            (day + 2 * HOUR, 5e-5, 8.0, 6 * HOUR, None, None, None, None),
            (day + 10 * HOUR, 6e-5, 8.0, 6 * HOUR, None, None, None, None),
        ]
        old._db.execute(
            "INSERT INTO kept VALUES (?, ?, ?, ?)",
            (
                old._market_id("binance", "A/USDT:USDT", "A", "USDT"),
                day,
                2,
                history._pack(legacy, day),
            ),
        )
        old.close()
    store = HistoryStore.open(path)  # migrates to the current schema
    try:
        first = [(s.at_ms - T0) / MIN for s in store.series("binance", "A/USDT:USDT", 0)]
        assert first[:2] == [-14 * 60.0, -6 * 60.0]  # the day block reads
        store.compact(T0 + 72 * HOUR)
        assert _minutes(store, "A/USDT:USDT") == [-14 * 60.0, -6 * 60.0] + A_KEPT
        assert _minutes(store, "B/USDT:USDT") == B_KEPT
        starts = [r[0] for r in store._db.execute("SELECT day_ms FROM kept")]
        assert starts and all(s % history.WEEK_MS == 0 for s in starts)
    finally:
        store.close()


# ------------------------------------------------------------------ restart, settlements


def test_restart_continues_with_same_history(tmp_path):
    path = tmp_path / "h.sqlite3"
    s = HistoryStore.open(path)
    for k in range(5):
        s.record([_q(rate=k * 1e-5, mark_price=100.0 + k), _q(venue="okx")], T0 + k * 30_000)
    s.save_settlements("binance", "BTC/USDT:USDT", [Settlement(T0, 0.0001, 8.0)])
    before = (s.series("binance", "BTC/USDT:USDT", 0), s.series_by_base("BTC", 0), s.latest_at())
    s.close()
    s = HistoryStore.open(path)
    try:
        after = (s.series("binance", "BTC/USDT:USDT", 0), s.series_by_base("BTC", 0), s.latest_at())
        assert after == before
        assert after[2] == T0 + 4 * 30_000
        assert len(after[0]) == 5
        assert s.settlements("binance", "BTC/USDT:USDT", 0) == [Settlement(T0, 0.0001, 8.0)]
        s.record([_q()], T0 + 5 * 30_000)  # market ids are reused after a restart
        assert len(s.series("binance", "BTC/USDT:USDT", 0)) == 6
    finally:
        s.close()


def test_store_usable_from_another_thread(store):
    errors = []

    def work():
        try:
            store.record([_q()], T0)
            store.compact(T0)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert errors == []
    assert store.latest_at() == T0


_KILL_CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from fundtui.core.quote import Quote
    from fundtui.store.history import HistoryStore
    n = int(sys.argv[2])
    s = HistoryStore.open(Path(sys.argv[1]))
    quotes = [Quote("binance", f"S{i}/USDT:USDT", f"S{i}", "USDT", 1e-4, 8.0,
                    mark_price=1.0 + i, index_price=1.0 + i, open_interest_usd=1e6)
              for i in range(n)]
    for k in range(100_000):
        s.record(quotes, 1_000 + k)
        print(k, flush=True)
""")


def test_kill_9_mid_write_leaves_a_consistent_database(tmp_path):
    path = tmp_path / "h.sqlite3"
    n = 400
    child = subprocess.Popen(
        [sys.executable, "-c", _KILL_CHILD, str(path), str(n)], stdout=subprocess.PIPE, text=True
    )
    reported: list[int] = []
    started = threading.Event()

    def drain():
        for line in child.stdout:
            reported.append(int(line))
            started.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        assert started.wait(30), "child never committed a refresh"
        time.sleep(0.5)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        reader.join(10)
    assert child.returncode == -signal.SIGKILL  # killed, not finished
    last_committed = reported[-1]

    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        counts = db.execute(
            "SELECT at_ms, count(*) FROM raw GROUP BY at_ms ORDER BY at_ms"
        ).fetchall()
    finally:
        db.close()
    assert all(c == n for _, c in counts)  # every refresh is all or nothing
    stored = [at - 1_000 for at, _ in counts]
    # Every refresh reported committed is there; at most the one in flight beyond it.
    assert stored == list(range(len(stored)))
    assert len(stored) in (last_committed + 1, last_committed + 2)

    s = HistoryStore.open(path)  # and the app opens it again
    try:
        assert s.latest_at() == 1_000 + stored[-1]
    finally:
        s.close()


# ------------------------------------------------------------------ accumulated funding


def test_settlements_round_trip_and_replace(store):
    store.save_settlements(
        "bybit", "X/USDT:USDT", [Settlement(T0, 1e-4, 8.0), Settlement(T0 + 8 * HOUR, -2e-4, None)]
    )
    store.save_settlements("bybit", "X/USDT:USDT", [Settlement(T0, 3e-4, 8.0)])
    assert store.settlements("bybit", "X/USDT:USDT", 0) == [
        Settlement(T0, 3e-4, 8.0),
        Settlement(T0 + 8 * HOUR, -2e-4, None),
    ]
    assert store.settlements("bybit", "X/USDT:USDT", T0 + 1) == [
        Settlement(T0 + 8 * HOUR, -2e-4, None)
    ]
    assert store.settlements("okx", "X/USDT:USDT", 0) == []


def test_accumulated_window_edges_and_sign():
    now = T0 + 30 * DAY
    rows = [
        Settlement(now - DAY, 1.0),  # exactly one day back: outside the 1 d window
        Settlement(now - DAY + 1, 0.25),
        Settlement(now - 3 * DAY, -0.5),  # shorts paid
        Settlement(now, 0.125),  # settled at now: counts
        Settlement(now + 1, 100.0),  # not yet settled
    ]
    assert accumulated(rows, now, 1) == 0.375
    assert accumulated(rows, now, 7) == 1.0 + 0.25 - 0.5 + 0.125
    assert accumulated([], now, 30) == 0.0


def test_accumulated_on_real_binance_xrp_history(store):
    # tests/data/binance_XRP_USDT_8h_funding_rate.csv: real Binance USD-M
    # XRP/USDT settled funding (fetch_funding_rate_history), 2021-11-18 .. 2021-12-18, 8 h.
    with open(DATA / "binance_XRP_USDT_8h_funding_rate.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 91
    store.save_settlements(
        "binance",
        "XRP/USDT:USDT",
        [Settlement(int(r["funding_time_ms"]), float(r["funding_rate"]), 8.0) for r in rows],
    )
    loaded = store.settlements("binance", "XRP/USDT:USDT", 0)
    now = int(rows[-1]["funding_time_ms"])  # 2021-12-18T00:00:00.014Z

    def expected(days):
        start = now - days * DAY
        picked = [r for r in rows if start < int(r["funding_time_ms"]) <= now]
        return len(picked), sum((Decimal(r["funding_rate"]) for r in picked), Decimal(0))

    # Pinned Decimal sums over the file: the last 3 settlements are 0.0001 each; 30 days
    # back from ...00.014Z still includes the first row (...00.017Z), so all 91 count.
    assert expected(1) == (3, Decimal("0.0003"))
    assert expected(7) == (21, Decimal("0.00160805"))
    assert expected(30) == (91, Decimal("0.00796412"))
    for days in (1, 7, 30):
        assert accumulated(loaded, now, days) == pytest.approx(
            float(expected(days)[1]), rel=1e-12, abs=0
        )


# ------------------------------------------------------------------ packed block encoding

_V1_BLOCK = bytes.fromhex(
    "789c6364616060600402060383070ca5a54a402e1303160052e2b084c3c9c9999f9f1f8b1c2650505070707000"
    "c9350428bcab6431333323ac4fc1c021323212aa2fcefc30db3bf3c59f9576efde03d3a2eb2cf3fa9199d57eb0"
    "b94d2dd3a64d9b31638697971700572a1aa6"
)


def _bits(row):
    """A row with floats as their bit patterns, so -0.0 and NaN compare exactly."""
    return tuple(struct.pack("<d", v) if isinstance(v, float) else v for v in row)


def test_packed_block_round_trips_venue_decimals_exactly():
    # Values as the venues send them (tests/fakevenue/payloads): binance 8-decimal
    # prices and rates, okx 16-decimal rates, gate contracts x multiplier x mark,
    # hyperliquid coins x mark, bybit 2-decimal OI values, and awkward floats.
    marks = [93951.8, 237.072057, 0.13781763, 37985.6, 0.0011736, 77562.0]
    idxs = [93902.89680851, 237.04590597, 0.13781224, 37954.92, 0.0011741, 77605.0]
    rates = [0.00013062, 0.000079238688534, -0.000212, 0.0001, -0.0000015186, 0.002053]
    ois = [
        1.0 * 33412011 * 0.0001 * 37985.6,
        1.0 * 605822.2557999999 * 2123.7,
        1183601235.91,
        5e6,
        0.1 + 0.2,
        1e300,
    ]
    rows = []
    for k in range(240):
        j = k % 6
        rows.append(
            (
                T0 + 30_000 * k,
                rates[j] if k % 5 else None,
                (1.0, 4.0, 8.0)[j % 3],
                HOUR - 30_000 * k,
                marks[j] if k % 7 else None,
                idxs[(j + k) % 6],
                -0.0004 if k % 3 else None,
                ois[(j + 1) % 6],
            )
        )
    got = history._unpack(history._pack(rows, T0), T0)
    exact = [tuple(r[:6]) + (r[7],) for r in rows]
    assert [tuple(r[:6]) + (r[7],) for r in got] == exact
    for r, g in zip(rows, got, strict=True):  # premium: recomputed, or the venue's own
        want = (r[4] - r[5]) / r[5] if r[4] is not None and r[5] else r[6]
        assert g[6] == want


def test_packed_block_keeps_odd_floats_bit_for_bit():
    odd = [
        -0.0,
        0.0,
        math.nan,
        math.inf,
        -math.inf,
        5e-324,
        1.7976931348623157e308,
        0.1 + 0.2,
        -1e-20,
        2.0**62,
        123456789.123456789,
    ]
    rows = [
        (
            T0 + k,
            odd[k % len(odd)],
            odd[(k + 1) % len(odd)],
            k * 7 - 300,
            odd[(k + 2) % len(odd)],
            odd[(k + 3) % len(odd)],
            odd[(k + 4) % len(odd)],
            odd[(k + 5) % len(odd)],
        )
        for k in range(50)
    ]
    got = history._unpack(history._pack(rows, T0), T0)
    for r, g in zip(rows, got, strict=True):
        mark, idx = r[4], r[5]
        skip = {6} if mark is not None and idx else set()
        assert [_bits(r)[i] for i in range(8) if i not in skip] == [
            _bits(g)[i] for i in range(8) if i not in skip
        ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(
                st.none(),
                st.floats(allow_nan=True),
                st.decimals(min_value=-1, max_value=1, places=12, allow_nan=False).map(float),
            ),
            st.one_of(st.none(), st.sampled_from([1.0, 4.0, 8.0]), st.floats()),
            st.one_of(st.none(), st.integers(-(2**40), 2**40)),
            st.one_of(
                st.none(),
                st.floats(min_value=0, allow_infinity=False),
                st.decimals(min_value=0, max_value=10**6, places=6, allow_nan=False).map(float),
            ),
            st.one_of(
                st.none(),
                st.floats(),
                st.decimals(min_value=0, max_value=10**6, places=8, allow_nan=False).map(float),
            ),
            st.one_of(st.none(), st.floats()),
            st.one_of(
                st.none(),
                st.floats(min_value=0),
                st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False).map(float),
            ),
        ),
        min_size=1,
        max_size=60,
    ),
    st.booleans(),
)
def test_packed_block_round_trip_property(cols, dense):
    rows = [
        (T0 + 1000 * k, rate, iv, nf, mark, idx, prem, oi)
        for k, (rate, iv, nf, mark, idx, prem, oi) in enumerate(cols)
    ]
    got = history._unpack(history._pack(rows, T0, dense=dense), T0)
    assert len(got) == len(rows)
    for r, g in zip(rows, got, strict=True):
        mark, idx = r[4], r[5]
        if mark is not None and idx:
            assert [_bits(r)[i] for i in (0, 1, 2, 3, 4, 5, 7)] == [
                _bits(g)[i] for i in (0, 1, 2, 3, 4, 5, 7)
            ]
        else:
            assert _bits(g) == _bits(r)


def test_blocks_of_the_previous_layout_still_read():
    assert history._unpack(_V1_BLOCK, T0) == [
        (T0, 0.0001, 8.0, HOUR, 100.5, 100.00000001164153, 0.004999999883002601, 5e6),
        (
            T0 + 30_000,
            0.00010001,
            8.0,
            HOUR - 30_000,
            100.75,
            99.99999998265412,
            0.007500000174759771,
            5000001.0,
        ),
        (
            T0 + 60_000,
            0.00010002,
            8.0,
            HOUR - 60_000,
            101.0,
            100.00000001583248,
            0.009999999840091913,
            5000002.0,
        ),
        (T0 + 200_000, None, None, None, None, None, -0.0004, None),
    ]


def test_refresh_recorded_into_the_hour_being_packed_is_not_lost(store, monkeypatch):
    # compact packs an hour in short steps with the lock released between them; a
    # refresh recorded into that hour meanwhile (clock stepped back) must survive
    for k in range(10):
        store.record([_q(rate=k * 1e-6)], T0 + k * 30_000)
    steps = HistoryStore._locked_steps
    late = []

    def racing_steps(self, items, fn):
        if not late:
            late.append(1)
            self.record([_q(rate=-5e-4), _q("ETH/USDT:USDT", base="ETH")], T0 + 45_000)
        steps(self, items, fn)

    monkeypatch.setattr(HistoryStore, "_locked_steps", racing_steps)
    store.compact(T0 + 2 * HOUR)
    assert late
    assert store._db.execute("SELECT count(*) FROM raw").fetchone()[0] == 0
    got = store.series("binance", "BTC/USDT:USDT", 0)
    assert [s.at_ms - T0 for s in got] == sorted([k * 30_000 for k in range(10)] + [45_000])
    assert got[2].funding_rate == -5e-4
    assert [s.at_ms for s in store.series("binance", "ETH/USDT:USDT", 0)] == [T0 + 45_000]


def test_compact_leaves_records_from_another_thread_intact(store):
    # a refresh every few ms on one thread while another compacts hour after hour
    stop = threading.Event()
    errors = []
    written = []

    def writer():
        at = T0 + 3 * HOUR
        try:
            while not stop.is_set():
                store.record([_q(f"S{i}/USDT:USDT", base=f"S{i}") for i in range(20)], at)
                written.append(at)
                at += 30_000
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    for k in range(3 * 120):
        store.record(
            [_q(f"S{i}/USDT:USDT", base=f"S{i}", rate=k * 1e-7) for i in range(20)], T0 + k * 30_000
        )
    t = threading.Thread(target=writer)
    t.start()
    try:
        for h in range(1, 4):
            store.compact(T0 + h * HOUR)
    finally:
        stop.set()
        t.join()
    assert errors == []
    got = store.series("binance", "S7/USDT:USDT", 0)
    assert [s.at_ms for s in got] == [T0 + k * 30_000 for k in range(360)] + written


def test_retention_runs_once_an_hour_unless_a_refresh_lands_behind_it(store, monkeypatch):
    _retention_fixture(store)
    passes = []
    retain = HistoryStore._retain
    monkeypatch.setattr(
        HistoryStore, "_retain", lambda self, *a: passes.append(1) or retain(self, *a)
    )
    store.compact(T0 + 72 * HOUR)
    assert passes and _minutes(store, "A/USDT:USDT") == A_KEPT
    n = len(passes)
    store.compact(T0 + 72 * HOUR + 45 * MIN)  # the same hour of the cut-off: no pass
    assert len(passes) == n
    store.record([_q("A/USDT:USDT", base="A", interval=4.0)], T0 + 30 * MIN)  # behind it
    store.compact(T0 + 72 * HOUR + 50 * MIN)
    assert len(passes) > n
    assert _minutes(store, "A/USDT:USDT") == A_KEPT  # 30 min joined the window ending 180
    n = len(passes)
    store.compact(T0 + 73 * HOUR)  # the next hour of the cut-off: a pass
    assert len(passes) > n
    # 1440 is now older than the cut-off (1500) but alone in its window [1440, 1680)
    assert _minutes(store, "A/USDT:USDT") == A_KEPT


def test_open_interest_is_recorded_to_8_significant_digits(store):
    gate = 33412011 * 0.0001 * 37985.6  # contracts x multiplier x mark: 126917528.50416
    quotes = [
        _q(open_interest_usd=gate),
        _q("ETH/USDT:USDT", base="ETH", open_interest_usd=None),
        _q("SOL/USDT:USDT", base="SOL", open_interest_usd=0.0),
        _q("XRP/USDT:USDT", base="XRP", open_interest_usd=math.inf),
        _q("ADA/USDT:USDT", base="ADA", open_interest_usd=1183601235.91),
    ]
    store.record(quotes, T0)
    got = {k[1]: v[0].open_interest_usd for k, v in store.all_since(0).items()}
    assert got["BTC/USDT:USDT"] == 126917530.0
    assert abs(got["BTC/USDT:USDT"] / gate - 1) < 5e-8
    assert got["ETH/USDT:USDT"] is None
    assert got["SOL/USDT:USDT"] == 0.0
    assert got["XRP/USDT:USDT"] == math.inf
    assert got["ADA/USDT:USDT"] == 1183601200.0
    store.compact(T0 + 2 * HOUR)  # packing keeps what was recorded, bit for bit
    assert {k[1]: v[0].open_interest_usd for k, v in store.all_since(0).items()} == got


def test_a_compaction_step_commits_at_most_step_items_blocks(store, monkeypatch):
    """However fast the machine (here: no time limit at all), one commit of a
    compaction writes at most _STEP_ITEMS blocks, so a commit's WAL stays small."""
    monkeypatch.setattr(type(store), "_STEP_S", 1e9)
    quotes = [_q(f"C{i:03d}/USDT:USDT", base=f"C{i:03d}") for i in range(100)]
    for k in range(4):
        store.record(quotes, T0 + k * 30_000)
    writes: list[int] = []
    store._db.set_trace_callback(
        lambda sql: (
            writes.append(0)
            if sql.startswith("BEGIN")
            else writes.__setitem__(-1, writes[-1] + 1)
            if sql.startswith("INSERT OR REPLACE INTO hour") and writes
            else None
        )
    )
    store.compact(T0 + 5 * MIN)
    store._db.set_trace_callback(None)
    blocks = [n for n in writes if n]
    assert sum(blocks) == 100
    assert max(blocks) == type(store)._STEP_ITEMS < 100
