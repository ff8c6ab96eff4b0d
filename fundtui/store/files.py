"""Reading fundtui's own files as the hostile input they may be.

Every file fundtui reads back (watchlist, caches, rule state, sector map, tier
tables, signals log) goes through here. A file it cannot use, whatever the
reason (not UTF-8, not JSON, the wrong shape, too large, not a regular file), is
moved aside to ``<name>.corrupt-<UTC time>`` and reported in one line: never
executed, never silently overwritten or deleted. A file that merely cannot be
opened (permissions) is reported and left where it is.

Reads are bounded: a file, or a configured path such as ``/dev/zero``, is read
to at most ``limit`` bytes, and only when it is a regular file.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from fundtui.core.text import describe_exception, visible

T = TypeVar("T")

#: Default bound on one file read: far above any file fundtui writes (the market
#: cache of six venues is ~2 MB), far below what would hurt.
MAX_FILE_BYTES = 64 * 1024 * 1024


class UnusableFile(Exception):
    """The file exists but its content cannot be used; ``str()`` says why."""


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The whole of a regular file, at most ``limit`` bytes.

    Raises FileNotFoundError when it does not exist, UnusableFile when it is not a
    regular file or is larger than ``limit``, OSError when it cannot be opened.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)  # non-blocking: a FIFO must not hang the open
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnusableFile("not a regular file")
        if info.st_size > limit:
            raise UnusableFile(f"{info.st_size:,} bytes, more than the {limit:,} allowed")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise UnusableFile(f"more than the {limit:,} bytes allowed")
        return b"".join(chunks)
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
    when that name is taken."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now_s is None else now_s))
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists() or target.is_symlink():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    return target


def move_aside(path: Path, reason: str, what: str | None = None) -> str:
    """Move an unusable file aside; the one-line notice to show for it.

    Never deletes: when the rename itself fails, the file stays and the notice
    says so.
    """
    label = what or path.name
    try:
        target = aside_name(path)
        os.replace(path, target)
    except OSError as e:
        return visible(f"{label} {path} unusable ({reason}) and could not be moved aside "
                       f"({e.strerror or describe_exception(e)}); it was left as it is")
    return visible(f"{label} {path} unusable ({reason}); moved to {target.name}")


def load_json(path: Path, parse: Callable[[Any], T], what: str | None = None,
              limit: int = MAX_FILE_BYTES) -> tuple[T | None, str | None]:
    """``parse(json.loads(file))``, or None, and a one-line notice when not usable.

    A missing file is ``(None, None)``. Content that cannot be used (not UTF-8, not
    JSON, rejected by ``parse`` with ValueError/TypeError/KeyError, too large, not a
    regular file) is moved aside; a file that cannot be opened is left in place.
    """
    label = what or path.name
    try:
        text = read_text(path, limit)
    except FileNotFoundError:
        return None, None
    except UnusableFile as e:
        return None, move_aside(path, str(e), label)
    except OSError as e:
        return None, visible(f"{label} {path} unreadable ({e.strerror or describe_exception(e)})")
    try:
        return parse(json.loads(text)), None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError,
            RecursionError) as e:
        return None, move_aside(path, describe_exception(e), label)


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
    """A descriptor appending to ``path``, created 0600 (in a private folder) when new."""
    private_dir(path.parent)
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE_MODE)
