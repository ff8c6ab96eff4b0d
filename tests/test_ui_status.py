"""Venue health on screen: failures, staleness, recovery, rate limits, startup."""

from __future__ import annotations

import threading

from fundtui.config import Config
from fundtui.core.status import VenueState
from fundtui.ui.app import NOTICE_GATHER_S, FundApp
from fundtui.ui.status import VenueBadge
from tests.fakesource import FrozenClock, fail, quote
from tests.uihelp import REFRESH_S, cell, loaded, make_app, market, poll_all, until


def badge(app: FundApp, venue: str) -> VenueBadge:
    return app.query_one("#venues").badge(venue)


def badge_text(app: FundApp, venue: str) -> str:
    return str(badge(app, venue).render())


async def test_live_badges_show_age_and_latency():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        clock.advance(7)
        app.tick()
        assert badge_text(app, "okx") == "● okx <30s 42ms"  # within one refresh: nothing ticks
        clock.advance(REFRESH_S)  # late: the age counts up in seconds
        app.tick()
        assert badge_text(app, "okx") == "● okx 37s 42ms"


async def test_failing_venue_goes_stale_while_others_stay_live_then_recovers():
    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        fail(sources["okx"], "HTTP 503 Service Unavailable")
        await poll_all(pilot, sources)
        assert badge(app, "okx").state is VenueState.RETRYING
        assert "HTTP 503 Service Unavailable" in badge_text(app, "okx")
        assert cell(app, "BTC", "v:okx") == "0.0120%"  # last good value, still fresh

        clock.advance(2.5 * REFRESH_S - 1)  # just inside the window: not stale yet
        await poll_all(pilot, sources)
        app.tick()
        assert badge(app, "okx").state is VenueState.RETRYING

        clock.advance(2)  # 2.5 refreshes since okx last answered
        await poll_all(pilot, sources)
        app.tick()
        await pilot.pause(NOTICE_GATHER_S + 0.1)
        assert badge(app, "okx").state is VenueState.STALE
        assert "STALE" in badge_text(app, "okx")
        assert "HTTP 503" in badge_text(app, "okx")
        assert any(n.message.startswith("okx is STALE") for n in app._notifications)
        assert badge(app, "binance").state is VenueState.LIVE
        assert badge(app, "gate").state is VenueState.LIVE
        assert cell(app, "BTC", "v:okx") == "~0.0120%"
        assert app.board.columns["v:okx"].label.plain.startswith("~okx")
        assert cell(app, "BTC", "v:binance") == "0.0100%"
        # the spread now leaves okx out: binance 0.010 % vs gate -0.008 %
        assert cell(app, "BTC", "spread") == "0.0180%"
        assert cell(app, "BTC", "legs") == "L GATE S BIN"
        assert cell(app, "DOGE", "next") == ""  # only okx had DOGE: no live countdown

        sources["okx"].error = None
        await poll_all(pilot, sources)
        assert badge(app, "okx").state is VenueState.LIVE
        await pilot.pause(NOTICE_GATHER_S + 0.1)
        assert any(n.message == "okx is live again" for n in app._notifications)
        assert cell(app, "BTC", "v:okx") == "0.0120%"
        assert app.board.columns["v:okx"].label.plain == "okx"
        assert cell(app, "BTC", "spread") == "0.0200%"


async def test_rate_limited_venue_is_not_polled_early():
    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        fail(sources["binance"], "HTTP 429 Too Many Requests", retry_after_s=60)
        await poll_all(pilot, sources)
        assert "HTTP 429 Too Many Requests · retry 1m00s" in badge_text(app, "binance")
        polls = sources["binance"].polls
        assert app.poll_now() == ["binance"]
        await pilot.pause(0.05)
        assert sources["binance"].polls == polls
        clock.advance(61)
        assert app.poll_now() == []


async def test_first_frame_does_not_wait_for_the_sources():
    clock = FrozenClock()
    sources = market(clock)
    release = threading.Event()

    def slow_factory():
        release.wait(10)
        return list(sources.values())

    config = Config(exchanges=tuple(sources), refresh_seconds=REFRESH_S)
    app = FundApp(config, slow_factory, clock=clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert app.board.row_count == 0
        assert [c.key.value for c in app.board.ordered_columns][:5] == [
            "base",
            "spread",
            "net",
            "trend",
            "legs",
        ]
        assert badge_text(app, "gate") == "◌ gate connecting…"
        release.set()
        await loaded(pilot)
        assert badge(app, "gate").state is VenueState.LIVE


async def test_the_theme_is_chosen_before_the_stylesheet_is_first_applied():
    # Switching to the app's theme after mount parsed and applied every CSS rule a
    # second time before the first frame; it is set when the app is made.
    from fundtui.ui.theme import FUNDTUI_DARK

    clock = FrozenClock()
    app = make_app(market(clock), clock)
    assert app.theme == FUNDTUI_DARK.name
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot)
        assert app.theme == FUNDTUI_DARK.name
        assert app.get_css_variables()["background"].lower() == FUNDTUI_DARK.background.lower()


async def test_source_factory_failure_marks_every_venue_down():
    clock = FrozenClock()

    def broken():
        raise RuntimeError("ccxt is not installed")

    config = Config(exchanges=("binance", "okx"), refresh_seconds=REFRESH_S)
    app = FundApp(config, broken, clock=clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: badge(app, "okx").state is VenueState.DOWN)
        assert "RuntimeError: ccxt is not installed" in badge_text(app, "binance")


async def test_a_source_bug_is_reported_not_fatal():
    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        sources["gate"].error = KeyError("fundingRate")
        await poll_all(pilot, sources)
        assert "KeyError: 'fundingRate'" in badge_text(app, "gate")
        assert badge(app, "binance").state is VenueState.LIVE
        sources["gate"].error = None
        await poll_all(pilot, sources)
        assert badge(app, "gate").state is VenueState.LIVE


async def test_demo_label_and_sources_closed_on_exit():
    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock, demo=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot)
        assert "DEMO" in str(app.query_one("#demo-label").render())
    assert all(s.closed for s in sources.values())


async def test_help_lists_keys_and_each_venues_full_status():
    clock = FrozenClock()
    sources = market(clock)
    app = make_app(sources, clock)
    async with app.run_test(size=(100, 40)) as pilot:
        await loaded(pilot)
        fail(sources["gate"], "HTTP 502 Bad Gateway: upstream connect error or disconnect")
        await poll_all(pilot, sources)
        await pilot.press("question_mark")
        screen = app.screen
        assert screen.__class__.__name__ == "HelpScreen"
        assert (
            "gate",
            "retrying; last answer 0s ago, 2 quotes, 42ms; 1 failure in a row: "
            "HTTP 502 Bad Gateway: upstream connect error or disconnect",
        ) in screen.venues
        await pilot.press("escape")
        assert app.screen is not screen


async def test_venues_failing_together_share_one_toast():
    clock = FrozenClock()
    sources = market(clock)
    for name, source in sources.items():
        fail(source, f"cannot reach {name}")
    app = make_app(sources, clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await until(pilot, lambda: all(s.error for s in app.statuses.values()))
        await pilot.pause(NOTICE_GATHER_S + 0.1)
        toasts = [n.message for n in app._notifications]
        assert len(toasts) == 1
        assert sorted(toasts[0].splitlines()) == sorted(
            f"{v} is down (cannot reach {v})" for v in sources
        )


async def test_answers_arriving_together_make_one_rebuild():
    clock = FrozenClock()
    sources = market(clock)
    # Without history: its velocity update is a second (cheap) pass of its own.
    app = make_app(sources, clock, gather_s=0.3, history=False)
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await pilot.pause(0.4)
        rebuilds = []
        original = app.board.set_rows
        app.board.set_rows = lambda *a, **k: (rebuilds.append(1), original(*a, **k))
        sources["okx"].quotes[0] = quote("okx", "BTC", 0.0003)
        app.poll_now()
        await until(pilot, lambda: all(s.polls >= 2 for s in sources.values()))
        assert app._rebuild_pending and not rebuilds  # held for the others
        await until(pilot, lambda: not app._rebuild_pending)
        assert len(rebuilds) == 1
        assert cell(app, "BTC", "v:okx") == "0.0300%"


async def test_long_lived_startup_objects_leave_the_collector_once_all_venues_answered():
    import gc

    clock = FrozenClock()
    sources = market(clock)
    fail(sources["gate"], "HTTP 503")  # a failing venue has answered too
    app = make_app(sources, clock)
    gc.unfreeze()
    try:
        async with app.run_test(size=(160, 30)) as pilot:
            await until(pilot, lambda: all(s.polls for s in sources.values()))
            await until(pilot, lambda: app._settled)
            # a moment later, once the first board is drawn (engine/heap.freeze_startup)
            await until(pilot, lambda: gc.get_freeze_count() > 0, timeout=5)
    finally:
        gc.unfreeze()
