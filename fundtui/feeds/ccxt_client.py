"""The one place a ccxt exchange object is built: options, proxy, api_base rewrite.

Both the quote adapter (:mod:`fundtui.feeds.ccxt_venue`) and the tier fetch
(:mod:`fundtui.feeds.tiers`) construct their exchange here, so a venue's
ccxt options, the proxy scheme rule and the ``api_base`` rewrite the test
suite's fake venue relies on are decided once. ccxt itself is imported on
first use, in a worker thread, never at import time of this module.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import urlsplit

from fundtui.config import VenueConfig

_ccxt_module: Any = None


def _import_ccxt() -> Any:
    global _ccxt_module
    if _ccxt_module is None:
        from fundtui.feeds import ccxt_loader

        _ccxt_module = ccxt_loader.load()
    return _ccxt_module


async def load_ccxt() -> Any:
    """ccxt's async clients (see ccxt_loader: only the exchanges used are imported),
    loaded off the event loop the first time."""
    if _ccxt_module is not None:
        return _ccxt_module
    return await asyncio.to_thread(_import_ccxt)


def loaded_ccxt() -> Any:
    """ccxt's module once :func:`load_ccxt` has run, else None."""
    return _ccxt_module


class UnknownExchange(LookupError):
    """ccxt has no exchange of that id."""


_SCHEME_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")


def rewrite_api_urls(api: Any, api_base: str) -> Any:
    """ccxt's ``urls['api']`` with every URL's scheme+host replaced by ``api_base``.

    Walks nested dicts and lists; the path part of each URL is kept, so
    ``https://fapi.binance.com/fapi/v1`` with ``http://127.0.0.1:9000`` becomes
    ``http://127.0.0.1:9000/fapi/v1``. Templates like ``https://api.{hostname}``
    are replaced whole-host too. A path in ``api_base`` is kept as a prefix.
    """
    base = api_base.rstrip("/")
    if isinstance(api, str):
        m = _SCHEME_HOST.match(api)
        return base + api[m.end() :] if m else api
    if isinstance(api, dict):
        return {k: rewrite_api_urls(v, api_base) for k, v in api.items()}
    if isinstance(api, list):
        return [rewrite_api_urls(v, api_base) for v in api]
    return api


def check_api_base(api_base: str) -> str:
    parts = urlsplit(api_base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"api_base {api_base!r} is not an http(s)://host URL")
    return api_base


def proxy_settings(proxy: str) -> dict[str, str]:
    """ccxt constructor settings for a proxy URL, chosen by its scheme."""
    scheme = urlsplit(proxy).scheme.lower()
    if scheme == "http":
        return {"httpProxy": proxy}
    if scheme == "https":
        return {"httpsProxy": proxy}
    if scheme.startswith("socks"):
        return {"socksProxy": proxy}
    raise ValueError(
        f"proxy {proxy!r}: use http://, https:// or socks5:// (got {scheme or 'no'} scheme)"
    )


def build_exchange(
    ccxt: Any, ccxt_id: str, config: VenueConfig, *, timeout_s: float, options: dict[str, Any]
) -> Any:
    """A ccxt exchange for ``config``: UnknownExchange for an id ccxt lacks,
    ValueError (one line) for a proxy or api_base it cannot use."""
    cls = getattr(ccxt, ccxt_id, None)
    if cls is None or ccxt_id not in getattr(ccxt, "exchanges", ()):
        raise UnknownExchange(ccxt_id)
    settings: dict[str, Any] = {
        "timeout": int(timeout_s * 1000),
        # ccxt's client-side throttle waits out a bulk request's weight by
        # waking the event loop every millisecond (hundreds of wake-ups per
        # poll). One request per venue per refresh is far inside every venue's
        # limit, and a 429/418 is honoured from its Retry-After by the poller.
        "enableRateLimit": False,
        "options": {"adjustForTimeDifference": False, **options},
    }
    if config.proxy:
        settings.update(proxy_settings(config.proxy))
    api_base = check_api_base(config.api_base) if config.api_base else None
    ex = cls(settings)
    if api_base:
        ex.urls["api"] = rewrite_api_urls(ex.urls["api"], api_base)
    return ex


def no_silent_resend(ex: Any) -> None:
    """Make a dropped connection one request, not two.

    aiohttp sends a GET again at once when the server closes the connection
    without answering (``ServerDisconnectedError``), so a venue shedding load
    would see twice our normal rate; the poller's own retry, a refresh later,
    is the only one we want. ccxt makes its session lazily in ``open()``.
    """
    original = ex.open

    def open_session(*args: Any, **kwargs: Any) -> Any:
        opened = original(*args, **kwargs)
        session = getattr(ex, "session", None)
        if session is not None and hasattr(session, "_retry_connection"):
            session._retry_connection = False
        return opened

    ex.open = open_session
