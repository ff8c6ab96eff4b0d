"""``fundtui alerts test``: one test message to each configured alert URL.

    fundtui alerts test [--config PATH]

Prints one line per URL, in apprise's privacy form (tokens masked): delivered,
or failed with the reason. One attempt per URL with the configured timeout,
all URLs at once (a slow one holds back no other). Exit 0 when every URL took
its message, 1 when any failed, 2 for a bad config or no URL configured.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from fundtui.commands import say


def register(commands: Any, add_common: Callable[..., None]) -> None:
    p = commands.add_parser(
        "alerts",
        allow_abbrev=False,
        help="the alert URLs ([alerts] in the config)",
        description="Check the alert URLs of the config's [alerts] section.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    test = actions.add_parser(
        "test",
        allow_abbrev=False,
        help="send one test message to each alert URL",
        description="Send one test message to each URL of [alerts] urls and print, per "
        "URL, delivered or why not. Exit 1 when any failed.",
    )
    add_common(test, defaults=False)
    test.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from concurrent.futures import ThreadPoolExecutor

    from fundtui.config import load_config
    from fundtui.core.alert_text import test_message
    from fundtui.engine.alert_send import Target

    config = load_config(args.config)
    urls = config.alerts.urls
    if not urls:
        where = config.source or "the config file (fundtui config path)"
        say(
            "no alert URLs configured: add urls = "
            f'["ntfy://ntfy.sh/my-topic"] under [alerts] in {where}'
        )
        return 2
    title, body = test_message(time.time_ns() // 1_000_000)
    targets = [Target(u, config.alerts.timeout_seconds) for u in urls]
    with ThreadPoolExecutor(max_workers=min(8, len(targets))) as pool:
        results = list(pool.map(lambda t: t.send(title, body), targets))
    failed = 0
    for target, result in zip(targets, results, strict=True):
        if result.ok:
            print(f"delivered  {target.shown}")
        else:
            failed += 1
            print(f"failed     {target.shown}: {result.reason}")
    return 1 if failed else 0
