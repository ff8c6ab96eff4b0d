"""A polling TUI beside an attached one, in one run: CPU, memory, requests.

Two ``python -m fundtui`` processes in 120x40 pseudo-terminals share one data
folder, against the six fake venues of ``benchmarks/fakemarket.py`` (300
perpetuals each, refresh 10 s). The first takes the folder's poller lock and
polls; the second attaches to its answers. Over the same window (default 60 s)
it prints each one's CPU (utime+stime, % of one core), resident memory, and the
requests the fake venues saw per venue per refresh (target: 1, the poller's
alone, whatever the number of windows open). With ``--kill`` it then kills the
poller (SIGKILL) and reports how long until the fake venues see the attached
one's first request (target: within one refresh interval).

    python benchmarks/attached_tui.py [--seconds 60] [--warmup 20] [--kill]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fakemarket import RATE_ROUTE  # noqa: E402
from ptyrun import spawn  # noqa: E402
from steady_state import (  # noqa: E402
    PY,
    REFRESH_S,
    VENUES,
    FakeMarket,
    Output,
    alive,
    cpu_seconds,
    mb,
    status,
    stop_app,
    warm_up,
    write_config,
)


def rate_requests(log: dict[str, list[tuple[float, str]]], start: float, end: float) -> dict:
    return {
        v: sum(1 for t, p in log[v] if start <= t < end and p == RATE_ROUTE[v][0]) for v in VENUES
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--warmup", type=float, default=20.0)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--kill", action="store_true", help="then kill the poller: takeover time")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(SystemExit(143)))
    tmp = Path(tempfile.mkdtemp(prefix="fundtui-attached-"))
    env = {f"FUNDTUI_{k}_DIR": str(tmp / k.lower()) for k in ("CONFIG", "DATA", "CACHE")}
    market = FakeMarket(args.n, args.warmup + args.seconds + 240)
    procs: list[tuple[int, int]] = []
    try:
        cfg = write_config(tmp, market.urls)
        argv = [PY, "-m", "fundtui", "--config", str(cfg)]
        poller = spawn(argv, 120, 40, env)[:2]
        procs.append(poller)
        warm_up(poller[0], Output(poller[1]), market, args.warmup)
        viewer = spawn(argv, 120, 40, env)[:2]
        procs.append(viewer)
        outs = [Output(fd) for _, fd in procs]
        end = time.perf_counter() + args.warmup / 2
        while time.perf_counter() < end:
            for out in outs:
                out.pump(time.perf_counter() + 0.1)
        cpu0 = [cpu_seconds(pid) for pid, _ in procs]
        t0, wall0 = time.perf_counter(), time.time()
        end = t0 + args.seconds
        while time.perf_counter() < end:
            for out in outs:
                out.pump(min(end, time.perf_counter() + 0.1))
        elapsed, wall1 = time.perf_counter() - t0, time.time()
        cpu = [
            (cpu_seconds(pid) - c) / elapsed * 100 for (pid, _), c in zip(procs, cpu0, strict=True)
        ]
        rss = [mb(status(pid)["VmRSS"]) for pid, _ in procs]
        counts = rate_requests(market.log(), wall0, wall1)
        refreshes = args.seconds / REFRESH_S
        print(f"window {args.seconds:g} s, refresh {REFRESH_S} s, {args.n} symbols x 6 venues")
        print(f"polling TUI : CPU {cpu[0]:5.2f} % of one core, RSS {rss[0]:.1f} MB")
        print(f"attached TUI: CPU {cpu[1]:5.2f} % of one core, RSS {rss[1]:.1f} MB")
        print(
            "rate requests per venue per refresh, both windows together: "
            + ", ".join(f"{v} {n / refreshes:.2f}" for v, n in counts.items())
        )
        if args.kill:
            killed = time.time()
            os.kill(procs[0][0], signal.SIGKILL)
            deadline = time.perf_counter() + 3 * REFRESH_S
            first = None
            while time.perf_counter() < deadline and first is None:
                outs[1].pump(time.perf_counter() + 0.2)
                log = market.log()
                after = [
                    t for v in VENUES for t, p in log[v] if t > killed and p == RATE_ROUTE[v][0]
                ]
                first = min(after) if after else None
            if first is None:
                print(f"no request from the attached TUI within {3 * REFRESH_S} s of the kill")
                return 1
            print(f"poller killed: the attached TUI's first request {first - killed:.1f} s later")
            print(f"attached TUI still running: {alive(procs[1][0])}")
        return 0
    finally:
        for pid, fd in procs:
            stop_app(pid, fd)
        market.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
