"""Binance USDⓈ-M: premiumIndex per refresh, fundingInfo intervals, bundled brackets.

* Refresh: ``GET /fapi/v1/premiumIndex`` (all symbols). Intervals come from
  the ``/fapi/v1/fundingInfo`` table (metadata); symbols not listed there are
  8 h, Binance's rule.
* 24 h volume and change (the slower second request, :mod:`fundtui.feeds.extras`):
  ``GET /fapi/v1/ticker/24hr`` (all symbols): ``quoteVolume`` (USDT/USDC) and
  ``priceChangePercent`` / 100. Open interest: none. Binance's
  ``/fapi/v1/openInterest`` takes one symbol per request, hundreds per refresh,
  so the venue facts table marks binance as giving none and the UI says so.
* History: ``GET /fapi/v1/fundingRate`` symbol, startTime, limit=1000 (oldest
  first); next startTime = newest time + 1; stop on a short page.
* Tiers: its bracket endpoint needs an API key, so fundtui ships the brackets
  of its main symbols as package data (``fundtui/data/binance_brackets.json``,
  dated by its ``as_of``). A file of the same shape named in the config
  (``[calculator] binance_brackets``) replaces it. A symbol in neither has no
  table: the caller must be given a maintenance rate (``--mmr``, or the
  calculator's MMR field); nothing is guessed.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from fundtui.core.text import describe_exception, one_line, visible
from fundtui.core.tiers import Tier, TierError, check_tiers
from fundtui.feeds import rows as R
from fundtui.feeds.extras import Extra, collect
from fundtui.feeds.metadata import Market, Metadata
from fundtui.feeds.spec import (
    CURSOR,
    HistoryPage,
    Parsed,
    Rows,
    VenueSpec,
    amount,
    read_history,
    rows_of,
)
from fundtui.feeds.tier_types import TierSource, TiersUnavailable
from fundtui.store import files

#: Binance's documented rule: a USDⓈ-M symbol missing from fundingInfo funds every 8 h.
BINANCE_DEFAULT_INTERVAL_H = 8.0
#: Binance's full leverageBracket answer (every symbol) is under a megabyte.
MAX_BRACKETS_BYTES = 16 * 1024 * 1024


class BinanceSpec(VenueSpec):
    venue = "binance"
    ccxt_options = {"fetchMarkets": {"types": ["linear"]}}
    interval_table = True
    history = CURSOR
    history_rows = 1000

    async def load_intervals(self, ex: Any) -> dict[str, float]:
        raw = await ex.fapiPublicGetFundingInfo()
        table: dict[str, float] = {}
        for row in rows_of(raw):
            if not isinstance(row, dict):
                continue
            symbol = R.text(row.get("symbol"))
            hours = R.interval_hours(row.get("fundingIntervalHours"), unit_s=3600)
            if symbol and hours:
                table[symbol] = hours
        return table

    async def fetch(self, ex: Any) -> Any:
        return await ex.fapiPublicGetPremiumIndex()

    def parse(self, raw: Any, meta: Metadata | None, fetched_ms: int) -> Parsed:
        assert meta is not None
        rows = Rows(self.venue)

        def handle(row: Any) -> None:
            m = rows.market(meta, R.text(row.get("symbol")))
            if m is None:
                return
            next_ms = R.epoch_ms(row.get("nextFundingTime"))
            ts = R.epoch_ms(row.get("time"))
            interval = rows.metadata_interval(
                meta, m, next_ms, ts or fetched_ms, BINANCE_DEFAULT_INTERVAL_H
            )
            rows.add(
                m,
                funding_rate=R.num(row.get("lastFundingRate")),
                interval_hours=interval,
                next_funding_ms=next_ms,
                mark_price=R.positive(row.get("markPrice")),
                index_price=R.positive(row.get("indexPrice")),
                timestamp_ms=ts,
            )

        return rows.run(rows_of(raw), handle)

    has_extras = True

    async def fetch_extras(self, ex: Any) -> Any:
        return await ex.fapiPublicGetTicker24hr()

    def parse_extras(self, raw: Any, meta: Metadata) -> dict[str, Extra]:
        def build(row: dict[str, Any], m: Market, multiplier: int) -> Extra:
            change = R.num(row.get("priceChangePercent"))
            return Extra(
                volume_24h_usd=amount(row.get("quoteVolume")),
                price_change_24h=None if change is None else change / 100.0,
            )

        return collect(self.venue, meta, rows_of(raw), lambda r: r.get("symbol"), build)

    async def history_page(
        self, ex: Any, market_id: str, cursor: int, end: int, settle: str, limit: int
    ) -> HistoryPage:
        raw = await ex.fapiPublicGetFundingRate(
            {"symbol": market_id, "startTime": cursor, "limit": limit}
        )
        return read_history(rows_of(raw), "fundingTime", lambda r: r.get("fundingRate"))


# --------------------------------------------------------------------------- brackets


def parse_binance_brackets(data: Any) -> dict[str, tuple[Tier, ...]]:
    """Binance ``leverageBracket`` shape (``[{"symbol", "brackets": [...]}]``) -> tiers.

    Also accepts the bundled file's envelope ``{"brackets": [...]}``.
    Raises TierError on anything else.
    """
    rows = data.get("brackets") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise TierError("expected a list of {symbol, brackets}")
    out: dict[str, tuple[Tier, ...]] = {}
    for row in rows:
        try:
            symbol = str(row["symbol"]).upper()
            tiers = [
                Tier(
                    float(b["notionalFloor"]),
                    float(b["notionalCap"]),
                    float(b["maintMarginRatio"]),
                    float(b["cum"]),
                    float(b["initialLeverage"]),
                )
                for b in row["brackets"]
            ]
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise TierError(f"bracket row without {exc}") from None
        out[symbol] = check_tiers(tiers)
    return out


def _bundled_text() -> str:
    return resources.files("fundtui").joinpath("data/binance_brackets.json").read_text("utf-8")


def bundled_binance() -> tuple[str, dict[str, tuple[Tier, ...]]]:
    """(as_of date, symbol -> tiers) of the shipped Binance brackets."""
    data = json.loads(_bundled_text())
    return str(data.get("as_of", "?")), parse_binance_brackets(data)


def binance_candidates(base: str) -> list[str]:
    b = base.upper()
    if b.endswith("USDT"):
        return [b]
    return [f"{b}USDT", f"1000{b}USDT", f"1000000{b}USDT"]


def _override_brackets(path: Path) -> dict[str, tuple[Tier, ...]]:
    """The configured brackets file: the user's, so reported, never moved aside.

    Read bounded and only when it is a regular file: ``/dev/zero`` or a FIFO named
    there must not hang the calculator.
    """
    try:
        text = files.read_text(path, MAX_BRACKETS_BYTES)
    except FileNotFoundError:
        why = "no such file"
    except files.UnusableFile as exc:
        why = str(exc)
    except OSError as exc:
        why = exc.strerror or describe_exception(exc)
    else:
        try:
            return parse_binance_brackets(json.loads(text))
        except (ValueError, TierError, RecursionError) as exc:
            why = describe_exception(exc) if isinstance(exc, RecursionError) else str(exc)
    raise TiersUnavailable(visible(f"{path}: cannot use as binance brackets: {one_line(why, 100)}"))


def binance_tiers(base: str, override: Path | None = None) -> TierSource:
    if override is not None:
        tables = _override_brackets(override)
        origin = f"from {visible(override)}"
    else:
        as_of, tables = bundled_binance()
        origin = f"bundled, as of {as_of}"
    for symbol in binance_candidates(base):
        if symbol in tables:
            return TierSource(tables[symbol], f"binance {symbol} brackets ({origin})", symbol)
    known = one_line(", ".join(sorted(tables)), 120)  # a configured file's names too
    raise TiersUnavailable(
        f"no binance brackets for {base} ({origin}: {known}); "
        "give the maintenance rate (MMR % field, --mmr) or a brackets file "
        "([calculator] binance_brackets)"
    )
