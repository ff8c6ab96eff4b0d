"""Funding history: every refresh's quotes in an embedded SQLite file, with bounded retention.

The package holds one idea per module:

- ``store``: ``HistoryStore``, opening, recording a refresh, reading samples back;
- ``compaction``: packing raw rows into blocks, merging closed hours, retention;
- ``settlements``: the cache of settled funding fetched from the venues;
- ``codec``: the packed block format (exact, column by column);
- ``schema``: ``Sample``, the tables and their time spans, the migrations;
- ``sqlite_file``: the file's path, its WAL bounds, refusing or moving aside
  what is not a database;
- ``errors``: ``HistoryError`` and ``HistoryVersionError``.

Every name importers use is re-exported here, so ``fundtui.store.history`` reads
as the one module it was.
"""

from fundtui.store.history.codec import (
    _LZMA_TAG,
    OI_DIGITS,
    _oi_digits,
    _pack,
    _unpack,
)
from fundtui.store.history.compaction import _reduce
from fundtui.store.history.errors import HistoryError, HistoryVersionError
from fundtui.store.history.schema import (
    COMPACT_EVERY_MS,
    DAY_MS,
    DEFAULT_INTERVAL_HOURS,
    HOUR_MS,
    MIGRATIONS,
    RAW_RETENTION_MS,
    SCHEMA_VERSION,
    SIX_HOURS_MS,
    WEEK_MS,
    Row,
    Sample,
)
from fundtui.store.history.sqlite_file import (
    BUSY_TIMEOUT_S,
    FILE_NAME,
    PAGE_SIZE,
    WAL_CHECKPOINT_BYTES,
    WAL_SIZE_LIMIT_BYTES,
    default_path,
)
from fundtui.store.history.store import HistoryStore

__all__ = [
    "BUSY_TIMEOUT_S",
    "COMPACT_EVERY_MS",
    "DAY_MS",
    "DEFAULT_INTERVAL_HOURS",
    "FILE_NAME",
    "HOUR_MS",
    "MIGRATIONS",
    "OI_DIGITS",
    "PAGE_SIZE",
    "RAW_RETENTION_MS",
    "SCHEMA_VERSION",
    "SIX_HOURS_MS",
    "WAL_CHECKPOINT_BYTES",
    "WAL_SIZE_LIMIT_BYTES",
    "WEEK_MS",
    "HistoryError",
    "HistoryStore",
    "HistoryVersionError",
    "Row",
    "Sample",
    "_LZMA_TAG",
    "_oi_digits",
    "_pack",
    "_reduce",
    "_unpack",
    "default_path",
]
