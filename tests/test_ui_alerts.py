"""The TUI sends its logged hits to the alert URLs, and says when one fails."""

from __future__ import annotations

import time

from fundtui.config.alerts import AlertsConfig
from fundtui.core.signal_types import SignalConfig
from fundtui.ui.status import TopBar
from tests.alert_hook import Hook
from tests.fakesource import FrozenClock
from tests.netguard import loopback_only  # noqa: F401 - autouse: nothing leaves the machine
from tests.uihelp import evaluated, loaded, make_app, market, until


def alerts(url: str) -> AlertsConfig:
    return AlertsConfig(urls=(url,), digest_seconds=0.0, retries=0, timeout_seconds=1.0)


async def test_a_polling_tui_sends_its_logged_hits():
    clock = FrozenClock()
    with Hook() as hook:
        app = make_app(
            market(clock), clock, alerts=alerts(hook.url), signals=SignalConfig(spread_8h=1e-9)
        )
        async with app.run_test(size=(160, 30)) as pilot:
            await loaded(pilot)
            await evaluated(pilot, app)
            deadline = time.monotonic() + 10
            while not hook.messages and time.monotonic() < deadline:
                await pilot.pause(0.05)
            assert hook.messages, "no alert arrived"
            body = hook.messages[0]["message"]
            assert "spread" in body and "SOL" in body  # SOL has the widest spread


async def test_a_failed_delivery_is_shown_once():
    clock = FrozenClock()
    with Hook() as broken:
        broken.status = 500
        app = make_app(
            market(clock), clock, alerts=alerts(broken.url), signals=SignalConfig(spread_8h=1e-9)
        )
        async with app.run_test(size=(160, 30)) as pilot:
            await loaded(pilot)
            await evaluated(pilot, app)
            await until(
                pilot,
                lambda: any(n.title == "Alert not delivered" for n in app._notifications),
                timeout=10,
            )
            shown = [n for n in app._notifications if n.title == "Alert not delivered"]
            bar = app.main(TopBar).query_one("#alerts-failing")
            assert str(bar.render()).strip() == "alerts failing: 1"
            assert len(shown) == 1  # once per target, not once per hit
            assert "500" in shown[0].message or "failed" in shown[0].message
