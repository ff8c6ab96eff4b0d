"""The history file on disk: its WAL stays bounded, it is private, and a file that is
not a database is moved aside (never a locked one, never a newer one)."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from fundtui.core.quote import Quote
from fundtui.store import files, history
from fundtui.store.history import (
    COMPACT_EVERY_MS,
    HistoryError,
    HistoryStore,
    HistoryVersionError,
)

MIN = 60_000
HOUR = 60 * MIN
T0 = 59_000 * 8 * HOUR
VENUES = ("binance", "bybit", "okx", "bitget", "gate", "hyperliquid")


def _wal(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except FileNotFoundError:
        return 0


def _answer(venue: str, k: int, n: int) -> list[Quote]:
    """One venue's answer at refresh ``k``: every rate and price moved."""
    out = []
    for i in range(n):
        mark = 100.0 + i + ((k * 7919 + i * 104729) % 10_007) / 1000
        out.append(
            Quote(
                venue,
                f"C{i:03d}/USDT:USDT",
                f"C{i:03d}",
                "USDT",
                ((k * 31 + i * 17) % 2001 - 1000) * 1e-7,
                (1.0, 4.0, 8.0)[i % 3],
                next_funding_ms=T0 + 8 * HOUR,
                mark_price=mark,
                index_price=round(mark * 0.9995, 4),
                open_interest_usd=1e6 + (k * 13 + i) % 9973 * 100.5,
            )
        )
    return out


# ------------------------------------------------------------------ the WAL


def _simulate(
    store: HistoryStore, hours: float, step_ms: int, stop_above: int | None = None
) -> int:
    """Answers from six venues (one transaction each) every ``step_ms`` for
    ``hours``, compacted every 5 min as the app does; the WAL's largest size."""
    wal = _wal(store.path)
    peak = 0
    for k in range(int(hours * HOUR) // step_ms):
        at = T0 + k * step_ms
        for v, venue in enumerate(VENUES):
            store.record(_answer(venue, k, 10), at + v * 100)
            peak = max(peak, _size(wal))
        if (at + step_ms) % COMPACT_EVERY_MS == 0:
            store.compact(at + step_ms)
            peak = max(peak, _size(wal))
        if stop_above is not None and peak > stop_above:
            break
    return peak


def _unbounded(monkeypatch) -> None:
    """SQLite's defaults: a checkpoint every 1,000 pages (64 MB at 64 KB pages)."""
    monkeypatch.setattr(history.store, "_bound_wal", lambda db: None)
    monkeypatch.setattr(history.compaction, "_checkpoint", lambda db: None)


def test_wal_stays_under_its_bound_across_a_simulated_day(tmp_path):
    """A day of answers every 10 min, each followed by a compaction: the WAL never passes
    WAL_SIZE_LIMIT_BYTES, and the file stays sound."""
    path = tmp_path / "history.sqlite3"
    store = HistoryStore.open(path)
    try:
        peak = _simulate(store, 24, 10 * MIN)
        assert store.latest_at() == T0 + 24 * HOUR - 10 * MIN + 500
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()
    assert 0 < peak <= history.WAL_SIZE_LIMIT_BYTES
    assert not _wal(path).exists()  # the last connection's close folds the WAL in


def test_wal_stays_under_its_bound_between_compactions_at_a_fast_refresh(tmp_path, monkeypatch):
    """Half an hour of answers every 5 s (what the app writes between two
    compactions, six times over): the checkpoint every WAL_CHECKPOINT_BYTES
    keeps the WAL under its bound; SQLite's defaults let it pass."""
    with HistoryStore.open(tmp_path / "history.sqlite3") as store:
        assert 0 < _simulate(store, 0.5, 5_000) <= history.WAL_SIZE_LIMIT_BYTES
    _unbounded(monkeypatch)
    limit = history.WAL_SIZE_LIMIT_BYTES
    with HistoryStore.open(tmp_path / "unbounded.sqlite3") as control:
        assert _simulate(control, 0.5, 5_000, stop_above=limit) > limit


def test_a_new_files_tables_do_not_set_the_wals_size(tmp_path):
    """Opening checkpoints what it wrote (a new file's 13 tables, 832 KB): left in
    the WAL, the first answer came on top of it (1.2 MB at 1,800 new markets)."""
    path = tmp_path / "history.sqlite3"
    with HistoryStore.open(path) as store:
        store.record(_answer("binance", 0, 1800), T0)  # one answer, 1,800 new markets
        first = _size(_wal(path))
        for k in range(1, 20):
            store.record(_answer("binance", k, 1800), T0 + k * 30_000)
        later = _size(_wal(path))
    assert 0 < first < history.WAL_SIZE_LIMIT_BYTES
    assert later <= history.WAL_SIZE_LIMIT_BYTES + history.WAL_CHECKPOINT_BYTES // 2


def test_wal_checkpoint_is_counted_in_the_files_own_pages(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)  # a file made with 4 KB pages keeps them
    db.execute("PRAGMA page_size = 4096")
    db.execute("CREATE TABLE scratch (x)")
    db.execute("DROP TABLE scratch")
    db.close()
    store = HistoryStore.open(path)
    try:
        db = store._db
        assert db.execute("PRAGMA page_size").fetchone()[0] == 4096
        assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == (
            history.WAL_CHECKPOINT_BYTES // 4096
        )
        assert db.execute("PRAGMA journal_size_limit").fetchone()[0] == (
            history.WAL_SIZE_LIMIT_BYTES
        )
    finally:
        store.close()
    store = HistoryStore.open(tmp_path / "new.sqlite3")
    try:
        assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == (
            history.WAL_CHECKPOINT_BYTES // history.PAGE_SIZE
        )
    finally:
        store.close()


def test_compact_checkpoints_what_it_wrote(tmp_path):
    path = tmp_path / "history.sqlite3"
    store = HistoryStore.open(path)
    try:
        for k in range(20):
            store.record(_answer("binance", k, 200), T0 + k * 30_000)
        store.compact(T0 + HOUR)
        busy, log, done = store._db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert (busy, log) == (0, done)  # nothing left in the WAL that is not in the file
    finally:
        store.close()


# ------------------------------------------------------------------ permissions


def test_new_history_file_its_wal_and_folder_are_private(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "home" / "nested" / "history.sqlite3"
        store = HistoryStore.open(path)
        try:
            store.record(_answer("okx", 0, 5), T0)
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in path.parent.iterdir()}
        finally:
            store.close()
    finally:
        os.umask(old)
    assert modes == {
        "history.sqlite3": 0o600,
        "history.sqlite3-wal": 0o600,
        "history.sqlite3-shm": 0o600,
    }
    for folder in (path.parent, path.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_existing_folder_and_file_keep_their_modes(tmp_path):
    HistoryStore.open(tmp_path / "history.sqlite3").close()
    os.chmod(tmp_path / "history.sqlite3", 0o640)
    os.chmod(tmp_path, 0o750)
    HistoryStore.open(tmp_path / "history.sqlite3").close()
    assert stat.S_IMODE((tmp_path / "history.sqlite3").stat().st_mode) == 0o640
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o750


# ------------------------------------------------------------------ not a database


def _real_db_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "real.sqlite3"
    with HistoryStore.open(path) as store:
        for k in range(30):
            store.record(_answer("gate", k, 50), T0 + k * 30_000)
    return path.read_bytes()


def _unusable_contents(tmp_path: Path) -> dict[str, bytes]:
    real = _real_db_bytes(tmp_path)
    return {
        "garbage": bytes(range(256)) * 40,
        "text": b"not a database\n" * 300,
        "header only": b"SQLite format 3\x00\x10\x00\x02\x02",
        "cut at 100 bytes": real[:100],
        "cut in half": real[: len(real) // 2],
    }


def _asides(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if ".corrupt-" in p.name)


@pytest.mark.parametrize(
    "case", ["garbage", "text", "header only", "cut at 100 bytes", "cut in half"]
)
def test_file_that_is_not_a_database_is_moved_aside_and_a_new_one_started(tmp_path, case):
    data = _unusable_contents(tmp_path)[case]
    folder = tmp_path / "home"
    folder.mkdir()
    path = folder / "history.sqlite3"
    path.write_bytes(data)
    store = HistoryStore.open(path, move_unusable_aside=True)
    try:
        assert store.record(_answer("bybit", 0, 3), T0) == 3
        assert store.latest_at() == T0
        [notice] = store.notices
    finally:
        store.close()
    [aside] = _asides(folder)
    assert aside.name.startswith("history.sqlite3.corrupt-")
    assert aside.read_bytes() == data  # kept as it was, never deleted
    assert str(path) in notice and aside.name in notice and "\n" not in notice
    # the new file is a database, private, and opens again without a notice
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with HistoryStore.open(path, move_unusable_aside=True) as again:
        assert again.notices == [] and again.latest_at() == T0
    assert len(_asides(folder)) == 1


def test_wal_beside_a_damaged_file_goes_aside_with_it(tmp_path):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"\xa5" * 5000)
    _wal(path).write_bytes(b"old wal frames" * 100)
    store = HistoryStore.open(path, move_unusable_aside=True)
    store.close()
    names = sorted(p.name.split(".corrupt-")[0] for p in _asides(tmp_path))
    assert names == ["history.sqlite3", "history.sqlite3-wal"]


def test_folder_at_the_history_path_is_moved_aside(tmp_path):
    path = tmp_path / "history.sqlite3"
    path.mkdir()
    (path / "keep.txt").write_text("mine")
    store = HistoryStore.open(path, move_unusable_aside=True)
    try:
        assert path.is_file() and store.latest_at() is None
        assert "not a regular file" in store.notices[0]
    finally:
        store.close()
    [aside] = _asides(tmp_path)
    assert (aside / "keep.txt").read_text() == "mine"


def test_without_the_flag_an_unusable_file_is_refused_and_left(tmp_path):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"garbage" * 500)
    with pytest.raises(HistoryError, match="not an SQLite database"):
        HistoryStore.open(path)
    assert _asides(tmp_path) == [] and path.read_bytes() == b"garbage" * 500


def test_file_that_cannot_be_moved_aside_is_refused_and_left(tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"garbage" * 500)

    def refuse(src, dst, **kw):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "replace", refuse)
    monkeypatch.setattr(files.os, "link", refuse)
    with pytest.raises(HistoryError) as err:
        HistoryStore.open(path, move_unusable_aside=True)
    assert "could not be moved aside" in str(err.value) and "\n" not in str(err.value)
    assert path.read_bytes() == b"garbage" * 500


def test_locked_file_is_not_moved_aside(tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite3"
    with HistoryStore.open(path) as store:
        store.record(_answer("okx", 0, 5), T0)
    monkeypatch.setattr(history.store, "BUSY_TIMEOUT_S", 0.05)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")  # another process writing and holding the file
    try:
        with pytest.raises(HistoryError, match="locked"):
            HistoryStore.open(path, move_unusable_aside=True)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _asides(tmp_path) == []
    with HistoryStore.open(path) as store:  # still the same file, with its data
        assert store.latest_at() == T0


def test_newer_schema_is_not_moved_aside(tmp_path):
    path = tmp_path / "history.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {history.SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(HistoryVersionError):
        HistoryStore.open(path, move_unusable_aside=True)
    assert _asides(tmp_path) == [] and path.exists()


def test_store_opened_after_a_move_is_usable_from_another_thread(tmp_path):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"\x00" * 4096)
    store = HistoryStore.open(path, move_unusable_aside=True)
    try:
        worker = threading.Thread(target=store.record, args=(_answer("gate", 1, 4), T0))
        worker.start()
        worker.join()
        assert store.latest_at() == T0
    finally:
        store.close()


def test_moved_aside_but_no_new_file_still_names_where_it_went(tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"garbage" * 500)
    real_open = HistoryStore._open.__func__
    calls = []

    def second_fails(cls, p, notices):
        calls.append(p)
        if len(calls) == 2:
            raise HistoryError(f"History database {p} is unusable: disk I/O error")
        return real_open(cls, p, notices)

    monkeypatch.setattr(HistoryStore, "_open", classmethod(second_fails))
    with pytest.raises(HistoryError) as err:
        HistoryStore.open(path, move_unusable_aside=True)
    [aside] = _asides(tmp_path)
    assert aside.name in str(err.value) and "disk I/O error" in str(err.value)


def test_wal_that_cannot_follow_its_file_aside_stops_the_open(tmp_path, monkeypatch):
    """A WAL left behind would be replayed into the new file: if it cannot be moved,
    no new file is started on top of it."""
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"garbage" * 500)
    _wal(path).write_bytes(b"frames" * 100)
    real_link, real_replace = os.link, os.replace

    def stuck(real):
        def rename(src, dst, **kw):
            if str(src).endswith("-wal"):
                raise PermissionError(13, "Permission denied")
            return real(src, dst, **kw)

        return rename

    monkeypatch.setattr(files.os, "link", stuck(real_link))
    monkeypatch.setattr(files.os, "replace", stuck(real_replace))
    with pytest.raises(HistoryError, match="could not be moved aside"):
        HistoryStore.open(path, move_unusable_aside=True)
    assert not path.exists() and _wal(path).read_bytes() == b"frames" * 100
