"""Steady state of the live board: CPU, memory and requests, 300 symbols x 6 venues.

Runs the real app (``python -m fundtui``) in a 120x40 pseudo-terminal against
the six fake venues of ``benchmarks/fakemarket.py`` scaled to N perpetuals each
(default 300, about 375 bases on the board), served from a separate process so
their CPU is not counted, with ``refresh_seconds = 10`` and ~10 % of the rates
moving per refresh. After a warm-up (markets loaded, every venue polled) it
measures over a window (default 60 s):

- the app's CPU time (utime+stime of all threads, /proc/PID/stat) as a
  percentage of one core, averaged over the window (target <= 2 %);
- CPU per 1-second window (summed thread run time, /proc/PID/task/*/schedstat),
  median over the quiet seconds, i.e. windows with no venue request in them or
  in the second before (target ~0); the median over all windows and the busiest
  window too;
- resident memory at the end (VmRSS) and its peak (VmHWM) (target <= 150 MB);
- requests per venue per refresh, counted at the fake servers (target exactly
  1: the bulk rate request, no metadata requests), with the per-path counts.

``--demo`` measures the same CPU and memory figures for ``fundtui --demo`` (the
simulated ~340-coin market, no network) at ``refresh_seconds = 10``; there are
no requests, and the quiet-second figure is the median over all windows (the
demo's venues refresh together, so most seconds are quiet).

    python benchmarks/steady_state.py [--seconds 60] [--warmup 20] [--n 300]
    python benchmarks/steady_state.py --demo [--seconds 60] [--warmup 20]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fakemarket import RATE_ROUTE  # noqa: E402
from ptyrun import _ANSI, spawn  # noqa: E402

HERE = Path(__file__).parent
PY = sys.executable
VENUES = ("binance", "bybit", "okx", "bitget", "gate", "hyperliquid")
CLK_TCK = os.sysconf("SC_CLK_TCK")
REFRESH_S = 10
_BASES = re.compile(r"\d+/\d+ bases")


# --------------------------------------------------------------------------- /proc readers


def cpu_seconds(pid: int) -> float:
    """utime + stime of the whole process (all threads, live and exited)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def run_ns(pid: int) -> int:
    """Nanoseconds on CPU summed over the process's live threads (finer than ticks)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
            pass  # the thread ended between listdir and open
    return total


def status(pid: int) -> dict[str, str]:
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            out[key] = value.strip()
    return out


def mb(kb_field: str) -> float:
    return int(kb_field.split()[0]) / 1024


# --------------------------------------------------------------------------- processes


class Output:
    """Reads the app's pty: keeps it from blocking, counts bytes, keeps a text tail."""

    def __init__(self, fd: int):
        self.fd = fd
        self.bytes = 0
        self.tail = b""
        self.closed = False
        self.bases = ""  # the top bar's "shown/total bases", as last painted

    def pump(self, until: float) -> int:
        """Read until the perf_counter time ``until``; returns bytes read."""
        got = 0
        while not self.closed and (left := until - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.2))
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                self.closed = True
                break
            got += len(chunk)
            self.tail = (self.tail + chunk)[-65536:]
        if self.closed and (left := until - time.perf_counter()) > 0:
            time.sleep(left)
        if got and (found := _BASES.findall(self.text())):
            self.bases = found[-1]
        self.bytes += got
        return got

    def text(self) -> str:
        return _ANSI.sub(b"", self.tail).decode("utf-8", "replace")


def alive(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return done == 0


def stop_app(pid: int, fd: int) -> None:
    """SIGTERM, a bounded wait while reading the pty, then SIGKILL."""
    out = Output(fd)
    try:
        for sig, wait_s in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            if not alive(pid):
                break
            os.kill(pid, sig)
            deadline = time.perf_counter() + wait_s
            while alive(pid) and time.perf_counter() < deadline:
                out.pump(time.perf_counter() + 0.1)
    except ProcessLookupError:
        pass
    finally:
        try:
            os.close(fd)
        except OSError:
            pass


class FakeMarket:
    """``fakemarket.py --serve`` in its own process, spoken to over stdin/stdout."""

    def __init__(self, n: int, lifetime_s: float):
        self.proc = subprocess.Popen(
            [
                PY,
                str(HERE / "fakemarket.py"),
                "--serve",
                "--n",
                str(n),
                "--seconds",
                str(lifetime_s),
                "--refresh",
                str(REFRESH_S),
            ],
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

    def ask(self, command: str) -> dict:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._read(10.0)

    def log(self) -> dict[str, list[tuple[float, str]]]:
        return {v: [(t, p) for t, p in rows] for v, rows in self.ask("log").items()}

    def stop(self) -> None:
        try:
            if self.proc.poll() is None and self.proc.stdin is not None:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
            self.proc.wait(5)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait(5)


def _on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # run the finally blocks


# --------------------------------------------------------------------------- the run


def write_config(tmp: Path, urls: dict[str, str] | None) -> Path:
    cfg = tmp / "config.toml"
    text = (
        "[general]\nexchanges = [" + ", ".join(f'"{v}"' for v in VENUES) + "]\n"
        f"refresh_seconds = {REFRESH_S}\n"
    )
    for venue, url in (urls or {}).items():
        text += f'[exchanges.{venue}]\napi_base = "{url}"\n'
    cfg.write_text(text)
    return cfg


def warm_up(pid: int, out: Output, market: FakeMarket | None, warmup_s: float) -> float:
    """Drain for ``warmup_s``; live, also until every venue's rate request was seen."""
    started = time.perf_counter()
    end = started + warmup_s
    limit = started + warmup_s + 60.0
    while time.perf_counter() < limit and alive(pid):
        out.pump(min(end, time.perf_counter() + 1.0))
        if time.perf_counter() < end:
            continue
        if market is None:
            break
        log = market.log()
        if all(any(p == RATE_ROUTE[v][0] for _, p in log[v]) for v in VENUES):
            break
    return time.perf_counter() - started


def measure(pid: int, out: Output, seconds: float) -> dict:
    t0_wall, t0 = time.time(), time.perf_counter()
    cpu0, ns0 = cpu_seconds(pid), run_ns(pid)
    windows = []  # (wall start, wall end, cpu fraction of one core, pty bytes)
    prev_wall, prev_perf, prev_ns = t0_wall, t0, ns0
    for i in range(1, int(seconds) + 1):
        got = out.pump(t0 + i)
        if not alive(pid):
            raise RuntimeError("the app exited during the measurement:\n" + out.text()[-2000:])
        ns, perf, wall = run_ns(pid), time.perf_counter(), time.time()
        windows.append((prev_wall, wall, max(0, ns - prev_ns) / 1e9 / (perf - prev_perf), got))
        prev_wall, prev_perf, prev_ns = wall, perf, ns
    cpu1, t1 = cpu_seconds(pid), time.perf_counter()
    st = status(pid)
    return {
        "start": t0_wall,
        "end": time.time(),
        "elapsed": t1 - t0,
        "cpu": cpu1 - cpu0,
        "windows": windows,
        "rss": mb(st["VmRSS"]),
        "hwm": mb(st["VmHWM"]),
        "threads": int(st["Threads"]),
    }


def report(
    m: dict, out: Output, log: dict[str, list[tuple[float, str]]] | None, args: argparse.Namespace
) -> None:
    pct = lambda x: f"{x * 100:5.2f} %"  # noqa: E731
    windows = m["windows"]
    cpus = [w[2] for w in windows]
    utc = lambda t: time.strftime("%H:%M:%S", time.gmtime(t))  # noqa: E731
    print(
        f"window: {m['elapsed']:.1f} s after warm-up ({utc(m['start'])}-{utc(m['end'])} UTC), "
        f"refresh {REFRESH_S} s, "
        f"{'demo market' if args.demo else f'{args.n} symbols x 6 venues'}, 120x40 pty"
    )
    if any(time.gmtime(t).tm_min >= 55 for t in (m["start"], m["end"])):
        print("  (inside the last 5 min before the hour: hourly countdowns tick every second)")
    print(
        f"CPU average (utime+stime)       : {pct(m['cpu'] / m['elapsed'])} of one core"
        "   target <= 2 %"
    )
    if log is not None:
        times = sorted(t for rows in log.values() for t, _ in rows)
        is_quiet = [not any(w[0] - 1.0 <= t < w[1] for t in times) for w in windows]
        quiet = [w[2] for w, q in zip(windows, is_quiet, strict=True) if q]
        busy = [w[2] for w, q in zip(windows, is_quiet, strict=True) if not q]
        if quiet:
            print(
                f"CPU in quiet seconds (median)   : {pct(statistics.median(quiet))}"
                f"   ({len(quiet)} of {len(windows)} 1-s windows; max {pct(max(quiet))})"
                "   target ~0"
            )
        else:
            print("CPU in quiet seconds           : no 1-s window without a request")
        if busy:
            print(
                f"CPU in refresh seconds (median) : {pct(statistics.median(busy))}"
                f"   (max {pct(max(busy))})"
            )
    else:
        print(
            f"CPU per 1-s window (median)     : {pct(statistics.median(cpus))}"
            "   target ~0 (quiet seconds: most of them)"
        )
    ordered = sorted(cpus)
    print(
        f"CPU per 1-s window, all         : median {pct(statistics.median(cpus))}, "
        f"p90 {pct(ordered[int(0.9 * (len(ordered) - 1))])}, max {pct(ordered[-1])}"
    )
    print(
        f"pty output                      : median {statistics.median(w[3] for w in windows):.0f}"
        f" B/s, total {sum(w[3] for w in windows) / 1024:.0f} KiB"
    )
    print(f"board (top bar)                 : {out.bases or 'no base count seen'}")
    print(
        f"memory VmRSS at end / VmHWM peak: {m['rss']:.1f} MB / {m['hwm']:.1f} MB"
        f"   target <= 150 MB   ({m['threads']} threads)"
    )
    if log is None:
        return
    refreshes = m["elapsed"] / REFRESH_S
    print(
        f"requests over the window (~{refreshes:.1f} refreshes of {REFRESH_S} s):"
        "   target 1 per venue per refresh"
    )
    for venue in VENUES:
        rows = [p for t, p in log[venue] if m["start"] <= t < m["end"]]
        counts = Counter(rows)
        polls = counts.get(RATE_ROUTE[venue][0], 0)
        per = f"{len(rows) / polls:.2f}" if polls else "n/a"
        paths = ", ".join(f"{p} x{c}" for p, c in sorted(counts.items()))
        print(
            f"  {venue:12} {len(rows):3d} requests, {polls:3d} polls, {per} per refresh   [{paths}]"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="measurement window")
    ap.add_argument("--warmup", type=float, default=20.0, help="seconds before measuring")
    ap.add_argument("--n", type=int, default=300, help="symbols per venue (live)")
    ap.add_argument("--demo", action="store_true", help="measure fundtui --demo instead")
    args = ap.parse_args()

    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started ignoring it
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGHUP, _on_sigterm)
    tmp = Path(tempfile.mkdtemp(prefix="fundtui-steady-"))
    env = {f"FUNDTUI_{k}_DIR": str(tmp / k.lower()) for k in ("CONFIG", "DATA", "CACHE")}
    market: FakeMarket | None = None
    pid = fd = None
    try:
        if not args.demo:
            market = FakeMarket(args.n, args.warmup + args.seconds + 180)
        cfg = write_config(tmp, market.urls if market else None)
        argv = [PY, "-m", "fundtui", "--config", str(cfg)] + (["--demo"] if args.demo else [])
        pid, fd, _ = spawn(argv, 120, 40, env)
        out = Output(fd)
        warm = warm_up(pid, out, market, args.warmup)
        if not alive(pid):
            print("the app exited during warm-up:\n" + out.text()[-2000:])
            return 1
        print(f"warm-up: {warm:.1f} s")
        m = measure(pid, out, args.seconds)
        report(m, out, market.log() if market else None, args)
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if pid is not None and fd is not None:
            stop_app(pid, fd)
        if market is not None:
            market.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
