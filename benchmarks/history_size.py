"""Size of the history database after 30 simulated days at a 30 s refresh, 1,800 quotes each.

Target (issue 3): at most 50 MB.

How the figure is obtained. Recording all 86,400 refreshes x 1,800 quotes
(155 M rows) literally takes far too long here, so the run reproduces the state
the store is in after 30 days instead, through the real code path
(``HistoryStore.record`` and ``HistoryStore.compact`` in simulated time):

- the newest ``--full-hours`` (default 50 h) are recorded at the full rate: a
  refresh every 30 s with all 1,800 quotes, compacted every ``COMPACT_EVERY_MS``
  (5 min) as the app does. The compactions of the last two hours cut into this
  full-rate data, as they do in steady state, and their time is reported as the
  steady-state compact cost, with the compaction time per simulated hour;
- the older part of the 30 days is recorded at one refresh every 30 minutes
  (two or more samples in every 1/4/8 h settlement window) and compacted
  hourly. Retention keeps only the last sample per window of anything older
  than 48 h, so after compaction these samples are exactly the ones a full-rate
  recording would have left (same count, same columns; only the values differ).

At the end the file is checkpointed and closed, and its size is printed along
with the size before the full-rate phase (older part, compacted) and the growth
during it (the raw 48 h), the largest the WAL and its -shm index reached beside
it while the app ran (checked after every record and compaction; they live
beside the file, so the budget counts them: the most the file, WAL and -shm
took together at one check; the file's and the WAL's peaks added, an upper
bound, are printed too), the pages, payload and unused bytes of each table over
1 MB (SQLite's dbstat), samples written and kept, the median/95th-percentile
time of a full 1,800-quote ``record()`` call and the time of a few series reads.
With ``--full-hours`` below 48 the raw part is extrapolated linearly to 48 h and
the output says so.

Markets: 1,800 perpetuals, a third each on 1 h, 4 h and 8 h funding; every
field filled with non-integral floats (SQLite stores integral REALs in fewer
bytes, which would flatter the result), drawn afresh at every refresh: rate,
mark, index and open interest all change every 30 s by random amounts, the
worst case for the packed blocks (nothing repeats, little compresses).

    python benchmarks/history_size.py [--full-hours 50] [--days 30] [--keep DIR]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fundtui.core.quote import Quote  # noqa: E402
from fundtui.store.history import (  # noqa: E402
    COMPACT_EVERY_MS,
    RAW_RETENTION_MS,
    HistoryStore,
)

HOUR_MS = 3_600_000
REFRESH_MS = 30_000
SPARSE_MS = 30 * 60_000
OVERLAP = 10  # refreshes a background compaction may overlap (see background_compact)
N_QUOTES = 1_800
INTERVALS = (1.0, 4.0, 8.0)
START_MS = 1_767_225_600_000  # 2026-01-01 00:00 UTC
#: Realistic market: sd per 30 s of the price (0.05 %: about 2.7 % a day), of the
#: mark/index basis and okx's premium (AR(1) towards 0 and 0.01 %), of the
#: predicted 8h rate (AR(1) towards its centre) and of the open interest.
PRICE_SD = 5e-4
BASIS_SD = 2e-5
RATE_SD = 5e-7
OI_SD = 2e-4
#: Share of markets whose rate sits at the interest rate (binance recording: 228 of 346).
PINNED = 228 / 346
NEUTRAL_8H = 0.0001


def _table_pages(db) -> str:
    """Pages, payload and unused bytes of the tables holding over 1 MB of pages
    (SQLite's ``dbstat``; empty when the build lacks it)."""
    try:
        rows = db.execute(
            "SELECT name, SUM(pgsize), SUM(payload), SUM(unused) FROM dbstat "
            "GROUP BY name HAVING SUM(pgsize) > 1000000 ORDER BY 2 DESC"
        ).fetchall()
    except Exception:  # noqa: BLE001 (no dbstat in this SQLite)
        return ""
    return "; ".join(
        f"{name} {pg / 1e6:.1f} MB of pages, {pay / 1e6:.1f} MB payload, {un / 1e6:.1f} MB unused"
        for name, pg, pay, un in rows
    )


def _markets(rng: random.Random) -> list[tuple]:
    venues = ("binance", "bybit", "okx", "bitget", "gate", "hyperliquid")
    out = []
    for i in range(N_QUOTES):
        venue = venues[i % len(venues)]
        base = f"C{i // len(venues):03d}"
        out.append(
            (
                venue,
                f"{base}/USDT:USDT",
                base,
                INTERVALS[i % 3],
                rng.uniform(0.01, 50_000.0),
                rng.uniform(1e5, 5e8),
            )
        )
    return out


def _refresh(markets: list[tuple], at_ms: int, rng: random.Random) -> list[Quote]:
    """Worst case: every field redrawn at full float precision on every refresh."""
    quotes = []
    rnd = rng.random
    for venue, symbol, base, iv, px, oi in markets:
        period = int(iv * HOUR_MS)
        mark = px * (1.0 + (rnd() - 0.5) * 0.02)
        quotes.append(
            Quote(
                venue,
                symbol,
                base,
                "USDT",
                (rnd() - 0.4) * 4e-4,
                iv,
                next_funding_ms=(at_ms // period + 1) * period,
                mark_price=mark,
                index_price=mark * (1.0 + (rnd() - 0.5) * 1e-3),
                open_interest_usd=oi * (1.0 + rnd() * 0.01),
            )
        )
    return quotes


def _sig_places(price: float, digits: int) -> int:
    """Decimal places that show ``digits`` significant digits of ``price``."""
    return max(0, digits - 1 - math.floor(math.log10(price)))


class _Venue:
    """What one venue's bulk answer carries, at the precision it sends (see module doc)."""

    def __init__(
        self,
        rate_dp: int,
        mark_sig: int | None,
        index_dp_or_sig: tuple | None,
        oi: str | None,
        premium_dp: int | None = None,
    ):
        self.rate_dp = rate_dp
        self.mark_sig = mark_sig
        self.index = index_dp_or_sig
        self.oi = oi
        self.premium_dp = premium_dp


_REAL_VENUES = {
    "binance": _Venue(8, 6, ("sig", 8), None),
    "bybit": _Venue(6, 5, ("sig", 5), "value"),
    "okx": _Venue(16, None, None, None, premium_dp=16),
    "bitget": _Venue(6, None, None, None),
    "gate": _Venue(6, 5, ("sig", 5), "contracts"),
    "hyperliquid": _Venue(10, 5, ("sig", 5), "coins"),
}


class _RealMarket:
    """One perpetual moving as a live one does between 30 s refreshes."""

    def __init__(self, i: int, rng: random.Random):
        venues = tuple(_REAL_VENUES)
        self.venue = venues[i % len(venues)]
        self.spec = _REAL_VENUES[self.venue]
        base = f"C{i // len(venues):03d}"
        self.symbol = f"{base}/USDT:USDT"
        self.base = base
        self.iv = INTERVALS[i % 3]
        self.price = rng.uniform(0.01, 50_000.0)
        self.basis = rng.gauss(0.0, 5e-4)
        self.centre = rng.gauss(1e-4, 1e-4) * self.iv / 8
        self.rate = self.centre
        # the premium sits inside the +/-0.05 % clamp around the interest rate, so
        # the rate is exactly the interest rate and repeats between refreshes
        self.pinned = rng.random() < PINNED
        self.premium = rng.gauss(1e-4, 2e-4)
        self.size = rng.uniform(1e5, 5e8) / self.price  # open interest in coins
        self.multiplier = rng.choice((0.0001, 0.001, 0.01, 1.0, 10.0))

    def quote(self, at_ms: int, rng: random.Random, steps: float = 1.0) -> Quote:
        """The quote at ``at_ms``, ``steps`` refreshes after the previous one."""
        k = math.sqrt(steps)

        def g(mu: float, sd: float) -> float:
            return rng.gauss(mu, sd * k)

        sp = self.spec
        self.price *= 1.0 + g(0.0, PRICE_SD)
        self.basis += 0.01 * (0.0 - self.basis) + g(0.0, BASIS_SD)
        self.rate += 0.01 * (self.centre - self.rate) + g(0.0, RATE_SD) * self.iv / 8
        self.premium += 0.05 * (1e-4 - self.premium) + g(0.0, BASIS_SD)
        self.size *= 1.0 + g(0.0, OI_SD)
        mark = index = oi = premium = None
        if sp.mark_sig is not None:
            mark = round(self.price, _sig_places(self.price, sp.mark_sig))
            kind, digits = sp.index
            raw = self.price / (1.0 + self.basis)
            index = round(raw, digits if kind == "dp" else _sig_places(raw, digits))
        if sp.oi == "value":  # bybit openInterestValue, 2 decimals
            oi = round(self.size * self.price, 2)
        elif sp.oi == "contracts":  # gate position_size x quanto_multiplier x mark
            oi = 1.0 * round(self.size / self.multiplier) * self.multiplier * mark
        elif sp.oi == "coins":  # hyperliquid openInterest (coins) x mark
            oi = 1.0 * round(self.size, 4) * mark
        if sp.premium_dp is not None:
            premium = round(self.premium, sp.premium_dp)
        period = int(self.iv * HOUR_MS)
        rate = NEUTRAL_8H * self.iv / 8 if self.pinned else self.rate
        return Quote(
            self.venue,
            self.symbol,
            self.base,
            "USDT",
            round(rate, sp.rate_dp),
            self.iv,
            next_funding_ms=(at_ms // period + 1) * period,
            mark_price=mark,
            index_price=index,
            open_interest_usd=oi,
            venue_premium=premium,
        )


class _TimedLock:
    """The store's lock, timing each hold into ``holds`` when that is a list."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._t = 0.0
        self.holds: list[float] | None = None

    def __enter__(self) -> None:
        self._lock.acquire()
        self._t = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        if self.holds is not None and threading.current_thread() is not threading.main_thread():
            self.holds.append(time.perf_counter() - self._t)
        self._lock.release()


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def _wal_size(path: Path) -> int:
    """Bytes of the WAL and its -shm index beside ``path`` (0 when absent)."""
    total = 0
    for suffix in ("-wal", "-shm"):
        try:
            total += path.with_name(path.name + suffix).stat().st_size
        except FileNotFoundError:
            pass
    return total


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--days", type=float, default=30.0)
    ap.add_argument(
        "--full-hours",
        type=float,
        default=50.0,
        help="newest hours recorded at the full 30 s rate (>= 48 for no extrapolation)",
    )
    ap.add_argument("--keep", type=Path, help="write the database here and keep it")
    ap.add_argument(
        "--market",
        choices=("worst", "realistic"),
        default="worst",
        help="worst: every field redrawn at full float precision each refresh; "
        "realistic: each venue's fields at its precision, moving as live "
        "markets do (see module doc)",
    )
    args = ap.parse_args()

    rng = random.Random(1)
    if args.market == "worst":
        markets = _markets(rng)
        refresh = _refresh
    else:
        markets = [_RealMarket(i, rng) for i in range(N_QUOTES)]

        def refresh(ms: list, at: int, rng: random.Random) -> list[Quote]:
            steps = 1.0 if at >= full_from else SPARSE_MS / REFRESH_MS
            return [m.quote(at, rng, steps) for m in ms]

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="fundtui-history-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "history.sqlite3"
    for p in workdir.glob("history.sqlite3*"):
        p.unlink()

    end_ms = START_MS + int(args.days * 24 * HOUR_MS)
    full_from = end_ms - int(args.full_hours * HOUR_MS)
    t_start = time.perf_counter()
    store = HistoryStore.open(path)
    lock = store._lock = _TimedLock()  # measures how long each step holds the store
    written = 0
    next_compact = START_MS + HOUR_MS
    compact_s: list[tuple[int, float]] = []
    holds: list[float] = []  # lock holds inside compact() runs
    wal_peak = file_peak = disk_peak = 0
    file_peaks: list[tuple[float, int, bool]] = []  # (simulated hours to the end, size, compacting)

    def watch_wal() -> None:
        nonlocal wal_peak, file_peak, disk_peak
        wal = _wal_size(path)
        size = path.stat().st_size  # the database file alone
        wal_peak = max(wal_peak, wal)
        disk_peak = max(disk_peak, size + wal)
        if size > file_peak:
            file_peak = size
            busy = worker is not None and worker.is_alive()
            file_peaks.append(((end_ms - at) / HOUR_MS, size, busy))

    def run_compact(now: int) -> None:
        t = time.perf_counter()
        store.compact(now)
        compact_s.append((now, time.perf_counter() - t))
        watch_wal()

    def maybe_compact(now: int, every: int) -> None:
        nonlocal next_compact
        while now >= next_compact:
            run_compact(next_compact)
            next_compact += every

    worker: threading.Thread | None = None

    def background_compact(now: int) -> None:
        """As the app does: compact on a worker thread while refreshes go on.

        Refreshes here follow each other without the 30 s wait, so a compaction
        would overlap a whole simulated hour of them and raw would hold two
        hours; live, a few-second compaction overlaps at most a refresh or two.
        So it overlaps the hour's first ``OVERLAP`` refreshes (5 simulated
        minutes) and is then waited for, outside the timed record() calls.
        """
        nonlocal next_compact, worker
        if worker is not None and now >= next_compact - COMPACT_EVERY_MS + OVERLAP * REFRESH_MS:
            worker.join()
            worker = None
        if now < next_compact:
            return
        if worker is not None:
            worker.join()
        worker = threading.Thread(target=run_compact, args=(next_compact,))
        next_compact += COMPACT_EVERY_MS
        worker.start()

    # Older part: sparse refreshes (two an hour), compacted hourly as simulated time
    # advances; compacting more often would only repeat the same work.
    at = START_MS
    while at < full_from:
        maybe_compact(at, HOUR_MS)
        written += store.record(refresh(markets, at, rng), at)
        watch_wal()
        at += SPARSE_MS
    maybe_compact(full_from, HOUR_MS)
    next_compact = full_from // COMPACT_EVERY_MS * COMPACT_EVERY_MS + COMPACT_EVERY_MS
    sparse_runs = len(compact_s)
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    compacted_bytes = _size(path)
    sparse_s = time.perf_counter() - t_start
    print(
        f"older {(full_from - START_MS) / 86_400_000:.2f} d: {written:,} rows written "
        f"(1 refresh / 30 min), compacted hourly -> file {_mb(compacted_bytes)} "
        f"in {sparse_s:.0f} s",
        flush=True,
    )

    # Newest part: every refresh at full rate, back to back, compacting on a
    # worker thread meanwhile; record() times taken while it runs are kept apart.
    record_ms: list[float] = []
    during_ms: list[float] = []
    at = full_from
    full_written = 0
    lock.holds = holds
    while at < end_ms:
        background_compact(at)
        quotes = refresh(markets, at, rng)
        busy = worker is not None and worker.is_alive()
        t = time.perf_counter()
        full_written += store.record(quotes, at)
        (during_ms if busy else record_ms).append((time.perf_counter() - t) * 1000)
        watch_wal()
        at += REFRESH_MS
    if worker is not None:
        worker.join()
    lock.holds = None
    maybe_compact(end_ms, COMPACT_EVERY_MS)
    written += full_written
    db = store._db
    raw_kept = (
        db.execute("SELECT count(*) FROM raw").fetchone()[0]
        + db.execute("SELECT COALESCE(SUM(n), 0) FROM hour").fetchone()[0]
        + db.execute("SELECT COALESCE(SUM(n), 0) FROM six_hour").fetchone()[0]
    )
    kept = raw_kept + db.execute("SELECT COALESCE(SUM(n), 0) FROM kept").fetchone()[0]
    venue, symbol, base = (
        (markets[0][:3])
        if args.market == "worst"
        else (markets[0].venue, markets[0].symbol, markets[0].base)
    )
    reads = []
    for label, fn in (
        ("series(1 market, 24 h)", lambda: store.series(venue, symbol, end_ms - 24 * HOUR_MS)),
        ("series(1 market, 30 d)", lambda: store.series(venue, symbol, START_MS)),
        ("series_by_base(6 venues, 30 d)", lambda: store.series_by_base(base, START_MS)),
        ("all_since(all markets, 1 h)", lambda: store.all_since(end_ms - HOUR_MS)),
        ("all_since(all markets, 24 h)", lambda: store.all_since(end_ms - 24 * HOUR_MS)),
    ):
        t = time.perf_counter()
        got = fn()
        n = sum(len(v) for v in got.values()) if isinstance(got, dict) else len(got)
        reads.append(f"{label} {(time.perf_counter() - t) * 1000:.0f} ms ({n:,} samples)")
    free_pages, page_size = (
        db.execute("PRAGMA freelist_count").fetchone()[0],
        db.execute("PRAGMA page_size").fetchone()[0],
    )
    tables = _table_pages(db)
    store.close()
    total = _size(path)
    elapsed = time.perf_counter() - t_start
    steady = [s for t, s in compact_s if t > full_from + RAW_RETENTION_MS]
    record_ms.sort()

    raw_bytes = total - compacted_bytes
    print(
        f"newest {args.full_hours:g} h: {full_written:,} rows written "
        f"({len(record_ms):,} refreshes x {N_QUOTES:,} quotes, every 30 s)"
    )
    print(
        f"record() of {N_QUOTES:,} quotes: median {statistics.median(record_ms):.1f} ms, "
        f"p95 {record_ms[int(len(record_ms) * 0.95)]:.1f} ms"
    )
    full_runs = compact_s[sparse_runs:]
    print(
        f"compact(): {len(compact_s)} runs, max {max(s for _, s in compact_s):.2f} s; "
        f"{sum(s for _, s in full_runs) / args.full_hours:.1f} s per simulated hour at "
        f"full rate ({len(full_runs)} runs); "
        + (
            f"steady state (cutting into full-rate data) {max(steady):.2f} s"
            if steady
            else "no run cut into full-rate data (use --full-hours > 48)"
        )
        + f"; longest store-lock hold inside a compact {max(holds, default=0) * 1000:.1f} ms"
    )
    if during_ms:
        print(
            f"record() while a compact ran on another thread: {len(during_ms)} calls, "
            f"median {statistics.median(during_ms):.1f} ms, max {max(during_ms):.1f} ms"
        )
    print("reads: " + "; ".join(reads))
    print(
        f"samples written {written:,}; samples kept {kept:,} ({raw_kept:,} raw within 48 h, "
        f"{kept - raw_kept:,} compacted)"
    )
    print(
        f"file after {args.days:g} simulated days: {_mb(total)} "
        f"({_mb(compacted_bytes)} before the full-rate phase, +{_mb(raw_bytes)} during it; "
        f"{_mb(free_pages * page_size)} of it free pages awaiting reuse); "
        f"{total / max(kept, 1):.0f} bytes per kept sample"
    )
    if tables:
        print(f"tables at the end: {tables}")
    print(
        f"WAL and -shm beside it while recording: at most {_mb(wal_peak)}; the file "
        f"itself at most {_mb(file_peak)}; the three together at most {_mb(disk_peak)} "
        f"(all checked after every record and compaction)"
    )
    print(
        "the file's last new peaks (simulated hours before the end, size, compacting): "
        + "; ".join(f"{h:.2f} h {_mb(sz)}{' c' if c else ''}" for h, sz, c in file_peaks[-6:])
    )
    if args.full_hours < 48:
        est = compacted_bytes + raw_bytes * 48 / args.full_hours
        print(
            f"EXTRAPOLATED: raw part scaled linearly from {args.full_hours:g} h to 48 h "
            f"-> about {_mb(est)}"
        )
        total = est
    disk = max(total, disk_peak)
    verdict = "meets" if disk <= 50e6 else "MISSES"
    print(
        f"target <= 50 MB for the file and its WAL and -shm together, at their largest: "
        f"{verdict} ({_mb(disk)}; the two peaks added, as if they came at once: "
        f"{_mb(max(total, file_peak + wal_peak))}); ran {elapsed:.0f} s"
    )
    if args.keep is None:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"kept {path} ({os.path.getsize(path):,} bytes)")


if __name__ == "__main__":
    main()
