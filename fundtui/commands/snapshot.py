"""``fundtui snapshot``: poll every venue once and print the rates.

    fundtui snapshot [--json | --csv] [--top N] [--sort COLUMN] [--base A,B]
                     [--exchanges A,B] [--demo] [--config PATH]

The text table and the CSV show the board's rows (one quote per venue and
coin), largest spread first unless ``--sort`` says otherwise; ``--top`` and
``--base`` keep a few of them (the full text of six venues is over 1,500
lines). ``--json`` is the stable interface for scripts and always holds
everything polled (fundtui/core/snapshot.py).

Exit 0 when at least one venue answered, 1 when none did, 2 for bad flags.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import time
from collections.abc import Callable, Sequence
from typing import Any

from fundtui.commands import flags, say
from fundtui.config import SUPPORTED_VENUES, load_config, shown_id
from fundtui.core.numbers import parse_whole

#: A live snapshot gives up on a venue that has not answered by then.
SNAPSHOT_TIMEOUT_S = 60.0
#: ``--sort`` keys besides a venue id (that venue's APR, highest first).
SORT_KEYS = ("spread", "apr", "net", "premium", "base")
MAX_BASES = 1000


def _sort_key(text: str) -> str:
    key = text.strip().lower()
    if key in SORT_KEYS or key in SUPPORTED_VENUES:
        return key
    raise argparse.ArgumentTypeError(
        f"expected one of {', '.join(SORT_KEYS + SUPPORTED_VENUES)}, got {shown_id(text)!r}"
    )


def _top(text: str) -> int:
    try:
        n = parse_whole(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of rows >= 1, got {shown_id(text)!r}"
        )
    return n


def _bases(text: str) -> list[str]:
    names = [n.strip().upper() for n in text.split(",")]
    if not all(n.isascii() and n.isalnum() for n in names) or len(names) > MAX_BASES:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated coins like BTC,ETH, got {shown_id(text)!r}"
        )
    return list(dict.fromkeys(names))


def register(commands: Any, add_common: Callable[..., None]) -> None:
    p = commands.add_parser(
        "snapshot",
        allow_abbrev=False,
        help="poll every venue once and print the rates",
        description="Poll every venue once and print the rates, largest spread first. "
        "Exit 0 when at least one venue answered, 1 when none did.",
    )
    form = p.add_mutually_exclusive_group()
    form.add_argument(
        "--json", action="store_true", help="print JSON: everything polled (stable interface)"
    )
    form.add_argument(
        "--csv", action="store_true", help="print CSV for a spreadsheet, one row per quote"
    )
    p.add_argument("--top", type=_top, metavar="N", help="only the first N coins")
    p.add_argument(
        "--sort",
        type=_sort_key,
        metavar="COLUMN",
        default="spread",
        help="order of the coins: spread (default), apr, net, premium (largest first), "
        "base (A to Z), or a venue id (that venue's APR, highest first)",
    )
    p.add_argument("--base", type=_bases, metavar="A,B", help="only these coins")
    flags.add_exchanges(
        p, "poll these venues instead of the configured ones (even when disabled in the config)"
    )
    add_common(p, defaults=False)
    p.set_defaults(run=run)


def _rate(x: float | None) -> str:
    from fundtui.core.rate_text import rate_pct

    return "-" if x is None else rate_pct(x)


def _apr(x: float | None) -> str:
    from fundtui.core.rate_text import apr_pct

    return "-" if x is None else apr_pct(x)


def order_rows(rows, sort: str) -> list:
    """The board's rows in ``--sort`` order; rows without the figure go last, by base."""

    def figure(row) -> float | None:
        if sort in ("spread", "apr"):
            return row.spread.spread_8h if row.spread else None
        if sort == "net":
            return row.net.net_apr if row.net else None
        if sort == "premium":
            return row.premium
        q = row.quotes.get(sort)
        return q.apr if q is not None else None

    if sort == "base":
        return sorted(rows, key=lambda r: r.base)

    def key(row):
        x = figure(row)
        return (x is None, -(x or 0.0), row.base)

    return sorted(rows, key=key)


def pick_rows(board, sort: str, top: int | None, bases: Sequence[str] | None) -> list:
    rows = order_rows(board.values(), sort)
    if bases:
        wanted = set(bases)
        rows = [r for r in rows if r.base in wanted]
    return rows[:top] if top else rows


def table(rows, now_ms: int) -> str:
    from fundtui.core.text import visible
    from fundtui.core.timefmt import clock_utc, countdown

    header = (
        "BASE",
        "VENUE",
        "SYMBOL",
        "RATE",
        "INT",
        "8H",
        "APR",
        "NEXT FUNDING",
        "SPREAD 8H",
        "SPREAD APR",
        "LONG / SHORT",
    )
    lines = [header]
    for row in rows:
        first = True
        for venue, q in row.quotes.items():
            s = row.spread if first else None
            nxt = "-"
            if q.next_funding_ms is not None:
                nxt = f"{clock_utc(q.next_funding_ms)} in {countdown(q.next_funding_ms, now_ms)}"
            lines.append(
                (
                    row.base if first else "",
                    venue,
                    q.symbol,
                    _rate(q.funding_rate),
                    "-" if q.interval_hours is None else f"{q.interval_hours:g}h",
                    _rate(q.rate_8h),
                    _apr(q.apr),
                    nxt,
                    _rate(s.spread_8h) if s else "",
                    _apr(s.apr) if s else "",
                    f"{s.long_venue} / {s.short_venue}" if s else "",
                )
            )
            first = False
    lines = [tuple(visible(c) for c in line) for line in lines]  # widths of what is shown
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    numeric = {3, 4, 5, 6, 8, 9}
    out = []
    for line in lines:
        cells = [
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


CSV_HEADER = (
    "base",
    "exchange",
    "symbol",
    "funding_rate",
    "interval_hours",
    "rate_8h",
    "apr",
    "next_funding_time",
    "premium",
    "stale",
    "spread_8h",
    "spread_apr",
    "net_apr",
    "long_exchange",
    "short_exchange",
)


def csv_rows(rows) -> list[tuple]:
    """One row per quote on the board; the coin's spread repeated on each, so a
    spreadsheet filter on any row keeps it. Rates are fractions (0.0001 = 0.01 %)."""
    from fundtui.core.timefmt import iso_utc

    out = []
    for row in rows:
        s, net = row.spread, row.net
        for venue, q in row.quotes.items():
            out.append(
                (
                    row.base,
                    venue,
                    q.symbol,
                    q.funding_rate,
                    q.interval_hours,
                    q.rate_8h,
                    q.apr,
                    None if q.next_funding_ms is None else iso_utc(q.next_funding_ms),
                    q.premium,
                    venue in row.stale,
                    s.spread_8h if s else None,
                    s.apr if s else None,
                    net.net_apr if net else None,
                    s.long_venue if s else None,
                    s.short_venue if s else None,
                )
            )
    return out


async def _poll_once(venues, demo: bool, notices: list[str]):
    from fundtui.feeds.poll import poll_once

    return await poll_once(venues, demo, SNAPSHOT_TIMEOUT_S, notices)


def run(args: argparse.Namespace) -> int:
    from fundtui.core.board import build_board
    from fundtui.core.snapshot import build_snapshot

    if args.json and (args.top or args.base or args.sort != "spread"):
        say("snapshot: --json holds everything polled; --top, --sort and --base shape text and CSV")
        return 2
    config = load_config(args.config)
    if args.exchanges:
        venues = [dataclasses.replace(config.venue(n), enabled=True) for n in args.exchanges]
    else:
        venues = config.active_venues()
    if not venues:
        say(f"no exchanges to poll: every venue is disabled in {config.source}")
        return 2
    notices: list[str] = []
    try:
        polls, errors = asyncio.run(_poll_once(venues, args.demo, notices))
    except ImportError as e:
        say(f"live venues are unavailable ({e}); try --demo")
        return 1
    for notice in notices:
        say(notice)
    now_ms = time.time_ns() // 1_000_000
    order = [v.name for v in venues]
    board = build_board(
        {p.venue: p.quotes for p in polls}, order, (), config.net_horizon_hours, config.fees
    )
    for venue, reason in errors.items():
        say(f"{venue}: {reason}")
    if args.json:
        snap = build_snapshot([q for p in polls for q in p.quotes], board, errors, now_ms, order)
        print(json.dumps(snap, indent=2))
    elif polls:
        rows = pick_rows(board, args.sort, args.top, args.base)
        if args.csv:
            from fundtui.commands.csv_out import write_csv

            write_csv(CSV_HEADER, csv_rows(rows))
        else:
            print(table(rows, now_ms))
    if not polls:
        say("no exchange answered")
        return 1
    return 0
