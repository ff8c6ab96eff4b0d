"""On-disk cache of each venue's market metadata, so a restart needs no market requests.

One JSON file per venue under ``cache_dir()/markets/``. The envelope records a
format number, the venue, a ``key`` naming where the data came from (e.g. the
configured API base; data from another source is not reused) and ``saved_ms``,
the time the market list was fetched, which is what ``max_age_s`` is measured
against. The payload itself is the caller's JSON-able dict.

A missing, foreign (another format, venue or source) or expired file reads as
"no cache" and is overwritten by the next save. One that cannot be used (not
JSON, the wrong shape, too large, not a regular file) reads as "no cache" too,
but is first moved aside with a one-line notice (``store.files``). Reading and
writing never raise. Writes go to a temporary file first and are renamed into
place, so a crash mid-write cannot leave a half file behind.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fundtui.store import files
from fundtui.store.atomic import write_atomic
from fundtui.store.paths import cache_dir

log = logging.getLogger(__name__)

FORMAT = 1

#: Market lists change slowly (listings, delistings); a day-old one is reloaded.
MAX_AGE_S = 24 * 3600.0
#: One venue's markets with ccxt's market dicts are a few MB; 32 MB is not a cache.
MAX_BYTES = 32 * 1024 * 1024


def _now_ms() -> int:
    return int(time.time() * 1000)


def cache_path(venue: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", venue) or "_"
    return cache_dir() / "markets" / f"{safe}.json"


def _envelope(venue: str, key: str, parse_data: Callable[[dict[str, Any]], Any] | None) -> Any:
    def parse(envelope: Any) -> tuple[int, Any] | None:
        if not isinstance(envelope, dict):
            raise TypeError("not a cache envelope")
        if (
            envelope.get("format") != FORMAT
            or envelope.get("venue") != venue
            or envelope.get("key") != key
        ):
            return None  # another version's or another source's: not ours to judge
        saved_ms, data = envelope.get("saved_ms"), envelope.get("data")
        if (
            not isinstance(saved_ms, int)
            or isinstance(saved_ms, bool)
            or not isinstance(data, dict)
        ):
            raise TypeError("no saved_ms or data")
        return saved_ms, (data if parse_data is None else parse_data(data))

    return parse


def read(
    venue: str,
    *,
    key: str = "",
    max_age_s: float = MAX_AGE_S,
    now_ms: int | None = None,
    parse: Callable[[dict[str, Any]], Any] | None = None,
) -> tuple[Any, str | None]:
    """The cached payload for ``venue`` (through ``parse`` when given: what it raises
    makes the file unusable) or None, and a one-line notice when the file was
    unusable (and moved aside)."""
    path = cache_path(venue)
    entry, notice = files.load_json(
        path, _envelope(venue, key, parse), f"{venue} market cache", MAX_BYTES
    )
    if entry is None:
        return None, notice
    saved_ms, data = entry
    now = _now_ms() if now_ms is None else now_ms
    age_s = (now - saved_ms) / 1000.0
    if age_s > max_age_s or age_s < -300:  # too old, or from a clock far in the future
        return None, None
    return data, None


def load(
    venue: str, *, key: str = "", max_age_s: float = MAX_AGE_S, now_ms: int | None = None
) -> dict[str, Any] | None:
    """The cached payload for ``venue``, or ``None`` if there is no usable one (an
    unusable file's notice is logged as a warning)."""
    data, notice = read(venue, key=key, max_age_s=max_age_s, now_ms=now_ms)
    if notice:
        log.warning("%s", notice)
    return data


def save(venue: str, data: dict[str, Any], *, key: str = "", saved_ms: int | None = None) -> bool:
    """Write ``data`` for ``venue``; ``saved_ms`` is when the market list was fetched.

    Returns False (and logs) instead of raising when the cache cannot be written.
    """
    path = cache_path(venue)
    envelope = {
        "format": FORMAT,
        "venue": venue,
        "key": key,
        "saved_ms": _now_ms() if saved_ms is None else int(saved_ms),
        "data": data,
    }
    try:
        write_atomic(path, json.dumps(envelope, separators=(",", ":"), default=str))
        return True
    except (OSError, TypeError, ValueError) as exc:
        log.warning("could not write market cache %s: %s", path, exc)
        return False
