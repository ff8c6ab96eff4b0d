"""Hostile names on every screen: markup, links, actions, escapes and hidden characters.

A venue names its own perps, and a reason can quote its response body; a sector
map or the signals log is a file anyone could have written. None of it may crash
the app, style or hide itself, open a link or run an action: each shows literally,
hidden characters spelled out (``core.text.visible``), and rows are found by key.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from fundtui.config import Config, VenueConfig
from fundtui.core.board import build_board
from fundtui.core.sectors import SectorMap
from fundtui.core.signal_types import Hit
from fundtui.core.text import is_hidden, visible
from fundtui.engine.events import SignalsEvaluated
from fundtui.feeds.registry import make_sources
from fundtui.ui.app import FundApp
from fundtui.ui.calculator import CalculatorScreen, CarryScreen
from fundtui.ui.columns import Ctx, board_columns, sort_order
from fundtui.ui.detail import DetailScreen
from fundtui.ui.format import DEFAULT_PALETTE, Unit
from fundtui.ui.help import HelpScreen
from fundtui.ui.messages import EngineEvent
from fundtui.ui.sectors import SectorFeed, SectorScreen
from fundtui.ui.signals_screen import SignalsScreen
from tests.fakesource import T0, FakeSource, FrozenClock, fail, quote
from tests.uihelp import REFRESH_S, until

pytest_plugins = ("tests.fakevenue.fixtures",)

#: The okx instId that ended the app with KeyError: Rich drops the BEL from the cell.
OKX_BEL = "\x1b]0;PWNED\x07T"

HOSTILE = (
    "[bold red]X[/]",  # renders styled as markup
    "[/]",  # MarkupError as markup
    "[link=https://evil.example]CLICK[/link]",  # MarkupError, or a link
    "[@click=app.quit]x[/]",  # a clickable action
    OKX_BEL,  # OSC title set, BEL (stripped by Rich)
    "\x1b[2J",  # clear screen
    "A\rB",
    "A\bB",
    "A\vB",
    "A\fB",  # stripped by Rich: would read back as "AB"
    "AB",  # ... which is a name too
    "\x9b31m",  # C1 CSI
    "\u202eRTL",  # bidi override
    "ZW\u200bJ",  # zero-width space
    "BEL\x07",
)


# --- what is on screen ------------------------------------------------------------


def segments(app: FundApp) -> list:
    return [seg for strip in app.screen._compositor.render_strips() for seg in strip]


def screen_text(app: FundApp) -> str:
    return "\n".join(
        "".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()
    )


def assert_inert(app: FundApp) -> None:
    """Nothing on screen is a hidden character, a link or an action from outside."""
    segs = segments(app)
    hidden = {ch for seg in segs for ch in seg.text if is_hidden(ch)}
    assert not hidden, f"hidden characters reach the terminal: {hidden}"
    for seg in segs:
        style = seg.style
        if style is None:
            continue
        assert "evil.example" not in (style.link or "")
        assert "@click" not in (style.meta or {}), style.meta


def shown(widget: Static) -> str:
    return str(widget.render())


def toasts(app: FundApp) -> list:
    """The notifications raised and not yet expired."""
    return list(app._notifications)


def toast_texts(app: FundApp) -> list[str]:
    """What the toasts on screen show (a toast renders its title, then its message)."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]


# --- the okx BEL crash, on the fake venue --------------------------------------------


def list_on_okx(okx, names: dict[str, float]) -> dict[str, dict]:
    """Add perps named ``names`` to the fake okx (USDT-margined swaps, as its own
    payloads spell them); returns each one's funding-rate entry, to edit between polls."""
    instruments, rates = okx.payload("instruments_swap"), okx.payload("funding_rate_any")
    template = next(i for i in instruments["data"] if i["instId"] == "ETH-USDT-SWAP")
    rate_template = next(r for r in rates["data"] if r["instId"] == "ETH-USDT-SWAP")
    entries = {}
    for name, rate in names.items():
        inst_id = f"{name}-USDT-SWAP"
        instruments["data"].append(
            template
            | {
                "instId": inst_id,
                "ctValCcy": name,
                "uly": f"{name}-USDT",
                "instFamily": f"{name}-USDT",
            }
        )
        entries[name] = rate_template | {"instId": inst_id, "fundingRate": str(rate)}
        rates["data"].append(entries[name])
    return entries


@pytest.fixture
def quick_ccxt_close(monkeypatch):
    from ccxt.async_support.base.exchange import Exchange

    monkeypatch.setattr(Exchange, "timeout_on_exit", 0)


async def test_okx_bel_symbol_keeps_the_board_running_through_reordering_refreshes(
    fakes, quick_ccxt_close
):
    okx = fakes["okx"]
    # ccxt upper-cases okx bases; every hostile name is listed, the BEL one as it came
    entries = list_on_okx(okx, {name: 0.0001 * i for i, name in enumerate(HOSTILE)})
    config = Config(
        refresh_seconds=5, exchanges=("okx",), venues={"okx": VenueConfig("okx", api_base=okx.url)}
    )
    app = FundApp(
        config,
        lambda: make_sources(config.active_venues(), timeout_s=2.0),
        history=False,
        gather_s=0.02,
    )
    async with app.run_test(size=(120, 32), notifications=True) as pilot:
        await until(pilot, lambda: OKX_BEL in app.rows, 30)
        board = app.board
        board.sort_by("v:okx")  # by okx's rate, highest first
        await pilot.pause()
        ranking = []
        for step in range(4):  # each refresh moves the BEL row to the other end
            entries[OKX_BEL]["fundingRate"] = "0.01" if step % 2 == 0 else "-0.01"
            app.poll_now()
            await until(
                pilot,
                lambda: (
                    not app._rebuild_pending
                    and app.rows[OKX_BEL].quotes["okx"].funding_rate
                    == float(entries[OKX_BEL]["fundingRate"])
                ),
                10,
            )
            await pilot.pause()
            assert app.is_running
            keys = [row.key.value for row in board.ordered_rows]
            ranking.append(keys.index(OKX_BEL))
            rated = sorted(
                (r for r in app.rows.values() if r.quotes["okx"].rate_8h is not None),
                key=lambda r: (-r.quotes["okx"].rate_8h, r.base),
            )
            assert keys[: len(rated)] == [r.base for r in rated]
        assert ranking == [0, len(rated) - 1] * 2
        for _ in range(len(board.specs) + 1):  # every sort column, and around
            await pilot.press("s")
        await pilot.press("r")
        assert app.is_running
        assert board.get_cell(OKX_BEL, "base").plain == "  \\x1b]0;PWNED\\x07T"
        assert app.board.row_count == len(app.rows)
        assert_inert(app)


# --- every screen, on scriptable sources -----------------------------------------------
# ccxt upper-cases bases, so the lower-case markup is listed here by a fake source.


def hostile_market(clock: FrozenClock) -> dict[str, FakeSource]:
    binance = [quote("binance", "BTC", 0.0001, mark=100.0, index=100.0)]
    okx = [quote("okx", "BTC", 0.0002, mark=100.0)]
    for i, name in enumerate(HOSTILE):
        binance.append(quote("binance", name, 0.0001 * i, mark=2.0, index=2.0))
        okx.append(quote("okx", name, -0.0001 * i + 0.0003, mark=2.0))
    return {
        "binance": FakeSource("binance", binance, clock),
        "okx": FakeSource("okx", okx, clock),
        "gate": FakeSource("gate", [quote("gate", "BTC", 0.0)], clock),
    }


def hostile_app(clock: FrozenClock, sources: dict[str, FakeSource], tmp_path) -> FundApp:
    config = Config(exchanges=tuple(sources), refresh_seconds=REFRESH_S)
    app = FundApp(
        config,
        lambda: list(sources.values()),
        clock=clock,
        gather_s=0.02,
        watchlist_path=tmp_path / "watchlist.json",
        history=False,
    )
    sectors = {name: (name, "BTC") for name in HOSTILE[:6]} | {"A\rB": ("AB",), "AB": ("A\rB",)}
    app.sectors = SectorFeed(sector_map=SectorMap(sectors, "2026-01-01\x1b[2J", "test"))
    return app


async def poll(pilot, sources: dict[str, FakeSource]) -> None:
    app = pilot.app
    before = {n: s.polls for n, s in sources.items()}
    app.poll_now()
    await until(pilot, lambda: all(s.polls > before[n] for n, s in sources.items()))
    await until(pilot, lambda: not app._rebuild_pending)
    await pilot.pause()


def on_row(app: FundApp, base: str) -> None:
    app.board.move_cursor(row=app.board.get_row_index(base), animate=False)


async def test_board_sorting_filtering_and_reordering_refreshes_over_hostile_names(tmp_path):
    clock = FrozenClock()
    sources = hostile_market(clock)
    app = hostile_app(clock, sources, tmp_path)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await until(pilot, lambda: app.board.row_count == len(HOSTILE) + 1)
        board = app.board
        for name in HOSTILE:
            assert board.get_cell(name, "base").plain == "  " + visible(name)
        assert board.get_cell("A\rB", "base").plain == "  A\\x0dB"  # not "AB"
        for _ in range(len(board.specs) + 1):
            await pilot.press("s")
            assert board.selected_base in app.rows
        await pilot.press("r", "u")
        for flip in (1, -1, 1):  # the rates swap ends: every row changes place
            sources["okx"].quotes[1:] = [
                quote("okx", name, flip * 0.0001 * i, mark=2.0) for i, name in enumerate(HOSTILE)
            ]
            await poll(pilot, sources)
            ctx = Ctx(board.unit, board.palette, app.clock(), board.watched, board.stale)
            spec = {s.key: s for s in board_columns(app.venues)}[board.sort_key]
            expected = sort_order(list(board.board_rows.values()), spec, board.sort_desc, ctx)
            assert [row.key.value for row in board.ordered_rows] == expected
        # the filter matches the name as shown: the BEL is typed as its spelling
        await pilot.press("slash", *"pwned", "enter")
        assert [row.key.value for row in board.ordered_rows] == [OKX_BEL]
        app.main("#filter", Input).value = "\\x07"
        await pilot.pause()
        assert sorted(row.key.value for row in board.ordered_rows) == sorted([OKX_BEL, "BEL\x07"])
        app.main("#filter", Input).value = "[/"
        await pilot.pause()
        assert len(board.ordered_rows) == 4  # the four markup names
        assert "filter “[/”" in shown(app.main("#view-info", Static))
        await pilot.press("escape")
        assert board.row_count == len(HOSTILE) + 1
        assert_inert(app)
        assert app.is_running


async def test_watch_detail_signals_and_their_toasts_show_hostile_text_literally(tmp_path):
    clock = FrozenClock()
    sources = hostile_market(clock)
    app = hostile_app(clock, sources, tmp_path)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await until(pilot, lambda: app.board.row_count == len(HOSTILE) + 1)
        await pilot.pause()
        for name in HOSTILE:  # w on each row: a toast naming it, literally
            on_row(app, name)
            await pilot.press("w")
            await pilot.pause()
            [toast] = [n for n in toasts(app) if n.message == f"★ Watching {visible(name)}"]
            assert toast.markup is False
            await until(pilot, lambda want=[toast.message]: toast_texts(app) == want)
            assert app.board.get_cell(name, "base").plain == "★ " + visible(name)
            assert_inert(app)
            app.clear_notifications()
        assert app.watchlist.bases == set(HOSTILE)  # the names themselves, not as shown
        app.clear_notifications()

        # a signal on a hostile base whose explanation quotes markup and escapes
        why = "[link=https://evil.example]CLICK[/link] [@click=app.quit]x[/] \x1b[2J [/]"
        hits = [
            Hit(T0, "spread", name, ("binance", "okx"), 0.001, 0.0005, f"{why} {name}")
            for name in (OKX_BEL, "[/]")
        ]
        app.post_message(EngineEvent(SignalsEvaluated(tuple(hits[:1]))))
        await until(pilot, lambda: len(app.signals) == 1)
        await until(pilot, lambda: bool(toasts(app)))  # gathered for a moment, then shown
        [toast] = toasts(app)
        assert toast.title == f"Signal · spread · {visible(OKX_BEL)}"
        assert toast.message == visible(f"{why} {OKX_BEL}") and toast.markup is False
        await until(pilot, lambda: bool(toast_texts(app)))
        assert toast_texts(app) == [f"Signal · spread · {visible(OKX_BEL)}\n{toast.message}"]
        assert_inert(app)
        app.clear_notifications()
        app.post_message(EngineEvent(SignalsEvaluated(tuple(hits[1:]))))
        await until(pilot, lambda: len(app.signals) == 2)

        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, SignalsScreen))
        await pilot.pause()
        table = app.screen.table
        cells = {  # the explanation wraps to the screen (its line breaks are the screen's)
            table.get_cell(key, "base").plain: table.get_cell(key, "why").plain.replace("\n", " ")
            for key in ("0", "1")
        }
        assert cells == {
            visible(OKX_BEL): visible(hits[0].explanation),
            "[/]": visible(hits[1].explanation),
        }
        assert_inert(app)
        await pilot.press("enter")  # the newest hit's detail: found by the hit, not the cell
        await until(pilot, lambda: isinstance(app.screen, DetailScreen))
        assert app.screen.base == "[/]"
        await until(pilot, lambda: app.screen.loaded.is_set())
        await pilot.press("escape", "escape")
        await until(pilot, lambda: len(app.screen_stack) == 1)

        on_row(app, OKX_BEL)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen))
        detail = app.screen
        await until(pilot, lambda: detail.loaded.is_set())
        await pilot.pause()
        titles = [shown(s) for s in detail.query(".box-title")]
        assert f"Signals for {visible(OKX_BEL)}" in titles
        assert shown(detail.query_one("#detail-head", Static)).startswith(visible(OKX_BEL))
        assert detail.query_one("#base-signals").get_cell("0", "why").plain == visible(
            hits[0].explanation
        )
        assert_inert(app)
        await pilot.press("escape")
        await until(pilot, lambda: len(app.screen_stack) == 1)
        assert app.is_running


async def test_sector_board_calculators_help_and_venue_reasons_over_hostile_text(tmp_path):
    clock = FrozenClock()
    sources = hostile_market(clock)
    app = hostile_app(clock, sources, tmp_path)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await until(pilot, lambda: app.board.row_count == len(HOSTILE) + 1)
        await pilot.pause()

        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, SectorScreen))
        await pilot.pause()
        screen = app.screen
        for _ in range(4):  # sort by several columns, and back
            await pilot.press("s")
            await pilot.press("r")
        assert sorted(screen.table.order()) == sorted([*HOSTILE[:6], "A\rB", "AB"])
        assert screen.table.get_cell("A\rB", "sector").plain.rstrip() == "A\\x0dB"
        assert screen.table.get_cell("[/]", "sector").plain.rstrip() == "[/]"
        assert "map 2026-01-01\\x1b[2J" in shown(screen.query_one("#sector-head", Static))
        screen.table.move_cursor(row=screen.table.get_row_index(OKX_BEL), animate=False)
        await pilot.pause()
        assert shown(screen.query_one("#sector-detail", Static)).startswith(visible(OKX_BEL))
        assert_inert(app)
        await pilot.press("enter")  # drill into the sector: the board shows its bases
        await until(pilot, lambda: len(app.screen_stack) == 1)
        assert sorted(r.key.value for r in app.board.ordered_rows) == sorted([OKX_BEL, "BTC"])
        assert f"sector {visible(OKX_BEL)}" in shown(app.main("#view-info", Static))
        assert_inert(app)
        await pilot.press("escape")  # back to the sectors, then to the full board
        await until(pilot, lambda: isinstance(app.screen, SectorScreen))
        await pilot.press("escape")
        await until(pilot, lambda: len(app.screen_stack) == 1)

        on_row(app, "[@click=app.quit]x[/]")
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CalculatorScreen))
        calc = app.screen
        assert calc.value("symbol") == "[@click=app.quit]x[/]"
        assert calc.errors["symbol"] == "a coin like BTC"
        calc.set_value("symbol", "[link=https://evil.example]CLICK[/link]\x1b[2J")
        await pilot.pause()
        assert_inert(app)
        await pilot.press("escape")
        on_row(app, OKX_BEL)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CalculatorScreen))
        assert app.screen.value("symbol") == visible(OKX_BEL)
        await pilot.press("escape")

        await pilot.press("C")  # the carry calculator names the row's base
        await until(pilot, lambda: isinstance(app.screen, CarryScreen))
        carry = app.screen
        assert (
            shown(carry.query_one(".form-title", Static))
            == f"Carry calculator · {visible(OKX_BEL)}"
        )
        assert carry.results_text.startswith(f"{visible(OKX_BEL)} long ")
        carry.set_value("long_venue", "[/]\x07")  # not a venue: refused, shown inert
        await pilot.pause()
        assert carry.results_text.startswith("Fix the marked fields")
        assert "long_venue" in carry.errors
        assert_inert(app)
        await pilot.press("escape")

        # a venue's reason quoting its answer: badge, tooltip, toast and help screen
        reason = "HTTP 400 [/] [link=https://evil.example]CLICK[/link] \x1b[2J[@click=app.quit]x[/]"
        fail(sources["gate"], reason)
        clock.advance(REFRESH_S * 5)
        app.poll_now()
        await until(pilot, lambda: app.statuses["gate"].error is not None)
        app.tick()
        await until(pilot, lambda: any("gate is" in n.message for n in toasts(app)))
        badge = app.main("#venues").badge("gate")
        assert visible(reason) in shown(badge)
        assert str(badge.tooltip) == visible(app.statuses["gate"].error)
        [toast] = [n for n in toasts(app) if "gate is" in n.message]
        assert visible(reason) in toast.message and toast.markup is False
        await until(pilot, lambda: toast.message in toast_texts(app))
        assert_inert(app)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        assert "CLICK[/link]" in screen_text(app)
        assert_inert(app)
        await pilot.press("escape")
        await until(pilot, lambda: len(app.screen_stack) == 1)
        assert app.is_running


def test_sort_order_is_by_base_key_whatever_a_cell_shows():
    """Names Rich would render alike ("A\\rB" and "AB") keep their own rows and order."""
    rows = build_board(
        {"okx": tuple(quote("okx", name, 0.0001 * i) for i, name in enumerate(HOSTILE))}, ["okx"]
    )
    spec = {s.key: s for s in board_columns(["okx"])}["v:okx"]
    ctx = Ctx(Unit.H8, DEFAULT_PALETTE, T0, frozenset())
    assert sort_order(list(rows.values()), spec, True, ctx) == list(reversed(HOSTILE))
