"""The sector feed: the engine's sector state, fed each rebuild's board rows.

:class:`SectorFeed` lives as long as the engine: it aggregates the rows
(``fundtui.core.rotation``), remembers each sector's weighted APR for velocity
and the sparkline, and returns the state-change hits. It also keeps the sector
board's sort and the selected sector, so the screen, pushed afresh each time,
comes back where it was left.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fundtui.config import Config
from fundtui.core.board import BoardRow
from fundtui.core.normalize import apr
from fundtui.core.rotation import (
    HOUR_MS,
    RotationParams,
    SectorBoardModel,
    SectorHistory,
    SectorStats,
    StoredQuote,
)
from fundtui.core.sectors import SectorMap
from fundtui.core.signal_types import Hit


class SectorFeed:
    """The engine's sector state: map, rolling history, tracker, and the screen's view."""

    def __init__(self, config: Config | None = None, sector_map: SectorMap | None = None) -> None:
        self.warning: str | None = None
        if sector_map is None:
            from fundtui.store import sector_store

            try:
                sector_map, self.warning = sector_store.load(
                    config.sectors if config is not None else None
                )
            except (OSError, ValueError) as e:  # a broken install: no board, not a crash
                sector_map, self.warning = SectorMap({}), f"no sector map: {e}"
        params, history = RotationParams(), SectorHistory()
        if config is not None:  # "extreme" as the signal rules define it, as an APR
            params = RotationParams(extreme_apr=apr(config.signals.extreme_8h, 8.0))
            # a sparkline bar per 5 minutes (the last one live), or per refresh if slower
            history = SectorHistory(point_every_s=max(300.0, config.refresh_seconds / 2))
        self.model = SectorBoardModel(sector_map, params, history)
        self.rows: Mapping[str, BoardRow] = {}
        self.sort_key = "apr"
        self.sort_desc = True
        self.selected: str | None = None

    def warm_up(self, samples: Sequence[StoredQuote], until_ms: int) -> int:
        """Start the sector history afresh from stored samples (the 1/8/24 h-ago
        baselines), so velocity does not wait hours after a restart. The few live
        points taken before the store answered are dropped: history only grows
        forward in time. Returns the stored moments replayed."""
        h = self.model.history
        self.model.history = SectorHistory(
            snapshot_every_s=h.step_ms / 1000,
            keep_h=h.keep_ms / HOUR_MS,
            points=h.points,
            point_every_s=h.point_ms / 1000,
        )
        return self.model.warm_up(samples, until_ms)

    @property
    def sector_map(self) -> SectorMap:
        return self.model.sector_map

    @property
    def stats(self) -> Mapping[str, SectorStats]:
        return self.model.stats

    def update(self, rows: Mapping[str, BoardRow], now_ms: int) -> list[Hit]:
        """Aggregate one rebuild's rows; the hits are sectors entering a rotation state."""
        self.rows = rows
        return self.model.update(rows, now_ms)

    def series(self, sector: str) -> list[float]:
        return self.model.history.series(sector)
