"""Venue failures become one-line VenueErrors; one venue failing leaves the others alone."""

from __future__ import annotations

import asyncio
import email.utils
import socket
import time

import pytest

from fundtui.config import VenueConfig
from fundtui.feeds.ccxt_venue import CcxtVenue
from fundtui.feeds.errors import retry_after_seconds
from fundtui.feeds.source import VenueError, VenuePoll
from fundtui.store import market_cache
from tests.fakevenue.server import RATE_PATHS, VENUES

pytest_plugins = ("tests.fakevenue.fixtures",)


def host_of(fake) -> str:
    return fake.url.removeprefix("http://")


async def failing_poll(source) -> VenueError:
    with pytest.raises(VenueError) as err:
        await source.poll()
    error = err.value
    assert error.venue == source.name
    assert "\n" not in error.reason and len(error.reason) <= 140
    return error


@pytest.mark.parametrize("venue", VENUES)
async def test_http_500_is_a_one_line_reason_naming_the_host(venue, fakes, make_venue):
    source = make_venue(venue)
    await source.poll()
    fakes[venue].fail(500, body="<html>\n<h1>Internal Server Error</h1>\n</html>")
    error = await failing_poll(source)
    assert error.reason == f"HTTP 500 from {host_of(fakes[venue])}"
    assert error.retry_after_s is None


async def test_a_venue_that_is_down_leaves_the_others_unaffected(fakes, make_venue):
    sources = [make_venue(v) for v in VENUES]
    fakes["binance"].fail(503)  # every path, metadata included
    results = await asyncio.gather(*(s.poll() for s in sources), return_exceptions=True)
    by_venue = dict(zip(VENUES, results, strict=True))
    assert isinstance(by_venue["binance"], VenueError)
    assert by_venue["binance"].reason == f"HTTP 503 from {host_of(fakes['binance'])}"
    for venue in VENUES[1:]:
        assert isinstance(by_venue[venue], VenuePoll), by_venue[venue]
        assert by_venue[venue].quotes


async def test_metadata_failure_on_first_poll_fails_the_poll_and_is_retried(fakes, make_venue):
    fake = fakes["binance"]
    fake.fail(500, path="/fapi/v1/exchangeInfo", times=1)
    source = make_venue("binance")
    error = await failing_poll(source)
    assert error.reason == f"HTTP 500 from {host_of(fake)}"
    assert not market_cache.cache_path("binance").exists()
    poll = await source.poll()  # the venue is back: markets load, quotes flow
    assert poll.quotes
    assert fake.hits("/fapi/v1/exchangeInfo") == 2


@pytest.mark.parametrize("venue", VENUES)
async def test_429_with_retry_after_sets_retry_after_s(venue, fakes, make_venue):
    source = make_venue(venue)
    await source.poll()
    fakes[venue].fail(429, retry_after=30, path=RATE_PATHS[venue])
    error = await failing_poll(source)
    assert error.retry_after_s == 30.0
    assert error.reason == "rate limited, retry in 30 s"


async def test_binance_418_ban_with_retry_after(fakes, make_venue):
    source = make_venue("binance")
    await source.poll()
    fakes["binance"].fail(418, retry_after="120")
    error = await failing_poll(source)
    assert error.retry_after_s == 120.0
    assert error.reason == "IP banned for rate limit (HTTP 418), retry in 120 s"


async def test_429_without_retry_after_leaves_the_wait_to_the_app(fakes, make_venue):
    source = make_venue("bybit")
    fakes["bybit"].fail(429)
    error = await failing_poll(source)
    assert error.retry_after_s is None
    assert error.reason == f"rate limited by {host_of(fakes['bybit'])}"


def test_retry_after_header_forms():
    assert retry_after_seconds({"Retry-After": "30"}) == 30.0
    assert retry_after_seconds({"retry-after": " 2.5 "}) == 2.5
    now = time.time()
    date = email.utils.formatdate(now + 90, usegmt=True)
    assert retry_after_seconds({"Retry-After": date}, now_s=now) == pytest.approx(90, abs=1)
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({"Retry-After": "-5"}) == 0.0
    assert retry_after_seconds({}) is None and retry_after_seconds(None) is None


@pytest.mark.parametrize("venue", VENUES)
async def test_a_hanging_venue_times_out_with_the_configured_timeout(venue, fakes, make_venue):
    source = make_venue(venue, timeout_s=0.3)
    await source.poll()
    fakes[venue].hang(path=RATE_PATHS[venue])
    started = time.perf_counter()
    error = await failing_poll(source)
    assert error.reason == "timed out after 0.3 s"
    assert time.perf_counter() - started < 1.5


@pytest.mark.parametrize("venue", VENUES)
async def test_malformed_json_is_an_unexpected_payload(venue, fakes, make_venue):
    source = make_venue(venue)
    await source.poll()
    fakes[venue].malformed(path=RATE_PATHS[venue])
    error = await failing_poll(source)
    assert error.reason.startswith("unexpected payload: ")
    assert "non-JSON body" in error.reason
    fakes[venue].clear_failures()
    fakes[venue].reset_log()
    assert (await source.poll()).quotes  # and it recovers on the next poll
    assert fakes[venue].hits(extras=False) == 1


async def test_an_answer_without_usable_rows_is_not_shown_as_live(fakes, make_venue):
    source = make_venue("binance")
    await source.poll()
    fakes["binance"].set_payload("premiumIndex", [])
    error = await failing_poll(source)
    assert error.reason == "unexpected payload: no usable rows (0 in the answer)"


async def test_unreachable_host(make_venue):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    source = make_venue("okx", api_base=f"http://127.0.0.1:{port}")
    error = await failing_poll(source)
    assert error.reason == f"cannot reach 127.0.0.1:{port} (Connection refused)"


async def test_unknown_venue_id():
    source = CcxtVenue(VenueConfig("notavenue"))
    error = await failing_poll(source)
    assert error.reason == "unknown venue 'notavenue' (not a ccxt exchange id)"
    await source.close()


async def test_bad_proxy_scheme_is_a_venue_error():
    source = CcxtVenue(VenueConfig("binance", proxy="ftp://10.0.0.1:21"))
    error = await failing_poll(source)
    assert error.reason.startswith("proxy 'ftp://10.0.0.1:21': use http://, https:// or socks5://")
    await source.close()


@pytest.mark.parametrize("venue", VENUES)
async def test_rate_limits_are_flagged_with_or_without_retry_after(venue, fakes, make_venue):
    source = make_venue(venue)
    await source.poll()
    fakes[venue].fail(429, path=RATE_PATHS[venue], times=1)
    assert (await failing_poll(source)).rate_limited is True
    fakes[venue].fail(429, retry_after=_date_in(90), path=RATE_PATHS[venue], times=1)
    error = await failing_poll(source)
    assert error.rate_limited is True
    assert error.retry_after_s == pytest.approx(90, abs=2)
    fakes[venue].fail(503, path=RATE_PATHS[venue], times=1)
    assert (await failing_poll(source)).rate_limited is False


def _date_in(seconds: float) -> str:
    return email.utils.formatdate(time.time() + seconds, usegmt=True)


@pytest.mark.parametrize("venue", VENUES)
async def test_a_body_cut_short_says_so(venue, fakes, make_venue):
    # It read only "venue error: GET http://..." (aiohttp's ClientPayloadError in ccxt's
    # ExchangeError).
    source = make_venue(venue)
    await source.poll()
    fakes[venue].cut_short(path=RATE_PATHS[venue], times=1)
    error = await failing_poll(source)
    assert error.reason.startswith(f"body cut short by {host_of(fakes[venue])} (")
    assert error.reason.endswith(" bytes)")
    received, _, announced = (
        error.reason.rpartition("(")[2].removesuffix(" bytes)").partition(" of ")
    )
    assert 0 < int(received) < int(announced)
    assert (await source.poll()).quotes


@pytest.mark.parametrize("venue", VENUES)
async def test_a_dropped_connection_is_one_request_not_two(venue, fakes, make_venue):
    # aiohttp resends a GET at once when the server closes without answering.
    source = make_venue(venue)
    await source.poll()
    fakes[venue].reset_log()
    fakes[venue].disconnect(path=RATE_PATHS[venue])
    error = await failing_poll(source)
    assert error.reason == f"cannot reach {host_of(fakes[venue])} (Server disconnected)"
    assert fakes[venue].hits() == 1


@pytest.mark.parametrize("body", ["{}", "[]", '"a string"', "null", "42", ""])
@pytest.mark.parametrize("venue", VENUES)
async def test_answers_of_the_wrong_shape_are_unexpected_payloads(venue, body, fakes, make_venue):
    source = make_venue(venue)
    await source.poll()
    fakes[venue].malformed(path=RATE_PATHS[venue], body=body, times=1)
    error = await failing_poll(source)
    assert error.reason.startswith("unexpected payload: "), error.reason
    if body == "":
        assert error.reason.endswith("empty body") or "0 in the answer" in error.reason
    assert (await source.poll()).quotes


@pytest.mark.parametrize("venue", VENUES)
async def test_every_field_null_is_no_usable_rows(venue, fakes, make_venue):
    from tests.fakevenue.faults import null_every_field, rate_rows

    source = make_venue(venue)
    await source.poll()
    null_every_field(fakes[venue])
    error = await failing_poll(source)
    assert (
        error.reason == f"unexpected payload: no usable rows ({len(rate_rows(fakes[venue]))}"
        " in the answer)"
    )


@pytest.mark.parametrize("venue", VENUES)
async def test_a_venue_that_stops_listening_reads_refused_and_is_back_when_it_listens(
    venue, fakes, make_venue
):
    source = make_venue(venue)
    await source.poll()
    fakes[venue].down()
    error = await failing_poll(source)
    assert error.reason == f"cannot reach {host_of(fakes[venue])} (Connection refused)"
    fakes[venue].up()
    assert (await source.poll()).quotes
