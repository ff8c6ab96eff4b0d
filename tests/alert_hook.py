"""A loopback JSON webhook for the alert tests: apprise's ``json://127.0.0.1:PORT/hook``.

It records every message posted to it (title, body, path) and can be told to
answer 500 (``status``) or to wait before answering (``delay_s``). ``dead_port()``
is a port nothing listens on (connection refused).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Hook:
    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.attempts = 0
        self.times: list[float] = []  # monotonic time of each request
        self.status = 200
        self.delay_s = 0.0
        self._lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                size = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(size)
                with hook._lock:
                    hook.attempts += 1
                    hook.times.append(time.monotonic())
                    status, delay = hook.status, hook.delay_s
                if delay:
                    time.sleep(delay)
                if status == 200:
                    payload = json.loads(raw)
                    with hook._lock:
                        hook.messages.append({**payload, "path": self.path})
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the client gave up (its timeout)
                    pass

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"json://127.0.0.1:{self.port}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> Hook:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, n: int, timeout_s: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout_s
        while len(self.messages) < n and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.messages)


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
