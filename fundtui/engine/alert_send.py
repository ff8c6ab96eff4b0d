"""One apprise URL as a send target: a timeout per send, the reason of a failure,
and a name that holds no secret.

apprise's ``notify`` blocks (HTTP, SMTP...), so a :class:`Target` is only used
from a delivery thread (``engine/alerts.py``) or a command, never on the
polling loop; apprise is imported there, on first use, not before the first
frame. apprise tells why a send failed only through its logger: the records a
send logs in its own thread are collected (:class:`_Capture`) and the reason
is made of them, with every part of the URL that apprise's privacy form masks
replaced by ``***`` (a token in a webhook path, a password, a bot id).
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

from fundtui.core.text import one_line

_APPRISE_LOGGER = "apprise"
#: The cause inside a requests exception: "[Errno 111] Connection refused", "Read timed out".
_CAUSE = re.compile(r"\[Errno -?\d+\][^'\")\]]*|Read timed out|timed out|Connection refused")
_TOKEN = re.compile(r"[^/:@?&=#+;,]+")


@dataclass(frozen=True, slots=True)
class SendResult:
    ok: bool
    reason: str = ""  # why not, one line, no secret


class _Capture(logging.Handler):
    """Collects the apprise records logged in the current thread while a send runs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        records = getattr(self.local, "records", None)
        if records is not None:
            records.append(record)


_capture: _Capture | None = None
_capture_lock = threading.Lock()


def _install_capture() -> _Capture:
    """apprise's logger kept to itself (its warnings would otherwise reach stderr,
    over the board) and collected per thread."""
    global _capture
    with _capture_lock:
        if _capture is None:
            logger = logging.getLogger(_APPRISE_LOGGER)
            _capture = _Capture()
            logger.addHandler(_capture)
            logger.setLevel(logging.DEBUG)  # the socket error's cause is a debug record
            logger.propagate = False
        return _capture


def secrets_of(url: str, masked: str) -> list[str]:
    """The parts of ``url`` its masked form does not show, longest first."""
    parts = {p for p in _TOKEN.findall(url) if len(p) >= 3 and p not in masked}
    return sorted(parts, key=len, reverse=True)


def scrub(text: str, url: str, masked: str) -> str:
    text = text.replace(url, masked)
    for secret in secrets_of(url, masked):
        text = text.replace(secret, "***")
    return text


def _reason(records: list[logging.LogRecord]) -> str:
    warnings = [r.getMessage() for r in records if r.levelno >= logging.WARNING]
    causes = [
        m.group(0).strip()
        for r in records
        if r.levelno < logging.WARNING
        and r.getMessage().startswith("Socket Exception")
        and (m := _CAUSE.search(r.getMessage()))
    ]
    reason = warnings[-1] if warnings else "apprise reported a failure without a reason"
    if causes:
        cause = causes[-1]
        reason = f"{reason.rstrip('.')} ({'timed out' if 'timed out' in cause else cause})"
    return reason


def mask_path(masked: str) -> str:
    """apprise's privacy form keeps a generic webhook's path (``json://host/T0123/abc9f``),
    where such services put their key: a path part with a digit in six or more
    characters is cut to its ends (``T...3``), as apprise masks its known tokens."""
    scheme, sep, rest = masked.partition("://")
    host, slash, path = rest.partition("/")
    parts = [
        f"{p[0]}...{p[-1]}" if len(p) >= 6 and any(c.isdigit() for c in p) else p
        for p in path.split("/")
    ]
    return f"{scheme}{sep}{host}{slash}{'/'.join(parts)}"


class Target:
    """One apprise URL. ``shown`` is its privacy form without the query string."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self._url = url
        self.timeout_s = timeout_s
        self._plugin: Any = None
        self._shown: str | None = None

    def __repr__(self) -> str:
        return f"Target({self.shown!r})"

    def _load(self) -> Any:
        if self._plugin is None:
            import apprise

            plugin = apprise.Apprise.instantiate(self._url)
            if plugin is None:
                raise ValueError("apprise cannot use this URL")
            plugin.socket_connect_timeout = self.timeout_s
            plugin.socket_read_timeout = self.timeout_s
            self._plugin = plugin
        return self._plugin

    @property
    def shown(self) -> str:
        """The URL as apprise's privacy form shows it (tokens masked), without options."""
        if self._shown is None:
            try:
                masked = mask_path(str(self._load().url(privacy=True)).split("?", 1)[0])
            except Exception:  # noqa: BLE001 - unusable: the scheme alone is safe to show
                masked = self._url.split("://", 1)[0][:32] + "://***"
            self._shown = one_line(masked, 120)
        return self._shown

    def send(self, title: str, body: str) -> SendResult:
        """One attempt (blocking, bounded by the timeout per connect and read)."""
        capture = _install_capture()
        capture.local.records = records = []
        try:
            ok = bool(self._load().notify(body=body, title=title))
        except Exception as e:  # noqa: BLE001 - a plugin's bug is this target's failure
            records.append(
                logging.makeLogRecord({"msg": f"{type(e).__name__}: {e}", "levelno": 40})
            )
            ok = False
        finally:
            capture.local.records = None
        if ok:
            return SendResult(True)
        shown = self.shown
        return SendResult(False, one_line(scrub(_reason(records), self._url, shown), 200))
