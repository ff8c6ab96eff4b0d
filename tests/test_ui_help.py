"""``?``: every key of the screen it is opened on and every column of the board,
scrollable, a full screen no toast covers (at 80x24 too)."""

from __future__ import annotations

import io

from rich.console import Console
from textual.containers import VerticalScroll
from textual.widgets import Static

from fundtui.ui.detail import DetailScreen
from fundtui.ui.help import HelpScreen, key_name
from fundtui.ui.sectors import SectorFeed, SectorScreen
from fundtui.ui.signals_screen import SignalsScreen
from tests.fakesource import FrozenClock
from tests.test_ui_hostile import screen_text
from tests.test_ui_sectors import MAP
from tests.uihelp import loaded, make_app, market, until


async def open_help(pilot) -> tuple[HelpScreen, str, set[str]]:
    """Help on the screen now on top: the help, its text, the keys that screen had."""
    app = pilot.app
    keys = {key_name(k) for k in app.screen.active_bindings}
    await pilot.press("question_mark")
    await until(pilot, lambda: isinstance(app.screen, HelpScreen))
    await pilot.pause()
    return app.screen, help_text(app.screen), keys


def help_text(screen: HelpScreen) -> str:
    """The whole help, as laid out (whether or not scrolled into view)."""
    console = Console(width=160, record=True, file=io.StringIO())
    for static in screen.query(Static):
        console.print(static.content)
    return console.export_text()


def key_column(text: str) -> set[str]:
    """The keys the help lists (first column of the keys table)."""
    keys_part = text.split("Keys on")[1].split("The board's columns")[0]
    out = set()
    for line in keys_part.splitlines()[1:]:
        head = line.strip().split("  ")[0]
        out.update(head.split())
    return out


async def close(pilot) -> None:
    app = pilot.app
    await pilot.press("escape")
    await until(pilot, lambda: not isinstance(app.screen, HelpScreen))
    while len(app.screen_stack) > 1:
        app.pop_screen()
        await pilot.pause()


async def test_help_on_the_board_lists_every_key_and_every_column():
    clock = FrozenClock()
    app = make_app(market(clock), clock, history=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        screen, text, keys = await open_help(pilot)
        listed = key_column(text)
        for key in ("Enter", "g", "c", "C", "R", "ctrl+p", "Esc", "t", "/", "Home", "End"):
            assert key in listed, key
        assert keys <= listed, keys - listed  # every key bound on the board, none forgotten
        assert "Keys on the board" in text
        assert "open the row: a coin's detail view" in text  # Enter says what it does
        for column in app.board.specs:  # every column of the board is explained
            title = column.title(app.board.unit)
            if column.venue is None:
                assert title.split()[0] in text, title
        assert "least-squares slope, per hour, over the last hour" in text  # Δ8h/h
        assert "n/a until an hour is covered" in text
        assert "after both legs' taker fees" in text and "72 h holding" in text  # Net 72h
        assert "hours of today's spread that pay both legs' fees" in text  # B/E
        await close(pilot)


async def test_help_at_80x24_is_a_full_screen_scrollable_and_no_toast_covers_it():
    clock = FrozenClock()
    app = make_app(market(clock), clock, history=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await loaded(pilot)
        screen, _, _ = await open_help(pilot)
        page = screen.query_one("#help-page", VerticalScroll)
        assert page.region.width == 80 and page.region.height >= 22
        assert page.max_scroll_y > 0  # more than a screenful: it scrolls
        await pilot.press("end")
        await pilot.pause()
        assert page.scroll_y == page.max_scroll_y
        await pilot.press("home")
        await pilot.pause()
        assert page.scroll_y == 0
        app.notify("BTC funding hot", timeout=30)
        await pilot.pause(0.3)
        assert "BTC funding hot" not in screen_text(app)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, HelpScreen))
        await until(pilot, lambda: "BTC funding hot" in screen_text(app))  # it waited


async def test_help_on_each_other_screen_lists_that_screen_s_keys():
    clock = FrozenClock()
    app = make_app(market(clock), clock, history=False)
    app.sectors = SectorFeed(sector_map=MAP)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        for key, kind, title, own in (
            ("t", SectorScreen, "the sector board", {"Enter", "s", "S", "r", "Esc"}),
            ("g", SignalsScreen, "the signals screen", {"Esc", "g", "Enter"}),
            ("enter", DetailScreen, "a coin's detail view", {"Esc", "1", "2", "3"}),
        ):
            await pilot.press(key)
            await until(pilot, lambda kind=kind: isinstance(app.screen, kind))
            await pilot.pause()
            _, text, keys = await open_help(pilot)
            listed = key_column(text)
            assert f"Keys on {title}" in text
            assert own <= listed and keys <= listed, (title, keys - listed)
            await close(pilot)
