"""Toasts for what was asked: per rule, spreads from a minimum APR, one per refresh,
and a key that mutes them until quit. Every hit is still listed and logged."""

from __future__ import annotations

from fundtui.config.toasts import ToastConfig
from fundtui.core.signal_types import SignalConfig
from fundtui.ui.status import TopBar
from tests.fakesource import FrozenClock, quote
from tests.uihelp import evaluated, loaded, make_app, market, poll_all

EVERY_SPREAD = SignalConfig(spread_8h=1e-9, cooldown_s=0)


def signal_toasts(app) -> list:
    return [n for n in app._notifications if "signal" in n.title.lower()]


async def test_spreads_under_the_minimum_apr_raise_no_toast_but_are_listed():
    # the test market's spreads: SOL 32.85 %, ETH 27.38 %, BTC 21.9 % APR, all < 50 %
    clock = FrozenClock()
    app = make_app(market(clock), clock, signals=EVERY_SPREAD)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await evaluated(pilot, app)
        await pilot.pause(0.5)
        assert {h.base for h in app.signals if h.rule == "spread"} == {"SOL", "ETH", "BTC"}
        assert signal_toasts(app) == []


async def test_one_toast_per_refresh_and_m_mutes_until_pressed_again():
    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock, signals=EVERY_SPREAD, toasts=ToastConfig(min_apr=0.2))
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await evaluated(pilot, app)
        await pilot.pause(0.6)
        toasts = signal_toasts(app)
        assert len(toasts) == 1 and toasts[0].title == "3 new signals"  # gathered
        await pilot.press("m")
        role = app.main(TopBar).query_one("#muted")
        assert "toasts muted" in str(role.render())
        clock.advance(30)
        sources["okx"].quotes[0] = quote("okx", "BTC", 0.0009)  # BTC's spread grows
        await poll_all(pilot, sources)
        await evaluated(pilot, app)
        await pilot.pause(0.6)
        assert len(signal_toasts(app)) == 1  # muted: listed, not toasted
        assert sum(h.base == "BTC" for h in app.signals) >= 2
        await pilot.press("m")
        assert str(role.render()).strip() == ""


async def test_a_rule_turned_off_does_not_toast():
    clock = FrozenClock()
    app = make_app(
        market(clock),
        clock,
        signals=EVERY_SPREAD,
        toasts=ToastConfig(rules=frozenset({"exhaustion"}), min_apr=0.0),
    )
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await evaluated(pilot, app)
        await pilot.pause(0.5)
        assert app.signals and signal_toasts(app) == []
