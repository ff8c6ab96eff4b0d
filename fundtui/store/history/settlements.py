"""The settlement cache: settled funding fetched from the venues, kept beside the samples.

``HistoryStore`` takes these methods from ``Settlements``; one table
(``settlement``, see ``schema``), written and read by market.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable

from fundtui.core.accrual import Settlement
from fundtui.store.history.errors import _guarded, _rollback


class Settlements:
    """Saving and reading cached settlements (a mixin: the store holds the connection)."""

    _db: sqlite3.Connection
    _lock: threading.Lock
    _ids: dict[tuple[str, str], int]

    _market_id: Callable[[str, str, str | None, str | None], int]

    @_guarded
    def save_settlements(self, venue: str, symbol: str, settlements: Iterable[Settlement]) -> int:
        """Cache settled funding (e.g. ccxt ``fetch_funding_rate_history``); returns rows written.

        A settlement already stored for the same time is replaced.
        """
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                mid = self._market_id(venue, symbol, None, None)
                rows = [
                    (mid, int(s.funding_time_ms), float(s.rate), s.interval_hours)
                    for s in settlements
                ]
                db.executemany("INSERT OR REPLACE INTO settlement VALUES (?,?,?,?)", rows)
                db.execute("COMMIT")
            except BaseException:
                _rollback(db)
                self._ids.clear()
                raise
        return len(rows)

    # ------------------------------------------------------------ reading

    @_guarded
    def settlements(self, venue: str, symbol: str, since_ms: int) -> list[Settlement]:
        """Cached settlements of one market at or after ``since_ms``, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT st.funding_time_ms, st.rate, st.interval_hours "
                "FROM market m JOIN settlement st ON st.market_id = m.id "
                "WHERE m.venue = ? AND m.symbol = ? AND st.funding_time_ms >= ? "
                "ORDER BY st.funding_time_ms",
                (venue, symbol, int(since_ms)),
            ).fetchall()
        return [Settlement(t, r, iv) for t, r, iv in rows]
