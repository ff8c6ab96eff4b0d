"""Shared helpers for the UI tests: a three-venue app on fake sources."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from fundtui.config import Config
from fundtui.ui.app import FundApp
from tests.fakesource import FakeSource, FrozenClock, quote

VENUES = ("binance", "okx", "gate")
REFRESH_S = 30.0


def market(clock: FrozenClock) -> dict[str, FakeSource]:
    """BTC: all three; ETH: binance on a 4 h interval; SOL: no okx; DOGE: okx only."""
    return {
        "binance": FakeSource(
            "binance",
            [
                quote("binance", "BTC", 0.0001, mark=100.1, index=100.0),
                quote("binance", "ETH", 0.00005, interval_h=4, next_in_ms=20 * 60_000),
                quote("binance", "SOL", -0.0002),
            ],
            clock,
        ),
        "okx": FakeSource(
            "okx",
            [
                quote("okx", "BTC", 0.00012),
                quote("okx", "ETH", 0.00035),
                quote("okx", "DOGE", 0.0001, interval_h=4),
            ],
            clock,
        ),
        "gate": FakeSource(
            "gate",
            [
                quote("gate", "BTC", -0.00001, interval_h=1),
                quote("gate", "SOL", 0.0001),
            ],
            clock,
        ),
    }


def make_app(
    sources: dict[str, FakeSource],
    clock: FrozenClock,
    watchlist_path: Path | None = None,
    demo: bool = False,
    gather_s: float = 0.02,
    history: bool = True,
    **config_fields: Any,
) -> FundApp:
    config = Config(exchanges=tuple(sources), refresh_seconds=REFRESH_S, **config_fields)
    return FundApp(
        config,
        lambda: list(sources.values()),
        demo=demo,
        clock=clock,
        watchlist_path=watchlist_path,
        gather_s=gather_s,
        history=history,
    )


async def until(pilot: Pilot, cond: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let the app run until ``cond()`` holds; fail the test if it never does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not cond():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.01)


async def loaded(pilot: Pilot, rows: int = 4) -> None:
    app = pilot.app
    await until(
        pilot,
        lambda: (
            app.board.row_count == rows
            and all(s.last_ok_ms is not None for s in app.statuses.values())
        ),
    )
    await pilot.pause()


async def poll_all(pilot: Pilot, sources: dict[str, FakeSource]) -> None:
    """Wake every poller and wait until each source was polled once more and shown."""
    before = {name: s.polls for name, s in sources.items()}
    pilot.app.poll_now()
    await until(pilot, lambda: all(s.polls > before[n] for n, s in sources.items()))
    await pilot.pause()
    await until(pilot, lambda: not pilot.app._rebuild_pending)
    await pilot.pause()


def order(app: FundApp) -> list[str]:
    return [row.key.value for row in app.board.ordered_rows]


def cell(app: FundApp, base: str, column: str) -> str:
    return app.board.get_cell(base, column).plain


def header_x(app: FundApp, column: str) -> int:
    """x offset (inside the table) of the middle of a column's header."""
    board = app.board
    x = 0
    for col in board.ordered_columns:
        width = col.get_render_width(board)
        if col.key == column:
            return x + width // 2
        x += width
    raise KeyError(column)


async def evaluated(pilot: Pilot, app: FundApp) -> None:
    """Wait until the signal engine has taken the board's latest rebuild."""
    await until(
        pilot,
        lambda: (
            app.recorder is not None
            and app.evaluations_sent > 0
            and app.evaluations_done == app.evaluations_sent
        ),
    )
