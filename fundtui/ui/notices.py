"""Venue state changes as toasts, gathered: venues often change state together (the
network drops, the app starts with no connection), and what arrives within
:data:`NOTICE_GATHER_S` becomes one toast per severity."""

from __future__ import annotations

from textual.app import App

#: Notices (and signal hits) arriving within this many seconds share one toast.
NOTICE_GATHER_S = 0.3


class GatheredNotices(App):
    """The app's ``_queue_notice``; the app keeps ``_notices``, the pending ones."""

    _notices: list[tuple[str, str]]

    def _queue_notice(self, message: str, severity: str) -> None:
        if not self._notices:
            self.set_timer(NOTICE_GATHER_S, self._flush_notices)
        self._notices.append((message, severity))

    def _flush_notices(self) -> None:
        notices, self._notices = self._notices, []
        for severity in ("error", "warning", "information"):
            lines = [m for m, sev in notices if sev == severity]
            if lines:
                self.notify(
                    "\n".join(lines),
                    severity=severity,  # type: ignore[arg-type]
                    timeout=8 + 2 * (len(lines) - 1),
                )
