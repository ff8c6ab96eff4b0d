"""The engine's events as Textual messages: one thin wrapper, posted from any thread.

The engine (``fundtui.engine``) emits plain events from the event loop and from
its writer thread; ``App.post_message`` is thread-safe, so each is wrapped in an
:class:`EngineEvent` and handled in the app's message queue, in order.
Screens ask the app for things with the other messages here, instead of
reaching into the app or the board's screen.
"""

from __future__ import annotations

from textual.message import Message

from fundtui.engine.events import Event


class EngineEvent(Message):
    """One event of the engine (``fundtui.engine.events``)."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event


class DrillInto(Message):
    """Show the board filtered to ``sector``'s bases (Enter on the sector board)."""

    def __init__(self, sector: str) -> None:
        super().__init__()
        self.sector = sector


class OpenSectors(Message):
    """Open the sector board (``t``, the command palette, Esc on a drilled-in board)."""


class OpenDetail(Message):
    """Open the detail view of ``base`` (Enter on the board or on a signal)."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base


class OpenCalculator(Message):
    """Open the calculator (``carry=False``) or the carry view on the selected row."""

    def __init__(self, carry: bool = False) -> None:
        super().__init__()
        self.carry = carry
