"""The errors the history store raises, and the two helpers that keep SQLite's inside them.

A SQLite failure after opening (disk full, damage found later, a closed store) is
raised as ``HistoryError``, so callers handle one exception type.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from fundtui.core.text import describe_exception

if TYPE_CHECKING:
    from fundtui.store.history.store import HistoryStore

T = TypeVar("T")


class HistoryError(Exception):
    """The history database cannot be used; the message is one line naming the file."""


class HistoryVersionError(HistoryError):
    """The history database was written by a newer fundtui (higher schema version)."""


def _rollback(db: sqlite3.Connection) -> None:
    """Roll back the open transaction, if any, without masking the error being handled."""
    try:
        if db.in_transaction:
            db.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Report SQLite failures (disk full, damage found later, closed store) as HistoryError."""

    @functools.wraps(method)
    def wrapper(self: HistoryStore, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise HistoryError(f"History database {self.path}: {describe_exception(exc)}") from exc

    return wrapper
