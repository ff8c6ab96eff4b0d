"""At 80x24 the calculators' results fit: fields give them the room, a wrapped value
stays under its value, and Break-even is on screen whole."""

from __future__ import annotations

import pytest

from fundtui.ui.calculator import CalculatorScreen
from fundtui.ui.carry_calculator import CarryScreen
from tests.fakesource import FrozenClock
from tests.test_ui_calculator import open_on, type_into
from tests.test_ui_hostile import screen_text
from tests.uihelp import loaded, make_app, market

pytest_plugins = ("tests.fakevenue.fixtures",)

from tests.netguard import loopback_only  # noqa: E402,F401 - autouse: no internet


def rows(app) -> list[str]:
    return screen_text(app).split("\n")


@pytest.mark.parametrize(("key", "kind"), [("c", CalculatorScreen), ("C", CarryScreen)])
async def test_results_fit_at_80x24(key, kind):
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        screen = await open_on(pilot, "BTC", key)
        assert isinstance(screen, kind)
        await pilot.pause()
        assert screen.has_class("-narrow")
        shown = rows(app)
        lines = screen.results_text.split("\n")
        [be] = [line for line in lines if line.startswith("Break-even")]
        assert any(be in row for row in shown), be  # whole, on one row
        results = screen.query_one("#results")
        width = results.region.width
        assert width >= 40
        for line in lines:  # every line that fits the column is shown unwrapped
            if len(line) <= width:
                assert any(line.rstrip() in row for row in shown), line
        assert results.region.bottom <= 23


async def test_a_field_error_is_still_said_in_full_when_narrow():
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        screen = await open_on(pilot, "BTC", "c")
        await type_into(pilot, screen, "equity", "-5")
        await pilot.pause()
        assert "Equity:" in screen.results_text
        assert screen.query_one("#f-equity").has_class("bad")
