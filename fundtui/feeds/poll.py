"""Poll several quote sources at once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from fundtui.config import VenueConfig
from fundtui.core.text import describe_exception, one_line
from fundtui.feeds.source import QuoteSource, VenueError, VenuePoll


def describe_error(exc: BaseException) -> str:
    """A one-line reason for a failed poll."""
    if isinstance(exc, VenueError):
        return one_line(exc.reason or "failed")
    return describe_exception(exc)


async def _poll_one(source: QuoteSource, timeout_s: float | None) -> VenuePoll | str:
    deadline = asyncio.timeout(timeout_s)
    try:
        async with deadline:
            return await source.poll()
    except Exception as e:  # any failure of one venue is that venue's error, not ours
        if isinstance(e, TimeoutError) and deadline.expired():
            return f"no answer within {timeout_s:g} s"
        return describe_error(e)


async def poll_all(
    sources: Sequence[QuoteSource],
    timeout_s: float | None = None,
) -> tuple[list[VenuePoll], dict[str, str]]:
    """Poll every source once, concurrently.

    Returns the successful polls in source order and ``{venue: one-line reason}``
    for the others. Never raises for a source's failure.
    """
    results = await asyncio.gather(*(_poll_one(s, timeout_s) for s in sources))
    polls: list[VenuePoll] = []
    errors: dict[str, str] = {}
    for source, result in zip(sources, results, strict=True):
        if isinstance(result, str):
            errors[source.name] = result
        else:
            polls.append(result)
    return polls, errors


async def poll_once(
    venues: Sequence[VenueConfig],
    demo: bool,
    timeout_s: float | None,
    notices: list[str] | None = None,
) -> tuple[list[VenuePoll], dict[str, str]]:
    """One round of the configured venues (or their demo twins), sources closed after.

    ``notices`` collects the sources' one-line notices for the user (a market
    cache moved aside), for the command to print.

    Raises ImportError when live venues are unavailable (ccxt missing).
    """
    if demo:
        from fundtui.feeds.demo import demo_sources

        sources = demo_sources([v.name for v in venues])
        timeout_s = None
    else:
        from fundtui.feeds.registry import make_sources

        sources = make_sources(list(venues))
    try:
        return await poll_all(sources, timeout_s=timeout_s)
    finally:
        if notices is not None:
            for s in sources:
                take = getattr(s, "take_notices", None)
                if take is not None:
                    notices.extend(take())
        await asyncio.gather(*(s.close() for s in sources), return_exceptions=True)
