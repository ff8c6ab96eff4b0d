"""Run a terminal program in a pseudo-terminal and time what it paints.

Shared by the benchmarks: start a command in a pty of a given size, read its
output, and report when given strings first appear on screen.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time

_ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Z0-9]|\x1b[=>]|\x1b\][^\x07]*\x07")


def spawn(argv: list[str], cols: int = 120, rows: int = 40, env: dict | None = None):
    """Start ``argv`` in a new pty; return (pid, master fd, start time)."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        e = dict(os.environ, TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
        e.update(env or {})
        os.execvpe(argv[0], argv, e)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    return pid, fd, start


def wait_for(fd: int, start: float, needles: list[bytes], timeout: float = 20.0) -> dict:
    """Seconds from ``start`` until each needle first shows in the (ANSI-stripped) output."""
    seen: dict[bytes, float] = {}
    buf = b""
    deadline = time.perf_counter() + timeout
    while len(seen) < len(needles) and time.perf_counter() < deadline:
        r, _, _ = select.select([fd], [], [], 0.05)
        if not r:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
        text = _ANSI.sub(b"", buf)
        now = time.perf_counter() - start
        for n in needles:
            if n not in seen and n in text:
                seen[n] = now
    return seen


def drain(fd: int, seconds: float) -> None:
    """Keep reading so the program never blocks on a full pty buffer."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                if not os.read(fd, 65536):
                    return
            except OSError:
                return


def stop(pid: int, fd: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
        drain(fd, 0.5)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
    finally:
        try:
            os.close(fd)
        except OSError:
            pass
