"""A loopback HTTP server that answers like one venue's REST API.

One :class:`FakeVenue` per venue, on 127.0.0.1 with a free port, serving the
real-format payloads under ``payloads/<venue>/`` (see the README there). It
logs every request (with the time on ``fake.clock``), counts them per path,
and can be told to fail: HTTP status (500, 503, 429/418 with Retry-After,
...), hang past the client's timeout, answer late but within it, close the
connection without an answer, cut the body short of its Content-Length,
answer 200 with a body that is not JSON (or empty), or stop listening
altogether (``down()``: connection refused, until ``up()``). Payloads are
loaded into memory per server, so a test may edit them (``fake.payload(name)``)
between polls without touching the files.

Used as a context manager or via ``start()``/``stop()``; the stdlib server
runs in a daemon thread, so tests need no network and no extra packages.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

PAYLOADS = Path(__file__).parent / "payloads"

VENUES = ("binance", "bybit", "okx", "bitget", "gate", "hyperliquid")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    payload: str  # file stem under payloads/<venue>/
    query: dict[str, str] = field(default_factory=dict)  # required query parameters
    body: dict[str, str] = field(default_factory=dict)  # required JSON body fields
    absent: tuple[str, ...] = ()  # query parameters that must not be present


#: What each venue serves. More specific routes first.
ROUTES: dict[str, list[Route]] = {
    "binance": [
        Route("GET", "/fapi/v1/exchangeInfo", "exchangeInfo"),
        Route("GET", "/fapi/v1/fundingInfo", "fundingInfo"),
        Route("GET", "/fapi/v1/premiumIndex", "premiumIndex", absent=("symbol",)),
        Route("GET", "/fapi/v1/fundingRate", "fundingRate_history", query={"symbol": "BTCUSDT"}),
        Route("GET", "/fapi/v1/ticker/24hr", "ticker_24hr", absent=("symbol",)),
    ],
    "bybit": [
        Route(
            "GET",
            "/v5/market/instruments-info",
            "instruments_linear_prelaunch",
            query={"category": "linear", "status": "PreLaunch"},
        ),
        Route(
            "GET",
            "/v5/market/instruments-info",
            "instruments_linear",
            query={"category": "linear"},
            absent=("status",),
        ),
        Route(
            "GET",
            "/v5/market/tickers",
            "tickers_linear",
            query={"category": "linear"},
            absent=("symbol",),
        ),
        Route(
            "GET",
            "/v5/market/funding/history",
            "funding_history",
            query={"category": "linear", "symbol": "BTCUSDT"},
        ),
        Route(
            "GET",
            "/v5/market/risk-limit",
            "risk_limit_linear_btcusdt",
            query={"category": "linear", "symbol": "BTCUSDT"},
        ),
    ],
    "okx": [
        Route("GET", "/api/v5/public/instruments", "instruments_swap", query={"instType": "SWAP"}),
        Route("GET", "/api/v5/public/instruments", "instruments_empty"),  # other types
        Route("GET", "/api/v5/public/funding-rate", "funding_rate_any", query={"instId": "ANY"}),
        Route(
            "GET",
            "/api/v5/public/open-interest",
            "open_interest_swap",
            query={"instType": "SWAP"},
            absent=("instId", "instFamily", "uly"),
        ),
        Route(
            "GET",
            "/api/v5/public/funding-rate-history",
            "funding_rate_history_usdt_swap",
            query={"instId": "BTC-USDT-SWAP"},
        ),
        Route(
            "GET",
            "/api/v5/public/position-tiers",
            "position_tiers_swap_btc_usdt",
            query={"instType": "SWAP", "tdMode": "isolated", "instFamily": "BTC-USDT"},
        ),
    ],
    "bitget": [
        Route(
            "GET",
            "/api/v2/mix/market/contracts",
            "contracts_usdt_futures",
            query={"productType": "USDT-FUTURES"},
        ),
        Route(
            "GET",
            "/api/v2/mix/market/current-fund-rate",
            "current_fund_rate_usdt_futures",
            query={"productType": "USDT-FUTURES"},
            absent=("symbol",),
        ),
        Route(
            "GET",
            "/api/v2/mix/market/tickers",
            "tickers_usdt_futures",
            query={"productType": "USDT-FUTURES"},
        ),
        Route(
            "GET",
            "/api/v2/mix/market/history-fund-rate",
            "history_fund_rate_btcusdt",
            query={"symbol": "BTCUSDT", "productType": "USDT-FUTURES"},
        ),
        Route(
            "GET",
            "/api/v2/mix/market/query-position-lever",
            "query_position_lever_btcusdt",
            query={"symbol": "BTCUSDT", "productType": "USDT-FUTURES"},
        ),
    ],
    "gate": [
        Route("GET", "/api/v4/futures/usdt/contracts", "futures_usdt_contracts"),
        Route(
            "GET",
            "/api/v4/futures/usdt/funding_rate",
            "funding_rate_btc_usdt",
            query={"contract": "BTC_USDT"},
        ),
        Route(
            "GET",
            "/api/v4/futures/usdt/risk_limit_tiers",
            "risk_limit_tiers_btc_usdt",
            query={"contract": "BTC_USDT"},
        ),
    ],
    "hyperliquid": [
        Route("POST", "/info", "metaAndAssetCtxs", body={"type": "metaAndAssetCtxs"}),
        Route("POST", "/info", "meta", body={"type": "meta"}),
        Route(
            "POST",
            "/info",
            "fundingHistory_2023_BTC",
            body={"type": "fundingHistory", "coin": "BTC"},
        ),
    ],
}


#: The one request each venue makes per refresh once its metadata is loaded.
RATE_PATHS = {
    "binance": "/fapi/v1/premiumIndex",
    "bybit": "/v5/market/tickers",
    "okx": "/api/v5/public/funding-rate",
    "bitget": "/api/v2/mix/market/current-fund-rate",
    "gate": "/api/v4/futures/usdt/contracts",
    "hyperliquid": "/info",
}

#: The slower second request (open interest, 24 h figures) of the venues that make one.
EXTRAS_PATHS = {
    "binance": "/fapi/v1/ticker/24hr",
    "okx": "/api/v5/public/open-interest",
    "bitget": "/api/v2/mix/market/tickers",
}


@dataclass
class Failure:
    mode: str  # "status", "hang", "malformed", "slow", "disconnect", "cut_short"
    status: int = 500
    retry_after: str | None = None
    path: str | None = None  # None: every path
    times: int | None = None  # None: until cleared
    body: str = '{"code":-1,"msg":"fake failure"}'
    delay_s: float = 0.0  # "slow": answer normally after this long


@dataclass(frozen=True)
class Request:
    method: str
    target: str  # the request line's target as sent (absolute URI when via a proxy)
    path: str
    query: dict[str, str]
    body: Any
    status: int
    at: float = 0.0  # fake.clock() when it arrived


class FakeVenue:
    def __init__(
        self, venue: str, *, hang_s: float = 30.0, clock: Callable[[], float] = time.monotonic
    ):
        self.venue = venue
        self.clock = clock  # stamps each logged request (a test may set a simulated one)
        self.routes = ROUTES[venue]
        self.hang_s = hang_s
        self._payloads: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._failures: list[Failure] = []
        self._responders: dict[str, Any] = {}
        self._released = threading.Event()
        self.requests: list[Request] = []
        self.server_errors: list[str] = []  # exceptions inside handlers (not the client's)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port = 0  # kept across down()/up()

    # -- lifecycle
    def start(self) -> FakeVenue:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (stdlib naming)
                fake._handle(self, "GET")

            def do_POST(self):  # noqa: N802
                fake._handle(self, "POST")

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                # A handler's own failure is logged on the fake, not printed as a
                # traceback a test could mistake for the app's.
                with fake._lock:
                    fake.server_errors.append(repr(sys.exc_info()[1]))

        self._server = Server(("127.0.0.1", self._port), Handler)
        self._port = self._server.server_address[1]
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name=f"fake-{self.venue}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()  # wake any hanging handler
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def down(self) -> None:
        """Stop listening: connections are refused until :meth:`up` (same port)."""
        self.stop()
        self._down = True

    def up(self) -> None:
        """Listen again on the port :meth:`down` gave up."""
        if self._server is None:
            self._released = threading.Event()
            self.start()
        self._down = False

    def __enter__(self) -> FakeVenue:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    _down = False

    @property
    def url(self) -> str:
        assert self._server is not None or self._down, "server not started"
        return f"http://127.0.0.1:{self._port}"

    # -- payloads
    def payload(self, name: str) -> Any:
        """The live (editable) payload served for ``name``."""
        with self._lock:
            if name not in self._payloads:
                path = PAYLOADS / self.venue / f"{name}.json"
                self._payloads[name] = json.loads(path.read_text(encoding="utf-8"))
            return self._payloads[name]

    def set_payload(self, name: str, value: Any) -> None:
        with self._lock:
            self._payloads[name] = value

    def respond(self, name: str, answer: Any) -> None:
        """Serve ``name`` as ``answer(query, body)`` per request (e.g. to honour a cursor)."""
        with self._lock:
            self._responders[name] = answer

    # -- failures
    def fail(
        self,
        status: int = 500,
        *,
        retry_after: str | float | None = None,
        path: str | None = None,
        times: int | None = None,
        body: str | None = None,
    ) -> None:
        failure = Failure(
            "status",
            status=status,
            path=path,
            times=times,
            retry_after=None if retry_after is None else str(retry_after),
        )
        if body is not None:
            failure.body = body
        with self._lock:
            self._failures.append(failure)

    def hang(self, *, path: str | None = None, times: int | None = None) -> None:
        with self._lock:
            self._failures.append(Failure("hang", path=path, times=times))

    def malformed(
        self,
        *,
        path: str | None = None,
        times: int | None = None,
        body: str = '{"symbol": "BTCUSDT", "markPrice": ',
    ) -> None:
        with self._lock:
            self._failures.append(Failure("malformed", path=path, times=times, body=body))

    def slow(self, delay_s: float, *, path: str | None = None, times: int | None = None) -> None:
        """Answer as usual, but only after ``delay_s`` (or when the server stops)."""
        with self._lock:
            self._failures.append(Failure("slow", path=path, times=times, delay_s=delay_s))

    def disconnect(self, *, path: str | None = None, times: int | None = None) -> None:
        """Read the request, then close the connection without a word."""
        with self._lock:
            self._failures.append(Failure("disconnect", path=path, times=times))

    def cut_short(self, *, path: str | None = None, times: int | None = None) -> None:
        """Answer 200 with the real payload, but stop half way through its Content-Length."""
        with self._lock:
            self._failures.append(Failure("cut_short", path=path, times=times))

    def clear_failures(self) -> None:
        with self._lock:
            self._failures.clear()

    # -- request log
    def hits(self, path: str | None = None, *, extras: bool = True) -> int:
        """Requests (to ``path``); ``extras=False`` leaves out the slower second
        request (open interest, 24 h), for tests about everything else."""
        return len(self.paths(extras=extras, only=path))

    def counts(self, *, extras: bool = True) -> Counter[str]:
        return Counter(self.paths(extras=extras))

    def paths(self, *, extras: bool = True, only: str | None = None) -> list[str]:
        """The path of every logged request, in order (see :meth:`hits` for ``extras``)."""
        skip = None if extras else EXTRAS_PATHS.get(self.venue)
        with self._lock:
            return [
                r.path for r in self.requests if r.path != skip and (only is None or r.path == only)
            ]

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- serving
    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> Route | None:
        for route in self.routes:
            if route.method != method or route.path != path:
                continue
            if any(query.get(k) != v for k, v in route.query.items()):
                continue
            if any(k in query for k in route.absent):
                continue
            if route.body and not (
                isinstance(body, dict) and all(body.get(k) == v for k, v in route.body.items())
            ):
                continue
            return route
        return None

    def _take_failure(self, path: str) -> Failure | None:
        with self._lock:
            for failure in self._failures:
                if failure.path is None or failure.path == path:
                    if failure.times is not None:
                        failure.times -= 1
                        if failure.times <= 0:
                            self._failures.remove(failure)
                    return failure
        return None

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw_body = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw_body) if raw_body else None
        except ValueError:
            body = raw_body.decode("utf-8", "replace")

        failure = self._take_failure(parts.path)
        route = self._route(method, parts.path, query, body)
        if failure is not None and failure.mode == "status":
            status = failure.status
        elif failure is not None and failure.mode == "disconnect":
            status = 0  # no answer at all
        elif route is None:
            status = 404
        else:
            status = 200
        with self._lock:
            self.requests.append(
                Request(method, handler.path, parts.path, query, body, status, self.clock())
            )

        try:
            if failure is not None and failure.mode == "hang":
                self._released.wait(self.hang_s)
                return
            if failure is not None and failure.mode == "disconnect":
                handler.close_connection = True
                handler.connection.shutdown(socket.SHUT_RDWR)
                return
            if failure is not None and failure.mode == "slow":
                self._released.wait(failure.delay_s)
                failure = None
            if failure is not None and failure.mode == "cut_short" and route is not None:
                data = json.dumps(self._answer(route, query, body)).encode("utf-8")
                handler.send_response(200)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Content-Length", str(len(data)))
                handler.end_headers()
                handler.wfile.write(data[: len(data) // 2])
                handler.wfile.flush()
                handler.close_connection = True
                handler.connection.shutdown(socket.SHUT_RDWR)
                return
            if failure is not None and failure.mode == "status":
                headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                self._send(handler, failure.status, failure.body, headers)
            elif failure is not None and failure.mode == "malformed":
                self._send(handler, 200, failure.body)
            elif route is None:
                error = {"error": f"no route for {method} {parts.path}"}
                self._send(handler, 404, json.dumps(error))
            else:
                self._send(handler, 200, json.dumps(self._answer(route, query, body)))
        except OSError:
            pass  # the client gave up (timeout tests) or the socket is already shut

    def _answer(self, route: Route, query: dict[str, str], body: Any) -> Any:
        with self._lock:
            answer = self._responders.get(route.payload)
        return answer(query, body) if answer else self.payload(route.payload)

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler,
        status: int,
        body: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            handler.send_header(k, v)
        handler.end_headers()
        handler.wfile.write(data)
