"""Where the sector map comes from: the bundled file, or the last CoinGecko update.

The bundled map is package data (``fundtui/data/sectors.json``, dated, compiled
from CoinGecko category names and ``docs/sources/custom_categories.csv``).
``fundtui sectors update`` writes a fetched map to ``data_dir()/sectors.json``
with its date; when present and usable that one is used, otherwise the
bundled one. A failed update never touches the file, so the last good map stays;
an updated map that cannot be used is moved aside with a one-line warning
(``store.files``), never overwritten by the next update.
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path

from fundtui.core.sectors import SectorMap, SectorOverrides
from fundtui.store import files
from fundtui.store.atomic import write_atomic
from fundtui.store.paths import data_dir

log = logging.getLogger(__name__)

#: CoinGecko's whole category list maps some 15,000 coins: about a megabyte.
MAX_BYTES = 16 * 1024 * 1024


def cache_path() -> Path:
    return data_dir() / "sectors.json"


def bundled() -> SectorMap:
    text = resources.files("fundtui").joinpath("data", "sectors.json").read_text("utf-8")
    return SectorMap.from_json(json.loads(text))


def cached() -> tuple[SectorMap | None, str | None]:
    """The updated map, or (None, why not) when there is none or it is unusable."""
    return files.load_json(cache_path(), SectorMap.from_json, "Sector map", MAX_BYTES)


def save(sector_map: SectorMap) -> Path:
    """Write the map atomically; raises OSError when it cannot be written. An
    updated map already there that cannot be used is moved aside first (its
    notice logged), never replaced."""
    path = cache_path()
    _, notice = cached()
    if notice:
        log.warning("%s", notice)
    write_atomic(path, json.dumps(sector_map.to_json(), indent=1))
    return path


def load(overrides: SectorOverrides | None = None) -> tuple[SectorMap, str | None]:
    """The map in use (updated, else bundled) with the config's overrides applied,
    and a one-line warning when a cached map had to be ignored."""
    base, warning = cached()
    if base is None:
        base = bundled()
    return (base.with_overrides(overrides) if overrides else base), warning
