"""Which exchange ids the config and the flags accept: the supported venues and ccxt's ids."""

from __future__ import annotations

import functools
import importlib.util
import os
import re
from pathlib import Path

from fundtui.config.model import SUPPORTED_VENUES

_VENUE_ID = re.compile(r"[a-z0-9]+")

#: Longer than any exchange id ccxt ships (the longest is 15 characters).
MAX_VENUE_ID_CHARS = 40


@functools.cache
def _ccxt_exchange_ids() -> frozenset[str]:
    """The exchange ids ccxt ships an async client for (``ccxt.exchanges``), read
    from the names in its async_support folder: importing ccxt takes ~0.5 s, and
    the folder is listed once rather than probed with a name from outside (a
    300-character id made ``is_file`` raise OSError: file name too long)."""
    try:
        spec = importlib.util.find_spec("ccxt")
    except (ImportError, ValueError):
        return frozenset()
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    folder = Path(next(iter(spec.submodule_search_locations))) / "async_support"
    try:
        names = os.listdir(folder)
    except OSError:
        return frozenset()
    return frozenset(n[:-3] for n in names if n.endswith(".py") and _VENUE_ID.fullmatch(n[:-3]))


def is_known_venue(name: object) -> bool:
    """A venue fundtui supports, or any other exchange id ccxt ships an async client for.

    Checked against the list of ids only (ASCII lowercase letters and digits, at
    most ``MAX_VENUE_ID_CHARS``): a name from a flag or the config never becomes
    part of a path before it is known to be one of them."""
    if not isinstance(name, str):
        return False
    if name in SUPPORTED_VENUES:
        return True
    if len(name) > MAX_VENUE_ID_CHARS or not _VENUE_ID.fullmatch(name):
        return False
    return name in _ccxt_exchange_ids()


def shown_id(name: str) -> str:
    """An exchange id from outside, cut short for a message (quote it there)."""
    return name if len(name) <= MAX_VENUE_ID_CHARS else name[:MAX_VENUE_ID_CHARS] + "…"


def unknown_venue_hint() -> str:
    return f"use one of {', '.join(SUPPORTED_VENUES)} or another ccxt exchange id"
