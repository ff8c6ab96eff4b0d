"""Reading fundtui's own files as the hostile input they may be.

Every file fundtui reads back (watchlist, caches, rule state, sector map, tier
tables, signals log) goes through here. A file it cannot use, whatever the
reason (not UTF-8, not JSON, the wrong shape, too large, not a regular file), is
moved aside to ``<name>.corrupt-<UTC time>`` and reported in one line: never
executed, never silently overwritten or deleted. So is one we may not read
(permissions): the save that would follow must not replace it. A file that cannot
be opened for a passing reason (too many open files, an I/O error) is reported and
left where it is.

Reads are bounded: a file, or a configured path such as ``/dev/zero``, is read
to at most ``limit`` bytes, and only when it is a regular file.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from fundtui.core.text import describe_exception, one_line, visible

T = TypeVar("T")

#: Default bound on one file read: far above any file fundtui writes (the market
#: cache of six venues is ~2 MB), far below what would hurt.
MAX_FILE_BYTES = 64 * 1024 * 1024

#: Open errors that say the thing at the path cannot be read by us, now or later
#: (permissions, a symbolic link loop): it is moved aside like bad content. Others
#: (too many open files, I/O errors) may pass, so the file is left where it is.
_UNREADABLE = frozenset({errno.EACCES, errno.EPERM, errno.ELOOP})


class UnusableFile(Exception):
    """The file exists but its content cannot be used; ``str()`` says why."""


def _flags() -> int:
    # Non-blocking: a FIFO that slips in between the stat and the open must not hang it.
    return os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def _open_regular(path: Path) -> tuple[int, os.stat_result]:
    """A read descriptor on ``path`` and its fstat, only when it is a regular file.

    The stat before the open keeps devices (``/dev/zero``, a tty) and FIFOs from
    being opened at all; the fstat after it catches a swap in between.
    """
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise UnusableFile("not a regular file")
    fd = os.open(path, _flags())
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnusableFile("not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def _read_to(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(fd, min(1 << 20, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:  # grew since the fstat
            raise UnusableFile(f"more than the {limit:,} bytes allowed")


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The whole of a regular file, at most ``limit`` bytes.

    Raises FileNotFoundError when it does not exist, UnusableFile when it is not a
    regular file or is larger than ``limit``, OSError when it cannot be opened.
    """
    fd, info = _open_regular(path)
    try:
        if info.st_size > limit:
            raise UnusableFile(f"{info.st_size:,} bytes, more than the {limit:,} allowed")
        return _read_to(fd, limit)
    finally:
        os.close(fd)


def read_tail(path: Path, limit: int) -> tuple[bytes, int]:
    """The last ``limit`` bytes (at most) of a regular file, and the offset they start at.

    For logs, which may be any size and are read from their end: a large one is not
    unusable, only read in part. Raises as ``read_bytes``.
    """
    fd, info = _open_regular(path)
    try:
        start = max(0, info.st_size - limit)
        os.lseek(fd, start, os.SEEK_SET)
        chunks, total = [], 0
        while total < limit:  # what a writer appends meanwhile is left for the next read
            chunk = os.read(fd, min(1 << 20, limit - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks), start
    finally:
        os.close(fd)


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """``read_bytes`` decoded as UTF-8; UnusableFile when it is not UTF-8."""
    data = read_bytes(path, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UnusableFile(f"not UTF-8 text (byte {e.start})") from None


def aside_name(path: Path, now_s: float | None = None) -> Path:
    """Where ``move_aside`` puts ``path``: ``<name>.corrupt-<UTC time>``, numbered
    when that name is taken (by a file, a folder or a link, dangling or not)."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now_s is None else now_s))
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while os.path.lexists(target):
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    return target


def _take_name(path: Path) -> Path:
    """Rename ``path`` to a free ``aside_name`` without replacing anything there.

    ``os.replace`` would silently overwrite a name taken between the check and the
    rename; a hard link fails instead when the name is taken, so a regular file
    goes by link and unlink. Folders, and file systems without hard links, fall
    back to the checked rename.
    """
    for _ in range(100):
        target = aside_name(path)
        try:
            os.link(path, target, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError:
            break
        os.unlink(path)
        return target
    target = aside_name(path)
    os.replace(path, target)
    return target


def unusable_notice(path: Path, reason: str, what: str | None = None) -> str:
    """The one line for a file that could not be used, whatever was done about it."""
    return visible(f"{what or path.name} {path} unusable ({one_line(reason, 120)})")


def move_aside(path: Path, reason: str, what: str | None = None) -> str:
    """Move an unusable file aside; the one-line notice to show for it.

    Never deletes: when the rename itself fails, the file stays and the notice
    says so. A symbolic link is moved itself, never what it points to.
    """
    notice = unusable_notice(path, reason, what)
    try:
        target = _take_name(path)
    except OSError as e:
        return notice + visible(f" and could not be moved aside ({_why(e)}); it was left as it is")
    return notice + visible(f"; moved to {target.name}")


def _why(e: BaseException) -> str:
    return (
        one_line(e.strerror, 80)
        if isinstance(e, OSError) and e.strerror
        else describe_exception(e, 80)
    )


def read_guarded(
    path: Path, read: Callable[[Path], T], what: str | None = None
) -> tuple[T | None, str | None]:
    """``read(path)`` (``read_text``, ``read_tail``...), or None and a one-line notice.

    A missing file is ``(None, None)``. One that cannot be used (``UnusableFile``: not
    UTF-8, too large, not a regular file; a link to nothing or a link loop) or that
    we may not read is moved aside. One that cannot be opened for a passing reason
    (too many open files, an I/O error) is left in place; see ``still_there``.
    """
    label = what or path.name
    try:
        return read(path), None
    except FileNotFoundError:
        if os.path.islink(path):  # a save would replace the link: keep it instead
            return None, move_aside(path, "a symbolic link to nothing", label)
        return None, None
    except UnusableFile as e:
        return None, move_aside(path, str(e), label)
    except OSError as e:
        if e.errno in _UNREADABLE:
            return None, move_aside(path, _why(e), label)
        return None, unusable_notice(path, _why(e), label) + "; left as it is"


def load_json(
    path: Path, parse: Callable[[Any], T], what: str | None = None, limit: int = MAX_FILE_BYTES
) -> tuple[T | None, str | None]:
    """``parse(json.loads(file))``, or None, and a one-line notice when not usable.

    As ``read_guarded``; content that is not JSON, is nested too deep, or that
    ``parse`` rejects with any exception is moved aside too. ``parse`` may return
    None for a file that is fine but not for us (another version's): no notice.
    """
    text, notice = read_guarded(path, lambda p: read_text(p, limit), what)
    if text is None:
        return None, notice
    try:
        return parse(json.loads(text)), None
    except Exception as e:  # noqa: BLE001 - whatever parse raises, the file is the cause
        return None, move_aside(path, describe_exception(e, 120), what)


def still_there(path: Path) -> bool:
    """Whether anything (a file, a folder, a link) is at ``path``: after a load that
    gave a notice, a save must move it aside first (``move_aside``) or not happen."""
    return os.path.lexists(path)


#: fundtui's folders and files are the user's alone: positions, watchlists and
#: proxy settings are nobody else's business on a shared server.
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700 folders; an existing folder is
    left as the user set it. Returns ``path``."""
    missing = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(d, PRIVATE_DIR_MODE)  # mkdir's mode is masked by the umask
    return path


def open_private_append(path: Path) -> int:
    """A descriptor appending to ``path``, created 0600 (in a private folder) when new.

    Only a regular file is appended to: a FIFO at the path raises instead of
    blocking the writer, a link to a device raises instead of writing into it
    (OSError either way, like any other write failure).
    """
    private_dir(path.parent)
    flags = (
        os.O_WRONLY
        | os.O_APPEND
        | os.O_CREAT
        | getattr(os, "O_NONBLOCK", 0)
        | getattr(os, "O_NOCTTY", 0)
    )
    fd = os.open(path, flags, PRIVATE_FILE_MODE)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd
