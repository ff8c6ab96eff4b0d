"""The terminal driver that survives its terminal going away (ui/hangup.py).

The board-level behaviour (a pty closed with and without SIGHUP: the board exits 0
with its state saved) is in tests/test_ui_sighup.py; here the output stream's rules
and the Textual internals the driver relies on, so an upgrade that moves them
fails here by name rather than as a board that hangs.
"""

from __future__ import annotations

import errno
import inspect

from textual.drivers.headless_driver import HeadlessDriver
from textual.drivers.linux_driver import LinuxDriver

from fundtui.ui.hangup import TerminalDriver, TerminalOutput, terminal_driver


class DeadTerminal:
    """A stream whose writes work ``works`` times, then fail with EIO."""

    def __init__(self, works: int) -> None:
        self.works = works
        self.written: list[str] = []
        self.attempts = 0

    def write(self, text: str) -> int:
        self.attempts += 1
        if len(self.written) >= self.works:
            raise OSError(errno.EIO, "Input/output error")
        self.written.append(text)
        return len(text)

    def flush(self) -> None:
        if len(self.written) >= self.works:
            raise OSError(errno.EIO, "Input/output error")

    def fileno(self) -> int:
        return 2


def test_a_failed_write_is_dropped_reported_once_and_ends_output():
    lost: list[int] = []
    out = TerminalOutput(DeadTerminal(works=2), lambda: lost.append(1))
    for text in ("a", "b", "c", "d", "e"):
        out.write(text)  # never raises: the driver's output thread keeps going
    out.flush()
    assert out._stream.written == ["a", "b"]
    assert out._stream.attempts == 3  # nothing tried after the first failure
    assert lost == [1] and out.gone
    assert out.fileno() == 2  # everything else is the stream's


def test_a_failed_flush_counts_as_the_terminal_gone():
    lost: list[int] = []
    out = TerminalOutput(DeadTerminal(works=0), lambda: lost.append(1))
    out.flush()
    out.flush()
    assert lost == [1]


def test_only_textuals_linux_driver_is_replaced():
    assert terminal_driver(LinuxDriver) is TerminalDriver
    assert terminal_driver(HeadlessDriver) is HeadlessDriver


def test_the_linux_driver_still_has_what_terminal_driver_relies_on():
    init = inspect.getsource(LinuxDriver.__init__)
    start = inspect.getsource(LinuxDriver.start_application_mode)
    assert "self._file = " in init, "LinuxDriver no longer keeps its output in _file"
    assert "WriterThread(self._file)" in start, "the output thread no longer writes _file"
    assert callable(getattr(LinuxDriver, "run_input_thread", None)), (
        "LinuxDriver.run_input_thread is gone: TerminalDriver cannot catch a failed read"
    )
