"""The settled-funding catch-up: when the cache counts as current, and that an
unknown interval is never taken as 1 h (or 8 h) to decide it."""

from __future__ import annotations

import math
from contextlib import contextmanager

import pytest

from fundtui.core.accrual import Settlement
from fundtui.engine.settled import up_to_date
from fundtui.store.history import HistoryStore

T0 = 1_767_225_600_000  # 2026-01-01 00:00 UTC, a settlement on every grid
HOUR = 3_600_000
SYMBOL = "BTC/USDT:USDT"


class Venue:
    """A venue's settlement history that pays at T0 + 20 min (as a 20-minute interval
    would): a settlement any assumed interval of 1 h or more would skip."""

    def __init__(self) -> None:
        self.asked: list[int] = []

    async def fetch(self, symbol: str, since_ms: int) -> list[Settlement]:
        self.asked.append(since_ms)
        return [
            s
            for s in (Settlement(T0 + 20 * 60_000, 0.0002, None),)
            if s.funding_time_ms >= since_ms
        ]


@contextmanager
def cached_store(path):
    """A store whose cache holds 8-hourly settlements up to T0."""
    with HistoryStore.open(path) as s:
        s.save_settlements(
            "binance", SYMBOL, [Settlement(T0 - 8 * HOUR, 0.0001, 8.0), Settlement(T0, 0.0001, 8.0)]
        )
        yield s


@pytest.fixture
def store(tmp_path):
    with cached_store(tmp_path / "h.sqlite3") as s:
        yield s


async def test_an_unknown_interval_fetches_what_is_missing(tmp_path):
    for i, unknown in enumerate((None, 0.0, -1.0, math.nan, math.inf)):
        with cached_store(tmp_path / f"h{i}.sqlite3") as store:
            venue = Venue()
            now = T0 + 30 * 60_000  # 30 min after the last cached settlement
            got, source, problem = await up_to_date(
                store, "binance", SYMBOL, venue.fetch, now, unknown
            )
            # nothing says the cache is current: only what follows it is asked for
            assert (source, problem) == ("venue", "") and venue.asked == [T0 + 1], unknown
            assert [s.funding_time_ms for s in got] == [T0 - 8 * HOUR, T0, T0 + 20 * 60_000]
            assert store.settlements("binance", SYMBOL, T0)[-1].rate == 0.0002  # saved


@pytest.mark.parametrize(
    ("interval_h", "after_h", "fetched"),
    [
        (8.0, 7.9, False),
        (8.0, 8.1, True),
        (4.0, 3.9, False),
        (4.0, 4.1, True),
        (1.0, 0.5, False),
        (1.0, 1.5, True),
    ],
)
async def test_a_known_interval_fetches_only_once_the_cache_is_behind(
    store, interval_h, after_h, fetched
):
    venue = Venue()
    now = T0 + round(after_h * HOUR)
    got, source, _ = await up_to_date(store, "binance", SYMBOL, venue.fetch, now, interval_h)
    assert venue.asked == ([T0 + 1] if fetched else [])
    assert source == ("venue" if fetched else "cache")
    assert [s.funding_time_ms for s in got][:2] == [T0 - 8 * HOUR, T0]
