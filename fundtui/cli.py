"""Command line: the board (a Textual app) and the headless commands.

    fundtui [--demo] [--config PATH]            the live board (or the demo market)
    fundtui snapshot [--json] [--exchanges a,b] [--demo] [--config PATH]
    fundtui config init [--force] | config path

Exit codes: 0 fine; 1 no venue answered (snapshot) or a file could not be written;
2 bad arguments or config; 130 interrupted. Problems are one line on stderr,
never a traceback. Textual and ccxt are imported only by the commands that
need them, so ``--version``, ``config`` and ``snapshot --demo`` start fast.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from fundtui import __version__
from fundtui.commands import MAX_SAY_CHARS, PROG, say
from fundtui.config import (
    Config,
    ConfigError,
    VenueConfig,
    default_config_text,
    is_known_venue,
    load_config,
    shown_id,
    unknown_venue_hint,
)
from fundtui.core.text import describe_exception, one_line, visible
from fundtui.store import paths

#: Sub-command modules (see fundtui/commands/__init__.py), in help order.
COMMAND_MODULES: tuple[str, ...] = (
    "fundtui.commands.calc",
    "fundtui.commands.carry",
    "fundtui.commands.sectors",
    "fundtui.commands.signals",
    "fundtui.commands.history",
    "fundtui.commands.alerts",
    "fundtui.commands.record",
)
#: A live snapshot gives up on a venue that has not answered by then.
SNAPSHOT_TIMEOUT_S = 60.0


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line instead of usage + message
        # the message can quote what was typed: made visible and cut like every other line
        self.exit(2, f"{self.prog}: error: {one_line(message, MAX_SAY_CHARS)} (see --help)\n")


def _exchange_list(text: str) -> list[str]:
    """``--exchanges a,b``: checked against the known ids before anything else
    (a file system lookup with a 300-character name fails with OSError)."""
    names = [n.strip().lower() for n in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated exchange ids, got {shown_id(text)!r}"
        )
    for n in names:
        if not is_known_venue(n):
            raise argparse.ArgumentTypeError(
                f"unknown exchange {shown_id(n)!r}; {unknown_venue_hint()}"
            )
    return list(dict.fromkeys(names))


def _add_common(p: argparse.ArgumentParser, defaults: bool) -> None:
    # On the top-level parser and again on subcommands, so both `fundtui --demo
    # snapshot` and `fundtui snapshot --demo` work; a subcommand does not reset
    # what was given before it.
    kw: dict[str, Any] = {} if defaults else {"default": argparse.SUPPRESS}
    p.add_argument(
        "--demo",
        action="store_true",
        help="use the simulated market (no network)",
        **({"default": False} if defaults else kw),
    )
    p.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help=f"config file (default: {paths.config_file()})",
        **({"default": None} if defaults else kw),
    )


def _names_no_command(argv: Sequence[str]) -> bool:
    """Whether ``argv`` is options only (the board), with no help asked for: every
    word is an option or the value of ``--config``."""
    expect_value = False
    for word in argv:
        if expect_value:
            expect_value = False
        elif word in ("-h", "--help") or not word.startswith("-"):
            return False
        elif word == "--config":
            expect_value = True
    return True


def build_parser(commands_too: bool = True) -> argparse.ArgumentParser:
    """The command line. ``commands_too=False``: the top-level options alone, for a
    command line that names no command (the board), so that the first frame does
    not wait for the sub-command modules to be imported and their parsers built."""
    parser = _Parser(
        prog=PROG,
        allow_abbrev=False,
        description="Funding rates of crypto perpetuals across venues.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_common(parser, defaults=True)
    if not commands_too:
        parser.set_defaults(command=None)
        return parser
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    snap = commands.add_parser(
        "snapshot",
        allow_abbrev=False,
        help="poll every venue once and print the rates",
        description="Poll every venue once and print the rates. "
        "Exit 0 when at least one venue answered, 1 when "
        "none did.",
    )
    snap.add_argument("--json", action="store_true", help="print JSON (stable interface)")
    snap.add_argument(
        "--exchanges",
        type=_exchange_list,
        metavar="A,B",
        help="poll these venues instead of the configured ones (even when disabled in the config)",
    )
    _add_common(snap, defaults=False)

    cfg = commands.add_parser(
        "config",
        allow_abbrev=False,
        help="the config file",
        description="Write or locate the config file.",
    )
    actions = cfg.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser("init", allow_abbrev=False, help="write a commented default config")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="write here instead of the default path",
    )
    where = actions.add_parser(
        "path", allow_abbrev=False, help="print where the config is read from"
    )
    where.add_argument(
        "--config", type=Path, metavar="PATH", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands, _add_common)
    return parser


_say = say


# --- the board ---------------------------------------------------------------


def _run_board(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    from fundtui.ui.app import run_app

    return run_app(config, demo=args.demo)


# --- snapshot ----------------------------------------------------------------


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


async def _poll_once(venues: Sequence[VenueConfig], demo: bool, notices: list[str]):
    from fundtui.feeds.poll import poll_once

    return await poll_once(venues, demo, SNAPSHOT_TIMEOUT_S, notices)


def _rate(x: float | None) -> str:
    from fundtui.core.rate_text import rate_pct

    return "-" if x is None else rate_pct(x)


def _apr(x: float | None) -> str:
    from fundtui.core.rate_text import apr_pct

    return "-" if x is None else apr_pct(x)


def _table(snapshot_rows, now_ms: int) -> str:
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
    for row in snapshot_rows:
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


def _snapshot(args: argparse.Namespace) -> int:
    from fundtui.core.board import build_board
    from fundtui.core.snapshot import build_snapshot

    config: Config = load_config(args.config)
    if args.exchanges:
        venues = [dataclasses.replace(config.venue(n), enabled=True) for n in args.exchanges]
    else:
        venues = config.active_venues()
    if not venues:
        _say(f"no exchanges to poll: every venue is disabled in {config.source}")
        return 2
    notices: list[str] = []
    try:
        polls, errors = asyncio.run(_poll_once(venues, args.demo, notices))
    except ImportError as e:
        _say(f"live venues are unavailable ({e}); try --demo")
        return 1
    for notice in notices:
        _say(notice)
    now_ms = _now_ms()
    order = [v.name for v in venues]
    board = build_board(
        {p.venue: p.quotes for p in polls}, order, (), config.net_horizon_hours, config.fees
    )
    for venue, reason in errors.items():
        _say(f"{venue}: {reason}")
    if args.json:
        snap = build_snapshot([q for p in polls for q in p.quotes], board, errors, now_ms, order)
        print(json.dumps(snap, indent=2))
    elif polls:
        rows = sorted(
            board.values(),
            key=lambda r: (r.spread is None, -(r.spread.spread_8h if r.spread else 0.0), r.base),
        )
        print(_table(rows, now_ms))
    if not polls:
        _say("no exchange answered")
        return 1
    return 0


# --- config ------------------------------------------------------------------


def _config(args: argparse.Namespace) -> int:
    """``config path`` / ``config init``: the file is written whole (temp file, then
    rename) and private: folder 0700, file 0600 (proxy URLs can hold credentials)."""
    from fundtui.store.atomic import write_atomic
    from fundtui.store.files import private_dir

    path: Path = args.config or paths.config_file()
    if args.action == "path":
        print(path)
        return 0
    try:
        if (path.exists() or path.is_symlink()) and not args.force:
            _say(f"{path} already exists; use --force to overwrite it")
            return 2
        if path.is_dir():
            _say(f"cannot write {path}: it is a folder")
            return 2
        private_dir(path.parent)
        write_atomic(path, default_config_text())
    except (OSError, ValueError) as e:  # ValueError: a NUL in the path
        _say(f"cannot write {path}: {getattr(e, 'strerror', None) or e}")
        return 1
    print(path)
    return 0


# --- entry -------------------------------------------------------------------


def _exit_code(e: SystemExit) -> int:
    if e.code is None:
        return 0
    return e.code if isinstance(e.code, int) else 2


def _run_command(args: argparse.Namespace) -> int:
    try:
        if args.command == "snapshot":
            return _snapshot(args)
        if args.command == "config":
            return _config(args)
        return args.run(args)
    except (ConfigError, KeyboardInterrupt, BrokenPipeError):
        raise
    except Exception as e:  # a bug, but the promise is one line, never a traceback
        _say(f"{args.command} failed unexpectedly: {describe_exception(e)}")
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            words = sys.argv[1:] if argv is None else list(argv)
            args = build_parser(not _names_no_command(words)).parse_args(words)
        except SystemExit as e:  # --help, --version, or a usage error already reported
            return _exit_code(e)
        try:
            if args.command is None:
                return _run_board(args)
            from fundtui.commands.terminal import inert_stdout

            with inert_stdout():  # venue strings reach the terminal spelled out
                return _run_command(args)
        except ConfigError as e:
            _say(str(e))
            return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into something that stopped reading
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
