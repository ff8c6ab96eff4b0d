"""The sector map: normalizing, overrides, JSON, the bundled map, the cache, [sectors]."""

from __future__ import annotations

import json

import pytest

from fundtui.config import Config, ConfigError, default_config_text, parse_config
from fundtui.core.sectors import SectorMap, SectorMapError, SectorOverrides
from fundtui.feeds.demo import _MAJORS, _universe
from fundtui.store import sector_store


def small() -> SectorMap:
    return SectorMap.build(
        {"DeFi": ["uni", "AAVE", "UNI"], "DEX": ["UNI", "DYDX"], "Empty": []}, "2026-01-01", "test"
    )


def test_build_normalizes_and_inverts():
    m = small()
    assert m.names() == ("DeFi", "DEX")  # casefolded order; empty sector dropped
    assert m.bases_of("DeFi") == ("AAVE", "UNI")
    assert m.sectors_of("UNI") == ("DeFi", "DEX")  # a base in two sectors
    assert m.sectors_of("BTC") == ()
    assert m.coverage(["UNI", "BTC", "DYDX", "UNI"]) == (2, 3)


def test_overrides_replace_add_remove_and_per_base():
    m = small().with_overrides(
        SectorOverrides(
            sectors={"DEX": ("DYDX", "GMX"), "Mine": ("ENA",), "DeFi": ()},
            bases={"GMX": ("DEX", "Perps"), "DYDX": ()},
        )
    )
    assert m.names() == ("DEX", "Mine", "Perps")  # DeFi removed by its empty list
    assert m.bases_of("DEX") == ("GMX",)  # replaced; DYDX then taken out of every sector
    assert m.sectors_of("GMX") == ("DEX", "Perps")
    assert m.sectors_of("DYDX") == ()
    assert m.source == "test + config overrides"
    assert small().with_overrides(SectorOverrides()) == small()


def test_json_round_trip_and_errors():
    m = small()
    assert SectorMap.from_json(json.loads(json.dumps(m.to_json()))) == m
    with pytest.raises(SectorMapError, match="as_of"):
        SectorMap.from_json({"format": 1, "as_of": "yesterday", "sectors": {}})
    with pytest.raises(SectorMapError, match="format"):
        SectorMap.from_json({"format": 2, "as_of": "2026-01-01", "sectors": {}})
    with pytest.raises(SectorMapError, match="list of bases"):
        SectorMap.from_json({"format": 1, "as_of": "2026-01-01", "sectors": {"A": "BTC"}})


def test_bundled_map_is_dated_broad_and_covers_the_demo_market():
    m = sector_store.bundled()
    assert len(m.names()) >= 12
    assert m.as_of == "2026-11-21" and "custom_categories.csv" in m.source
    for name in (
        "L1",
        "L2",
        "DeFi",
        "Meme",
        "AI",
        "Gaming",
        "RWA",
        "Oracles & Data",
        "Exchange tokens",
        "Privacy",
        "Storage & DePIN",
        "Liquid staking",
    ):
        assert m.bases_of(name), name
    demo = [c.base for c in _universe(7)]
    covered, total = m.coverage(demo)
    assert covered / total >= 0.98
    majors = _MAJORS.split()[::2]
    assert all(m.sectors_of(b) for b in majors)
    assert len({b for s in m.names() for b in m.bases_of(s)}) >= 300


def test_store_prefers_a_good_cache_and_ignores_a_bad_one():
    assert sector_store.load()[0] == sector_store.bundled()
    fetched = SectorMap.build({"Meme": ["DOGE"]}, "2026-11-20", "CoinGecko")
    path = sector_store.save(fetched)
    assert path == sector_store.cache_path()
    assert sector_store.load() == (fetched, None)
    over = SectorOverrides(sectors={"Mine": ("ENA",)})
    assert sector_store.load(over)[0].names() == ("Meme", "Mine")
    path.write_text("{not json", "utf-8")
    m, warning = sector_store.load()
    assert m == sector_store.bundled()
    assert warning and str(path) in warning


def test_config_sectors_section():
    cfg = parse_config(
        '[sectors]\nMeme = ["pepe", "WIF"]\n"My basket" = []\n'
        '[sectors.bases]\nhype = ["DEX", "L1"]\n',
        "c.toml",
    )
    assert cfg.sectors.sectors == {"Meme": ("PEPE", "WIF"), "My basket": ()}
    assert cfg.sectors.bases == {"HYPE": ("DEX", "L1")}
    assert parse_config(default_config_text()) == Config(source="config.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[sectors]\nMeme = "PEPE"', 'c.toml: [sectors] "Meme" must be a list of coin symbols'),
        ('[sectors]\nMeme = ["PE PE"]', 'c.toml: [sectors] "Meme": "PE PE" is not a coin symbol'),
        ('[sectors.bases]\nHYPE = "DEX"', "c.toml: [sectors.bases] HYPE must be a list of sector"),
        ('[sectors.bases]\n"$$" = ["DEX"]', 'c.toml: [sectors.bases] "$$" is not a coin symbol'),
    ],
)
def test_config_sectors_errors_are_one_line(text, message):
    with pytest.raises(ConfigError) as e:
        parse_config(text, "c.toml")
    assert str(e.value).startswith(message)
    assert "\n" not in str(e.value)
