"""Which screen opens for what: the app's answers to the screens' messages and
to its own screen keys (help, signals, sectors), the detail view, the calculators
and the command palette's entries.

A mixin of :class:`~fundtui.ui.app.FundApp`: screens post a message
(``ui/messages.py``) and never reach into another screen; the routes read the
board's selection and the engine's state through the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fundtui.ui.messages import DrillInto, OpenCalculator, OpenDetail, OpenSectors
from fundtui.ui.status import status_detail

if TYPE_CHECKING:
    from fundtui.ui.app import FundApp

    _Base = FundApp
else:
    _Base = object


class ScreenRoutes(_Base):
    def open_detail(self, base: str) -> None:
        """The detail view of ``base`` (Enter on the board or on a signal)."""
        row = self.rows.get(base)
        if row is None:
            self.notify(f"{base} is not on the board right now", timeout=3)
            return
        from fundtui.ui.detail import DetailScreen  # plotext: loaded on first use

        store = self.recorder.store if self.recorder is not None else None
        if store is None and self.engine.attachment is not None:  # attached: the poller's
            store = self.engine.attachment.history_store()
        self.push_screen(
            DetailScreen(
                row,
                store,
                {s.name: s for s in self.sources},
                list(self.signals),
                self.clock(),
                self.board.palette,
            )
        )

    def action_help(self) -> None:
        """Help for the screen on top: its keys as bound right now, the board's columns."""
        from fundtui.ui.help import SCREEN_TITLES, HelpScreen, screen_keys

        screen = self.screen
        if isinstance(screen, HelpScreen):
            screen.dismiss()
            return
        name = type(screen).__name__
        now = self.clock()
        self.push_screen(
            HelpScreen(
                screen_keys(screen.active_bindings, name),
                SCREEN_TITLES.get(name, "this screen"),
                [(v, status_detail(st, now, self.refresh_s)) for v, st in self.statuses.items()],
                self.config.net_horizon_hours,
            )
        )

    def action_signals(self) -> None:
        from fundtui.ui.signals_screen import SignalsScreen

        if isinstance(self.screen, SignalsScreen):
            self.pop_screen()
            return
        self.push_screen(SignalsScreen(list(self.signals), self.board.palette))

    def action_sectors(self) -> None:
        # at once, not through the queue: a key typed right after t is for the sector
        # board, and would otherwise still find the board on top
        self.on_open_sectors(OpenSectors())

    def on_open_sectors(self, _message: OpenSectors) -> None:
        """The sector board; from a drilled-in board, its filter is dropped first."""
        from fundtui.ui.sectors import SectorScreen

        if self.board.base_filter is not None:
            self.board.set_base_filter(None)
        self.push_screen(SectorScreen(self.sectors, self.board.palette))

    def on_drill_into(self, message: DrillInto) -> None:
        """Back to the board, showing only the sector's bases."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.board.set_base_filter(self.sectors.sector_map.bases_of(message.sector), message.sector)
        self.board.focus()

    def on_open_detail(self, message: OpenDetail) -> None:
        self.open_detail(message.base)

    def on_open_calculator(self, message: OpenCalculator) -> None:
        """The calculator or the carry view on the board's selected row."""
        from fundtui.ui import calculator

        base = self.board.selected_base
        row = self.board.board_rows.get(base) if base is not None else None
        if not message.carry:
            self.push_screen(calculator.calculator_screen(row, self.config, self.demo))
            return
        screen = calculator.carry_screen(row, self.config)
        if isinstance(screen, str):
            self.notify(screen, timeout=3)
        else:
            self.push_screen(screen)

    def action_board(self) -> None:
        """Back to the board from whatever screen is on top (the palette's "Board")."""
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def get_system_commands(self, screen):  # noqa: ANN001, ANN201
        from fundtui.ui.palette import actions

        yield from super().get_system_commands(screen)
        yield from actions(self, screen)
