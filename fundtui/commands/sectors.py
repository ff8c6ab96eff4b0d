"""``fundtui sectors``: the sector map behind the sector board.

    fundtui sectors [list] [--json]     the map in use (updated or bundled, plus [sectors])
    fundtui sectors update              refresh it from CoinGecko's categories

Exit codes: 0 fine; 1 the update failed (the map in use is unchanged); 2 bad
arguments or config.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from fundtui.commands import say
from fundtui.commands.calc import num


def _base_url(text: str) -> str:
    """``--base-url`` (tests point the update at a local server): an http(s) URL."""
    from urllib.parse import urlsplit

    try:
        url = urlsplit(text)
        url.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        url = None
    if (
        url is None
        or url.scheme not in ("http", "https")
        or not url.hostname
        or not text.isprintable()
        or " " in text
    ):
        raise argparse.ArgumentTypeError(f"expected an http:// or https:// URL, got {text!r}")
    return text


def register(commands: Any, add_common: Any) -> None:
    p = commands.add_parser(
        "sectors",
        allow_abbrev=False,
        help="the sector map",
        description="Show the sector map used by the sector board, or "
        "refresh it from CoinGecko's coin categories.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    ls = actions.add_parser(
        "list", allow_abbrev=False, help="print each sector and its bases (the default)"
    )
    ls.add_argument("--json", action="store_true", help="print JSON")
    add_common(ls, False)
    up = actions.add_parser(
        "update",
        allow_abbrev=False,
        help="refresh the map from CoinGecko (about a minute, 26 requests)",
    )
    up.add_argument("--base-url", type=_base_url, default=None, help=argparse.SUPPRESS)
    up.add_argument(
        "--pace", type=num("pace", allow_zero=True), default=None, help=argparse.SUPPRESS
    )
    add_common(up, False)
    p.add_argument("--json", action="store_true", help="print JSON (with list)")
    add_common(p, False)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "action", None) == "update":
        return _update(args)
    return _list(args)


def _cached() -> tuple[Any, str]:
    """The updated map (or None) and where the map in use comes from; a cached map
    that cannot be used is reported in one line (it was moved aside)."""
    from fundtui.store import sector_store

    cached, notice = sector_store.cached()
    if notice:
        say(notice)
    return cached, ("updated" if cached is not None else "bundled")


def _list(args: argparse.Namespace) -> int:
    from fundtui.config import load_config
    from fundtui.core.text import visible
    from fundtui.store import sector_store

    config = load_config(args.config)
    cached, origin = _cached()
    base = cached if cached is not None else sector_store.bundled()
    sector_map = base.with_overrides(config.sectors) if config.sectors else base
    if getattr(args, "json", False):
        out = {
            "as_of": sector_map.as_of,
            "origin": origin,
            "source": sector_map.source,
            "sectors": {s: list(b) for s, b in sector_map.sectors.items()},
        }
        print(json.dumps(out, indent=2))
        return 0
    where = str(sector_store.cache_path()) if origin == "updated" else "bundled with fundtui"
    print(f"# sector map as of {sector_map.as_of} ({where}); {sector_map.source}")
    # names can come from CoinGecko or the config: spelled out before the widths
    rows = [(visible(name), bases) for name, bases in sector_map.sectors.items()]
    width = max((len(name) for name, _ in rows), default=0)
    for name, bases in rows:
        print(f"{name:<{width}}  {len(bases):>4}  {visible(' '.join(bases))}")
    return 0


def _update(args: argparse.Namespace) -> int:
    from fundtui.feeds import sector_categories as cg
    from fundtui.store import sector_store

    today = dt.datetime.now(dt.UTC).date().isoformat()
    kwargs: dict[str, Any] = {"fallback": sector_store.bundled()}
    if args.base_url:
        kwargs["base_url"] = args.base_url
    if args.pace is not None:
        kwargs["pace_s"] = max(0.0, args.pace)
    with _progress() as progress:
        try:
            sector_map, notes = cg.fetch_sector_map(today, progress=progress, **kwargs)
        except cg.SectorFetchError as e:
            error = str(e)
        else:
            error = None
    _, origin = _cached()  # before the save: a corrupt map is moved aside, and said so
    if error is not None:
        kept = "the updated map" if origin == "updated" else "the bundled map"
        say(f"sector update failed: {error}; keeping {kept}")
        return 1
    for note in notes:
        say(note)
    try:
        path = sector_store.save(sector_map)
    except OSError as e:
        say(f"cannot write {sector_store.cache_path()}: {e.strerror or e}")
        return 1
    bases = {b for members in sector_map.sectors.values() for b in members}
    print(
        f"{len(sector_map.sectors)} sectors, {len(bases)} bases, as of {sector_map.as_of}: {path}"
    )
    return 0


class _progress:
    """A rich progress bar on stderr while the update runs (nothing when not a terminal)."""

    def __enter__(self):
        if not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self._bar = Progress(
            TextColumn("CoinGecko {task.description:<34}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task("", total=None)
        return self.update

    def update(self, done: int, total: int, what: str) -> None:
        self._bar.update(self._task, completed=done, total=total, description=what)

    def __exit__(self, *exc: object) -> None:
        bar = getattr(self, "_bar", None)
        if bar is not None:
            bar.stop()
