"""The board's footer: the most used keys first, so a narrow footer cuts the least used
(Enter, c, C and R were never shown; at 80 columns t and g were cut off)."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from tests.fakesource import FrozenClock
from tests.test_ui_hostile import screen_text
from tests.uihelp import loaded, make_app, market

#: The board's footer, most used first.
ORDER = ["enter", "slash", "s", "t", "g", "question_mark", "w", "c", "C", "R", "u", "r", "v"]


def footer_keys(app) -> list[str]:
    return [k.key for k in app.screen.query(FooterKey)]


def footer_line(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_the_footer_lists_the_most_used_keys_first_enter_c_C_R_included():
    clock = FrozenClock()
    app = make_app(market(clock), clock, history=False)
    async with app.run_test(size=(160, 24)) as pilot:
        await loaded(pilot)
        keys = footer_keys(app)
        assert [k for k in keys if k in ORDER] == ORDER, keys
        line = footer_line(app)
        for shown in ("Detail", "c Calc", "C Carry", "R Poll", "t Sectors", "g Signals"):
            assert shown in line, shown


async def test_at_80_columns_the_footer_still_shows_sectors_and_signals():
    clock = FrozenClock()
    app = make_app(market(clock), clock, history=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        line = footer_line(app)
        for shown in ("Detail", "/ Filter", "s Sort", "t Sectors", "g Signals", "? Help"):
            assert shown in line, (shown, line)
