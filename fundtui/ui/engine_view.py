"""The engine's state as the app's screens (and the tests) read it: properties only.

The app runs an :class:`~fundtui.engine.engine.Engine`; these read through to it,
so the screens ask the app for the statuses, the rows or the recorder without
knowing where the engine keeps them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fundtui.core.board import BoardRow
from fundtui.core.quote import Quote
from fundtui.core.status import VenueStatus
from fundtui.core.trend import SpreadTrend
from fundtui.engine.engine import Engine
from fundtui.engine.poller import VenuePoller
from fundtui.feeds.source import QuoteSource

if TYPE_CHECKING:  # loaded after the first frame
    from fundtui.engine.recorder import Recorder
    from fundtui.engine.sector_feed import SectorFeed


class EngineView:
    engine: Engine
    _shown_rebuilds: int  # engine rebuilds the board has drawn

    @property
    def venues(self) -> list[str]:
        return self.engine.venues

    @property
    def refresh_s(self) -> float:
        return self.engine.refresh_s

    @property
    def statuses(self) -> dict[str, VenueStatus]:
        return self.engine.market.statuses

    @property
    def quotes(self) -> dict[str, tuple[Quote, ...]]:
        return self.engine.market.quotes

    @property
    def rows(self) -> dict[str, BoardRow]:
        return self.engine.market.rows

    @rows.setter
    def rows(self, rows: dict[str, BoardRow]) -> None:  # benchmarks/refresh.py sets them
        self.engine.market.rows = rows

    @property
    def trend(self) -> SpreadTrend:
        return self.engine.market.trend

    @property
    def velocity(self) -> dict[str, float | None]:
        return self.engine.market.velocity

    @velocity.setter
    def velocity(self, velocity: dict[str, float | None]) -> None:
        self.engine.market.velocity = velocity

    def _decorated(self) -> dict[str, BoardRow]:
        """The rows with their trend line and velocity (as the engine hands them over)."""
        return self.engine.market.decorated()

    @property
    def sources(self) -> list[QuoteSource]:
        return self.engine.sources

    @property
    def pollers(self) -> dict[str, VenuePoller]:
        return self.engine.pollers

    @property
    def recorder(self) -> Recorder | None:
        return self.engine.recorder

    @property
    def evaluations_sent(self) -> int:
        return self.engine.evaluations_sent

    @property
    def _settled(self) -> bool:
        return self.engine.settled

    @property
    def _rebuild_pending(self) -> bool:
        """A rebuild is gathering answers, or the board has not drawn the last one."""
        return self.engine.rebuild_pending or self._shown_rebuilds < self.engine.rebuilds

    @property
    def sectors(self) -> SectorFeed:
        return self.engine.sectors

    @sectors.setter
    def sectors(self, feed: SectorFeed) -> None:
        self.engine.sectors = feed

    @property
    def _history_held(self) -> bool:
        """The writer waits for the board's first data (HistoryThread.hold)."""
        return self.engine.writer is not None and self.engine.writer.held

    def _let_history_start(self) -> None:
        """The board shows data, or every venue answered or failed: the writer may
        open the files and warm the rules up."""
        if self.engine.writer is not None:
            self.engine.writer.release()

    def poll_now(self) -> list[str]:
        """Wake every poller now; returns the venues held back by a rate-limit wait."""
        return self.engine.poll_now()
