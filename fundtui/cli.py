"""Command line: the board (a Textual app) and the headless commands.

    fundtui [--demo] [--config PATH] [--exchanges A,B] [--refresh S] [--theme T]
    fundtui serve [--host 127.0.0.1] [--port 8000] [--demo]   the board in a browser
    fundtui snapshot [--json | --csv] [--top N] [--sort COLUMN] [--base A,B] ...
    fundtui config init [--force] | config path

Exit codes: 0 fine; 1 no venue answered (snapshot) or a file could not be written;
2 bad arguments or config; 130 interrupted. Problems are one line on stderr,
never a traceback. Textual and ccxt are imported only by the commands that
need them, so ``--version``, ``config`` and ``snapshot --demo`` start fast.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from fundtui import __version__
from fundtui.commands import MAX_SAY_CHARS, PROG, flags, say
from fundtui.config import ConfigError, default_config_text, load_config
from fundtui.core.text import describe_exception, one_line
from fundtui.store import paths

#: Sub-command modules (see fundtui/commands/__init__.py), in help order after
#: ``snapshot`` and ``config``.
COMMAND_MODULES: tuple[str, ...] = (
    "fundtui.commands.serve",
    "fundtui.commands.calc",
    "fundtui.commands.carry",
    "fundtui.commands.sectors",
    "fundtui.commands.signals",
    "fundtui.commands.history",
    "fundtui.commands.alerts",
    "fundtui.commands.record",
)
#: Top-level options that take a value (the next word is not a command).
VALUE_OPTIONS = ("--config", "--exchanges", "--refresh", "--theme")
#: Options of the board alone; before a command they would be silently ignored.
BOARD_OPTIONS = {
    "board_exchanges": "--exchanges",
    "board_refresh": "--refresh",
    "board_theme": "--theme",
}

USAGE = """%(prog)s [--demo] [--config PATH] [--exchanges A,B] [--refresh SECONDS]
               [--theme NAME|PATH]
       %(prog)s [--demo] [--config PATH] COMMAND [ARGS ...]
       %(prog)s --help | --version"""

DESCRIPTION = """Funding rates of crypto perpetuals across venues.

With no COMMAND, fundtui opens the board: the live terminal app (--demo: a
simulated market, no network). --exchanges, --refresh and --theme change the
config for this run only. A COMMAND runs without the board and prints; see
`fundtui COMMAND --help`."""

EPILOG = """examples:
  fundtui                                  the board, as the config says
  fundtui --demo                           the board on simulated data
  fundtui --exchanges binance,okx --refresh 10 --theme light
  fundtui serve --demo                     the board in a browser, http://127.0.0.1:8000
  fundtui snapshot --top 20 --sort net     one poll, the 20 best net spreads
  fundtui snapshot --csv > rates.csv       for a spreadsheet
  fundtui history BTC --hours 48 --csv     what the history store holds for BTC
  fundtui calc --venue binance --symbol BTC --side long --equity 10000 \\
               --risk 1 --entry 60000 --stop 58800 --leverage 10
  fundtui config init                      write a commented config to edit"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line instead of usage + message
        # the message can quote what was typed: made visible and cut like every other line
        self.exit(2, f"{self.prog}: error: {one_line(message, MAX_SAY_CHARS)} (see --help)\n")


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
    word is an option or the value of one (``--refresh 5``: 5 is not a command)."""
    expect_value = False
    for word in argv:
        if expect_value:
            expect_value = False
        elif word in ("-h", "--help") or not word.startswith("-"):
            return False
        elif word in VALUE_OPTIONS:
            expect_value = True
    return True


def _add_board_options(parser: argparse.ArgumentParser) -> None:
    board = parser.add_argument_group("the board (no COMMAND), for this run only")
    flags.add_exchanges(
        board,
        "show these venues, in this order (even when disabled in the config)",
        dest="board_exchanges",
    )
    flags.add_refresh(board, dest="board_refresh")
    flags.add_theme(board, dest="board_theme")


def build_parser(commands_too: bool = True) -> argparse.ArgumentParser:
    """The command line. ``commands_too=False``: the top-level options alone, for a
    command line that names no command (the board), so that the first frame does
    not wait for the sub-command modules to be imported and their parsers built."""
    parser = _Parser(
        prog=PROG,
        allow_abbrev=False,
        usage=USAGE,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_common(parser, defaults=True)
    _add_board_options(parser)
    if not commands_too:
        parser.set_defaults(command=None)
        return parser
    commands = parser.add_subparsers(
        dest="command",
        prog=PROG,
        metavar="COMMAND",
        title="commands (optional: none opens the board)",
    )
    importlib.import_module("fundtui.commands.snapshot").register(commands, _add_common)

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
        "--config",
        type=Path,
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="print this path (as the other commands would read it)",
    )
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands, _add_common)
    return parser


_say = say


# --- the board ---------------------------------------------------------------


def board_config(args: argparse.Namespace):
    """The config file's settings with the command line's board options over them."""
    if args.board_theme is not None and not flags.has_theme_setting():
        raise ConfigError("--theme: this version of fundtui has no themes yet")
    return flags.override(
        load_config(args.config), args.board_exchanges, args.board_refresh, args.board_theme
    )


def _run_board(args: argparse.Namespace) -> int:
    config = board_config(args)
    from fundtui.ui.app import run_app

    return run_app(config, demo=args.demo)


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
            parser = build_parser(not _names_no_command(words))
            args = parser.parse_args(words)
            given = [flag for dest, flag in BOARD_OPTIONS.items() if getattr(args, dest, None)]
            if args.command is not None and given:
                parser.error(
                    f"{', '.join(given)} before a command change the board only; "
                    f"give {args.command}'s own options after it"
                )
        except SystemExit as e:  # --help, --version, or a usage error already reported
            return _exit_code(e)
        try:
            if args.command is None:
                return _run_board(args)  # the collector back on once started (launch.py)
            gc.enable()  # off while starting (launch.py); a command runs with it
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
