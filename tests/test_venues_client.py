"""One place builds a ccxt exchange: the quote adapter and the tier fetch both go through it."""

from __future__ import annotations

import pytest

from fundtui.config import VenueConfig
from fundtui.feeds import ccxt_client
from fundtui.feeds import tiers as feed
from fundtui.feeds.source import VenueError

pytest_plugins = ("tests.fakevenue.fixtures",)

from tests.netguard import loopback_only  # noqa: E402,F401 - autouse: no internet


@pytest.fixture
def built(monkeypatch):
    """Every exchange built, as (ccxt id, options, the exchange)."""
    real = ccxt_client.build_exchange
    calls: list[tuple[str, dict, object]] = []

    def spy(ccxt, ccxt_id, config, *, timeout_s, options):
        ex = real(ccxt, ccxt_id, config, timeout_s=timeout_s, options=options)
        calls.append((ccxt_id, options, ex))
        return ex

    monkeypatch.setattr(ccxt_client, "build_exchange", spy)
    return calls


async def test_build_exchange_sets_options_timeout_and_rewrites_the_api_base():
    ccxt = await ccxt_client.load_ccxt()
    ex = ccxt_client.build_exchange(
        ccxt,
        "bybit",
        VenueConfig("bybit", api_base="http://127.0.0.1:9", proxy="socks5://127.0.0.1:1"),
        timeout_s=2.5,
        options={"fetchMarkets": {"types": ["x"]}},
    )
    try:
        assert ex.timeout == 2500 and ex.enableRateLimit is False
        assert ex.options["adjustForTimeDifference"] is False
        assert ex.options["fetchMarkets"]["types"] == ["x"]  # merged into ccxt's defaults
        assert ex.socksProxy == "socks5://127.0.0.1:1"
        urls = [u for u in ex.urls["api"].values() if isinstance(u, str)]
        assert urls and all(u.startswith("http://127.0.0.1:9") for u in urls)
    finally:
        await ex.close()


async def test_build_exchange_refuses_unknown_ids_and_bad_urls():
    ccxt = await ccxt_client.load_ccxt()
    with pytest.raises(ccxt_client.UnknownExchange):
        ccxt_client.build_exchange(
            ccxt, "nosuchvenue", VenueConfig("nosuchvenue"), timeout_s=1, options={}
        )
    with pytest.raises(ValueError, match="socks5://"):
        ccxt_client.build_exchange(
            ccxt, "okx", VenueConfig("okx", proxy="ftp://h:1"), timeout_s=1, options={}
        )
    with pytest.raises(ValueError, match="api_base"):
        ccxt_client.build_exchange(
            ccxt, "okx", VenueConfig("okx", api_base="nohost"), timeout_s=1, options={}
        )


async def test_the_adapter_builds_its_exchange_there(built, make_venue):
    venue = make_venue("okx")
    await venue.poll()
    assert [(i, o) for i, o, _ in built] == [("okx", {"fetchMarkets": {"types": ["swap"]}})]
    assert built[0][2] is venue._exchange
    with pytest.raises(VenueError, match="not a ccxt exchange id"):
        await make_venue("okx", ccxt_id="nosuchvenue").poll()


def test_the_tier_fetch_builds_its_exchange_there(built, fakes, monkeypatch):
    from ccxt.async_support.base.exchange import Exchange

    monkeypatch.setattr(Exchange, "timeout_on_exit", 0)
    feed.venue_tiers(VenueConfig("bybit", api_base=fakes["bybit"].url), "BTC")
    assert [(i, o) for i, o, _ in built] == [("bybit", {"fetchMarkets": {"types": ["linear"]}})]
    assert fakes["bybit"].hits("/v5/market/risk-limit") == 1
