"""The app uses Config.theme (``--theme`` / ``[general] theme``), shows a bad choice in
one toast and keeps running, and keeps a theme picked in the palette for next time."""

from __future__ import annotations

import json

from fundtui.ui.theme import DEFAULT_THEME, state_path
from tests.fakesource import FrozenClock
from tests.uihelp import loaded, make_app, market, until


async def test_config_theme_is_used_and_a_palette_choice_is_saved():
    clock = FrozenClock()
    app = make_app(market(clock), clock, theme="fundtui-light")
    async with app.run_test(size=(100, 24)) as pilot:
        await loaded(pilot)
        assert app.theme == "fundtui-light" and not state_path().exists()
        app.theme = "fundtui-colourblind"  # what the palette's "Change theme" does
        await until(pilot, state_path().exists)
        assert json.loads(state_path().read_text())["theme"] == "fundtui-colourblind"
    again = make_app(market(clock), clock)
    async with again.run_test(size=(100, 24)) as pilot:
        await loaded(pilot)
        assert again.theme == "fundtui-colourblind"


async def test_an_unknown_theme_is_one_warning_and_the_default():
    clock = FrozenClock()
    app = make_app(market(clock), clock, theme="no-such-theme")
    async with app.run_test(size=(100, 24)) as pilot:
        await loaded(pilot)
        assert app.theme == DEFAULT_THEME
        await until(pilot, lambda: any("no-such-theme" in n.message for n in app._notifications))
