"""Themes: the ones fundtui ships, the user's, and the one chosen.

A theme is data, never code: a TOML (or JSON) table of colours, read with the
bounded readers of ``store.files`` and checked key by key. fundtui ships four in
``fundtui/themes/`` (dark, light, high contrast, colour-blind safe); the user's
live in ``<config dir>/themes/``. The board's colours come from the theme's
success / error / warning / accent, and the sign and the ``~`` of stale cells say
the same thing without colour, so no theme can change what a cell means.

The theme is ``--theme`` or ``[general] theme`` (a name or a file's path); without
either, the last one chosen in the command palette (kept in ``ui-state.json`` in
the data folder); without that, ``fundtui-dark``. A theme that cannot be used is
reported in one line and the default is used: the config folder is the user's,
so a bad file there is left as it is, never moved or rewritten.
"""

from __future__ import annotations

import json
import logging
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from textual.app import App
from textual.color import Color, ColorParseError
from textual.theme import Theme

from fundtui.core.text import describe_exception, one_line, visible
from fundtui.store import files
from fundtui.store.atomic import write_atomic
from fundtui.store.paths import config_dir, data_dir

log = logging.getLogger(__name__)

FUNDTUI_DARK = Theme(
    name="fundtui-dark",
    primary="#4C8DF6",
    secondary="#2F5FA8",
    accent="#F0A43A",
    warning="#F0A43A",
    error="#F0525B",  # negative funding: shorts pay longs
    success="#3FBF6F",  # positive funding: longs pay shorts
    foreground="#D6DCE4",
    background="#0E1116",
    surface="#151A21",
    panel="#1C232D",
    dark=True,
)
DEFAULT_THEME = FUNDTUI_DARK.name

#: The colours a theme file may set; ``primary`` is the one it must.
COLOUR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "warning",
    "error",
    "success",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
THEME_SUFFIXES = (".toml", ".json")
MAX_THEME_BYTES = 64 * 1024  # a theme is a dozen lines
MAX_USER_THEMES = 64  # a folder of thousands is read no further
#: A theme's name shows in the command palette: plain words only.
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,47}")
STATE_FILE = "ui-state.json"
STATE_VERSION = 1


class ThemeError(ValueError):
    """A theme file's content is not a theme; the message says why, in one line."""


def theme_from_data(data: Any, default_name: str) -> Theme:
    """The theme a parsed file describes; ThemeError when it is not one."""
    if not isinstance(data, dict):
        raise ThemeError("not a table of colours")
    unknown = sorted(set(data) - {"name", "dark", *COLOUR_KEYS})
    if unknown:
        raise ThemeError(f"unknown key {json.dumps(visible(str(unknown[0])))}")
    name = data.get("name", default_name)
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise ThemeError(
            "name must be letters, digits, '-', '_' or '.' (at most 48), "
            f"got {json.dumps(visible(str(name))[:60])}"
        )
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeError("dark must be true or false")
    if "primary" not in data:
        raise ThemeError("primary colour missing")
    colours: dict[str, str] = {}
    for key in COLOUR_KEYS:
        if key not in data:
            continue
        value = data[key]
        try:
            if not isinstance(value, str) or len(value) > 40:
                raise ColorParseError("not a colour")
            colours[key] = Color.parse(value).hex
        except ColorParseError:
            shown = visible(str(value))[:40]
            raise ThemeError(
                f'{key} must be a colour like "#3FBF6F", got {json.dumps(shown)}'
            ) from None
    return Theme(name=name, dark=dark, **colours)


def parse_theme(text: str, suffix: str, default_name: str) -> Theme:
    """A theme from a file's text: TOML, or JSON for a ``.json`` file."""
    try:
        data = json.loads(text) if suffix == ".json" else tomllib.loads(text)
    except (ValueError, RecursionError) as e:  # TOMLDecodeError and JSONDecodeError
        raise ThemeError(describe_exception(e, 120)) from None
    return theme_from_data(data, default_name)


def load_theme_file(path: Path) -> Theme:
    """The theme in ``path``; raises ThemeError, ``files.UnusableFile`` or OSError."""
    text = files.read_text(path, MAX_THEME_BYTES)
    return parse_theme(text, path.suffix.lower(), path.stem)


def bundled_themes() -> list[Theme]:
    """The themes shipped in the package, default dark first."""
    folder = resources.files("fundtui").joinpath("themes")
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            out.append(parse_theme(entry.read_text("utf-8"), ".toml", entry.name[:-5]))
    out.sort(key=lambda t: t.name != DEFAULT_THEME)
    return out


def user_themes_dir() -> Path:
    return config_dir() / "themes"


def _bad(path: Path, e: BaseException) -> str:
    why = str(e) if isinstance(e, ThemeError | files.UnusableFile) else describe_exception(e, 80)
    return files.unusable_notice(path, why, "theme file") + "; left as it is"


def user_themes(folder: Path) -> tuple[dict[str, Theme], list[str]]:
    """The user's themes by file stem, and one line per file that is not a theme."""
    try:
        paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in THEME_SUFFIXES)
    except FileNotFoundError:
        return {}, []
    except OSError as e:
        return {}, [visible(f"themes folder {folder} unreadable ({describe_exception(e, 80)})")]
    themes: dict[str, Theme] = {}
    notices = []
    for path in paths[:MAX_USER_THEMES]:
        try:
            themes[path.stem] = load_theme_file(path)
        except (ThemeError, OSError, files.UnusableFile) as e:
            notices.append(_bad(path, e))
    if len(paths) > MAX_USER_THEMES:
        notices.append(visible(f"themes folder {folder}: only the first {MAX_USER_THEMES} read"))
    return themes, notices


# --- the choice kept from the palette ------------------------------------------


def state_path() -> Path:
    return data_dir() / STATE_FILE


def _state(obj: Any) -> dict[str, Any]:
    if not isinstance(obj, dict) or obj.get("version") != STATE_VERSION:
        raise ValueError("not a fundtui UI state file")
    theme = obj.get("theme")
    if theme is not None and not (isinstance(theme, str) and NAME_RE.fullmatch(theme)):
        raise ValueError("theme is not a theme name")
    return obj


def saved_theme() -> tuple[str | None, str | None]:
    """The theme last chosen in the palette, and a notice when the file was unusable."""
    state, notice = files.load_json(state_path(), _state, "UI state", MAX_THEME_BYTES)
    return (state or {}).get("theme"), notice


def save_theme(name: str) -> None:
    """Keep ``name`` for the next start; raises OSError."""
    write_atomic(state_path(), json.dumps({"version": STATE_VERSION, "theme": name}) + "\n")


# --- choosing --------------------------------------------------------------------


def _looks_like_path(choice: str) -> bool:
    return "/" in choice or "\\" in choice or choice.lower().endswith(THEME_SUFFIXES)


@dataclass(slots=True)
class ThemeSetup:
    """What ``install_themes`` chose; ``remember`` keeps a later palette choice."""

    current: str
    notices: list[str] = field(default_factory=list)

    def remember(self, name: str) -> None:
        """Save ``name`` when it differs from the theme in force (the palette's pick)."""
        if name == self.current or not NAME_RE.fullmatch(name):
            return
        self.current = name
        try:
            save_theme(name)
        except OSError as e:  # a preference not kept is no reason to stop
            log.warning("theme choice not saved: %s", describe_exception(e))


def install_themes(app: App, choice: str | None) -> ThemeSetup:
    """Register the shipped and the user's themes with ``app`` and set the one chosen:
    ``choice`` (a name, a file stem in the themes folder, or a path), else the one
    saved from the palette, else the default. Never raises for a bad theme."""
    notices: list[str] = []
    try:
        shipped = bundled_themes()
    except Exception as e:  # noqa: BLE001 - a damaged install still gets the default
        shipped = [FUNDTUI_DARK]
        notices.append(one_line(f"shipped themes unreadable ({describe_exception(e, 80)})"))
    for theme in shipped:
        app.register_theme(theme)
    mine, bad = user_themes(user_themes_dir())
    notices += bad
    for theme in mine.values():
        app.register_theme(theme)
    if FUNDTUI_DARK.name not in app.available_themes:
        app.register_theme(FUNDTUI_DARK)
    source = "theme"
    if choice is None:
        choice, notice = saved_theme()
        source = "saved theme"
        if notice:
            notices.append(notice)
    name = DEFAULT_THEME
    if choice:
        if choice in app.available_themes:
            name = choice
        elif choice in mine:
            name = mine[choice].name
        elif _looks_like_path(choice):
            path = Path(choice).expanduser()
            try:
                theme = load_theme_file(path)
                app.register_theme(theme)
                name = theme.name
            except FileNotFoundError:
                notices.append(visible(f"theme file {path} not found; using {DEFAULT_THEME}"))
            except (ThemeError, OSError, files.UnusableFile) as e:
                notices.append(f"{_bad(path, e)}; using {DEFAULT_THEME}")
        else:
            known = ", ".join(t.name for t in shipped)
            notices.append(
                one_line(
                    f"{source} {json.dumps(visible(choice)[:60])} not found "
                    f"(shipped: {known}; or a file in {user_themes_dir()}); "
                    f"using {DEFAULT_THEME}"
                )
            )
    app.theme = name
    return ThemeSetup(name, notices)
