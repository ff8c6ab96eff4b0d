"""The calculator screens: prefill from the board, typing (valid and not), Tab, copy, carry."""

from __future__ import annotations

from textual.widgets import Input, Static

from fundtui.config import Config, VenueConfig
from fundtui.core import liquidation
from fundtui.core.tiers import single_tier
from fundtui.ui.app import FundApp
from fundtui.ui.calculator import CalculatorScreen
from fundtui.ui.carry_calculator import CarryScreen
from tests.fakesource import FrozenClock
from tests.uihelp import REFRESH_S, loaded, make_app, market, until

pytest_plugins = ("tests.fakevenue.fixtures",)

from tests.netguard import loopback_only  # noqa: E402,F401 - autouse: no internet


async def type_into(pilot, screen, key: str, text: str) -> None:
    """Clear a field and type ``text`` into it key by key."""
    box = screen.query_one(f"#f-{key}", Input)
    box.focus()
    await pilot.pause()
    box.action_end()
    for _ in range(len(box.value)):
        await pilot.press("backspace")
    for ch in text:
        await pilot.press(ch)
    await pilot.pause()


def error(screen, key: str) -> str:
    return str(screen.query_one(f"#e-{key}", Static).render())


def field(screen, key: str) -> str:
    return screen.query_one(f"#f-{key}", Input).value


async def open_on(pilot, base: str, key: str):
    app = pilot.app
    while app.board.selected_base != base:
        await pilot.press("down")
    await pilot.press(key)
    await pilot.pause()
    return app.screen


async def test_c_prefills_from_the_row_and_recomputes_as_you_type():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await open_on(pilot, "BTC", "c")
        assert isinstance(screen, CalculatorScreen)
        # BTC row: binance is the first venue, mark 100.1, 0.01 %/8h
        assert field(screen, "venue") == "binance" and field(screen, "symbol") == "BTC"
        assert field(screen, "entry") == "100.1" and field(screen, "rate") == "0.01"
        assert field(screen, "interval") == "8" and field(screen, "fee_in") == "0.05"
        assert "binance BTCUSDT brackets" in screen.results_text

        # docs/FORMULAS.md TV-L1 / TV-S1 by typing
        for key, text in [("entry", "60000"), ("stop", "58800"), ("step", "0.001")]:
            await type_into(pilot, screen, key, text)
        text = screen.results_text
        # TV-L1 less the 0.05 % opening fee in the margin: 60,000 x 0.9005 / 0.996
        assert "Liquidation   54,246.99" in text
        assert "Size          0.079 BTC" in text
        assert "Margin        474.00 at 10x" in text
        assert "pays" in text  # a long at a positive rate

        # leverage too high for the stop: the warning appears, and goes at the safe maximum
        await type_into(pilot, screen, "leverage", "75")
        assert "beyond the liquidation price" in screen.results_text
        lev = liquidation.max_leverage_for_stop(
            "binance",
            "long",
            0.079,
            60000,
            58800,
            single_tier(0.004, 150),
            0.0005,
            opening_fee=0.0005,
        )
        assert f"Max leverage  {lev}x" in screen.results_text
        await type_into(pilot, screen, "leverage", str(lev))
        assert "beyond the liquidation" not in screen.results_text


async def test_invalid_fields_are_marked_inline_with_the_reason():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await open_on(pilot, "BTC", "c")
        await type_into(pilot, screen, "equity", "abc")
        assert error(screen, "equity") == "equity must be a number, got 'abc'"
        assert screen.query_one("#f-equity", Input).has_class("bad")
        assert "Fix the marked fields" in screen.results_text
        await type_into(pilot, screen, "equity", "-5")
        assert error(screen, "equity") == "equity must be > 0, got '-5'"
        await type_into(pilot, screen, "equity", "5000")
        assert error(screen, "equity") == ""
        assert not screen.query_one("#f-equity", Input).has_class("bad")
        assert "Liquidation" in screen.results_text

        await type_into(pilot, screen, "stop", "200")  # above a long's entry
        assert "wrong side" in error(screen, "stop")
        await type_into(pilot, screen, "stop", "99")
        await type_into(pilot, screen, "side", "sideways")
        assert error(screen, "side") == "long or short"
        await type_into(pilot, screen, "side", "short")
        assert "a short's stop must be above" in error(screen, "stop")
        await type_into(pilot, screen, "leverage", "nan")
        assert "finite" in error(screen, "leverage")
        await type_into(pilot, screen, "venue", "kraken")
        assert error(screen, "venue").startswith("one of binance")


async def test_tab_moves_between_fields_and_results_copy():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await open_on(pilot, "BTC", "c")
        assert app.focused.id == "f-venue"
        await pilot.press("tab")
        assert app.focused.id == "f-symbol"
        await pilot.press("tab", "tab")
        assert app.focused.id == "f-equity"
        await pilot.press("ctrl+y")
        assert app.clipboard == screen.results_text and "Liquidation" in app.clipboard
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CalculatorScreen)


async def test_a_venue_without_tiers_fetches_them_or_asks_for_the_rate(fakes):
    clock = FrozenClock()
    sources = market(clock)
    config = Config(
        exchanges=tuple(sources),
        refresh_seconds=REFRESH_S,
        venues={v: VenueConfig(v, api_base=fakes[v].url) for v in ("okx", "hyperliquid")},
    )
    app = FundApp(config, lambda: list(sources.values()), clock=clock, gather_s=0.02)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await open_on(pilot, "BTC", "c")
        await type_into(pilot, screen, "venue", "okx")
        # fetched from the (fake) venue in a worker thread, then used
        await until(pilot, lambda: "okx BTC/USDT:USDT tiers" in screen.results_text, 10)
        assert fakes["okx"].hits("/api/v5/public/position-tiers") == 1
        # a venue that does not answer: the MMR field asks for the rate
        fakes["hyperliquid"].fail(503)
        await type_into(pilot, screen, "venue", "hyperliquid")
        await until(pilot, lambda: "cannot fetch hyperliquid" in screen.results_text, 10)
        assert error(screen, "mmr") == "needed: no tier table"
        await type_into(pilot, screen, "mmr", "1")
        assert error(screen, "mmr") == ""
        assert "maintenance rate 1 % (given)" in screen.results_text


async def test_capital_c_opens_the_carry_calculator_with_both_legs():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await open_on(pilot, "BTC", "C")
        assert isinstance(screen, CarryScreen)
        # BTC legs: long gate (-0.001 %/1h), short okx (0.012 %/8h)
        assert field(screen, "long_venue") == "gate" and field(screen, "short_venue") == "okx"
        assert field(screen, "long_rate") == "-0.001" and field(screen, "long_interval") == "1"
        assert field(screen, "short_rate") == "0.012" and field(screen, "short_interval") == "8"
        # 10,000 x (0.012 % x 3 + 0.001 % x 24) = 6.00 per day received
        assert "receives 6.00 per day" in screen.results_text
        await type_into(pilot, screen, "notional", "0")
        assert error(screen, "notional") == "notional must be > 0, got '0'"
        await type_into(pilot, screen, "notional", "20000")
        assert "receives 12.00 per day" in screen.results_text
        await type_into(pilot, screen, "long_kind", "futures")
        assert error(screen, "long_kind") == "perp or spot"


async def test_carry_on_a_row_without_spread_says_so():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        await open_on(pilot, "DOGE", "C")
        assert not isinstance(app.screen, CarryScreen)


async def test_quantity_step_comes_from_cached_market_limits():
    from fundtui.store import tier_cache

    tier_cache.save_limits(
        "binance", "BTC/USDT:USDT", {"step": 0.001, "min_qty": 0.001, "min_cost": 100.0}
    )
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await open_on(pilot, "BTC", "c")
        assert field(screen, "step") == "0.001"
        await type_into(pilot, screen, "entry", "60000")
        await type_into(pilot, screen, "stop", "58800")
        assert "Size          0.079 BTC" in screen.results_text


async def test_cross_margin_fields():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(140, 50)) as pilot:
        await loaded(pilot)
        screen = await open_on(pilot, "BTC", "c")
        for key, text in [
            ("equity", "1000000"),
            ("risk", "0.126"),
            ("entry", "60000"),
            ("stop", "58800"),
            ("step", "1"),
        ]:
            await type_into(pilot, screen, key, text)
        assert "Size          1 BTC" in screen.results_text
        await type_into(pilot, screen, "wallet", "6000")
        assert error(screen, "margin") == "wallet fields need cross"
        await type_into(pilot, screen, "margin", "cross")
        # TV-L1 in cross form: a 6,000 wallet with nothing else in it
        assert "Liquidation   54,216.87" in screen.results_text
        assert "binance BTC long, cross" in screen.results_text
        await type_into(pilot, screen, "other_upnl", "-1000")
        want = liquidation.binance("long", 1, 60000, 6000, single_tier(0.004), other_upnl=-1000)
        assert f"Liquidation   {want.price:,.2f}" in screen.results_text
        await type_into(pilot, screen, "wallet", "")
        assert error(screen, "wallet") == "required for cross margin"
        await type_into(pilot, screen, "venue", "okx")
        assert error(screen, "margin") == "cross: binance formula only"


async def test_switching_venue_brings_its_rate_interval_and_fees():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(140, 50)) as pilot:
        await loaded(pilot)
        screen = await open_on(pilot, "BTC", "c")
        await type_into(pilot, screen, "mmr", "0.5")  # no tier lookup needed
        await type_into(pilot, screen, "venue", "gate")
        # the BTC row's gate quote: -0.001 % per 1 h
        assert field(screen, "rate") == "-0.001" and field(screen, "interval") == "1"
        assert "Funding       receives" in screen.results_text
        await type_into(pilot, screen, "venue", "bybit")  # not on this row: fees only
        assert field(screen, "fee_in") == "0.055" and field(screen, "fee_out") == "0.055"
        assert field(screen, "rate") == "-0.001"
        assert "bybit BTC long" in screen.results_text
