"""What went wrong with a venue request, as one line for its status: :class:`ResponseLog`.

ccxt's exceptions carry neither the status code reliably nor the headers
(Retry-After), and some of its messages only quote the request line; so the
adapter remembers the status, URL and headers of error responses here (from
ccxt's ``on_rest_response`` hook) and turns an exception into a
:class:`~fundtui.feeds.source.VenueError` with a short reason, the seconds to
wait when the venue said so, and whether it was a rate limit.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
import socket
import time
from typing import Any
from urllib.parse import urlsplit

from fundtui.core.text import one_line
from fundtui.feeds.ccxt_client import loaded_ccxt
from fundtui.feeds.source import VenueError


class PayloadError(Exception):
    """The venue answered, but not in the shape its API documents."""


#: VenueError reasons are cut to this length: they go on a status line.
REASON_CHARS = 140


def retry_after_seconds(headers: dict[str, Any] | None, now_s: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not headers:
        return None
    value = next((v for k, v in headers.items() if str(k).lower() == "retry-after"), None)
    if value is None:
        return None
    value = str(value).strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now_s is None else now_s)
    return max(0.0, seconds) if seconds == seconds else None  # NaN guard


def _network_detail(cause: BaseException | None) -> str:
    """A short why for a failed connection: "Connection refused", "Name or service not known"."""
    if cause is None:
        return ""
    err = getattr(cause, "os_error", None) or cause
    if isinstance(err, socket.gaierror) and err.strerror:
        return err.strerror
    if isinstance(err, OSError) and err.errno and err.errno > 0:
        return os.strerror(err.errno)
    return one_line(str(err), 60)


_RECEIVED = re.compile(r"received (\d+) of (\d+) bytes")


def _cut_short(exc: BaseException) -> str | None:
    """How much of a body arrived, when the connection closed before all of it had.

    aiohttp raises ``ClientPayloadError`` (a ``ContentLengthError`` or
    ``TransferEncodingError`` inside) and ccxt wraps it in a bare ExchangeError
    whose text is only the request line.
    """
    cause: BaseException | None = exc
    for _ in range(4):
        cause = cause.__cause__ if cause is not None else None
        if cause is None:
            return None
        if type(cause).__name__ == "ClientPayloadError":
            m = _RECEIVED.search(str(cause))
            return f"{m.group(1)} of {m.group(2)} bytes" if m else "connection closed mid-body"
    return None


def _echoed_body(message: str) -> str | None:
    """``message`` when it is a JSON answer with nothing of a venue's reply in it.

    ccxt reports a 200 answer that lacks the venue's result code (``{}``, ``[]``,
    a bare string) by quoting the body as its error message.
    """
    try:
        value = json.loads(message)
    except ValueError:
        return None
    return None if isinstance(value, dict) and value else message


def _fmt_s(seconds: float) -> str:
    return f"{seconds:.0f}" if seconds >= 10 or seconds == int(seconds) else f"{seconds:.1f}"


class ResponseLog:
    """The error response of the request in flight, and the one-line reason for a failure."""

    def __init__(self, name: str, ccxt_id: str, timeout_s: float):
        self.name = name
        self.ccxt_id = ccxt_id
        self.timeout_s = timeout_s
        self.http_error: tuple[int, str, dict[str, Any]] | None = None
        self.last_url: str | None = None

    def reset(self) -> None:
        """Forget the last request: called before each one."""
        self.http_error = None
        self.last_url = None

    def hook(self, ex: Any) -> None:
        """Remember the status, URL and headers of error responses.

        ccxt's exceptions carry neither the status code reliably nor the
        headers (Retry-After); its ``on_rest_response`` hook sees every
        response before its error mapping runs.
        """
        original = ex.on_rest_response

        def on_rest_response(code, reason, url, method, headers, body, req_headers, req_body):
            self.last_url = url
            try:
                status = int(code)
            except (TypeError, ValueError):
                status = 0
            if status >= 400 and self.http_error is None:
                self.http_error = (status, url, dict(headers or {}))
            return original(code, reason, url, method, headers, body, req_headers, req_body)

        ex.on_rest_response = on_rest_response

    def venue_error(self, exc: BaseException) -> VenueError:
        reason, retry_after = self.describe(exc)
        ccxt = loaded_ccxt()
        limited = (self.http_error is not None and self.http_error[0] in (429, 418)) or (
            ccxt is not None and isinstance(exc, ccxt.RateLimitExceeded | ccxt.DDoSProtection)
        )
        return VenueError(
            self.name, one_line(reason, REASON_CHARS), retry_after, rate_limited=limited
        )

    def describe(self, exc: BaseException) -> tuple[str, float | None]:
        ccxt = loaded_ccxt()
        if isinstance(exc, PayloadError):
            return f"unexpected payload: {exc}", None
        if self.http_error is not None:
            status, url, headers = self.http_error
            host = urlsplit(url).netloc or self.name
            if status in (429, 418):
                retry = retry_after_seconds(headers)
                what = "rate limited" if status == 429 else "IP banned for rate limit (HTTP 418)"
                if retry is not None:
                    return f"{what}, retry in {_fmt_s(retry)} s", retry
                return f"{what} by {host}", None
            return f"HTTP {status} from {host}", None
        if ccxt is None:
            return f"{type(exc).__name__}: {exc}", None
        found = self._url_in(exc)
        host = urlsplit(found).netloc if found else self.name
        if isinstance(exc, ccxt.RequestTimeout):
            return f"timed out after {_fmt_s(self.timeout_s)} s", None
        if isinstance(exc, ccxt.RateLimitExceeded | ccxt.DDoSProtection):
            return "rate limited", None
        if isinstance(exc, ccxt.NotSupported) and "socks" in str(exc).lower():
            return "SOCKS proxy needs the aiohttp_socks package", None
        if isinstance(exc, ccxt.ExchangeNotAvailable | ccxt.NetworkError):
            detail = _network_detail(exc.__cause__)
            return f"cannot reach {host}" + (f" ({detail})" if detail else ""), None
        received = _cut_short(exc)
        if received is not None:
            return f"body cut short by {host} ({received})", None
        if isinstance(exc, ccxt.BaseError):
            message = str(exc)
            if message.startswith(self.ccxt_id + " "):
                message = message[len(self.ccxt_id) + 1 :]
            echoed = _echoed_body(message)
            if echoed is not None:
                return f"unexpected payload: expected the venue's reply object, got {echoed}", None
            return f"venue error: {message}", None
        # ccxt's own parsing choking on a body it did not expect (e.g. not JSON).
        return f"unexpected payload: {type(exc).__name__}: {exc}", None

    def _url_in(self, exc: BaseException) -> str | None:
        m = re.search(r"https?://\S+", str(exc))
        return m.group(0) if m else self.last_url
