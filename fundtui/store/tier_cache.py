"""On-disk cache of maintenance-tier tables fetched from venues (bybit, okx, bitget, gate).

One JSON file per venue and symbol under ``cache_dir()/tiers/``, holding the
tiers already converted to :class:`~fundtui.core.tiers.Tier` fields, the time
they were fetched and a ``key`` naming the source (the configured API base).
Tier tables change rarely, so a cached table is used at any age (its date is
shown with it) and refreshed when older than :data:`REFRESH_S` if the venue
answers. Unreadable or foreign files read as "no cache"; reading and writing
never raise.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

from fundtui.core.tiers import Tier, TierError, check_tiers
from fundtui.store.atomic import write_atomic
from fundtui.store.paths import cache_dir

log = logging.getLogger(__name__)

FORMAT = 1
REFRESH_S = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class CachedTiers:
    tiers: tuple[Tier, ...]
    saved_ms: int


def cache_path(venue: str, symbol: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{venue}-{symbol}")
    return cache_dir() / "tiers" / f"{safe}.json"


def _tier_json(t: Tier) -> dict:
    return {"floor": t.floor, "cap": None if math.isinf(t.cap) else t.cap, "mmr": t.mmr,
            "cum": t.cum, "max_leverage": None if math.isinf(t.max_leverage) else t.max_leverage,
            "unit": t.unit}


def _tier_from(d: dict) -> Tier:
    cap = math.inf if d["cap"] is None else float(d["cap"])
    lev = math.inf if d["max_leverage"] is None else float(d["max_leverage"])
    return Tier(float(d["floor"]), cap, float(d["mmr"]), float(d["cum"]), lev, str(d["unit"]))


def load(venue: str, symbol: str, *, key: str = "") -> CachedTiers | None:
    path = cache_path(venue, symbol)
    try:
        envelope = json.loads(path.read_text(encoding="utf-8"))
        if envelope.get("format") != FORMAT or envelope.get("key") != key \
                or envelope.get("venue") != venue or envelope.get("symbol") != symbol:
            return None
        tiers = check_tiers(_tier_from(d) for d in envelope["tiers"])
        saved_ms = envelope["saved_ms"]
        if not isinstance(saved_ms, int) or isinstance(saved_ms, bool):
            return None
        return CachedTiers(tiers, saved_ms)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, TierError) as exc:
        log.info("ignoring tier cache %s: %s", path, exc)
        return None


def save(venue: str, symbol: str, tiers: tuple[Tier, ...], *, key: str = "",
         saved_ms: int | None = None) -> bool:
    path = cache_path(venue, symbol)
    envelope = {"format": FORMAT, "venue": venue, "symbol": symbol, "key": key,
                "saved_ms": int(time.time() * 1000) if saved_ms is None else int(saved_ms),
                "tiers": [_tier_json(t) for t in tiers]}
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


def load_limits(venue: str, symbol: str, *, key: str = "") -> dict | None:
    """A market's order limits (quantity step, minimums) as saved, or None."""
    path = limits_path(venue, symbol)
    try:
        envelope = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.info("ignoring limits cache %s: %s", path, exc)
        return None
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT \
            or envelope.get("key") != key or not isinstance(envelope.get("limits"), dict):
        return None
    return envelope["limits"]


def save_limits(venue: str, symbol: str, limits: dict, *, key: str = "") -> bool:
    path = limits_path(venue, symbol)
    try:
        write_atomic(path, json.dumps({"format": FORMAT, "key": key, "limits": limits,
                                       "saved_ms": int(time.time() * 1000)}))
        return True
    except (OSError, TypeError, ValueError) as exc:
        log.warning("could not write limits cache %s: %s", path, exc)
        return False
