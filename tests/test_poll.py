"""Polling all sources at once: successes in order, every failure as one line."""

import asyncio

from fundtui.core.quote import Quote
from fundtui.feeds.poll import poll_all
from fundtui.feeds.source import VenueError, VenuePoll


class Fake:
    def __init__(self, name, result=None, exc=None, delay=0.0):
        self.name, self.result, self.exc, self.delay = name, result, exc, delay
        self.polls = 0

    async def poll(self):
        self.polls += 1
        await asyncio.sleep(self.delay)
        if self.exc is not None:
            raise self.exc
        return self.result

    async def close(self):
        pass


def ok(name):
    q = Quote(name, "BTC/USDT:USDT", "BTC", "USDT", 0.0001, 8.0)
    return Fake(name, VenuePoll(name, (q,), 1, 2.0))


async def test_successes_in_source_order_and_errors_by_venue():
    sources = [
        ok("okx"),
        Fake("gate", exc=VenueError("gate", "HTTP 503 service unavailable")),
        ok("binance"),
        Fake("bybit", exc=RuntimeError("boom\n  at line 3")),
    ]
    polls, errors = await poll_all(sources)
    assert [p.venue for p in polls] == ["okx", "binance"]
    assert errors == {
        "gate": "HTTP 503 service unavailable",
        "bybit": "RuntimeError: boom at line 3",
    }
    assert all(s.polls == 1 for s in sources)


async def test_polls_run_concurrently():
    sources = [Fake(f"v{i}", exc=VenueError(f"v{i}", "x"), delay=0.2) for i in range(5)]
    loop = asyncio.get_running_loop()
    t = loop.time()
    await poll_all(sources)
    assert loop.time() - t < 0.6  # not 5 x 0.2 s


async def test_timeout_and_odd_exceptions_are_one_line():
    sources = [
        Fake("slow", delay=5.0),
        Fake("empty", exc=ValueError()),
        Fake("long", exc=OSError("x" * 500)),
        Fake("own_timeout", exc=TimeoutError("read timed out")),
    ]
    polls, errors = await poll_all(sources, timeout_s=0.1)
    assert polls == []
    assert errors["slow"] == "no answer within 0.1 s"
    assert errors["empty"] == "ValueError"
    assert len(errors["long"]) <= 200 and "\n" not in errors["long"]
    assert errors["own_timeout"] == "TimeoutError: read timed out"


async def test_no_sources():
    assert await poll_all([]) == ([], {})
