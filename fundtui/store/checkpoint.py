"""The signal engine's saved state on disk: ``signals-state.json`` in the history folder.

The file is data, never code. Earlier versions saved the state with pickle, and
loading a pickle runs whatever its author put in it: a file planted in the data
folder ran a command at the next start. So the state is versioned JSON (see
``core/signal_state``), read bounded and regular-file-only, parsed with
``json.loads`` and validated field by field before any of it is used.

- A file that is not a valid state of this version (not UTF-8, not JSON, any
  field of the wrong type or shape, a directory) is moved aside to
  ``<name>.corrupt-<UTC time>`` and reported in one line; the engine replays
  stored history instead.
- A state of another version, or built with other thresholds, is not corrupt:
  it is not used (the engine replays history) and the next save replaces it.
  That is fine to lose: it is fundtui's own derived state, rebuilt from the
  history, not the user's data.
- A save streams: the text is written to a temp file beside the state one market
  row at a time, then flushed to disk and renamed over it. Built whole (a tree,
  then one string) it held some 17 MB at each 10-minute save, and the process
  kept that memory. A failed save leaves the old file and no temp file.
- ``signals-state.pickle`` from an earlier version is never opened: when found
  beside the state it is moved aside, unread, and reported once.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from fundtui.core.signal_state import Restored, chunks, decode
from fundtui.core.signal_types import SignalConfig
from fundtui.core.signals import SignalEngine
from fundtui.store.files import load_json, move_aside, private_dir
from fundtui.store.paths import LEGACY_CHECKPOINT_FILE

WHAT = "signal state"
#: About 3 KB a market: room for some 10,000 (1,800 take 5.6 MB), and a bound on
#: what parsing a planted file may cost.
MAX_STATE_BYTES = 32 * 1024 * 1024


def load(path: Path, config: SignalConfig) -> tuple[Restored | None, list[str]]:
    """The engine saved at ``path`` if it is usable with ``config``; one-line notices.

    None (replay history) when there is no file, or it is of another version or
    thresholds, or it was unusable (then moved aside and noted).
    """
    restored, notice = load_json(path, lambda data: decode(data, config), WHAT, MAX_STATE_BYTES)
    notices = [notice] if notice else []
    legacy = path.with_name(LEGACY_CHECKPOINT_FILE)
    if legacy != path and os.path.lexists(legacy):
        then = "replaying history" if restored is None else f"continuing from {path.name}"
        notices.append(
            move_aside(
                legacy,
                f"rule state from an earlier version is not read, a pickle could run code; {then}",
                WHAT,
            )
        )
    return restored, notices


def save(path: Path, engine: SignalEngine, at_ms: int) -> None:
    """Replace the state at ``path`` whole (temp file, then rename); raises OSError."""
    write_streamed(path, chunks(engine, at_ms))


def write_streamed(path: Path, pieces: Iterable[str]) -> None:
    """Write ``pieces`` (as UTF-8) to ``path`` whole or not at all, never holding
    them all: a 0600 temp file beside it, fsynced, then renamed over it, as
    ``store/atomic.write_atomic`` does for text held whole. Raises OSError (or
    whatever ``pieces`` raises), and then the old file is as it was."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="", buffering=1 << 16) as fh:
            fh.writelines(pieces)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
