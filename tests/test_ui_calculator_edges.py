"""The calculator screens' edges (issue 12 section 3): a flipped side, reasons in full,
unrounded sizes, sub-cent pre-fills, and carry legs that follow their venue."""

from __future__ import annotations

import dataclasses
import json

from textual.app import App
from textual.widgets import Input, Static

from fundtui import cli
from fundtui.config import Config
from fundtui.core.board import build_row
from fundtui.ui.calculator import CalculatorScreen, calculator_screen
from fundtui.ui.carry_calculator import CarryScreen
from tests.fakesource import FrozenClock, quote
from tests.netguard import loopback_only  # noqa: F401 - autouse: no internet
from tests.test_ui_calculator import error, field, open_on, type_into
from tests.uihelp import loaded, make_app, market


class Host(App):
    """Just the screen under test."""

    def __init__(self, screen) -> None:
        super().__init__()
        self.under_test = screen

    def on_mount(self) -> None:
        self.push_screen(self.under_test)


async def test_flipping_side_says_the_stop_is_on_the_wrong_side_in_full():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await open_on(pilot, "BTC", "c")
        assert field(screen, "stop") == "98.098"  # 2 % under the 100.1 mark: a long's stop
        await type_into(pilot, screen, "side", "short")
        want = "stop 98.098 is on the wrong side: a short's stop must be above its entry 100.1"
        assert error(screen, "stop") == want
        # the whole reason under the results too, and the field's note wraps, not cut
        assert f"Stop: {want}" in screen.results_text
        note = screen.query_one("#e-stop", Static)
        assert note.size.height >= 2 and note.size.width < len(want)
        await type_into(pilot, screen, "stop", "102")
        assert error(screen, "stop") == "" and "Liquidation" in screen.results_text


async def test_the_screen_says_when_the_size_is_not_rounded():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await open_on(pilot, "BTC", "c")
        for key, text in [("entry", "60000"), ("stop", "58800")]:
            await type_into(pilot, screen, key, text)
        # TV-S1 before rounding: 100 / 1259.4 = 0.079402890 BTC
        assert "Size          0.07940289 BTC  (not rounded: no quantity step)" in (
            screen.results_text
        )
        await type_into(pilot, screen, "step", "0.001")
        assert "Size          0.079 BTC\n" in screen.results_text


async def test_a_coin_without_tiers_still_shows_its_numbers_on_screen():
    """SOL has no bundled binance bracket: the size is still there (entry 150, stop 145,
    0.05 % in and out: 100 / 5.1475 = 19.426906), the liquidation asks for the MMR."""
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await open_on(pilot, "SOL", "c")
        for key, text in [("entry", "150"), ("stop", "145")]:
            await type_into(pilot, screen, key, text)
        text = screen.results_text
        assert "Size          19.426906 SOL" in text and "Notional      2,914.04" in text
        assert "Liquidation   needs the maintenance rate (MMR %)" in text
        assert "no binance brackets for SOL" in text
        assert error(screen, "mmr") == "needed: no tier table"


def pepe_row():
    """binance's 1000PEPE contract at 0.0109933 per 1,000 coins: 0.0000109933 a coin."""
    q = dataclasses.replace(
        quote("binance", "PEPE", 0.0001, mark=0.0109933), symbol="1000PEPE/USDT:USDT"
    )
    return build_row("PEPE", {"binance": dataclasses.replace(q, multiplier=1000)}, ["binance"])


async def test_sub_cent_prefill_is_plain_digits_and_fits_its_field():
    screen = calculator_screen(pepe_row(), Config(exchanges=("binance",)), demo=True)
    async with Host(screen).run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        assert isinstance(pilot.app.screen, CalculatorScreen)
        # was 1.09933e-05; the stop 2 % under it: 0.0000107734 (round(x 0.98, 10))
        assert field(screen, "entry") == "0.0000109933"
        assert field(screen, "stop") == "0.0000107734"
        for box in screen.query(Input):
            assert len(box.value) <= box.content_region.width, (box.id, box.value)
        text = screen.results_text
        assert "e-0" not in text and "e+0" not in text
        # 100 / (0.0000109933 - 0.0000107734 + 0.05 % x (0.0000109933 + 0.0000107734))
        # = 100 / 2.3078335e-7 = 433,306,822.2 PEPE: 8 significant digits, grouped
        assert "Size          433,306,820 PEPE  (not rounded: no quantity step)" in text
        assert "= 433,306.82 contracts of 1000PEPE (1,000 PEPE each)" in text
        # liquidation: binance 1000PEPEUSDT bracket 1 (MMR 0.65 %), 10x, 0.05 % in:
        # 0.0000109933 x 0.9005 / 0.9935 = 0.00000996423
        assert "Liquidation   0.00000996423" in text


async def test_carry_legs_follow_their_venue_and_unknown_venues_are_refused():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await open_on(pilot, "BTC", "C")
        assert isinstance(screen, CarryScreen)
        assert field(screen, "long_venue") == "gate" and field(screen, "long_rate") == "-0.001"
        await type_into(pilot, screen, "long_venue", "binance")
        # the BTC row's binance quote: 0.01 % per 8 h, binance's perp taker 0.05 %
        assert field(screen, "long_rate") == "0.01" and field(screen, "long_interval") == "8"
        assert field(screen, "long_fee") == "0.05"
        await type_into(pilot, screen, "long_venue", "bybit")  # not on the row: no rate kept
        assert field(screen, "long_rate") == "" and field(screen, "long_interval") == ""
        assert field(screen, "long_fee") == "0.055"
        assert error(screen, "long_interval") == "required"  # asked for, never guessed
        await type_into(pilot, screen, "long_venue", "foo")
        said = error(screen, "long_venue")
        assert said == "one of binance, bybit, okx, bitget, gate, hyperliquid"
        assert "\n" not in said and "Fix the marked fields" in screen.results_text


async def test_a_spot_leg_pays_spot_fees_on_screen_as_carry_spot_does(capsys):
    """Long binance spot, short bybit perp, 10,000 a leg: fees 10,000 x (0.1 % + 0.1 %)
    + 10,000 x (0.055 % + 0.055 %) = 20.00 + 11.00 = 31.00 in both (the screen charged
    the 0.05 % perp fee on the spot leg: 10.00 + 11.00 = 21.00)."""
    argv = (
        "carry --symbol BTC --spot binance --short bybit --price 100.1 --notional 10000 "
        "--short-rate 0.012 --short-interval 8 --json"
    ).split()
    assert cli.main(argv) == 0
    assert round(json.loads(capsys.readouterr().out)["fees"], 2) == 31.00
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await open_on(pilot, "BTC", "C")
        await type_into(pilot, screen, "long_venue", "binance")
        await type_into(pilot, screen, "short_venue", "bybit")  # not on the row: given
        await type_into(pilot, screen, "short_rate", "0.012")
        await type_into(pilot, screen, "short_interval", "8")
        await type_into(pilot, screen, "long_kind", "spot")
        assert field(screen, "long_fee") == "0.1" and field(screen, "short_fee") == "0.055"
        assert "Fees          31.00 (all legs in and out)" in screen.results_text
        await type_into(pilot, screen, "long_kind", "perp")  # back: the perp fee again
        assert field(screen, "long_fee") == "0.05"


async def test_added_margin_field_reproduces_bybit_help_example_3():
    """Bybit's example 3 on screen: long 1 BTC at 20,000, 50x, MMR 0.5 %, 200 out of the
    position margin: 20,000 - (400 - 100) + 200 = 19,900.00 (19,700.00 with none)."""
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(140, 50)) as pilot:
        await loaded(pilot)
        screen = await open_on(pilot, "BTC", "c")
        for key, text in [
            ("mmr", "0.5"),
            ("venue", "bybit"),
            ("equity", "5000"),
            ("entry", "20000"),
            ("stop", "19950"),
            ("leverage", "50"),
            ("fee_in", "0"),
            ("fee_out", "0"),
            ("step", "1"),
        ]:
            await type_into(pilot, screen, key, text)
        assert "Size          1 BTC\n" in screen.results_text
        assert "Liquidation   19,700.00" in screen.results_text
        await type_into(pilot, screen, "added", "-200")
        assert "Liquidation   19,900.00" in screen.results_text
        assert "Margin        400.00 at 50x, -200.00 added" in screen.results_text
