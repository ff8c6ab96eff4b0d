"""Replace a file whole or not at all: write a temp file beside it, then rename.

A reader (or a crash) sees the old file or the new one, never half of either.
The file is the user's alone (0600, from ``mkstemp``) and so is a folder created
for it (0700).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from fundtui.store.files import private_dir


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to ``path``, creating its folder; raises OSError."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
