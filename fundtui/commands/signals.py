"""``fundtui signals``: the signal rules on the stored history plus one fresh poll.

    fundtui signals [--json] [--demo] [--config PATH]

The engine starts where the app left it (its saved state, else a warm-up from
the stored history) and takes one fresh poll of the configured venues; every
rule that holds now is printed, whether or not the app reported it recently
(cooldowns are for toasts, not for this question). Nothing is written: the
history, the signals log and the saved state are the app's, and a data folder
without them stays as it is (no history file is created).

Exit 0 with the hits (none is fine), 1 when no venue answered (``--json`` still
prints the document, with the reasons under ``errors`` and no hits), 2 for a
bad config.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from fundtui.commands import say


def register(commands: Any, add_common: Callable[..., None]) -> None:
    p = commands.add_parser(
        "signals",
        allow_abbrev=False,
        help="evaluate the signal rules now",
        description="Evaluate every signal rule on the stored history plus one fresh poll "
        "of the venues. Exit 0 with the hits (none is fine), 1 when no venue "
        "answered.",
    )
    p.add_argument("--json", action="store_true", help="print JSON (stable interface)")
    add_common(p, defaults=False)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from fundtui.config import load_config
    from fundtui.core.timefmt import iso_utc
    from fundtui.engine.recorder import Recorder, chosen, history_folder
    from fundtui.feeds.poll import poll_once
    from fundtui.store.paths import CHECKPOINT_FILE, HISTORY_FILE, SIGNAL_LOG_FILE
    from fundtui.store.signal_log import hit_to_json

    config = load_config(args.config)
    venues = config.active_venues()
    if not venues:
        say(f"no exchanges to poll: every venue is disabled in {config.source}")
        return 2
    folder = history_folder(args.demo)
    recorder, problems = Recorder.open(
        config.signals,
        folder / HISTORY_FILE,
        folder / SIGNAL_LOG_FILE,
        folder / CHECKPOINT_FILE,
        create_history=False,
    )
    try:
        now_ms = time.time_ns() // 1_000_000
        warm = recorder.warm_up(now_ms)
        problems += warm.problems
        try:
            notices: list[str] = []
            polls, errors = asyncio.run(poll_once(venues, args.demo, 60.0, notices))
            problems += notices
        except ImportError as e:
            say(f"live venues are unavailable ({e}); try --demo")
            return 1
    finally:
        if recorder.store is not None:
            recorder.store.close()
    for problem in problems:
        say(problem)
    for venue, reason in errors.items():
        say(f"{venue}: {reason}")
    hits = []
    if polls:
        engine = recorder.engine
        engine.forget_cooldowns()
        now_ms = max(p.fetched_ms for p in polls)
        hits = engine.update(now_ms, chosen(q for p in polls for q in p.quotes))
    if args.json:  # the same document whether or not a venue answered
        print(
            json.dumps(
                {
                    "time": iso_utc(now_ms),
                    "time_ms": now_ms,
                    "history": {
                        "source": warm.source,
                        "hours": warm.hours,
                        "samples": warm.samples,
                    },
                    "venues": [p.venue for p in polls],
                    "errors": errors,
                    "hits": [hit_to_json(h) for h in hits],
                },
                indent=2,
            )
        )
    if not polls:
        say("no exchange answered")
        return 1
    if args.json:
        return 0
    print(f"# {warm.describe()}; {len(hits)} hit(s) at {iso_utc(now_ms)}")
    if hits:
        print(hits_table(hits))
    return 0


def hits_table(hits) -> str:
    """One aligned line per hit: rule, base, venues, value, threshold, explanation."""
    from fundtui.core.signal_units import figure
    from fundtui.core.text import visible

    rows = [("RULE", "BASE", "VENUES", "VALUE", "THRESHOLD", "EXPLANATION")]
    for h in sorted(hits, key=lambda h: (h.rule, h.base, h.venues)):
        # venue strings spelled out before the widths are taken (see commands.terminal)
        rows.append(
            tuple(
                visible(c)
                for c in (
                    h.rule,
                    h.base,
                    "/".join(h.venues),
                    figure(h.rule, h.value),
                    figure(h.rule, h.threshold),
                    h.explanation,
                )
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return "\n".join(
        "  ".join(
            [
                *(
                    c.rjust(w) if i in (3, 4) else c.ljust(w)
                    for i, (c, w) in enumerate(zip(r[:5], widths, strict=True))
                ),
                r[5],
            ]
        ).rstrip()
        for r in rows
    )
