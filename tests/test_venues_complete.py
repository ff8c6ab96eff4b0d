"""A venue is added whole or not at all: its module, its registry line, its facts, its payloads.

Adding a venue touches its module under ``fundtui/feeds/venues/``, one line in
``fundtui.feeds.venues.SPECS``, its row in the venue facts table
(``fundtui.core.venues``) and its payloads for the fake venue
(``tests/fakevenue/payloads/<venue>/`` with a route table and a rate path in
``tests/fakevenue/server.py``). These tests fail, naming what is missing, when
any of those disagree; the last one shows the check catching a half-added venue.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import fundtui.feeds.venues as venue_pkg
from fundtui.core import venues as facts
from fundtui.core.fees import PERP, SPOT
from fundtui.core.liquidation import VENUE_FORMULAS
from fundtui.feeds import demo, settlements
from fundtui.feeds.generic import GenericSpec
from fundtui.feeds.spec import CURSOR, PAGES, WINDOW, VenueSpec
from fundtui.feeds.tiers import FETCHED_VENUES
from fundtui.feeds.venues import SPECS, spec_for
from fundtui.ui.format import VENUE_CODES
from tests.fakevenue import server

MODULES = Path(venue_pkg.__file__).parent


def missing_parts(venue: str, specs: dict[str, type[VenueSpec]], table: dict) -> list[str]:
    """What a venue lacks to be complete, one phrase each; empty when it is whole."""
    missing = []
    if venue not in specs:
        missing.append("a registry line in fundtui.feeds.venues.SPECS")
    if not (MODULES / f"{venue}.py").is_file():
        missing.append(f"its module fundtui/feeds/venues/{venue}.py")
    elif venue in specs and specs[venue].__module__ != f"fundtui.feeds.venues.{venue}":
        missing.append(
            f"its spec in fundtui/feeds/venues/{venue}.py (registered: {specs[venue].__module__})"
        )
    if venue not in table:
        missing.append("a row in fundtui.core.venues.VENUES")
    folder = server.PAYLOADS / venue
    if not folder.is_dir():
        missing.append(f"payloads under tests/fakevenue/payloads/{venue}/")
    if venue not in server.ROUTES or venue not in server.RATE_PATHS:
        missing.append("routes and a rate path in tests/fakevenue/server.py")
    else:
        for route in server.ROUTES[venue]:
            if not (folder / f"{route.payload}.json").is_file():
                missing.append(f"payload {venue}/{route.payload}.json")
    return missing


def test_every_registered_venue_is_whole():
    problems = {v: missing_parts(v, SPECS, facts.VENUES) for v in SPECS}
    assert {v: p for v, p in problems.items() if p} == {}


def test_registry_facts_modules_and_fake_venues_list_the_same_venues():
    modules = {p.stem for p in MODULES.glob("*.py") if p.stem != "__init__"}
    assert set(SPECS) == modules == set(facts.VENUES)
    assert tuple(SPECS) == facts.SUPPORTED == server.VENUES  # the default column order
    assert {p.name for p in server.PAYLOADS.iterdir() if p.is_dir()} == set(SPECS)


def test_each_module_is_its_venues_spec():
    for venue, cls in SPECS.items():
        mod = importlib.import_module(f"fundtui.feeds.venues.{venue}")
        assert cls.venue == venue and getattr(mod, cls.__name__) is cls
        assert isinstance(spec_for(venue), cls)
    assert type(spec_for("krakenfutures")) is GenericSpec  # the generic ccxt path stays


def test_facts_feed_every_table_that_used_to_list_venues():
    for table in (PERP, SPOT, VENUE_FORMULAS, VENUE_CODES):
        assert set(table) == set(facts.VENUES), table
    # The demo simulates any other id with a generic profile: a new venue needs none.
    assert set(demo._PROFILES) <= set(facts.VENUES)
    assert set(FETCHED_VENUES) | {"binance"} == set(facts.VENUES)
    assert [v for v in facts.VENUES if facts.supports_cross_margin(v)] == ["binance"]
    assert facts.tier_source("binance") == facts.BUNDLED
    assert facts.tier_source("krakenfutures") is None
    assert facts.code("krakenfutures") == "KRAK"


def test_every_registered_venue_pages_its_settlement_history():
    for venue, cls in SPECS.items():
        assert cls.history in (CURSOR, WINDOW, PAGES) and cls.history_rows > 0, venue
        assert venue in settlements.SUPPORTED
        rows = settlements.WINDOW_ROWS if cls.history == WINDOW else settlements.PAGE_ROWS
        assert rows[venue] == cls.history_rows


def test_a_half_added_venue_fails_loudly():
    class NewDexSpec(VenueSpec):
        venue = "newdex"

    half = {**SPECS, "newdex": NewDexSpec}  # registered, nothing else
    assert missing_parts("newdex", half, facts.VENUES) == [
        "its module fundtui/feeds/venues/newdex.py",
        "a row in fundtui.core.venues.VENUES",
        "payloads under tests/fakevenue/payloads/newdex/",
        "routes and a rate path in tests/fakevenue/server.py",
    ]
    table = {k: v for k, v in facts.VENUES.items() if k != "okx"}  # okx's facts row dropped
    assert missing_parts("okx", SPECS, table) == ["a row in fundtui.core.venues.VENUES"]


@pytest.mark.parametrize("venue", list(SPECS))
def test_unregistered_venue_is_named(venue):
    without = {k: v for k, v in SPECS.items() if k != venue}
    assert missing_parts(venue, without, facts.VENUES) == [
        "a registry line in fundtui.feeds.venues.SPECS"
    ]
