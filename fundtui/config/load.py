"""Reading the config: TOML text or the file (bounded, regular files only) into a Config."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from fundtui.config.model import MAX_CONFIG_BYTES, Config, ConfigError
from fundtui.config.sections import SECTIONS, _Ctx, _show


def _toml_problem(e: tomllib.TOMLDecodeError, text: str) -> str:
    """tomllib's message on one line, always with a line and column."""
    message = " ".join(str(e).split())
    if "(at end of document)" in message:
        last = text.split("\n")
        where = f"(at line {len(last)}, column {len(last[-1]) + 1}: end of file)"
        message = message.replace("(at end of document)", where)
    return message


def parse_config(text: str, source: str = "config.toml") -> Config:
    """A Config from TOML text; ``source`` names the file in error messages."""
    ctx = _Ctx(source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ctx.error("", f"invalid TOML: {_toml_problem(e, text)}") from None
    except RecursionError:  # arrays or inline tables nested thousands deep
        raise ctx.error("", "invalid TOML: nested too deep") from None
    fields: dict[str, Any] = {}
    allowed = ", ".join(f"[{s}]" for s in SECTIONS)
    for name, table in data.items():
        parser = SECTIONS.get(name)
        if parser is None:
            if not isinstance(table, dict):
                raise ctx.error(
                    "", f"key {json.dumps(name)} must be inside a section; sections: {allowed}"
                )
            raise ctx.error("", f"unknown section [{name}]; allowed: {allowed}")
        if not isinstance(table, dict):
            raise ctx.error("", f"{name} must be a section ([{name}]), got {_show(table)}")
        fields.update(parser(ctx, table))
    return Config(source=source, **fields)


def load_config(path: Path | None = None) -> Config:
    """Read the config file.

    ``None`` reads the default file (platform config folder); when that does not
    exist the defaults apply. A path given explicitly must exist.
    """
    explicit = path is not None
    if path is None:
        from fundtui.store.paths import config_file

        path = config_file()
    from fundtui.store.files import UnusableFile, read_text

    try:
        text = read_text(path, MAX_CONFIG_BYTES)
    except FileNotFoundError:
        if not explicit:
            return Config()
        raise ConfigError(f"{path}: no such config file") from None
    except UnusableFile as e:  # not moved aside: the user's file, for the user to fix
        raise ConfigError(f"{path}: cannot be used as the config file: {e}") from None
    except (OSError, ValueError) as e:  # ValueError: a NUL in the path
        raise ConfigError(f"{path}: cannot read: {getattr(e, 'strerror', None) or e}") from None
    return parse_config(text, str(path))
