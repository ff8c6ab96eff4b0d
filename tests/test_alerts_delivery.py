"""Alerts delivered through apprise to a loopback JSON webhook, off the polling path.

What is pinned: the message that arrives; a digest window is one message; the
filters; an endpoint that is down, slow or answering 500 never blocks submit
(timed), fails with its reason and no secret from the URL, after a bounded
number of attempts with backoff; a backed-up queue drops its oldest messages
and says so; and the signals log is the writer's: the dispatcher never writes
it, and a hit whose alert failed is in it.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from fundtui.config.alerts import AlertsConfig
from fundtui.core.alert_text import message
from fundtui.core.signal_types import Hit
from fundtui.engine.alert_send import Target
from fundtui.engine.alerts import AlertDispatcher, AlertOutcome
from fundtui.store.signal_log import SignalLog
from tests.alert_hook import Hook, dead_port
from tests.netguard import loopback_only  # noqa: F401 - autouse: nothing leaves the machine

T = 1_795_000_000_000
SECRET_USER, SECRET_PW, SECRET_PATH = "alice7", "hunter2pw", "T0ken12345xyz"


def spread(base: str, value: float = 0.0007, t: int = T) -> Hit:
    return Hit(t, "spread", base, ("binance", "okx"), value, 0.0005, "x", {"apr": value * 1095})


def single(rule: str, base: str) -> Hit:
    return Hit(T, rule, base, ("bybit",), 0.003, 0.0015, f"{rule} {base}.", {})


class Outcomes:
    def __init__(self) -> None:
        self.items: list[AlertOutcome] = []
        self.threads: list[str] = []

    def __call__(self, outcome: AlertOutcome) -> None:
        self.items.append(outcome)
        self.threads.append(threading.current_thread().name)

    def wait_for(self, n: int, timeout_s: float = 10.0) -> list[AlertOutcome]:
        deadline = time.monotonic() + timeout_s
        while len(self.items) < n and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.items)


def dispatcher(urls, report, **config) -> AlertDispatcher:
    kw = {"digest_seconds": 0.0, "timeout_seconds": 1.0, "retries": 0, **config}
    backoff = kw.pop("backoff_s", 0.05)
    watched = kw.pop("watched", frozenset)
    max_pending = kw.pop("max_pending", 20)
    return AlertDispatcher(
        AlertsConfig(urls=tuple(urls), **kw),
        report,
        watched=watched,
        backoff_s=backoff,
        max_pending=max_pending,
    )


def timed_submit(d: AlertDispatcher, hits) -> float:
    start = time.perf_counter()
    d.submit(hits)
    return time.perf_counter() - start


def test_a_hit_arrives_as_its_message():
    got = Outcomes()
    with Hook() as hook:
        d = dispatcher([hook.url], got)
        hit = spread("BTC")
        d.submit([hit])
        [posted] = hook.wait_for(1)
        assert got.wait_for(1)[0].ok
        d.close()
    assert (posted["title"], posted["message"]) == message([hit])
    assert "spread BTC (short binance, long okx): 0.0700%/8h" in posted["message"]
    assert posted["path"] == "/hook"
    [outcome] = got.items
    assert outcome.line == f"alert to {hook.url} delivered (1 hit(s))" and outcome.hits == 1


def test_hits_within_the_digest_window_are_one_message_most_important_first():
    got = Outcomes()
    with Hook() as hook:
        d = dispatcher([hook.url], got, digest_seconds=0.4)
        d.submit([spread("LOW", 0.0006)])
        d.submit([single("spike", "ETH"), spread("HIGH", 0.003)])
        posted = hook.wait_for(1)
        time.sleep(0.5)  # nothing else comes: the window was one message
        d.close()
    assert len(hook.messages) == 1
    lines = posted[0]["message"].split("\n")
    assert posted[0]["title"] == "fundtui: 3 signals"
    assert ["HIGH" in lines[1], "LOW" in lines[2], "spike ETH" in lines[3]] == [True] * 3


def test_filters_rules_coins_watchlist_and_min_apr():
    got = Outcomes()
    watch = {"PEPE"}
    with Hook() as hook:
        d = dispatcher(
            [hook.url],
            got,
            rules=("spread", "sector"),
            coins=("watchlist", "BTC"),
            min_apr=0.5,
            watched=lambda: watch,
        )
        sector = Hit(T, "sector", "Meme", (), 0.05, 0.03, "Meme heats up.", {"state": "heating"})
        hits = [
            spread("BTC", 0.0007),  # 76.65 % APR: sent
            spread("BTC", 0.0004),  # 43.8 % APR: under min_apr
            spread("PEPE", 0.001),  # on the watchlist: sent
            spread("DOGE", 0.001),  # neither listed nor watched
            single("spike", "BTC"),  # rule not chosen
            sector,  # a sector is not a coin: the coin filter does not apply
        ]
        assert [d.wanted(h, watch) for h in hits] == [True, False, True, False, False, True]
        d.submit(hits)
        [posted] = hook.wait_for(1)
        watch.discard("PEPE")  # read when hits arrive: a later PEPE hit is not sent
        d.submit([spread("PEPE", 0.002)])
        time.sleep(0.3)
        d.close()
    assert len(hook.messages) == 1
    body = posted["message"]
    assert posted["title"] == "fundtui: 3 signals"
    assert "BTC" in body and "PEPE" in body and "Meme" in body and "DOGE" not in body


def secret_url(port: int) -> str:
    return f"json://{SECRET_USER}:{SECRET_PW}@127.0.0.1:{port}/{SECRET_PATH}"


def assert_no_secret(text: str) -> None:
    for secret in (SECRET_PW, SECRET_PATH):
        assert secret not in text, text


@pytest.mark.parametrize("case", ["down", "slow", "500"])
def test_a_failing_endpoint_never_blocks_submit_and_fails_with_its_reason(case, monkeypatch):
    sends: list[tuple[float, float]] = []  # each attempt's start and end, as the sender saw
    real_send = Target.send

    def timed_send(self, title, body):
        started = time.monotonic()
        try:
            return real_send(self, title, body)
        finally:
            sends.append((started, time.monotonic()))

    monkeypatch.setattr(Target, "send", timed_send)
    got = Outcomes()
    with Hook() as hook:
        port = dead_port() if case == "down" else hook.port
        hook.status = 500 if case == "500" else 200
        hook.delay_s = 3.0 if case == "slow" else 0.0
        d = dispatcher([secret_url(port)], got, timeout_seconds=0.3, retries=2, backoff_s=0.1)
        start = time.monotonic()
        took = [timed_submit(d, [spread(f"C{i}")]) for i in range(3)]
        outcomes = got.wait_for(1)
        failed_after = time.monotonic() - start
        d.close(0.1)
    assert max(took) < 0.005  # a few microseconds: nothing is sent on the caller's thread
    [outcome] = outcomes[:1]
    assert not outcome.ok and outcome.hits == 3
    assert "failed after 3 attempt(s)" in outcome.line
    reason = {
        "down": "Connection refused",
        "slow": "(timed out)",
        "500": "Internal server error., error=500",
    }[case]
    assert reason in outcome.line
    assert_no_secret(outcome.line)
    assert_no_secret(outcome.target)
    assert outcome.target.startswith(f"json://{SECRET_USER}:****@127.0.0.1:")
    if case != "down":
        assert hook.attempts == 3  # 1 + retries, then given up
    # the pauses between one attempt's end and the next one's start: the backoff, doubling
    # (a sleep is never shorter than asked; a loaded machine only makes it longer)
    assert len(sends) == 3
    pauses = [b[0] - a[1] for a, b in zip(sends, sends[1:], strict=False)]
    assert pauses[0] >= 0.1 and pauses[1] >= 0.2, pauses
    if case == "slow":
        assert failed_after < 3.0  # each attempt cut at the timeout, not the 3 s answer


def test_the_report_runs_on_the_loop_that_submitted():
    got = Outcomes()

    async def main() -> str:
        with Hook() as hook:
            d = dispatcher([hook.url], got)
            d.submit([spread("BTC")])
            while not got.items:
                await asyncio.sleep(0.01)
            d.close()
        return threading.current_thread().name

    assert got.threads == [] and asyncio.run(main()) == got.threads[0]


def test_a_backed_up_queue_drops_the_oldest_and_says_how_many():
    got = Outcomes()
    with Hook() as hook:
        hook.delay_s = 0.6
        d = dispatcher([hook.url], got, timeout_seconds=2.0, max_pending=2)
        for i in range(6):
            d.submit([spread(f"C{i}")])
            time.sleep(0.05)  # one window each (digest_seconds = 0)
        hook.wait_for(3, 10)
        d.close(2.0)
    dropped = [o.line for o in got.items if "dropped" in o.line]
    assert dropped and dropped[-1].endswith(
        "deliveries backed up, 3 oldest message(s) dropped so far (the signals log has every hit)"
    )
    bodies = [m["message"] for m in hook.messages]
    assert len(bodies) == 3  # the first (in flight), then the two newest
    assert "C0" in bodies[0] and "C4" in bodies[1] and "C5" in bodies[2]


def test_close_sends_the_open_window_at_once():
    got = Outcomes()
    with Hook() as hook:
        d = dispatcher([hook.url], got, digest_seconds=3600)
        d.submit([spread("BTC")])
        start = time.monotonic()
        assert d.close(2.0) == 0
        assert time.monotonic() - start < 2.0
    assert len(hook.messages) == 1 and got.items[0].ok


def test_the_dispatcher_never_writes_the_signals_log(monkeypatch):
    def written(*args, **kwargs):
        pytest.fail("the dispatcher wrote the signals log")

    monkeypatch.setattr(SignalLog, "append", written)
    got = Outcomes()
    d = dispatcher([f"json://127.0.0.1:{dead_port()}/hook"], got, retries=1)
    d.submit([spread("BTC")])
    assert not got.wait_for(1)[0].ok
    d.close(0.1)
