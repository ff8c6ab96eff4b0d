"""``fundtui serve``: the board in a browser through textual-serve, on loopback
unless asked otherwise; a real server on a free port, its page and websocket."""

import asyncio
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from fundtui import cli
from fundtui.commands import serve

REPO = Path(__file__).resolve().parents[1]
ANSI = re.compile(
    r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()=>][0-9A-Z]?"
)


def parse(*argv):
    return cli.build_parser().parse_args(["serve", *argv])


def test_it_listens_on_loopback_unless_told_otherwise_and_help_says_why():
    args = parse()
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    text = " ".join(
        dict((a.dest, a) for a in cli.build_parser()._subparsers._group_actions)["command"]
        .choices["serve"]
        .format_help()
        .split()
    )
    assert "anyone who can reach the address gets the board" in text
    assert "no login" in text


@pytest.mark.parametrize(
    "argv",
    [["--port", "0"], ["--port", "70000"], ["--port", "x"], ["--host", "a b"], ["--host", ""]],
)
def test_a_bad_host_or_port_is_one_line(capsys, argv):
    assert cli.main(["serve", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("fundtui serve: error: argument --")


def test_the_command_each_tab_runs_is_this_fundtui_with_every_word_quoted(tmp_path):
    odd = tmp_path / "a b;rm -rf x" / "config.toml"
    args = parse("--demo", "--config", str(odd), "--exchanges", "okx", "--refresh", "15")
    words = shlex.split(serve.board_command(args))
    assert words == [
        sys.executable,
        "-m",
        "fundtui",
        "--demo",
        "--config",
        str(odd),
        "--exchanges",
        "okx",
        "--refresh",
        "15",
    ]
    assert serve.public_url("::1", 8000) == "http://[::1]:8000"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


RATE = re.compile(r"[+-]?\d+\.\d+%")


def shows_the_board(screen: str) -> bool:
    """The header, the table's columns and at least a few rates of the demo market."""
    needles = ("fundtui", "DEMO", "Sprd 8h", "binance", "hyperliquid")
    return all(n in screen for n in needles) and len(RATE.findall(screen)) >= 10


async def board_text(port: int, timeout: float) -> str:
    """The page, then the websocket's terminal output until it shows the board."""
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/") as page:
            assert page.status == 200
            html = await page.text()
        assert f"ws://127.0.0.1:{port}/ws" in html
        screen = ""
        async with http.ws_connect(f"http://127.0.0.1:{port}/ws?width=120&height=36") as ws:
            deadline = time.monotonic() + timeout
            while not shows_the_board(screen):
                left = deadline - time.monotonic()
                assert left > 0, f"no board on screen; got {screen[-2000:]!r}"
                msg = await ws.receive(timeout=left)
                if msg.type == aiohttp.WSMsgType.BINARY:
                    screen = ANSI.sub("", screen + msg.data.decode("utf-8", "replace"))
                elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                    raise AssertionError(f"websocket closed; got {screen[-2000:]!r}")
        return screen


def test_serve_sends_the_demo_board_to_a_browser():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "fundtui", "serve", "--port", str(port), "--demo"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "serve did not start listening"
                time.sleep(0.2)
        screen = asyncio.run(board_text(port, timeout=60))
        assert "Base" in screen and "Long/Short" in screen
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        server.stderr.close()
    assert server.returncode == 0
