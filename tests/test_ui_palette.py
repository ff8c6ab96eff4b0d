"""The command palette: every screen and action, a coin by its base ("BTC" offers
"Open BTC", its detail view) and a sector by name ("meme": the board drilled into Meme)."""

from __future__ import annotations

from textual.command import CommandPalette

from fundtui.ui.board_screen import BoardScreen
from fundtui.ui.detail import DetailScreen
from fundtui.ui.palette import CoinsAndSectors
from fundtui.ui.sectors import SectorFeed, SectorScreen
from fundtui.ui.signals_screen import SignalsScreen
from tests.fakesource import FakeSource, FrozenClock, quote
from tests.test_ui_sectors import MAP
from tests.uihelp import loaded, make_app, market, order, until


def sector_app(clock, sources=None):
    app = make_app(sources or market(clock), clock, history=False)
    app.sectors = SectorFeed(sector_map=MAP)
    return app


async def run_palette(pilot, query: str) -> None:
    """Open the palette, type ``query`` a key at a time, take the first hit."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await until(pilot, lambda: CommandPalette.is_open(app))
    await pilot.pause()
    for ch in query:
        await pilot.press("space" if ch == " " else ch)
    await pilot.pause(0.6)  # the palette gathers hits in a worker
    await pilot.press("down", "enter")
    await until(pilot, lambda: not CommandPalette.is_open(app))
    await pilot.pause()


async def back_to_board(pilot) -> None:
    app = pilot.app
    while len(app.screen_stack) > 1:
        app.pop_screen()
        await pilot.pause()


async def test_typing_a_base_opens_its_detail_view():
    clock = FrozenClock()
    app = sector_app(clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        await run_palette(pilot, "BTC")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen))
        assert app.screen.row.base == "BTC"
        await back_to_board(pilot)


async def test_typing_a_sector_drills_the_board_into_it_and_esc_comes_back_to_it():
    clock = FrozenClock()
    app = sector_app(clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        await run_palette(pilot, "meme")
        await until(pilot, lambda: app.board.base_filter_label == "Meme")
        assert order(app) == ["DOGE"]
        await pilot.press("escape")  # back to the sector board, on Meme
        await until(pilot, lambda: isinstance(app.screen, SectorScreen))
        await pilot.pause()
        assert app.screen.table.selected_sector == "Meme"
        await back_to_board(pilot)


async def test_typing_sig_finds_the_signals_screen():
    clock = FrozenClock()
    app = sector_app(clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        await run_palette(pilot, "sig")
        await until(pilot, lambda: isinstance(app.screen, SignalsScreen))
        await back_to_board(pilot)


async def test_a_command_for_every_screen_and_action():
    clock = FrozenClock()
    app = sector_app(clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        for title in (
            "Board",
            "Sectors",
            "Signals",
            "Help",
            "Poll now",
            "Position calculator",
            "Carry calculator",
            "Filter bases",
            "Clear filter",
            "Sort: next column",
            "Reverse sort",
            "Unit: next",
            "Watch / unwatch",
            "Watchlist only",
            "Sort by Net 72h",
            "Sort by okx",
        ):
            assert title in titles, title
        # every key bound on the board has a command (a key is a shortcut, not the only way)
        commands = list(app.get_system_commands(app.screen))
        run = {
            getattr(c.callback, "func", c.callback).__name__.removeprefix("action_")
            for c in commands
        }
        by_title = (("calculator", "Position calculator"), ("carry", "Carry calculator"))
        run |= {action for action, title in (*by_title, ("quit", "Quit")) if title in titles}
        bound = {b.action.removeprefix("app.").split("(")[0] for b in BoardScreen.BINDINGS}
        assert bound <= run, bound - run
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, SectorScreen))
        over_sectors = {c.title for c in app.get_system_commands(app.screen)}
        assert "Board" in over_sectors and "Watch / unwatch" not in over_sectors  # board only
        await back_to_board(pilot)


async def test_the_unwatched_command_sort_by_a_column_sorts_and_shows_the_top():
    clock = FrozenClock()
    app = sector_app(clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        [command] = [c for c in app.get_system_commands(app.screen) if c.title == "Sort by Base"]
        assert command.discover is False  # found by typing, not listed up front
        command.callback()
        await pilot.pause()
        assert order(app) == ["BTC", "DOGE", "ETH", "SOL"] and app.board.cursor_row == 0


async def test_coin_names_in_the_palette_are_inert_and_found_by_their_visible_spelling():
    clock = FrozenClock()
    hostile = "[b]X\x07"
    sources = {
        "binance": FakeSource("binance", [quote("binance", hostile, 0.0001)], clock),
        "okx": FakeSource("okx", [quote("okx", hostile, 0.0002)], clock),
    }
    app = sector_app(clock, sources)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, rows=1)
        provider = CoinsAndSectors(app.screen)
        hits = [h async for h in provider.search("x\\x07")]
        assert [h.text for h in hits] == ["Open [b]X\\x07"]
        assert hits[0].match_display.plain == "Open [b]X\\x07"  # a Text, not markup
        assert [h async for h in provider.search("zzz")] == []
        assert [h.text async for h in provider.search("Open [B]")] == ["Open [b]X\\x07"]
