"""The position calculator (``c``), and where both calculators are opened.

A form (:mod:`fundtui.ui.form`): results recomputed on every keystroke, a
field that cannot be used marked in place with the reason, the results copied
with ctrl+y. It prefills venue, coin, mark price, live rate and interval from
the selected board row (:mod:`fundtui.engine.calc_inputs`, shared with
``fundtui calc``). Numbers come from :mod:`fundtui.core.calculator`, tiers from
:mod:`fundtui.feeds.tiers` (bundled Binance brackets, cached or fetched tiers
elsewhere, or the MMR field); a venue's missing tiers are fetched by a worker
of the screen. The carry calculator (``C``) is :mod:`fundtui.ui.carry_calculator`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rich.text import Text

from fundtui.config import Config, VenueConfig
from fundtui.core import fees
from fundtui.core import venues as facts
from fundtui.core.board import BoardRow
from fundtui.core.bundle import Bundle, bundle_line, bundle_of
from fundtui.core.calculator import Inputs, Result, calculate
from fundtui.core.liquidation import VENUE_FORMULAS
from fundtui.core.number_text import amount, num_text, pct_text, price, quantity
from fundtui.core.quote import Quote
from fundtui.engine import calc_inputs
from fundtui.engine.calc_inputs import TierResolver
from fundtui.feeds import tiers as tier_feed
from fundtui.ui.carry_calculator import CarryScreen, carry_screen
from fundtui.ui.form import PERCENT, SIGNED, SIGNED_NUMBER, TEXT, Field, FormScreen
from fundtui.ui.safe import plain, visible

__all__ = ["CalculatorScreen", "CarryScreen", "calculator_screen", "carry_screen"]


class CalculatorScreen(FormScreen):
    FIELDS = (
        Field("venue", "Venue", TEXT),
        Field("symbol", "Coin", TEXT),
        Field("side", "Side", TEXT),
        Field("equity", "Equity"),
        Field("risk", "Risk %", PERCENT),
        Field("entry", "Entry"),
        Field("stop", "Stop"),
        Field("leverage", "Leverage"),
        Field("target", "Target", optional=True),
        Field("fee_in", "Fee in %", PERCENT, allow_zero=True),
        Field("fee_out", "Fee out %", PERCENT, allow_zero=True),
        Field("mmr", "MMR %", PERCENT, optional=True),
        Field("step", "Qty step", optional=True),
        Field("rate", "Funding %", SIGNED, optional=True),
        Field("interval", "Interval h"),
        Field("hold", "Hold h", allow_zero=True),
        Field("margin", "Margin", TEXT),
        Field("added", "Added margin", SIGNED_NUMBER, optional=True),
        Field("wallet", "Cross wallet", optional=True),
        Field("other_mm", "Others' MM", optional=True, allow_zero=True),
        Field("other_upnl", "Others' PnL", SIGNED_NUMBER, optional=True),
    )

    def __init__(
        self,
        values: Mapping[str, str],
        resolve: TierResolver,
        fees_for: Callable[[str], fees.Fees],
        fetch: Callable[[str, str], None] | None = None,
    ) -> None:
        super().__init__(values, "Position calculator")
        self.resolve = resolve
        self.fees_for = fees_for
        self.fetch = fetch
        self.tiers: dict[tuple[str, str], tier_feed.TierSource | str] = {}
        self.row_quotes: Mapping[str, Quote] = {}  # the board row's quotes, by venue

    def field_changed(self, key: str, value: str) -> bool:
        """Switching venue brings that venue's live rate, interval and base-tier fees."""
        venue = value.strip().lower()
        if key != "venue" or venue not in VENUE_FORMULAS:
            return False
        q = self.row_quotes.get(venue)
        taker = pct_text(self.fees_for(venue).taker)
        updates = {"fee_in": taker, "fee_out": taker}
        if q is not None and q.has_rate:
            updates |= {"rate": pct_text(q.funding_rate), "interval": num_text(q.interval_hours)}
        changed = False
        for k, text in updates.items():
            if self.value(k) != text:
                self.set_value(k, text)
                changed = True
        return changed

    def _tiers(self, venue: str, base: str) -> tier_feed.TierSource | str:
        key = (venue, base)
        if key not in self.tiers:
            try:
                self.tiers[key] = self.resolve(venue, base)
            except tier_feed.TiersUnavailable as e:
                self.tiers[key] = str(e)
                if self.fetch is not None and venue in tier_feed.FETCHED_VENUES:
                    self.tiers[key] = f"fetching {venue} tiers for {base}…"
                    self.fetch(venue, base)
        return self.tiers[key]

    def tiers_arrived(self, venue: str, base: str, result: tier_feed.TierSource | str) -> None:
        self.tiers[(venue, base)] = result
        self.recompute()

    def check_text(self, key: str, value: str) -> str | None:
        if key == "venue" and value not in VENUE_FORMULAS:
            return f"one of {', '.join(VENUE_FORMULAS)}"
        if key == "side" and value not in ("long", "short"):
            return "long or short"
        if key == "symbol" and not value.isalnum():
            return "a coin like BTC"
        if key == "margin" and value not in ("isolated", "cross"):
            return "isolated or cross"
        return None

    def compute(self, v: dict[str, Any], errors: dict[str, str]) -> list[Text]:
        venue, side, base = v["venue"], v["side"], v["symbol"].upper()
        if v.get("mmr") is not None and v["mmr"] >= 1:
            errors["mmr"] = "must be under 100 %"
            return []
        cross = v["margin"] == "cross"
        if cross and not facts.supports_cross_margin(venue):
            errors["margin"] = "cross: binance formula only"
            return []
        if cross and v["wallet"] is None:
            errors["wallet"] = "required for cross margin"
            return []
        if cross and v["added"]:
            errors["added"] = "isolated only: cross uses the wallet"
            return []
        if not cross and (v["wallet"] is not None or v["other_mm"] or v["other_upnl"]):
            errors["margin"] = "wallet fields need cross"
            return []
        if v.get("mmr") is not None:
            source: tier_feed.TierSource | str = tier_feed.manual_tiers(v["mmr"])
        else:
            source = self._tiers(venue, base)
        if isinstance(source, str):
            errors["mmr"] = "needed: no tier table"  # for the liquidation only
        inp = Inputs(
            venue=venue,
            side=side,
            equity=v["equity"],
            risk=v["risk"],
            entry=v["entry"],
            stop=v["stop"],
            leverage=v["leverage"],
            fee_in=v["fee_in"],
            fee_out=v["fee_out"],
            tiers=None if isinstance(source, str) else source.tiers,
            step=v["step"],
            target=v["target"],
            rate=v["rate"],
            interval_h=v["interval"] if v["rate"] is not None else None,
            hold_h=v["hold"],
            cross_wallet=v["wallet"] if cross else None,
            other_maintenance=v["other_mm"] or 0.0,
            other_upnl=v["other_upnl"] or 0.0,
            added_margin=v["added"] or 0.0,
        )
        try:
            res = calculate(inp)
        except ValueError as e:
            errors[_field_of(str(e))] = str(e)
            return []
        symbol = "" if isinstance(source, str) else source.symbol
        return result_lines(inp, res, base, v["margin"], source, bundle_of(base, symbol))


def _field_of(message: str) -> str:
    """The field a calculation's one-line refusal is about (the stop when unsure)."""
    keys = ("stop", "target", "risk", "side", "added")
    return next((k for k in keys if message.startswith(k) or f" {k} " in message), "stop")


def result_lines(
    inp: Inputs,
    res: Result,
    base: str,
    margin_mode: str,
    source: tier_feed.TierSource | str,
    bundle: Bundle | None,
) -> list[Text]:
    """The results pane: every number through :mod:`fundtui.core.number_text`."""
    s = res.size
    shown = visible(base)  # typed, or prefilled from the board: venue text
    qty = s.qty if s.qty > 0 else s.raw_qty
    rounded = "" if inp.step else "  (not rounded: no quantity step)"
    lines = [
        Text(f"{inp.venue} {shown} {inp.side}, {margin_mode}", style="bold"),
        # why plain: it can quote a venue's answer or a file
        plain(f"tiers: {source}" if isinstance(source, str) else f"tiers: {source.label}", "dim"),
        Text(f"Size          {quantity(qty)} {shown}{rounded}"),
    ]
    if bundle is not None:
        lines.append(plain(f"              {bundle_line(qty, base, bundle)}"))
    added = f", {amount(inp.added_margin)} added" if inp.added_margin else ""
    lines += [
        Text(f"Notional      {amount(s.notional)}"),
        Text(f"Margin        {amount(s.margin)} at {num_text(inp.leverage)}x{added}"),
        Text(f"Loss at stop  {amount(s.loss_at_stop)} incl. fees"),
    ]
    if res.tier is None:
        lines.append(Text(f"Liquidation   {res.liquidation_missing}", style="bold yellow"))
    else:
        lines += [
            Text(f"Liquidation   {price(res.liquidation)}", style="bold"),
            Text(
                f"  maintenance {pct_text(res.tier.mmr)} %"
                + (f", amount {amount(res.tier.cum)}" if res.tier.cum else "")
            ),
        ]
    lines.append(
        Text(
            "Max leverage  "
            + (
                f"{res.max_leverage_for_stop}x (stop before liq.)"
                if res.max_leverage_for_stop
                else "n/a (cross)"
                if inp.cross_wallet is not None
                else "n/a (no MMR)"
                if res.tier is None
                else "none"
            )
        )
    )
    if res.r_multiple is not None:
        lines.append(Text(f"R multiple    {amount(res.r_multiple)}"))
    f = res.funding
    if f is not None:
        lines.append(
            Text(
                f"Funding       {f.verb} {amount(abs(f.per_settlement))} "
                f"per {num_text(inp.interval_h)}h"
            )
        )
        lines.append(
            Text(
                f"              {amount(abs(f.per_day))} per day, "
                f"{amount(abs(f.over_period))} over {num_text(inp.hold_h)}h"
            )
        )
    lines.append(
        Text(
            f"Break-even    {price(res.break_even)}"
            + (f" ({f.settlements} settlements)" if f is not None else "")
        )
    )
    for w in res.warnings:
        lines.append(plain(f"⚠ {w}", style="bold red"))
    return lines


def calculator_screen(row: BoardRow | None, config: Config, demo: bool) -> CalculatorScreen:
    """The position calculator on ``row`` (None: BTC on binance). Tiers are read from
    what is bundled or cached; outside the demo, missing ones are fetched in the
    background."""
    screen = CalculatorScreen(
        calc_inputs.calculator_values(row, config),
        calc_inputs.tier_resolver(config),
        calc_inputs.fee_table(config),
    )
    if row is not None:
        screen.row_quotes = row.quotes
    if not demo:
        screen.fetch = lambda venue, base: _fetch_tiers(screen, config.venue(venue), base)
    return screen


def _fetch_tiers(screen: CalculatorScreen, venue_config: VenueConfig, base: str) -> None:
    def job() -> None:
        result = calc_inputs.fetch_tiers(venue_config, base)
        screen.app.call_from_thread(screen.tiers_arrived, venue_config.name, base, result)

    screen.run_worker(job, thread=True, exit_on_error=False, group="tiers")
