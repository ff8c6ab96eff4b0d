"""The ``[alerts]`` section: where signal hits are sent (apprise URLs) and which ones.

Each URL is checked with apprise itself when the config is read (nothing is
sent): a URL apprise cannot use is a config error naming its position and
scheme, never the URL, whose path or user part is often the secret (a bot
token, a webhook key). Checking costs apprise's import and plugin load (about
half a second), paid only by a config that lists URLs.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fundtui.core.sectors import normalize_base
from fundtui.core.signal_types import RULES

if TYPE_CHECKING:
    from fundtui.config.sections import _Ctx

#: Rules an alert can be about: the signal rules plus sector state changes
#: (``rule="sector"`` hits, ``core/rotation_states.py``).
ALERT_RULES = (*RULES, "sector")
#: ``coins = ["watchlist"]``: the watchlist's bases, read when a hit arrives.
WATCHLIST = "watchlist"
MAX_URLS = 32
MAX_DIGEST_S = 3600.0
MAX_TIMEOUT_S = 120.0
MAX_RETRIES = 10
MAX_MIN_APR = 100.0  # 10,000 % APR: past any spread worth a filter
KEYS = ("urls", "rules", "coins", "min_apr", "digest_seconds", "timeout_seconds", "retries")


@dataclass(frozen=True, slots=True)
class AlertsConfig:
    """``rules``/``coins`` ``None``: every rule, every coin. ``min_apr`` is a fraction
    (0.5 = 50 % APR) under which spread hits are not sent. Sector hits name a
    sector, not a coin: ``coins`` does not filter them (leave "sector" out of
    ``rules`` for that)."""

    urls: tuple[str, ...] = ()
    rules: tuple[str, ...] | None = None
    coins: tuple[str, ...] | None = None
    min_apr: float = 0.0
    digest_seconds: float = 60.0  # hits within this window go out as one message
    timeout_seconds: float = 10.0  # per send
    retries: int = 2  # sends after the first failed one, with backoff

    def __repr__(self) -> str:  # the URLs hold tokens: a traceback or a log shows no secret
        return f"AlertsConfig(urls=<{len(self.urls)} URL(s)>, rules={self.rules!r}, ...)"


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]{0,31})://")


def url_problem(url: str) -> str | None:
    """Why apprise cannot use ``url`` (without the URL itself), or None when it can."""
    import apprise

    if not url.strip():
        return "is empty"
    scheme = _SCHEME.match(url)
    if scheme is None:
        return 'is not an apprise URL like "ntfy://ntfy.sh/topic" (no scheme://)'
    if apprise.Apprise.instantiate(url) is None:
        shown = json.dumps(scheme.group(1)[:32])
        return f"with scheme {shown} is not a URL apprise can send to (see apprise's wiki)"
    return None


def _number(ctx: _Ctx, key: str, value: Any, lo: float, hi: float, what: str) -> float:
    from fundtui.config.sections import _show

    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not lo <= value <= hi
    ):
        raise ctx.error(
            "[alerts]", f"{key} must be {what} from {lo:g} to {hi:g}, got {_show(value)}"
        )
    return float(value)


def _names(ctx: _Ctx, key: str, value: Any, example: str) -> list[str]:
    from fundtui.config.sections import _show

    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise ctx.error("[alerts]", f"{key} must be a list like {example}, got {_show(value)}")
    return value


def parse_alerts(ctx: _Ctx, table: Mapping[str, Any]) -> dict[str, Any]:
    """``[alerts]`` into ``Config.alerts``."""
    from fundtui.config.sections import _show

    where = "[alerts]"
    ctx.check_keys(where, table, KEYS)
    out: dict[str, Any] = {}
    if "urls" in table:
        urls = _names(ctx, "urls", table["urls"], '["ntfy://ntfy.sh/my-topic"]')
        if len(urls) > MAX_URLS:
            raise ctx.error(where, f"urls lists {len(urls)} URLs; at most {MAX_URLS}")
        for i, url in enumerate(urls):
            problem = url_problem(url)
            if problem is not None:
                raise ctx.error(where, f"urls[{i}] {problem}")
        out["urls"] = tuple(dict.fromkeys(urls))
    if "rules" in table:
        rules = _names(ctx, "rules", table["rules"], '["spread", "sector"]')
        for r in rules:
            if r not in ALERT_RULES:
                raise ctx.error(
                    where,
                    f"rules: unknown rule {json.dumps(r[:40])}; allowed: {', '.join(ALERT_RULES)}",
                )
        out["rules"] = tuple(dict.fromkeys(rules))
    if "coins" in table:
        coins = []
        for x in _names(ctx, "coins", table["coins"], '["watchlist"] or ["BTC", "ETH"]'):
            base = WATCHLIST if x.strip().lower() == WATCHLIST else normalize_base(x)
            if base is None:
                raise ctx.error(
                    where,
                    f'coins: {_show(x[:40])} is not a coin symbol like "BTC" or "watchlist"',
                )
            coins.append(base)
        out["coins"] = tuple(dict.fromkeys(coins))
    if "min_apr" in table:
        out["min_apr"] = _number(
            ctx, "min_apr", table["min_apr"], 0, MAX_MIN_APR, "an APR fraction (0.5 = 50 %)"
        )
    if "digest_seconds" in table:
        out["digest_seconds"] = _number(
            ctx, "digest_seconds", table["digest_seconds"], 0, MAX_DIGEST_S, "seconds"
        )
    if "timeout_seconds" in table:
        out["timeout_seconds"] = _number(
            ctx, "timeout_seconds", table["timeout_seconds"], 0.1, MAX_TIMEOUT_S, "seconds"
        )
    if "retries" in table:
        value = table["retries"]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RETRIES:
            raise ctx.error(
                where, f"retries must be a whole number from 0 to {MAX_RETRIES}, got {_show(value)}"
            )
        out["retries"] = value
    return {"alerts": AlertsConfig(**out)}


def alerts_template_text() -> str:
    """The commented ``[alerts]`` block of the file ``config init`` writes."""
    d = AlertsConfig()
    return f"""\
# Alerts: signal hits sent through apprise (Telegram, Discord, Slack, ntfy, email,
# Matrix, JSON webhooks and more: https://github.com/caronc/apprise/wiki; e.g.
# Telegram is "tgram://<bot token>/<chat id>"). Only the process that polls
# sends. `fundtui alerts test` sends a test message to each URL.
#
# [alerts]
# urls = ["ntfy://ntfy.sh/my-topic", "json://127.0.0.1:8080/hook"]
# rules = ["spread", "deviation", "spike", "sector"]   # default: every rule
# coins = ["watchlist"]          # or bases like ["BTC", "ETH"]; default: all
# min_apr = 0.5                  # spread hits under 50 % APR are not sent
# digest_seconds = {d.digest_seconds:g}            # hits within this window: one message
# timeout_seconds = {d.timeout_seconds:g}           # per send
# retries = {d.retries}                    # after a failed send, with backoff
"""
