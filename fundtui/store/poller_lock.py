"""One poller per data folder: an OS lock on ``poller.lock`` in the history folder.

Whichever fundtui process takes the lock polls the venues and writes history; any
other on the same folder attaches to its answers (``fundtui.engine.attach``). The
lock is ``fcntl.flock`` on an open file, so the operating system releases it when
the holder exits or dies (kill -9 included): there is no stale lock to clean up.
The holder writes its pid into the file so the others can say who polls; the pid
is only ever shown, never trusted (a recycled pid is harmless).

The file is opened without following a symlink and created 0600; one that is not
a regular file is left alone and taking the lock fails with a one-line reason.
"""

from __future__ import annotations

import fcntl
import os
import stat
from pathlib import Path

from fundtui.store.paths import POLLER_LOCK_FILE


class LockUnusable(OSError):
    """The lock file cannot be opened as a regular file (one line)."""


class PollerLock:
    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / POLLER_LOCK_FILE
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; never waits. True if this process holds it."""
        if self._fd is not None:
            return True
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except OSError:
            os.close(fd)
            raise
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:  # the pid is a courtesy; the lock is what counts
            pass
        self._fd = fd
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def holder(self) -> int | None:
        """The pid the holder wrote, if any (for messages only)."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        try:
            text = os.read(fd, 32).decode("ascii", "replace").strip()
        except OSError:
            return None
        finally:
            os.close(fd)
        return int(text) if text.isdigit() else None

    def _open(self) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600)
        except OSError as e:
            raise LockUnusable(f"cannot open the poller lock {self.path}: {e.strerror}") from e
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise LockUnusable(f"the poller lock {self.path} is not a regular file")
        return fd

    def __enter__(self) -> PollerLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
