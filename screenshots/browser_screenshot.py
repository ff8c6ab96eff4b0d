"""The board in a browser: ``fundtui serve --demo`` photographed by headless Chromium.

python screenshots/browser_screenshot.py [OUT.png]

Starts ``fundtui serve --demo`` on a free loopback port with history and state in
a scratch folder, loads the page in headless Chromium through its DevTools port
(Chromium's own --screenshot fires before the websocket has drawn anything), and
saves a PNG once the board is drawn (default screenshots/browser.png). Where no
Chromium is installed it says so and exits 0, so the screenshot run goes on
without it. Unlike the SVGs, the PNG is
not the same bytes on every run: the demo market runs on the wall clock here.
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
REPO = HERE.parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
WINDOW = (1600, 900)
FOLDERS = ("CONFIG", "DATA", "CACHE")
#: Seconds between the board's first bytes in the page and the picture: the demo's
#: first quotes arrive within two seconds of the start.
DATA_WAIT_S = 4.0


def find_browser() -> str | None:
    return next((path for b in BROWSERS if (path := shutil.which(b))), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, server: subprocess.Popen, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("fundtui serve did not start listening") from None
            time.sleep(0.2)


async def _cdp_screenshot(debug_port: int, url: str, out: Path) -> None:
    """Load ``url`` in the browser's page through the DevTools protocol, wait for the
    board's first bytes and then for its data, and save the picture."""
    import aiohttp

    async with aiohttp.ClientSession() as http:
        deadline = time.monotonic() + 30
        while True:
            try:
                async with http.get(f"http://127.0.0.1:{debug_port}/json/list") as r:
                    pages = [t for t in await r.json() if t.get("type") == "page"]
                if pages:
                    break
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("Chromium did not open its DevTools port")
            await asyncio.sleep(0.2)
        async with http.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            ids = iter(range(1, 1_000_000))

            async def call(method: str, **params):
                n = next(ids)
                await ws.send_json({"id": n, "method": method, "params": params})
                while True:
                    msg = await ws.receive_json(timeout=60)
                    if msg.get("id") == n:
                        return msg.get("result", {})

            await call("Page.enable")
            await call("Page.navigate", url=url)
            first_byte = "document.body && document.body.classList.contains('-first-byte')"
            deadline = time.monotonic() + 30
            while not (await call("Runtime.evaluate", expression=first_byte))["result"].get(
                "value"
            ):
                if time.monotonic() > deadline:
                    raise RuntimeError("the page never showed the board")
                await asyncio.sleep(0.2)
            await asyncio.sleep(DATA_WAIT_S)  # the demo's first quotes, then a repaint
            shot = await call("Page.captureScreenshot", format="png")
            out.write_bytes(base64.b64decode(shot["data"]))


def shoot(out: Path) -> int:
    browser = find_browser()
    if browser is None:
        print("browser screenshot skipped: no Chromium installed (Debian: apt install chromium)")
        return 0
    scratch = tempfile.mkdtemp(prefix="fundtui-shot-")
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        **{f"FUNDTUI_{k}_DIR": os.path.join(scratch, k.lower()) for k in FOLDERS},
    }
    port, debug_port = free_port(), free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "fundtui", "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    chrome = None
    try:
        wait_listening(port, server)
        chrome = subprocess.Popen(
            [
                browser,
                "--headless",
                "--no-sandbox",  # root in a container has no user namespace for it
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={os.path.join(scratch, 'chromium')}",
                f"--remote-debugging-port={debug_port}",
                f"--window-size={WINDOW[0]},{WINDOW[1]}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        asyncio.run(_cdp_screenshot(debug_port, f"http://127.0.0.1:{port}/?fontsize=14", out))
    finally:
        for proc in (chrome, server):
            if proc is None:
                continue
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(shoot(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "browser.png"))
