"""Steady state of ``fundtui record``: CPU, memory, requests and disk, 300 symbols x 6 venues.

Runs ``python -m fundtui record`` (no terminal: stderr to a file) against the six
fake venues of ``benchmarks/fakemarket.py`` scaled to N perpetuals each (default
300, about 375 bases), served from a separate process so their CPU is not
counted, with ~10 % of the rates moving per refresh. For each refresh interval
asked for (default 10 s and 30 s), after a warm-up (markets loaded, every venue
polled) it measures over a window (default 60 s):

- CPU time (utime+stime of all threads, /proc/PID/stat) as a percentage of one
  core, averaged over the window;
- resident memory at the end (VmRSS) and its peak (VmHWM);
- requests per venue per refresh, counted at the fake servers (target exactly
  1: the bulk rate request), with the per-path counts;
- growth of the data folder (history, its WAL, the signals log) over the window,
  and the log lines written (a rough figure: compaction packs raw rows hourly, so
  README "Performance" gives the long-run history size).

    python benchmarks/record_steady.py [--refresh 10 30] [--seconds 60] [--warmup 20] [--n 300]
"""

from __future__ import annotations

import argparse
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fakemarket import RATE_ROUTE  # noqa: E402
from steady_state import VENUES, cpu_seconds, mb, status  # noqa: E402

HERE = Path(__file__).parent
ROOT = HERE.parent
PY = sys.executable


class Market:
    """``fakemarket.py --serve`` in its own process, asked for its request log."""

    def __init__(self, n: int, lifetime_s: float, refresh_s: float) -> None:
        self.proc = subprocess.Popen(
            [PY, str(HERE / "fakemarket.py"), "--serve", "--n", str(n)]
            + ["--seconds", str(lifetime_s), "--refresh", str(refresh_s)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.urls: dict[str, str] = self._read(30.0)["urls"]

    def _read(self, timeout: float) -> dict:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            raise RuntimeError("the fake market did not answer")
        return json.loads(line)

    def log(self) -> dict[str, list[tuple[float, str]]]:
        assert self.proc.stdin is not None
        self.proc.stdin.write("log\n")
        self.proc.stdin.flush()
        return {v: [(t, p) for t, p in rows] for v, rows in self._read(10.0).items()}

    def stop(self) -> None:
        try:
            if self.proc.poll() is None and self.proc.stdin is not None:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
            self.proc.wait(5)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait(5)


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) if folder.is_dir() else 0


def run_once(refresh_s: float, args: argparse.Namespace) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="fundtui-record-"))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        **{f"FUNDTUI_{k}_DIR": str(tmp / k.lower()) for k in ("CONFIG", "DATA", "CACHE")},
    }
    market = Market(args.n, args.warmup + args.seconds + 180, refresh_s)
    cfg = tmp / "config.toml"
    text = "[general]\nexchanges = [" + ", ".join(f'"{v}"' for v in VENUES) + "]\n"
    text += f"refresh_seconds = {refresh_s:g}\n"
    for venue, url in market.urls.items():
        text += f'[exchanges.{venue}]\napi_base = "{url}"\n'
    cfg.write_text(text)
    log_path = tmp / "record.log"
    data = tmp / "data"
    with open(log_path, "w") as log_file:
        proc = subprocess.Popen(
            [PY, "-m", "fundtui", "record", "--config", str(cfg)],
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            env=env,
            cwd=ROOT,
        )
    try:
        started = time.perf_counter()
        while time.perf_counter() - started < args.warmup + 60:
            time.sleep(1.0)
            if proc.poll() is not None:
                raise RuntimeError("record exited during warm-up:\n" + log_path.read_text())
            if time.perf_counter() - started < args.warmup:
                continue
            log = market.log()
            if all(any(p == RATE_ROUTE[v][0] for _, p in log[v]) for v in VENUES):
                break
        t0_wall, t0 = time.time(), time.perf_counter()
        cpu0, disk0 = cpu_seconds(proc.pid), folder_bytes(data)
        lines0 = len(log_path.read_text().splitlines())
        time.sleep(args.seconds)
        if proc.poll() is not None:
            raise RuntimeError("record exited during the window:\n" + log_path.read_text())
        cpu1, t1, t1_wall = cpu_seconds(proc.pid), time.perf_counter(), time.time()
        st = status(proc.pid)
        disk1 = folder_bytes(data)
        lines1 = len(log_path.read_text().splitlines())
        log = market.log()
        stopped = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(10)
        stop_s = time.perf_counter() - stopped
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        market.stop()
    requests = {}
    for venue in VENUES:
        rows = [p for t, p in log[venue] if t0_wall <= t < t1_wall]
        requests[venue] = Counter(rows)
    result = {
        "refresh": refresh_s,
        "elapsed": t1 - t0,
        "cpu": (cpu1 - cpu0) / (t1 - t0),
        "rss": mb(st["VmRSS"]),
        "hwm": mb(st["VmHWM"]),
        "threads": int(st["Threads"]),
        "requests": requests,
        "disk": disk1 - disk0,
        "disk_total": disk1,
        "log_lines": lines1 - lines0,
        "exit": code,
        "stop_s": stop_s,
    }
    shutil.rmtree(tmp, ignore_errors=True)
    return result


def report(r: dict) -> None:
    refresh, elapsed = r["refresh"], r["elapsed"]
    refreshes = elapsed / refresh
    print(f"refresh {refresh:g} s, window {elapsed:.1f} s (~{refreshes:.1f} refreshes)")
    print(f"  CPU average (utime+stime)     : {r['cpu'] * 100:5.2f} % of one core")
    print(
        f"  memory VmRSS / VmHWM          : {r['rss']:.1f} MB / {r['hwm']:.1f} MB"
        f"   ({r['threads']} threads)"
    )
    for venue in VENUES:
        counts = r["requests"][venue]
        polls = counts.get(RATE_ROUTE[venue][0], 0)
        total = sum(counts.values())
        per = f"{total / polls:.2f}" if polls else "n/a"
        paths = ", ".join(f"{p} x{c}" for p, c in sorted(counts.items()))
        day = total / elapsed * 86400
        print(
            f"  {venue:12} {total:3d} requests, {polls:3d} polls, {per} per poll, "
            f"~{day:,.0f} a day   [{paths}]"
        )
    print(
        f"  data folder growth            : {r['disk'] / 1024:.0f} KiB over the window "
        f"({r['disk_total'] / 1024 / 1024:.1f} MB in all); {r['log_lines']} log lines"
    )
    print(f"  SIGTERM -> exit               : {r['stop_s']:.2f} s, exit code {r['exit']}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--refresh", type=float, nargs="+", default=[10.0, 30.0])
    ap.add_argument("--seconds", type=float, default=60.0, help="measurement window")
    ap.add_argument("--warmup", type=float, default=20.0, help="seconds before measuring")
    ap.add_argument("--n", type=int, default=300, help="symbols per venue")
    args = ap.parse_args()
    print(f"fundtui record, {args.n} symbols x 6 fake venues, stderr to a file (no terminal)")
    for refresh_s in args.refresh:
        report(run_once(refresh_s, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
