"""``fundtui serve``: the board in a web browser, through textual-serve.

    fundtui serve [--host 127.0.0.1] [--port 8000] [--demo] [--config PATH]

Each browser tab that opens the page starts its own ``fundtui`` board in a
subprocess, driven over a websocket. There is no login: whoever can reach the
port gets the board, so it listens on loopback unless ``--host`` says
otherwise (and then the network in between decides who that is).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from typing import Any

from fundtui.commands import flags, say
from fundtui.config import shown_id
from fundtui.core.numbers import parse_whole

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MAX_HOST_CHARS = 255


def _host(text: str) -> str:
    host = text.strip()
    if not host or len(host) > MAX_HOST_CHARS or not all(c.isalnum() or c in ".-:_" for c in host):
        raise argparse.ArgumentTypeError(
            f"expected a host name or an IP address, got {shown_id(text)!r}"
        )
    return host


def _port(text: str) -> int:
    try:
        port = parse_whole(text)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"expected a port number between 1 and 65535, got {shown_id(text)!r}"
        )
    return port


def register(commands: Any, add_common: Callable[..., None]) -> None:
    p = commands.add_parser(
        "serve",
        allow_abbrev=False,
        help="the board in a web browser",
        description="Serve the board to web browsers (textual-serve): open the printed "
        "address, and each tab runs its own board. There is no login or password: anyone "
        "who can reach the address gets the board, running as you on this machine. "
        "The default host, 127.0.0.1, is this machine only; any other address, "
        "0.0.0.0 above all, exposes the board to every network that reaches it; put it "
        "behind a reverse proxy with authentication, or use an SSH tunnel "
        "(ssh -L 8000:127.0.0.1:8000 HOST) instead.",
    )
    p.add_argument(
        "--host",
        type=_host,
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}, this machine only; "
        "another address lets anyone who reaches it use the board, without a login)",
    )
    p.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"port to listen on (default {DEFAULT_PORT})",
    )
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers reach this server at, when it is not http://HOST:PORT "
        "(behind a reverse proxy, or listening on 0.0.0.0)",
    )
    flags.add_exchanges(p, "the board's venues, in this order (even when disabled in the config)")
    flags.add_refresh(p)
    flags.add_theme(p)
    add_common(p, defaults=False)
    p.set_defaults(run=run)


def board_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs for each browser tab: this Python,
    this fundtui, the options given, every word quoted."""
    words = [sys.executable, "-m", "fundtui"]
    if getattr(args, "demo", False):
        words.append("--demo")
    if getattr(args, "config", None) is not None:
        words += ["--config", str(args.config.absolute())]
    if args.exchanges:
        words += ["--exchanges", ",".join(args.exchanges)]
    if args.refresh is not None:
        words += ["--refresh", f"{args.refresh:g}"]
    if args.theme is not None:
        words += ["--theme", args.theme]
    return shlex.join(words)


def public_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def run(args: argparse.Namespace) -> int:
    try:
        from rich.console import Console
        from textual_serve.server import Server
    except ImportError as e:
        say(f"serve needs textual-serve ({e}); pip install textual-serve")
        return 1
    server = Server(
        board_command(args),
        host=args.host,
        port=args.port,
        title="fundtui",
        public_url=args.public_url or public_url(args.host, args.port),
    )
    server.console = Console(file=sys.stderr)  # a server's log, not the command's output
    try:
        server.serve()
    except OSError as e:  # the port is taken, the address is not this machine's
        say(f"cannot listen on {public_url(args.host, args.port)}: {e.strerror or e}")
        return 1
    return 0
