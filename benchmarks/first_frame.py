"""First frame and first data, measured on a real pseudo-terminal.

Times from process start until the screen first shows:
- a bare Textual app's header (the baseline, benchmarks/bare_app.py);
- fundtui's board header (live mode, no venue needs to answer: the first frame
  must not wait for ccxt or the network);
- fundtui --demo with a quote on screen.
Each is run several times interleaved; the medians are printed, and the
live/bare ratio as the median of paired runs.

    python benchmarks/first_frame.py [--runs 5] [--size 120x36]

Run it with bytecode cached (a first run after an install compiles every module).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ptyrun import spawn, stop, wait_for  # noqa: E402

HERE = Path(__file__).parent
PY = sys.executable


def time_first(argv, needles, env=None, size=(120, 36)):
    pid, fd, start = spawn(argv, cols=size[0], rows=size[1], env=env)
    try:
        return wait_for(fd, start, needles)
    finally:
        stop(pid, fd)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--size", default="120x36", help="terminal COLSxROWS (default 120x36)")
    args = ap.parse_args()
    size = tuple(int(n) for n in args.size.lower().split("x"))
    tmp = tempfile.mkdtemp()
    # Live mode pointed at a closed local port: the first frame cannot depend on a venue.
    cfg = Path(tmp) / "config.toml"
    cfg.write_text(
        '[general]\nexchanges = ["binance", "bybit", "okx", "bitget", '
        '"gate", "hyperliquid"]\n'
        + "".join(
            f'[exchanges.{v}]\napi_base = "http://127.0.0.1:9"\n'
            for v in ("binance", "bybit", "okx", "bitget", "gate", "hyperliquid")
        )
    )
    env = {f"FUNDTUI_{k}_DIR": os.path.join(tmp, k.lower()) for k in ("CONFIG", "DATA", "CACHE")}
    bare, live, demo_frame, demo_data = [], [], [], []
    for _ in range(args.runs):
        r = time_first([PY, str(HERE / "bare_app.py")], [b"bare"], size=size)
        bare.append(r.get(b"bare", float("nan")))
        r = time_first([PY, "-m", "fundtui", "--config", str(cfg)], [b"binance"], env, size)
        live.append(r.get(b"binance", float("nan")))
        r = time_first([PY, "-m", "fundtui", "--demo"], [b"DEMO", b"%"], env, size)
        demo_frame.append(r.get(b"DEMO", float("nan")))
        demo_data.append(r.get(b"%", float("nan")))  # a rate cell
    med = statistics.median
    b, lv = med(bare), med(live)
    # Runs alternate, so each live run is compared with the bare run just before
    # it: the median of those ratios is steadier than a ratio of medians.
    ratio = med([x / y for x, y in zip(live, bare, strict=True)])
    print(f"runs: {args.runs} at {size[0]}x{size[1]} (medians, seconds from process start)")
    print(f"bare textual app first frame : {b:.3f}")
    print(
        f"fundtui live first frame     : {lv:.3f}  ({ratio:.2f}x bare, median of paired runs;"
        " target <= 0.5 s, <= 1.3x)"
    )
    print(f"fundtui --demo first frame   : {med(demo_frame):.3f}")
    print(f"fundtui --demo data on screen: {med(demo_data):.3f}  (target <= 1.5 s)")
    print(f"  each run: {' '.join(f'{x:.2f}' for x in demo_data)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
