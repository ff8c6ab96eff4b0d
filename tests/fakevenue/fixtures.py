"""pytest fixtures around the fake venues; test modules import the ones they use."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from fundtui.config import VenueConfig
from fundtui.feeds.ccxt_venue import CcxtVenue
from tests.fakevenue.server import FakeVenue


class Fakes:
    """Fake venue servers, started on first use, stopped at teardown."""

    def __init__(self) -> None:
        self._servers: dict[str, FakeVenue] = {}

    def __getitem__(self, venue: str) -> FakeVenue:
        if venue not in self._servers:
            self._servers[venue] = FakeVenue(venue).start()
        return self._servers[venue]

    def stop(self) -> None:
        for server in self._servers.values():
            server.stop()


class Clock:
    """A settable epoch-seconds clock for refresh-timing tests."""

    def __init__(self, now: float = 1_795_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fakes() -> Iterator[Fakes]:
    servers = Fakes()
    yield servers
    servers.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def make_venue(fakes: Fakes, monkeypatch) -> AsyncIterator[Callable[..., CcxtVenue]]:
    """``make_venue("binance", **CcxtVenue kwargs)``: an adapter pointed at that fake."""
    from ccxt.async_support.base.exchange import Exchange

    # ccxt lingers 250 ms in close() to let TLS connections wind down, and spaces
    # requests to respect each venue's rate limits; loopback HTTP to a fake needs
    # neither. (Request counts are taken at the server, so they are unaffected.)
    monkeypatch.setattr(Exchange, "timeout_on_exit", 0)

    async def no_throttle(self, cost=None):
        return None

    monkeypatch.setattr(Exchange, "throttle", no_throttle)
    made: list[CcxtVenue] = []

    def make(
        name: str,
        *,
        ccxt_id: str | None = None,
        api_base: str | None = None,
        proxy: str | None = None,
        **kwargs: Any,
    ) -> CcxtVenue:
        kwargs.setdefault("timeout_s", 2.0)
        config = VenueConfig(ccxt_id or name, api_base=api_base or fakes[name].url, proxy=proxy)
        venue = CcxtVenue(config, **kwargs)
        made.append(venue)
        return venue

    yield make
    await asyncio.gather(*(venue.close() for venue in made))
