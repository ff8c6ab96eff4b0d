"""The sector map: which sectors (themes) each base belongs to.

Pure: built from plain data (the bundled JSON, a cached CoinGecko fetch, the
config's ``[sectors]`` table); reading and writing files is ``fundtui.store``'s
job. A base may sit in several sectors (UNI is DeFi and DEX); a base in none is
simply not on the sector board. Names are kept as given; bases are upper case.

The JSON shape (``fundtui/data/sectors.json`` and the cache)::

    {"format": 1, "as_of": "2026-11-21", "source": "...",
     "sectors": {"Meme": ["DOGE", "PEPE", ...], ...}}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

FORMAT = 1

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_BASE = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,31}")


class SectorMapError(ValueError):
    """Sector data that does not have the expected shape (one line)."""


def normalize_base(text: str) -> str | None:
    """``text`` as a base (upper case, no spaces), or None when it cannot be one."""
    base = text.strip().upper()
    return base if _BASE.fullmatch(base) else None


@dataclass(frozen=True, slots=True)
class SectorOverrides:
    """The config's ``[sectors]`` table, checked.

    ``sectors``: sector -> bases; replaces a known sector's list or adds a new
    sector (an empty list removes the sector). ``bases``: base -> sectors;
    replaces that base's membership everywhere (an empty list takes it out of
    every sector). Sector lists apply first, then per-base entries.
    """

    sectors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    bases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.sectors or self.bases)


@dataclass(frozen=True, slots=True)
class SectorMap:
    """sector -> bases (sorted, unique), with the date and source of the data."""

    sectors: Mapping[str, tuple[str, ...]]
    as_of: str = ""  # YYYY-MM-DD the data was compiled or fetched
    source: str = ""
    by_base: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        inverse: dict[str, list[str]] = {}
        for sector, bases in self.sectors.items():
            for b in bases:
                inverse.setdefault(b, []).append(sector)
        object.__setattr__(self, "by_base", {b: tuple(s) for b, s in inverse.items()})

    @classmethod
    def build(
        cls, sectors: Mapping[str, Iterable[str]], as_of: str = "", source: str = ""
    ) -> SectorMap:
        """Normalized: bases upper case, sorted and unique; empty sectors dropped."""
        clean: dict[str, tuple[str, ...]] = {}
        for name, bases in sectors.items():
            name = " ".join(str(name).split())
            members = sorted({b for x in bases if (b := normalize_base(str(x)))})
            if name and members:
                clean[name] = tuple(members)
        return cls(dict(sorted(clean.items(), key=lambda kv: kv[0].casefold())), as_of, source)

    # --- queries ------------------------------------------------------------

    def names(self) -> tuple[str, ...]:
        return tuple(self.sectors)

    def bases_of(self, sector: str) -> tuple[str, ...]:
        return self.sectors.get(sector, ())

    def sectors_of(self, base: str) -> tuple[str, ...]:
        return self.by_base.get(base, ())

    def coverage(self, bases: Iterable[str]) -> tuple[int, int]:
        """(bases in at least one sector, all bases) among ``bases``."""
        seen = set(bases)
        return sum(1 for b in seen if b in self.by_base), len(seen)

    # --- changes ------------------------------------------------------------

    def with_overrides(self, overrides: SectorOverrides) -> SectorMap:
        if not overrides:
            return self
        sectors: dict[str, set[str]] = {s: set(b) for s, b in self.sectors.items()}
        for name, bases in overrides.sectors.items():
            sectors[name] = set(bases)
        for base, names in overrides.bases.items():
            for members in sectors.values():
                members.discard(base)
            for name in names:
                sectors.setdefault(name, set()).add(base)
        source = f"{self.source} + config overrides" if self.source else "config overrides"
        return SectorMap.build(sectors, self.as_of, source)

    # --- JSON ---------------------------------------------------------------

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "as_of": self.as_of,
            "source": self.source,
            "sectors": {s: list(b) for s, b in self.sectors.items()},
        }

    @classmethod
    def from_json(cls, data: object) -> SectorMap:
        if not isinstance(data, Mapping):
            raise SectorMapError("sector data must be a JSON object")
        if data.get("format") != FORMAT:
            raise SectorMapError(f"unsupported sector data format {data.get('format')!r}")
        as_of, source, sectors = data.get("as_of"), data.get("source", ""), data.get("sectors")
        if not isinstance(as_of, str) or not _DATE.fullmatch(as_of):
            raise SectorMapError(f"as_of must be a YYYY-MM-DD date, got {as_of!r}")
        if not isinstance(source, str):
            raise SectorMapError("source must be text")
        if not isinstance(sectors, Mapping) or not all(
            isinstance(v, list) and all(isinstance(b, str) for b in v) for v in sectors.values()
        ):
            raise SectorMapError("sectors must map each sector to a list of bases")
        return cls.build(sectors, as_of, source)
