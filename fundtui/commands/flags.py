"""Command-line values shared by the headless commands, checked before anything runs.

A flag is typed by hand or by a unit file; a bad one is one usage line (exit 2),
never a value the engine would take as it is.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from collections.abc import Sequence
from typing import Any

from fundtui.config import (
    MAX_REFRESH_S,
    MIN_REFRESH_S,
    Config,
    is_known_venue,
    shown_id,
    unknown_venue_hint,
)
from fundtui.core.text import one_line


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
    """``--refresh SECONDS``: ASCII decimal notation within the bounds of the
    config's ``refresh_seconds``."""
    from fundtui.core.numbers import parse_decimal  # not before the board's first frame

    try:
        value = parse_decimal(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not MIN_REFRESH_S <= value <= MAX_REFRESH_S:
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds between {MIN_REFRESH_S:g} and {MAX_REFRESH_S:g}, "
            f"got {shown_id(text)!r}"
        )
    return value


#: A theme name or path is typed by hand; anything longer is not one.
MAX_THEME_CHARS = 1024


def theme_choice(text: str) -> str:
    """``--theme NAME|PATH``: one printable line; which theme it names (and whether
    it exists) is the theme loader's question, asked when the board starts."""
    if not text.strip() or len(text) > MAX_THEME_CHARS or one_line(text, MAX_THEME_CHARS) != text:
        raise argparse.ArgumentTypeError(
            f"expected a theme name or a theme file's path, got {shown_id(text)!r}"
        )
    return text


def has_theme_setting() -> bool:
    """Whether this build's config has a ``theme`` setting for ``--theme`` to set."""
    return "theme" in {f.name for f in dataclasses.fields(Config)}


REFRESH_HELP = "seconds between polls of each venue (default: the config's refresh_seconds)"
THEME_HELP = "a shipped theme by name, or a theme file (default: the config's theme)"


def add_exchanges(p: Any, help: str, dest: str | None = None) -> None:
    """``--exchanges A,B`` on a parser or argument group (``help`` says what the
    command does with them); ``dest`` when the value must not clash."""
    p.add_argument("--exchanges", type=exchange_list, metavar="A,B", help=help, **_dest(dest))


def add_refresh(p: Any, dest: str | None = None) -> None:
    """``--refresh SECONDS``, read by ``refresh_seconds``."""
    p.add_argument(
        "--refresh", type=refresh_seconds, metavar="SECONDS", help=REFRESH_HELP, **_dest(dest)
    )


def add_theme(p: Any, dest: str | None = None) -> None:
    """``--theme NAME|PATH``, read by ``theme_choice``."""
    p.add_argument(
        "--theme", type=theme_choice, metavar="NAME|PATH", help=THEME_HELP, **_dest(dest)
    )


def _dest(dest: str | None) -> dict[str, str]:
    return {} if dest is None else {"dest": dest}


def override(
    config: Config,
    exchanges: Sequence[str] | None = None,
    refresh_s: float | None = None,
    theme: str | None = None,
) -> Config:
    """The config with the command line's ``--exchanges``, ``--refresh`` and
    ``--theme`` applied for this run (the file is not changed): the venues named
    are polled even when the config disables them."""
    if exchanges:
        venues = dict(config.venues)
        for n in exchanges:
            venues[n] = dataclasses.replace(config.venue(n), enabled=True)
        config = dataclasses.replace(config, exchanges=tuple(exchanges), venues=venues)
    if refresh_s is not None:
        config = dataclasses.replace(config, refresh_seconds=refresh_s)
    if theme is not None:
        config = dataclasses.replace(config, theme=theme)
    return config
