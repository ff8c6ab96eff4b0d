"""On-disk cache of maintenance-tier tables fetched from venues (bybit, okx, bitget, gate).

One JSON file per venue and symbol under ``cache_dir()/tiers/``, holding the
tiers already converted to :class:`~fundtui.core.tiers.Tier` fields, the time
they were fetched and a ``key`` naming the source (the configured API base).
Tier tables change rarely, so a cached table is used at any age (its date is
shown with it) and refreshed when older than :data:`REFRESH_S` if the venue
answers. A foreign file (another format, source, venue or symbol) reads as "no
cache"; one that cannot be used (not JSON, the wrong shape, tiers that do not
hold together, too large, not a regular file) is moved aside with a one-line
notice (``store.files``) that says it was corrupt, so "no cached tiers" only ever
means there were none. Reading and writing never raise.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fundtui.core.tiers import Tier, check_tiers
from fundtui.store import files
from fundtui.store.atomic import write_atomic
from fundtui.store.paths import cache_dir

log = logging.getLogger(__name__)

FORMAT = 1
REFRESH_S = 24 * 3600.0
#: A venue's table has tens of tiers, a few KB; a megabyte is not one.
MAX_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class CachedTiers:
    tiers: tuple[Tier, ...]
    saved_ms: int


def cache_path(venue: str, symbol: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{venue}-{symbol}")
    return cache_dir() / "tiers" / f"{safe}.json"


def _tier_json(t: Tier) -> dict:
    return {
        "floor": t.floor,
        "cap": None if math.isinf(t.cap) else t.cap,
        "mmr": t.mmr,
        "cum": t.cum,
        "max_leverage": None if math.isinf(t.max_leverage) else t.max_leverage,
        "unit": t.unit,
    }


def _tier_from(d: dict) -> Tier:
    cap = math.inf if d["cap"] is None else float(d["cap"])
    lev = math.inf if d["max_leverage"] is None else float(d["max_leverage"])
    return Tier(float(d["floor"]), cap, float(d["mmr"]), float(d["cum"]), lev, str(d["unit"]))


def _parse(venue: str, symbol: str, key: str) -> Any:
    def parse(envelope: Any) -> CachedTiers | None:
        if not isinstance(envelope, dict):
            raise TypeError("not a tier cache envelope")
        if (
            envelope.get("format") != FORMAT
            or envelope.get("key") != key
            or envelope.get("venue") != venue
            or envelope.get("symbol") != symbol
        ):
            return None  # another version's or another source's: not ours to judge
        tiers = check_tiers(_tier_from(d) for d in envelope["tiers"])
        saved_ms = envelope["saved_ms"]
        if not isinstance(saved_ms, int) or isinstance(saved_ms, bool):
            raise TypeError("saved_ms is not a time")
        return CachedTiers(tiers, saved_ms)

    return parse


def read(venue: str, symbol: str, *, key: str = "") -> tuple[CachedTiers | None, str | None]:
    """The cached table or None, and a one-line notice when the file was corrupt."""
    path = cache_path(venue, symbol)
    return files.load_json(path, _parse(venue, symbol, key), f"{venue} tier cache", MAX_BYTES)


def load(venue: str, symbol: str, *, key: str = "") -> CachedTiers | None:
    """``read`` without the notice (logged as a warning)."""
    cached, notice = read(venue, symbol, key=key)
    if notice:
        log.warning("%s", notice)
    return cached


def save(
    venue: str, symbol: str, tiers: tuple[Tier, ...], *, key: str = "", saved_ms: int | None = None
) -> bool:
    path = cache_path(venue, symbol)
    load(venue, symbol, key=key)  # a corrupt file there is moved aside, not replaced
    envelope = {
        "format": FORMAT,
        "venue": venue,
        "symbol": symbol,
        "key": key,
        "saved_ms": int(time.time() * 1000) if saved_ms is None else int(saved_ms),
        "tiers": [_tier_json(t) for t in tiers],
    }
    try:
        write_atomic(path, json.dumps(envelope))
        return True
    except (OSError, TypeError, ValueError) as exc:
        log.warning("could not write tier cache %s: %s", path, exc)
        return False


# --------------------------------------------------------------------------- order limits


def limits_path(venue: str, symbol: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{venue}-{symbol}")
    return cache_dir() / "tiers" / f"{safe}.limits.json"


def _parse_limits(key: str) -> Any:
    def parse(envelope: Any) -> dict | None:
        if not isinstance(envelope, dict):
            raise TypeError("not a limits cache envelope")
        if envelope.get("format") != FORMAT or envelope.get("key") != key:
            return None
        if not isinstance(envelope.get("limits"), dict):
            raise TypeError("no limits")
        return envelope["limits"]

    return parse


def read_limits(venue: str, symbol: str, *, key: str = "") -> tuple[dict | None, str | None]:
    """A market's order limits (quantity step, minimums) as saved or None, and a
    one-line notice when the file was corrupt."""
    return files.load_json(
        limits_path(venue, symbol), _parse_limits(key), f"{venue} limits cache", MAX_BYTES
    )


def load_limits(venue: str, symbol: str, *, key: str = "") -> dict | None:
    """``read_limits`` without the notice (logged as a warning)."""
    limits, notice = read_limits(venue, symbol, key=key)
    if notice:
        log.warning("%s", notice)
    return limits


def save_limits(venue: str, symbol: str, limits: dict, *, key: str = "") -> bool:
    path = limits_path(venue, symbol)
    load_limits(venue, symbol, key=key)  # a corrupt file there is moved aside, not replaced
    try:
        write_atomic(
            path,
            json.dumps(
                {
                    "format": FORMAT,
                    "key": key,
                    "limits": limits,
                    "saved_ms": int(time.time() * 1000),
                }
            ),
        )
        return True
    except (OSError, TypeError, ValueError) as exc:
        log.warning("could not write limits cache %s: %s", path, exc)
        return False
