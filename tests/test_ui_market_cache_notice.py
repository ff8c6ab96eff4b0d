"""A market cache the venue cannot use is moved aside and the user told, in the app.

The notice used to be logged only (nothing the user sees) and parsed-but-rejected
data was overwritten by the next save unseen.
"""

from __future__ import annotations

import pytest

from fundtui.config import Config, VenueConfig
from fundtui.core.status import VenueState
from fundtui.feeds.ccxt_venue import CcxtVenue
from fundtui.feeds.registry import make_sources
from fundtui.store import market_cache
from fundtui.ui.app import FundApp
from tests.uihelp import until

pytest_plugins = ("tests.fakevenue.fixtures",)

VENUES = ("bybit", "okx", "binance")


@pytest.fixture
def quick_ccxt_close(monkeypatch):
    from ccxt.async_support.base.exchange import Exchange

    monkeypatch.setattr(Exchange, "timeout_on_exit", 0)


async def _cache_key(config: VenueConfig) -> str:
    venue = CcxtVenue(config)
    try:
        await venue._exchange_ready()
        return venue._cache_key()
    finally:
        await venue.close()


def _cache_notices(app: FundApp) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for n in app._notifications:
        for venue in VENUES:
            if str(market_cache.cache_path(venue)) in str(n.message):
                out.setdefault(venue, []).append(str(n.message))
    return out


async def test_corrupt_market_caches_are_reported_once_and_the_venues_go_live(
    fakes, quick_ccxt_close
):
    config = Config(
        exchanges=VENUES,
        refresh_seconds=30,
        venues={v: VenueConfig(v, api_base=fakes[v].url) for v in VENUES},
    )
    folder = market_cache.cache_path("bybit").parent
    folder.mkdir(parents=True, exist_ok=True)
    market_cache.cache_path("bybit").write_bytes(b'{"format": 1, "venue": "by\xffbit"}')
    # JSON of the right envelope whose data okx's parser rejects
    market_cache.save(
        "okx", {"markets": [{"id": 1}], "markets_ms": 0}, key=await _cache_key(config.venues["okx"])
    )
    # binance: a folder where the cache should be, and its first poll fails
    market_cache.cache_path("binance").mkdir()
    fakes["binance"].fail(503, times=1)
    before = {v: market_cache.cache_path(v).exists() for v in ("bybit", "okx")}
    assert before == {"bybit": True, "okx": True}

    app = FundApp(config, lambda: make_sources(config.active_venues(), timeout_s=2.0))
    async with app.run_test(size=(120, 32)) as pilot:
        await until(pilot, lambda: app.statuses["binance"].error is not None, 20)
        await until(pilot, lambda: len(_cache_notices(app)) == 3, 5)  # binance's: on the failure
        app.poll_now()
        await until(pilot, lambda: all(s.last_ok_ms for s in app.statuses.values()), 20)
        for _ in range(2):  # later polls bring no repeat
            polled = {v: fakes[v].hits() for v in VENUES}
            app.poll_now()
            await until(pilot, lambda p=polled: all(fakes[v].hits() > p[v] for v in VENUES), 10)
            await pilot.pause(0.1)
        notices = _cache_notices(app)
        now = app.clock()
        states = {v: app.statuses[v].state(now, 30) for v in VENUES}
    assert states == dict.fromkeys(VENUES, VenueState.LIVE)
    assert {v: len(n) for v, n in notices.items()} == dict.fromkeys(VENUES, 1)
    reasons = {"bybit": "not UTF-8", "okx": "unusable (", "binance": "not a regular file"}
    for venue, (notice,) in notices.items():
        assert "\n" not in notice and reasons[venue] in notice
        (aside,) = folder.glob(f"{venue}.json.corrupt-*")
        assert aside.name in notice
        # fresh metadata was loaded and cached over the moved-aside file's name
        assert market_cache.cache_path(venue).is_file()
