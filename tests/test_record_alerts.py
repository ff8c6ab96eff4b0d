"""``fundtui record`` sends its logged hits through apprise and logs each delivery or
failure as one line; an endpoint answering 500 loses nothing from the signals log."""

from __future__ import annotations

import signal

import pytest

from fundtui.store import paths
from tests.alert_hook import Hook
from tests.recordhelp import Recording, logged_spreads, spread_hits, start_fakes, write_config


@pytest.fixture
def fakes():
    venues = start_fakes()
    yield venues
    for fake in venues.values():
        fake.stop()


def alerts_toml(url: str) -> str:
    return f'[alerts]\nurls = ["{url}"]\ndigest_seconds = 0\nretries = 0\ntimeout_seconds = 2\n'


@pytest.mark.parametrize("status", [200, 500])
def test_record_sends_its_hits_and_logs_each_delivery(tmp_path, fakes, status):
    with Hook() as hook:
        hook.status = status
        cfg = write_config(tmp_path, fakes, alerts_toml(hook.url))
        rec = Recording("--config", str(cfg))
        try:
            lines = rec.wait_for(lambda ls: any(" alert to " in line for line in ls))
        finally:
            code, took = rec.stop(signal.SIGTERM)
        messages = list(hook.messages)
    assert code == 0 and took < 2.0
    assert spread_hits(lines)
    alert = next(line for line in lines if " alert to " in line)
    if status == 200:
        assert " INFO alert to " in alert and "delivered" in alert
        assert any("ETH" in (m.get("message", "") + m.get("title", "")) for m in messages)
    else:
        assert " WARNING alert to " in alert and "failed" in alert
        assert messages == []
    # the hit is in the log whatever happened to its alert
    assert len(logged_spreads(paths.history_dir())) == 1
