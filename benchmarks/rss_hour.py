"""Resident memory of the live app over a long run: RSS every minute and the peak.

Runs the real app in a 120x40 pseudo-terminal against the six fake venues of
``benchmarks/fakemarket.py`` (N perpetuals each, default 300, served from a
separate process) at ``refresh_seconds = 5``, with every rate and price moving
between two polls: the most history written and the most signal work per
minute. Every minute it prints the app's VmRSS and VmHWM (/proc/PID/status)
and the size of the history file and its WAL; at the end the peak, and the
WAL's largest size seen. Target: RSS <= 150 MB throughout.

``--probe`` runs the app through ``rss_probe.py``, which logs from inside the
process every ``--probe-every`` seconds: VmRSS, glibc's heap in use and kept
free (``mallinfo2``), and with ``--trace`` the tracemalloc lines that grew
since the last reading (slower, and tracemalloc's own tables add memory);
``--trim`` calls ``malloc_trim(0)`` after each reading and logs what it gave
back; ``--trace-from S`` starts tracing S seconds in (what the run adds after its
warm-up), ``--frames N`` keeps N frames per allocation and logs the call paths;
``--clear-at S`` empties Rich's and Textual's bounded caches once, S seconds in,
one at a time, and logs what each gave back (each probe line counts those
caches' entries).
The probe's lines are printed at the end (or kept with ``--probe-file``).

    python benchmarks/rss_hour.py [--minutes 60] [--n 300] [--probe [--trace] [--trim]]
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ptyrun import spawn  # noqa: E402
from steady_state import (  # noqa: E402
    PY,
    VENUES,
    FakeMarket,
    Output,
    alive,
    mb,
    status,
    stop_app,
)

HERE = Path(__file__).parent
REFRESH_S = 5
#: The perturber moves ``share * 2 s / refresh`` of the rates every 2 s: 2.5 moves
#: every rate every 2 s, so each poll sees every rate changed.
EVERY_RATE = 2.5


class MovingMarket(FakeMarket):
    """The fake market with every rate moving between two 5 s polls."""

    def __init__(self, n: int, lifetime_s: float):  # noqa: D107 (same protocol as FakeMarket)
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
                "--share",
                str(EVERY_RATE),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.urls = self._read(30.0)["urls"]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60.0, help="length of the run")
    ap.add_argument("--n", type=int, default=300, help="perpetuals per venue")
    ap.add_argument("--every", type=float, default=60.0, help="seconds between readings")
    ap.add_argument("--probe", action="store_true", help="log from inside the app")
    ap.add_argument("--probe-every", type=float, default=30.0)
    ap.add_argument("--trace", action="store_true", help="probe: tracemalloc diffs")
    ap.add_argument("--trim", action="store_true", help="probe: malloc_trim after readings")
    ap.add_argument(
        "--trace-from",
        type=float,
        default=0.0,
        help="probe: start tracing this many seconds in (shows what the run adds)",
    )
    ap.add_argument("--frames", type=int, default=1, help="probe: frames per traced allocation")
    ap.add_argument("--probe-file", type=Path, help="probe: keep its log here")
    ap.add_argument(
        "--clear-at",
        type=float,
        default=0.0,
        help="probe: empty Rich's and Textual's bounded caches once, this many seconds in",
    )
    args = ap.parse_args()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    tmp = Path(tempfile.mkdtemp(prefix="fundtui-rss-"))
    env = {f"FUNDTUI_{k}_DIR": str(tmp / k.lower()) for k in ("CONFIG", "DATA", "CACHE")}
    probe_file = args.probe_file or tmp / "probe.jsonl"
    seconds = args.minutes * 60
    market = pid = fd = None
    try:
        market = MovingMarket(args.n, seconds + 120)
        cfg = tmp / "config.toml"
        cfg.write_text(
            "[general]\nexchanges = ["
            + ", ".join(f'"{v}"' for v in VENUES)
            + f"]\nrefresh_seconds = {REFRESH_S}\n"
            + "".join(f'[exchanges.{v}]\napi_base = "{u}"\n' for v, u in market.urls.items())
        )
        argv = [PY, "-m", "fundtui", "--config", str(cfg)]
        if args.probe:
            argv = [PY, str(HERE / "rss_probe.py"), "--config", str(cfg)]
            env.update(
                FUNDTUI_PROBE_FILE=str(probe_file),
                FUNDTUI_PROBE_EVERY=str(args.probe_every),
                FUNDTUI_PROBE_TRACE="1" if args.trace else "0",
                FUNDTUI_PROBE_TRIM="1" if args.trim else "0",
                FUNDTUI_PROBE_TRACE_FROM=str(args.trace_from),
                FUNDTUI_PROBE_FRAMES=str(args.frames),
                FUNDTUI_PROBE_CLEAR_AT=str(args.clear_at),
            )
        pid, fd, _ = spawn(argv, 120, 40, env)
        out = Output(fd)
        hist = tmp / "data" / "history.sqlite3"
        wal = hist.with_name(hist.name + "-wal")
        print(
            f"{args.n} perpetuals x 6 venues, refresh {REFRESH_S} s, every rate moving; "
            f"{args.minutes:g} min",
            flush=True,
        )
        print(" min   VmRSS   VmHWM  history     WAL", flush=True)
        t0 = time.perf_counter()
        peak_rss = peak_wal = 0.0
        k = 0
        while (k := k + 1) * args.every <= seconds:
            end = t0 + k * args.every
            while time.perf_counter() < end:
                out.pump(min(end, time.perf_counter() + 1.0))
                peak_wal = max(peak_wal, _size(wal) / 1e6)
                if not alive(pid):
                    print("the app exited:\n" + out.text()[-2000:])
                    return 1
            st = status(pid)
            rss, hwm = mb(st["VmRSS"]), mb(st["VmHWM"])
            peak_rss = max(peak_rss, rss)
            print(
                f"{k * args.every / 60:4.1f} {rss:6.1f}M {hwm:6.1f}M {_size(hist) / 1e6:6.1f}M "
                f"{_size(wal) / 1e6:6.1f}M   {out.bases}",
                flush=True,
            )
        st = status(pid)
        print(
            f"peak: VmRSS {peak_rss:.1f} MB at the readings, VmHWM {mb(st['VmHWM']):.1f} MB; "
            f"largest WAL seen {peak_wal:.1f} MB; target RSS <= 150 MB: "
            f"{'meets' if mb(st['VmHWM']) <= 150 else 'MISSES'}",
            flush=True,
        )
        if args.probe and probe_file.exists():
            print("probe (inside the app):")
            for line in probe_file.read_text().splitlines():
                d = json.loads(line)
                grew = d.pop("grew", None)
                top = d.pop("top_files", None)
                print("  " + " ".join(f"{key}={value}" for key, value in d.items()))
                for g in grew or ():
                    print("      " + g)
                if top:
                    print("      top: " + "; ".join(top))
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        if pid is not None and fd is not None:
            stop_app(pid, fd)
        if market is not None:
            market.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
