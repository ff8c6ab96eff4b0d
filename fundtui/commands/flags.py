"""Command-line values shared by the headless commands, checked before anything runs.

A flag is typed by hand or by a unit file; a bad one is one usage line (exit 2),
never a value the engine would take as it is.
"""

from __future__ import annotations

import argparse
import math

from fundtui.config import (
    MAX_REFRESH_S,
    MIN_REFRESH_S,
    is_known_venue,
    shown_id,
    unknown_venue_hint,
)


def exchange_list(text: str) -> list[str]:
    """``--exchanges a,b``: known venue ids, lower-cased, each once, in order."""
    names = [n.strip().lower() for n in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated exchange ids, got {shown_id(text)!r}"
        )
    for n in names:
        if not is_known_venue(n):
            raise argparse.ArgumentTypeError(
                f"unknown exchange {shown_id(n)!r}; {unknown_venue_hint()}"
            )
    return list(dict.fromkeys(names))


def refresh_seconds(text: str) -> float:
    """``--refresh SECONDS``: the bounds of the config's ``refresh_seconds``."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not MIN_REFRESH_S <= value <= MAX_REFRESH_S:
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds between {MIN_REFRESH_S:g} and {MAX_REFRESH_S:g}, "
            f"got {shown_id(text)!r}"
        )
    return value
