"""``fundtui history``: what the history store holds for one coin.

    fundtui history BASE [--venue V] [--hours H] [--every MIN] [--json | --csv] [--demo]

Stored samples of every market of BASE (or of one venue) over the last H hours
(default 24), and the settled funding cached for them (fetched by the app's
detail view). The text output shows the last sample of every ``--every``
minutes (default 60); JSON gives every sample unless ``--every`` is given.
Nothing is fetched or written.

Exit 0 with the history, 1 when nothing is stored for BASE, 2 for bad flags.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

from fundtui.commands import say
from fundtui.core.numbers import fixed
from fundtui.core.rate_text import rate_pct

HOUR_MS = 3_600_000
#: Settled funding shown: the last 30 days (what the detail view fetches).
SETTLED_DAYS = 30


def _base(text: str) -> str:
    from fundtui.core.symbols import split_base

    raw = text.strip().upper().split("/")[0].split("-")[0]
    if not raw or not raw.isalnum():
        raise argparse.ArgumentTypeError(f"BASE must be a coin like BTC or PEPE, got {text!r}")
    return split_base(raw)[0]


def _venue(text: str) -> str:
    from fundtui.config import is_known_venue, shown_id, unknown_venue_hint

    name = text.strip().lower()
    if not is_known_venue(name):
        raise argparse.ArgumentTypeError(
            f"unknown exchange {shown_id(name)!r}; {unknown_venue_hint()}"
        )
    return name


def _positive(name: str, limit: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        from fundtui.core.numbers import parse_decimal

        try:
            value = parse_decimal(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None
        if value <= 0 or value > limit:
            raise argparse.ArgumentTypeError(
                f"{name} must be more than 0 and at most {limit:g}, got {text!r}"
            )
        return value

    return parse


def register(commands: Any, add_common: Callable[..., None]) -> None:
    p = commands.add_parser(
        "history",
        allow_abbrev=False,
        help="print the stored history of one coin",
        description="Print the stored samples and the cached settled funding of one coin. "
        "Exit 0 with the history, 1 when nothing is stored for it.",
    )
    p.add_argument("base", type=_base, metavar="BASE", help="coin, e.g. BTC or PEPE")
    p.add_argument("--venue", type=_venue, metavar="V", help="only this venue")
    p.add_argument(
        "--hours",
        type=_positive("--hours", 24 * 365),
        default=24.0,
        help="how far back (default 24)",
    )
    p.add_argument(
        "--every",
        type=_positive("--every", 24 * 60),
        metavar="MIN",
        help="one sample per MIN minutes, the last of each (text default 60)",
    )
    form = p.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print JSON (stable interface)")
    form.add_argument(
        "--csv",
        action="store_true",
        help="print the samples as CSV for a spreadsheet, one row each (every sample "
        "unless --every is given; settled funding is in --json and the text)",
    )
    add_common(p, defaults=False)
    p.set_defaults(run=run)


def _thin(samples: list, every_ms: int | None) -> list:
    if not every_ms:
        return samples
    last: dict[tuple[str, int], Any] = {}
    for s in samples:
        last[(s.symbol, s.at_ms // every_ms)] = s
    return sorted(last.values(), key=lambda s: (s.at_ms, s.symbol))


def _num(x: float | None, decimals: int = 0) -> str:
    return "-" if x is None else fixed(x, decimals, group=True)


def _pct(x: float | None) -> str:
    return "-" if x is None else rate_pct(x)


def _sample_json(s) -> dict[str, Any]:
    from fundtui.core.timefmt import iso_utc

    return {
        "time": iso_utc(s.at_ms),
        "time_ms": s.at_ms,
        "symbol": s.symbol,
        "funding_rate": s.funding_rate,
        "interval_hours": s.interval_hours,
        "next_funding_ms": s.next_funding_ms,
        "mark_price": s.mark_price,
        "index_price": s.index_price,
        "premium": s.premium,
        "open_interest_usd": s.open_interest_usd,
    }


CSV_HEADER = (
    "exchange",
    "time",
    "time_ms",
    "symbol",
    "funding_rate",
    "interval_hours",
    "rate_8h",
    "next_funding_ms",
    "mark_price",
    "index_price",
    "premium",
    "open_interest_usd",
)


def _csv_rows(by_venue, every_ms: int | None) -> list[tuple]:
    """One row per sample, venue by venue, oldest first; rates are fractions."""
    from fundtui.core.normalize import rate_8h
    from fundtui.core.timefmt import iso_utc

    return [
        (
            venue,
            iso_utc(s.at_ms),
            s.at_ms,
            s.symbol,
            s.funding_rate,
            s.interval_hours,
            rate_8h(s.funding_rate, s.interval_hours)
            if s.funding_rate is not None and s.interval_hours
            else None,
            s.next_funding_ms,
            s.mark_price,
            s.index_price,
            s.premium,
            s.open_interest_usd,
        )
        for venue, samples in by_venue.items()
        for s in _thin(samples, every_ms)
    ]


def run(args: argparse.Namespace) -> int:
    from fundtui.core.normalize import rate_8h
    from fundtui.core.text import visible
    from fundtui.core.timefmt import iso_utc
    from fundtui.engine.recorder import history_folder
    from fundtui.store.history import HistoryError, HistoryStore
    from fundtui.store.paths import HISTORY_FILE

    path = history_folder(args.demo) / HISTORY_FILE
    if not path.exists():
        say(f"no history stored yet ({path}); run the board to record some")
        return 1
    now_ms = time.time_ns() // 1_000_000
    since = now_ms - round(args.hours * HOUR_MS)
    try:
        with HistoryStore.open(path) as store:
            by_venue = store.series_by_base(args.base, since)
            if args.venue:
                by_venue = {v: ss for v, ss in by_venue.items() if v == args.venue}
            settled = {}
            for venue, samples in by_venue.items():
                for symbol in dict.fromkeys(s.symbol for s in samples):
                    settled[(venue, symbol)] = store.settlements(
                        venue, symbol, now_ms - SETTLED_DAYS * 24 * HOUR_MS
                    )
    except HistoryError as e:
        say(str(e))
        return 1
    if not by_venue:
        where = f" on {args.venue}" if args.venue else ""
        say(f"nothing stored for {args.base}{where} in the last {args.hours:g} h")
        return 1
    every_ms = round(args.every * 60_000) if args.every else None
    if args.csv:
        from fundtui.commands.csv_out import write_csv

        write_csv(CSV_HEADER, _csv_rows(by_venue, every_ms))
        return 0
    if args.json:
        print(
            json.dumps(
                {
                    "base": args.base,
                    "since": iso_utc(since),
                    "until": iso_utc(now_ms),
                    "every_minutes": args.every,
                    "venues": {
                        v: [_sample_json(s) for s in _thin(ss, every_ms)]
                        for v, ss in by_venue.items()
                    },
                    "settled": [
                        {
                            "venue": v,
                            "symbol": sym,
                            "time": iso_utc(st.funding_time_ms),
                            "time_ms": st.funding_time_ms,
                            "rate": st.rate,
                            "interval_hours": st.interval_hours,
                        }
                        for (v, sym), sts in settled.items()
                        for st in sts
                    ],
                },
                indent=2,
            )
        )
        return 0
    every_ms = every_ms or HOUR_MS
    out = []
    for venue, samples in by_venue.items():
        shown = _thin(samples, every_ms)
        out.append(
            f"{venue}: {len(samples):,} samples in the last {args.hours:g} h, "
            f"the last of every {every_ms // 60_000} min shown"
        )
        out.append(
            f"  {'TIME (UTC)':20}  {'SYMBOL':22}  {'RATE':>9}  {'INT':>4}  "
            f"{'8H':>9}  {'MARK':>12}  {'PREMIUM':>9}  {'OI USD':>14}"
        )
        for s in shown:
            r8 = (
                rate_8h(s.funding_rate, s.interval_hours)
                if s.funding_rate is not None and s.interval_hours
                else None
            )
            iv = "-" if s.interval_hours is None else f"{s.interval_hours:g}h"
            out.append(
                f"  {iso_utc(s.at_ms):20}  {visible(s.symbol):22}  "
                f"{_pct(s.funding_rate):>9}  {iv:>4}  {_pct(r8):>9}  "
                f"{_num(s.mark_price, '.6g'):>12}  "
                f"{_pct(s.premium):>9}  {_num(s.open_interest_usd):>14}"
            )
        for (v, symbol), sts in settled.items():
            if v != venue:
                continue
            if not sts:
                out.append(
                    f"  settled {visible(symbol)}: none cached (open the detail view to fetch)"
                )
                continue
            out.append(f"  settled {visible(symbol)}, last {SETTLED_DAYS} d:")
            for st in sts:
                out.append(f"    {iso_utc(st.funding_time_ms):20}  {_pct(st.rate):>9}")
    print("\n".join(out))
    return 0
