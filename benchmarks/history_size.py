"""Size of the history database after 30 simulated days at a 30 s refresh, 1,800 quotes each.

Target (issue 3): at most 50 MB.

How the figure is obtained. Recording all 86,400 refreshes x 1,800 quotes
(155 M rows) literally takes far too long here, so the run reproduces the state
the store is in after 30 days instead, through the real code path
(``HistoryStore.record`` and ``HistoryStore.compact``, hourly in simulated time):

- the newest ``--full-hours`` (default 50 h) are recorded at the full rate: a
  refresh every 30 s with all 1,800 quotes. The hourly compactions of the last
  two hours cut into this full-rate data, as they do in steady state, and their
  time is reported as the steady-state compact cost;
- the older part of the 30 days is recorded at one refresh every 30 minutes
  (two or more samples in every 1/4/8 h settlement window) and compacted
  hourly. Retention keeps only the last sample per window of anything older
  than 48 h, so after compaction these samples are exactly the ones a full-rate
  recording would have left (same count, same columns; only the values differ).

At the end the file is checkpointed and closed, and its size is printed along
with the size before the full-rate phase (older part, compacted) and the growth
during it (the raw 48 h), samples written and kept, the median/95th-percentile
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
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fundtui.core.quote import Quote  # noqa: E402
from fundtui.store.history import RAW_RETENTION_MS, HistoryStore  # noqa: E402

HOUR_MS = 3_600_000
REFRESH_MS = 30_000
SPARSE_MS = 30 * 60_000
N_QUOTES = 1_800
INTERVALS = (1.0, 4.0, 8.0)
START_MS = 1_767_225_600_000  # 2026-01-01 00:00 UTC


def _markets(rng: random.Random) -> list[tuple]:
    venues = ("binance", "bybit", "okx", "bitget", "gate", "hyperliquid")
    out = []
    for i in range(N_QUOTES):
        venue = venues[i % len(venues)]
        base = f"C{i // len(venues):03d}"
        out.append((venue, f"{base}/USDT:USDT", base, INTERVALS[i % 3],
                    rng.uniform(0.01, 50_000.0), rng.uniform(1e5, 5e8)))
    return out


def _refresh(markets: list[tuple], at_ms: int, rng: random.Random) -> list[Quote]:
    quotes = []
    rnd = rng.random
    for venue, symbol, base, iv, px, oi in markets:
        period = int(iv * HOUR_MS)
        mark = px * (1.0 + (rnd() - 0.5) * 0.02)
        quotes.append(Quote(
            venue, symbol, base, "USDT", (rnd() - 0.4) * 4e-4, iv,
            next_funding_ms=(at_ms // period + 1) * period,
            mark_price=mark, index_price=mark * (1.0 + (rnd() - 0.5) * 1e-3),
            open_interest_usd=oi * (1.0 + rnd() * 0.01)))
    return quotes


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--days", type=float, default=30.0)
    ap.add_argument("--full-hours", type=float, default=50.0,
                    help="newest hours recorded at the full 30 s rate (>= 48 for no extrapolation)")
    ap.add_argument("--keep", type=Path, help="write the database here and keep it")
    args = ap.parse_args()

    rng = random.Random(1)
    markets = _markets(rng)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="fundtui-history-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "history.sqlite3"
    for p in workdir.glob("history.sqlite3*"):
        p.unlink()

    end_ms = START_MS + int(args.days * 24 * HOUR_MS)
    full_from = end_ms - int(args.full_hours * HOUR_MS)
    t_start = time.perf_counter()
    store = HistoryStore.open(path)
    written = 0
    next_compact = START_MS + HOUR_MS
    compact_s: list[tuple[int, float]] = []

    def maybe_compact(now: int) -> None:
        nonlocal next_compact
        while now >= next_compact:
            t = time.perf_counter()
            store.compact(next_compact)
            compact_s.append((next_compact, time.perf_counter() - t))
            next_compact += HOUR_MS

    # Older part: sparse refreshes, compacted hourly as simulated time advances.
    at = START_MS
    while at < full_from:
        maybe_compact(at)
        written += store.record(_refresh(markets, at, rng), at)
        at += SPARSE_MS
    maybe_compact(full_from)
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    compacted_bytes = _size(path)
    sparse_s = time.perf_counter() - t_start
    print(f"older {(full_from - START_MS) / 86_400_000:.2f} d: {written:,} rows written "
          f"(1 refresh / 30 min), compacted hourly -> file {_mb(compacted_bytes)} "
          f"in {sparse_s:.0f} s", flush=True)

    # Newest part: every refresh at full rate.
    record_ms: list[float] = []
    at = full_from
    full_written = 0
    while at < end_ms:
        maybe_compact(at)
        quotes = _refresh(markets, at, rng)
        t = time.perf_counter()
        full_written += store.record(quotes, at)
        record_ms.append((time.perf_counter() - t) * 1000)
        at += REFRESH_MS
    maybe_compact(end_ms)
    written += full_written
    db = store._db
    raw_kept = (db.execute("SELECT count(*) FROM raw").fetchone()[0]
                + db.execute("SELECT COALESCE(SUM(n), 0) FROM hour").fetchone()[0])
    kept = raw_kept + db.execute("SELECT COALESCE(SUM(n), 0) FROM kept").fetchone()[0]
    venue, symbol, base = markets[0][:3]
    reads = []
    for label, fn in (
            ("series(1 market, 24 h)",
             lambda: store.series(venue, symbol, end_ms - 24 * HOUR_MS)),
            ("series(1 market, 30 d)", lambda: store.series(venue, symbol, START_MS)),
            ("series_by_base(6 venues, 30 d)", lambda: store.series_by_base(base, START_MS)),
            ("all_since(all markets, 1 h)", lambda: store.all_since(end_ms - HOUR_MS))):
        t = time.perf_counter()
        got = fn()
        n = sum(len(v) for v in got.values()) if isinstance(got, dict) else len(got)
        reads.append(f"{label} {(time.perf_counter() - t) * 1000:.0f} ms ({n:,} samples)")
    free_pages, page_size = (db.execute("PRAGMA freelist_count").fetchone()[0],
                             db.execute("PRAGMA page_size").fetchone()[0])
    store.close()
    total = _size(path)
    elapsed = time.perf_counter() - t_start
    steady = [s for t, s in compact_s if t > full_from + RAW_RETENTION_MS]
    record_ms.sort()

    raw_bytes = total - compacted_bytes
    print(f"newest {args.full_hours:g} h: {full_written:,} rows written "
          f"({len(record_ms):,} refreshes x {N_QUOTES:,} quotes, every 30 s)")
    print(f"record() of {N_QUOTES:,} quotes: median {statistics.median(record_ms):.1f} ms, "
          f"p95 {record_ms[int(len(record_ms) * 0.95)]:.1f} ms")
    print(f"compact(): {len(compact_s)} hourly runs, max {max(s for _, s in compact_s):.2f} s; "
          + (f"steady state (cutting into full-rate data) {max(steady):.2f} s"
             if steady else "no run cut into full-rate data (use --full-hours > 48)"))
    print("reads: " + "; ".join(reads))
    print(f"samples written {written:,}; samples kept {kept:,} ({raw_kept:,} raw within 48 h, "
          f"{kept - raw_kept:,} compacted)")
    print(f"file after {args.days:g} simulated days: {_mb(total)} "
          f"({_mb(compacted_bytes)} before the full-rate phase, +{_mb(raw_bytes)} during it; "
          f"{_mb(free_pages * page_size)} of it free pages awaiting reuse); "
          f"{total / max(kept, 1):.0f} bytes per kept sample")
    if args.full_hours < 48:
        est = compacted_bytes + raw_bytes * 48 / args.full_hours
        print(f"EXTRAPOLATED: raw part scaled linearly from {args.full_hours:g} h to 48 h "
              f"-> about {_mb(est)}")
        total = est
    verdict = "meets" if total <= 50e6 else "MISSES"
    print(f"target <= 50 MB: {verdict} ({_mb(total)}); ran {elapsed:.0f} s")
    if args.keep is None:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"kept {path} ({os.path.getsize(path):,} bytes)")


if __name__ == "__main__":
    main()
