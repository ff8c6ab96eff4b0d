"""The fault matrix with figures: each fault on one venue and on all six.

Runs ``tests/fakevenue/matrix.py`` (the six fake venues through the app's own
sources and pollers, on a simulated clock, refresh 5 s): a warm-up of normal
polling, then the fault for a minute (default), then recovery. Prints one row
per fault and scope:

- requests a minute to a faulted venue's rate endpoint during the fault (the
  most any faulted venue got), against normal (one per refresh), counted at
  the fake servers; a refused connection reaches no server, so it counts 0;
- the shortest gap between two polls of a faulted venue;
- seconds from the fault's end to the venue's next good answer (a venue that
  asked for a longer wait with Retry-After is polled when that wait is over);
- whether the other venues stayed live and on schedule throughout;
- the reason the faulted venue's status shows (the last faulted venue's, with
  the fake server's port masked).

    python benchmarks/faults.py [--seconds 60] [--seeds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="fault length (simulated)")
    parser.add_argument(
        "--seeds",
        type=int,
        default=3,
        help="runs per row, each with another jitter seed; the worst is shown",
    )
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="fundtui-faults-")
    for name in ("CONFIG", "DATA", "CACHE"):  # the market cache must not touch the user's
        os.environ[f"FUNDTUI_{name}_DIR"] = os.path.join(home, name.lower())
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.fakevenue import matrix

    return asyncio.run(_matrix(matrix, args.seconds, args.seeds))


async def _matrix(matrix, seconds: float, seeds: int) -> int:
    r = matrix.REFRESH_S
    print(
        f"refresh {r:g} s, fault {seconds:g} s (simulated), HTTP timeout "
        f"{matrix.TIMEOUT_S:g} s, worst of {seeds} jitter seeds; normal = {60 / r:g} "
        "requests a minute per venue"
    )
    header = (
        f"{'fault':34} {'venues':11} {'req/min':>7} {'normal':>6} {'min gap':>7} "
        f"{'recovery':>8} {'others':>6}  reason shown"
    )
    print(header)
    print("-" * len(header))
    started = time.perf_counter()
    bad = 0
    for i, fault in enumerate(matrix.FAULTS):
        for all_venues in (False, True):
            targets = matrix.targets_for(i, all_venues)
            runs = [
                await matrix.run(fault, targets, seed=seed, fault_s=seconds)
                for seed in range(1, seeds + 1)
            ]
            o = max(runs, key=lambda o: (o.fault_per_min, o.recovery_s or 0))
            o.recovery_s = max(
                (x.recovery_s for x in runs if x.recovery_s is not None), default=None
            )
            o.min_gap_s = min((x.min_gap_s for x in runs if x.min_gap_s is not None), default=None)
            o.others_live = all(x.others_live for x in runs)
            o.escaped = [e for x in runs for e in x.escaped]
            reason = o.reasons[targets[-1]]
            shown = re.sub(r"127\.0\.0\.1:\d+", "<host>", reason) if reason else "(stays live)"
            gap = "-" if o.min_gap_s is None else f"{o.min_gap_s:.1f}"
            rec = "-" if o.recovery_s is None else f"{o.recovery_s:.1f} s"
            ok = o.others_live and not o.escaped and o.fault_per_min <= o.normal_per_min
            bad += not ok
            scope = "all six" if all_venues else targets[0]
            others = "-" if all_venues else "live" if o.others_live else "NOT"
            print(
                f"{fault.name:34} {scope:11} {o.fault_per_min:7.1f} {o.normal_per_min:6.1f} "
                f"{gap:>7} {rec:>8} {others:>6}  {shown}"
                + ("" if ok else "   <-- FAILED")
                + ("  ESCAPED: " + o.escaped[0][:80] if o.escaped else "")
            )
    print(f"\n{2 * len(matrix.FAULTS)} rows in {time.perf_counter() - started:.1f} s (real)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
