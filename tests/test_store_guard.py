"""Every file fundtui reads back, against every way it can be unusable.

For the watchlist, the market and tier caches, the order-limits cache and the
updated sector map: not UTF-8, not JSON, the wrong shape, cut short, empty, larger
than its limit, a folder, a FIFO, a link to /dev/zero, a link loop, a link to
nothing, and a file we may not read. Each must load as "nothing" with one line
naming the file, keep the original at ``<name>.corrupt-<UTC time>``, and a later
save must leave that copy as it was. The signals log, which is read from its end
and never rewritten, is covered in test_store_signal_log.py.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fundtui.core.sectors import SectorMap
from fundtui.core.tiers import Tier
from fundtui.store import files, market_cache, sector_store, tier_cache
from fundtui.store.paths import data_dir
from fundtui.store.watchlist import Watchlist

TIERS = (Tier(0.0, 50_000.0, 0.004, 0.0, 125.0), Tier(50_000.0, float("inf"), 0.005, 50.0, 100.0))


@dataclass
class Kind:
    name: str
    path: Callable[[], Path]
    load: Callable[[], tuple[Any, str | None]]  # (value, notice)
    save: Callable[[], None]
    good: Callable[[], bytes]  # a file as its own save writes it
    wrong_shape: bytes
    limit: int


def _watchlist_load():
    wl, notice = Watchlist.load(data_dir() / "watchlist.json")
    return (wl.bases or None), notice


def _watchlist_save():
    wl, _ = Watchlist.load(data_dir() / "watchlist.json")
    wl.toggle("BTC")
    wl.save()


def _good_bytes(save: Callable[[], None], path: Callable[[], Path]) -> Callable[[], bytes]:
    def make() -> bytes:
        save()
        data = path().read_bytes()
        path().unlink()
        return data

    return make


def _tiers_save():
    assert tier_cache.save("bybit", "BTC/USDT:USDT", TIERS, key="k", saved_ms=1000)


def _limits_save():
    assert tier_cache.save_limits("bybit", "BTC/USDT:USDT", {"step": 0.001}, key="k")


def _market_save():
    assert market_cache.save("okx", {"markets": []}, key="k", saved_ms=1000)


def _sectors_save():
    sector_store.save(SectorMap.build({"Meme": ["DOGE"]}, "2026-11-20", "CoinGecko"))


KINDS = [
    Kind(
        "watchlist",
        lambda: data_dir() / "watchlist.json",
        _watchlist_load,
        _watchlist_save,
        lambda: b'{"version": 1, "bases": ["ETH"]}',
        b'{"bases": "BTC"}',
        1024 * 1024,
    ),
    Kind(
        "market cache",
        lambda: market_cache.cache_path("okx"),
        lambda: market_cache.read("okx", key="k", now_ms=2000),
        _market_save,
        _good_bytes(_market_save, lambda: market_cache.cache_path("okx")),
        b'{"format": 1, "venue": "okx", "key": "k", "saved_ms": "soon", "data": []}',
        market_cache.MAX_BYTES,
    ),
    Kind(
        "tier cache",
        lambda: tier_cache.cache_path("bybit", "BTC/USDT:USDT"),
        lambda: tier_cache.read("bybit", "BTC/USDT:USDT", key="k"),
        _tiers_save,
        _good_bytes(_tiers_save, lambda: tier_cache.cache_path("bybit", "BTC/USDT:USDT")),
        b'{"format": 1, "venue": "bybit", "symbol": "BTC/USDT:USDT", "key": "k", '
        b'"saved_ms": 1, "tiers": [{"floor": 5, "cap": 1, "mmr": 0.1, "cum": 0, '
        b'"max_leverage": 10, "unit": "notional"}]}',
        tier_cache.MAX_BYTES,
    ),
    Kind(
        "limits cache",
        lambda: tier_cache.limits_path("bybit", "BTC/USDT:USDT"),
        lambda: tier_cache.read_limits("bybit", "BTC/USDT:USDT", key="k"),
        _limits_save,
        _good_bytes(_limits_save, lambda: tier_cache.limits_path("bybit", "BTC/USDT:USDT")),
        b'{"format": 1, "key": "k", "limits": [1]}',
        tier_cache.MAX_BYTES,
    ),
    Kind(
        "sector map",
        sector_store.cache_path,
        sector_store.cached,
        _sectors_save,
        _good_bytes(_sectors_save, sector_store.cache_path),
        b'{"sectors": 5}',
        sector_store.MAX_BYTES,
    ),
]


def _place(kind: Kind, case: str, path: Path) -> Callable[[Path], None]:
    """Put the hostile thing at ``path``; returns the check that it survived, moved."""
    path.parent.mkdir(parents=True, exist_ok=True)
    contents = {
        "not utf-8": lambda: kind.good().replace(b'"', b"\xff", 1),
        "not json": lambda: b"{not json",
        "wrong shape": lambda: kind.wrong_shape,
        "truncated": lambda: kind.good()[: len(kind.good()) // 2],
        "empty": lambda: b"",
        "too deep": lambda: b"[" * 100_000 + b"]" * 100_000,
    }
    if case in contents:
        data = contents[case]()
        path.write_bytes(data)
        return lambda aside: _same_bytes(aside, data)
    if case == "huge":
        with open(path, "wb") as f:
            f.write(b"[")
            f.truncate(kind.limit + 1)  # sparse: nothing of it is read
        return lambda aside: (
            aside.stat().st_size == kind.limit + 1 and aside.open("rb").read(1) == b"["
        )
    if case == "directory":
        path.mkdir()
        (path / "inside").write_text("kept")
        return lambda aside: (aside / "inside").read_text() == "kept"
    if case == "fifo":
        os.mkfifo(path)
        return lambda aside: stat.S_ISFIFO(os.lstat(aside).st_mode)
    links = {
        "link to /dev/zero": "/dev/zero",
        "link loop": str(path),
        "dangling link": str(path.parent / "nowhere"),
    }
    path.symlink_to(links[case])
    return lambda aside: os.readlink(aside) == links[case]


def _same_bytes(aside: Path, data: bytes) -> bool:
    aside.chmod(0o600)
    return aside.read_bytes() == data


CASES = [
    "not utf-8",
    "not json",
    "wrong shape",
    "truncated",
    "empty",
    "too deep",
    "huge",
    "directory",
    "fifo",
    "link to /dev/zero",
    "link loop",
    "dangling link",
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_an_unusable_file_is_moved_aside_reported_and_survives_the_next_save(kind, case):
    path = kind.path()
    survived = _place(kind, case, path)
    value, notice = kind.load()
    assert value is None
    assert notice and "\n" not in notice and notice.isprintable(), notice
    assert str(path) in notice and "moved to" in notice
    (aside,) = path.parent.glob(path.name + ".corrupt-*")
    assert survived(aside)
    kind.save()
    assert survived(aside)
    value, notice = kind.load()
    assert value is not None and notice is None  # what was saved reads back


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_a_file_we_may_not_read_is_moved_aside(kind, monkeypatch):
    path = kind.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = kind.good()
    path.write_bytes(data)
    if os.geteuid() == 0:  # root reads through chmod 000: refuse as the kernel would
        real_open = os.open

        def denied(p, *a, **k):
            if os.fspath(p) == os.fspath(path):
                raise PermissionError(errno.EACCES, "Permission denied", os.fspath(p))
            return real_open(p, *a, **k)

        monkeypatch.setattr(files.os, "open", denied)
    else:
        path.chmod(0)
    value, notice = kind.load()
    assert value is None and str(path) in notice and "Permission denied" in notice
    (aside,) = path.parent.glob(path.name + ".corrupt-*")
    monkeypatch.undo()
    kind.save()
    assert _same_bytes(aside, data)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_a_good_file_reads_back_and_is_not_moved(kind):
    kind.save()
    value, notice = kind.load()
    assert value is not None and notice is None
    assert not list(kind.path().parent.glob("*.corrupt-*"))


def test_a_cache_of_another_source_or_age_is_not_corrupt():
    _market_save()
    assert market_cache.read("okx", key="other", now_ms=2000) == (None, None)
    assert market_cache.read("okx", key="k", now_ms=10**13) == (None, None)
    _tiers_save()
    assert tier_cache.read("bybit", "BTC/USDT:USDT", key="other") == (None, None)
    path = market_cache.cache_path("okx")
    path.write_text(json.dumps({"format": 99, "anything": []}))
    assert market_cache.read("okx", key="k") == (None, None) and path.exists()
    assert not list(path.parent.glob("*.corrupt-*"))


def test_the_old_loaders_still_answer_none_and_log_the_notice(caplog):
    path = market_cache.cache_path("okx")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xff")
    assert market_cache.load("okx") is None
    assert any(str(path) in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)
    tpath = tier_cache.cache_path("okx", "BTC/USDT:USDT")
    tpath.parent.mkdir(parents=True)
    tpath.write_bytes(b"[]")
    assert tier_cache.load("okx", "BTC/USDT:USDT") is None
    assert any(str(tpath) in r.getMessage() for r in caplog.records)


# --------------------------------------------------------------------------- watchlist


def test_a_non_utf8_watchlist_is_the_issue_and_no_longer_stops_the_app():
    path = data_dir() / "watchlist.json"
    path.write_bytes(b'{"version": 1, "bases": ["\xff\xfeBTC"]}')
    wl, notice = Watchlist.load(path)  # raised UnicodeDecodeError before
    assert len(wl) == 0 and notice.endswith("; starting empty")
    assert notice.startswith(f"Watchlist {path} unusable (not UTF-8 text")


def test_a_watchlist_that_could_not_be_moved_aside_is_not_saved_over(monkeypatch):
    path = data_dir() / "watchlist.json"
    path.write_bytes(b"\xff")

    def refuse(*a, **k):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(files.os, "link", refuse)
    monkeypatch.setattr(files.os, "replace", refuse)
    wl, notice = Watchlist.load(path)
    assert "could not be moved aside" in notice
    wl.toggle("BTC")
    with pytest.raises(OSError, match="could not be moved aside"):
        wl.save()
    assert path.read_bytes() == b"\xff"
    monkeypatch.undo()  # the folder is writable again: the save moves it first
    wl.save()
    (aside,) = path.parent.glob("watchlist.json.corrupt-*")
    assert aside.read_bytes() == b"\xff"
    assert Watchlist.load(path)[0].bases == {"BTC"}


def test_a_watchlist_left_in_place_by_a_passing_error_is_moved_before_the_save(monkeypatch):
    path = data_dir() / "watchlist.json"
    path.write_text('{"version": 1, "bases": ["ETH"]}')

    def too_many(*a, **k):
        raise OSError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr(files.os, "open", too_many)
    wl, notice = Watchlist.load(path)
    assert "left as it is" in notice and len(wl) == 0
    monkeypatch.undo()
    wl.toggle("BTC")
    wl.save()  # must not replace the user's ETH watchlist it could not read
    (aside,) = path.parent.glob("watchlist.json.corrupt-*")
    assert json.loads(aside.read_text())["bases"] == ["ETH"]


# --------------------------------------------------------------------------- permissions


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_data_and_cache_files_and_folders_are_private(tmp_path, monkeypatch, umask_022):
    data, cache = tmp_path / "fresh" / "data", tmp_path / "fresh" / "cache"
    monkeypatch.setenv("FUNDTUI_DATA_DIR", str(data))
    monkeypatch.setenv("FUNDTUI_CACHE_DIR", str(cache))
    _watchlist_save()
    _market_save()
    _tiers_save()
    _limits_save()
    _sectors_save()
    written = [
        data / "watchlist.json",
        market_cache.cache_path("okx"),
        tier_cache.cache_path("bybit", "BTC/USDT:USDT"),
        tier_cache.limits_path("bybit", "BTC/USDT:USDT"),
        sector_store.cache_path(),
    ]
    assert {p: _mode(p) for p in written} == {p: 0o600 for p in written}
    folders = [data.parent, data, cache, cache / "markets", cache / "tiers"]
    assert {p: _mode(p) for p in folders} == {p: 0o700 for p in folders}


@pytest.mark.parametrize(
    "kind", [k for k in KINDS if k.name != "market cache"], ids=lambda k: k.name
)
def test_a_save_straight_over_an_unusable_file_moves_it_aside_first(kind):
    """The market cache is always read before its first save (ccxt_venue); these
    files can be saved without a load just before (e.g. limits fetched with tiers)."""
    path = kind.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff not ours to lose")
    kind.save()
    (aside,) = path.parent.glob(path.name + ".corrupt-*")
    assert aside.read_bytes() == b"\xff not ours to lose"
    assert kind.load()[1] is None


def test_a_market_cache_whose_data_the_venue_rejects_is_moved_aside_too():
    _market_save()

    def metadata(data):
        raise KeyError("markets_ms")

    data, notice = market_cache.read("okx", key="k", now_ms=2000, parse=metadata)
    assert data is None and "KeyError" in notice and "moved to" in notice
    assert market_cache.read("okx", key="k", now_ms=2000) == (None, None)
    assert market_cache.read("okx", key="k", now_ms=2000, parse=len) == (None, None)
    _market_save()
    assert market_cache.read("okx", key="k", now_ms=2000, parse=len) == (1, None)
