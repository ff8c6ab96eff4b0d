"""Through the engine: the writer logs a hit, then hands it to the alerts; an
endpoint that is down costs the alert, reported, and nothing of the log."""

from __future__ import annotations

import asyncio
import json

from fundtui.config import Config, parse_config
from fundtui.core.signal_types import Hit
from fundtui.engine.alerts import AlertDispatcher, attach_alerts
from fundtui.engine.engine import Engine
from fundtui.store.paths import SIGNAL_LOG_FILE
from tests.alert_hook import dead_port
from tests.netguard import loopback_only  # noqa: F401 - autouse: nothing leaves the machine

T = 1_795_000_000_000


def test_no_url_attaches_nothing():
    engine = Engine(Config(exchanges=("binance",)), list, lambda e: None, lambda: T, history=False)
    assert attach_alerts(engine, engine.config, print) is None
    assert engine.hit_sinks == []


def test_a_hit_whose_alert_failed_is_in_the_signals_log(tmp_path):
    config = parse_config(
        '[general]\nexchanges = ["binance"]\n[alerts]\n'
        f'urls = ["json://127.0.0.1:{dead_port()}/hook"]\n'
        "digest_seconds = 0\nretries = 1\ntimeout_seconds = 0.5\n"
    )
    hit = Hit(T, "spread", "BTC", ("binance", "okx"), 0.001, 0.0005, "x", {"apr": 1.095})
    outcomes: list = []

    async def main() -> None:
        engine = Engine(config, list, lambda e: None, lambda: T, history_dir=tmp_path)
        dispatcher = attach_alerts(engine, config, outcomes.append)
        assert isinstance(dispatcher, AlertDispatcher)
        assert engine.hit_sinks == [dispatcher.submit]
        engine.start()
        while engine.recorder is None:  # the writer has opened the log
            await asyncio.sleep(0.02)
        engine.route_hits([hit])
        for _ in range(500):
            if outcomes:
                break
            await asyncio.sleep(0.02)
        await engine.stop()
        await asyncio.to_thread(dispatcher.close, 0.5)

    asyncio.run(main())
    assert len(outcomes) == 1 and not outcomes[0].ok
    assert "failed after 2 attempt(s)" in outcomes[0].line
    logged = [json.loads(line) for line in (tmp_path / SIGNAL_LOG_FILE).read_text().splitlines()]
    assert [(h["rule"], h["base"]) for h in logged] == [("spread", "BTC")]
