"""The signals screen: a coin filter, explanations wrapped instead of cut, and an
export of what it shows."""

from __future__ import annotations

import json

from fundtui.core.signal_types import Hit
from fundtui.engine.events import SignalsEvaluated
from fundtui.store import paths
from fundtui.ui.messages import EngineEvent
from fundtui.ui.signals_screen import SignalsScreen
from tests.fakesource import FrozenClock
from tests.uihelp import loaded, make_app, market, until

T0 = 1_767_225_600_000
LONG = "binance pays 0.490%/8h more than okx: short binance, long okx, " * 4


def hits() -> tuple[Hit, ...]:
    return (
        Hit(T0, "spread", "ETH", ("binance", "okx"), 0.0049, 0.0005, LONG.strip()),
        Hit(T0 + 1, "deviation", "BTC", ("okx",), 0.0012, 0.001, "okx BTC above its mean"),
        Hit(T0 + 2, "spread", "BTC", ("okx", "gate"), 0.0009, 0.0005, "short okx, long gate"),
    )


async def open_signals(pilot, app) -> SignalsScreen:
    await loaded(pilot)
    app.post_message(EngineEvent(SignalsEvaluated(hits(), evaluation=False)))
    await until(pilot, lambda: len(app.signals) == 3)
    await pilot.press("g")
    await until(pilot, lambda: isinstance(app.screen, SignalsScreen))
    return app.screen


async def test_the_coin_filter_keeps_that_coins_hits_and_esc_clears_it():
    clock = FrozenClock()
    app = make_app(market(clock), clock, history=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_signals(pilot, app)
        assert screen.table.row_count == 3
        await pilot.press("slash", "b", "t")
        await until(pilot, lambda: screen.table.row_count == 2)
        assert {screen._keys[k].base for k in screen._keys} == {"BTC"}
        await pilot.press("escape")
        await until(pilot, lambda: screen.table.row_count == 3)
        assert isinstance(app.screen, SignalsScreen)  # the first Esc only cleared it
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, SignalsScreen))


async def test_a_long_explanation_wraps_to_the_screen_and_is_kept_whole():
    clock = FrozenClock()
    app = make_app(market(clock), clock, history=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_signals(pilot, app)
        eth = next(k for k, h in screen._keys.items() if h.base == "ETH")
        cell = screen.table.get_cell(eth, "why")
        lines = cell.plain.split("\n")
        assert len(lines) > 1 and all(len(line) <= screen.why_width for line in lines)
        assert " ".join(lines) == LONG.strip()  # nothing cut
        assert screen.table.rows[eth].height == len(lines)


async def test_e_exports_what_is_shown_and_says_where():
    clock = FrozenClock()
    app = make_app(market(clock), clock, history=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_signals(pilot, app)
        await pilot.press("f")  # the spread rule only
        await until(pilot, lambda: screen.table.row_count == 2)
        await pilot.press("e")
        await until(pilot, lambda: any("written to" in n.message for n in app._notifications))
        (path,) = paths.data_dir().glob("signals-export-*.jsonl")
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        assert [(r["rule"], r["base"]) for r in rows] == [("spread", "ETH"), ("spread", "BTC")]
        note = next(n.message for n in app._notifications if "written to" in n.message)
        assert str(path) in note and note.startswith("2 signals")
