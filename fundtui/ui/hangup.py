"""The terminal going away quits the board the way ``q`` does.

An SSH disconnect, a closed terminal window and ``tmux kill-session`` send SIGHUP,
whose default action ends the process on the spot: the rules' state unsaved (so a
hit fired again after a restart, inside its cooldown) and history not closed. Here
it asks the app to exit instead, and the app's unmount stops the engine, whose
writer thread saves the state and closes history. SIGTERM (``kill``, a service
manager stopping it) is handled the same way.

A terminal can also go without a signal reaching the app (SIGHUP ignored by a
parent, a terminal that is not the session's controlling one): its reads and
writes then fail with EIO. Textual's terminal driver lets that end its output
thread, after which its bounded output queue fills and the next write blocks the
event loop for good: a board that neither draws, polls nor exits. ``TerminalDriver``
keeps the output thread going (a failed write or flush is dropped) and treats the
first failure, or a failed read, as the hang-up: the app exits as on SIGHUP. It
relies on ``LinuxDriver._file`` (the stream its output thread writes to) and
``LinuxDriver.run_input_thread``; ``tests/test_ui_hangup.py`` checks both exist.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from typing import Any

from textual.app import App
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver


def quit_on_hangup(app: App) -> bool:
    """Route SIGHUP and SIGTERM to ``app.exit`` on the running loop; False where signals
    cannot be handled there (not Unix, not the main thread)."""
    try:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            loop.add_signal_handler(sig, app.exit)
    except (NotImplementedError, RuntimeError, ValueError, AttributeError):
        return False
    return True


class TerminalOutput:
    """The driver's output stream: a failing write or flush is dropped and reported
    once through ``lost``; nothing is written after it."""

    def __init__(self, stream: Any, lost: Any) -> None:
        self._stream = stream
        self._lost = lost
        self.gone = False

    def write(self, text: str) -> None:
        if not self.gone:
            try:
                self._stream.write(text)
            except (OSError, ValueError):  # EIO / EPIPE, or the stream closed
                self._fail()

    def flush(self) -> None:
        if not self.gone:
            try:
                self._stream.flush()
            except (OSError, ValueError):
                self._fail()

    def _fail(self) -> None:
        self.gone = True
        self._lost()

    def __getattr__(self, name: str) -> Any:  # fileno, isatty, encoding...
        return getattr(self._stream, name)


class TerminalDriver(LinuxDriver):
    """Textual's Linux driver, exiting the app (once) when its terminal is gone."""

    def __init__(self, app: App, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._file = TerminalOutput(self._file, self.terminal_gone)
        self._gone = threading.Event()

    def terminal_gone(self) -> None:
        """From any thread: ask the app to exit, as SIGHUP does; once."""
        if self._gone.is_set():
            return
        self._gone.set()
        app = self._app
        try:  # an error's return code set before stays (exit() would make it 0)
            self._loop.call_soon_threadsafe(lambda: app.exit(return_code=app.return_code or 0))
        except RuntimeError:  # the loop is already closed: the app has exited
            pass

    def run_input_thread(self) -> None:
        try:
            super().run_input_thread()
        except OSError:  # EIO: the terminal hung up; not a crash to report
            self.terminal_gone()


def terminal_driver(driver_class: type[Driver]) -> type[Driver]:
    """The driver to run with: ``TerminalDriver`` where Textual picked its Linux
    driver; any other (Windows, the browser view's, one set in the environment) as is."""
    return TerminalDriver if driver_class is LinuxDriver else driver_class
