"""The position calculator (``c``) and the carry calculator (``C``).

Both are forms: one Input per field (Tab moves), results recomputed on every
keystroke, a field that cannot be used marked in place with the reason, the
results copied with ctrl+y. ``c`` prefills venue, coin, mark price, live rate
and interval from the selected board row; ``C`` prefills a spread row's long
and short legs. Numbers come from :mod:`fundtui.core.calculator` and
:mod:`fundtui.core.carry`, tiers from :mod:`fundtui.feeds.tiers` (bundled
Binance brackets, cached or fetched tiers elsewhere, or the MMR field).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from fundtui.core import carry, fees
from fundtui.core.board import BoardRow
from fundtui.core.calculator import Inputs, calculate, number
from fundtui.core.liquidation import VENUE_FORMULAS
from fundtui.core.quote import Quote
from fundtui.feeds import tiers as tier_feed
from fundtui.ui.safe import plain, visible

PERCENT, NUMBER, SIGNED, TEXT = "pct", "num", "signed", "text"
SIGNED_NUMBER = "signed_num"  # any finite number, not a percent


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    label: str
    kind: str = NUMBER
    optional: bool = False
    allow_zero: bool = False


def _fmt(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def _price(x: float | None) -> str:
    if x is None:
        return "none"
    return f"{x:,.{max(2, 6 - len(str(int(abs(x)))))}f}"


def _pct_text(x: float | None) -> str:
    return "" if x is None else f"{x * 100:.6g}"


def _num_text(x: float | None) -> str:
    return "" if x is None else f"{x:.10g}"


class FormScreen(ModalScreen[None]):
    """Fields on the left, results on the right; subclasses compute."""

    FIELDS: tuple[Field, ...] = ()
    TITLE = ""
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("ctrl+y", "copy", "Copy results", priority=True),
    ]
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > Vertical { width: 100%; max-width: 120; height: 100%; max-height: 34;
                            border: round $accent; background: $surface; padding: 0 1; }
    FormScreen .form-title { text-style: bold; height: 1; margin-bottom: 1; }
    FormScreen .form-body { height: 1fr; }
    FormScreen .form-fields { width: 1fr; min-width: 50; }
    FormScreen .form-row { height: 1; }
    FormScreen .form-row Label { width: 13; }
    FormScreen .form-row Input { width: 14; height: 1; border: none; padding: 0 1;
                                 background: $boost; }
    FormScreen .form-row Input:focus { background: $accent 40%; }
    FormScreen .form-row Input.bad { background: $error 40%; }
    FormScreen .form-error { color: $error; width: 1fr; padding: 0 0 0 1; }
    FormScreen .form-results { width: 1fr; padding: 0 0 0 2; }
    FormScreen .form-hint { color: $text-muted; height: 1; }
    """

    def __init__(self, values: Mapping[str, str], title: str) -> None:
        super().__init__()
        self.initial = dict(values)
        self.title_text = title
        self.results_text = ""
        self.errors: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.title_text), classes="form-title")
            with Horizontal(classes="form-body"):
                with VerticalScroll(classes="form-fields"):
                    for f in self.FIELDS:
                        with Horizontal(classes="form-row"):
                            yield Label(Text(f.label))
                            yield Input(self.initial.get(f.key, ""), id=f"f-{f.key}")
                            yield Static("", id=f"e-{f.key}", classes="form-error")
                yield Static("", id="results", classes="form-results")
            yield Static(Text("Tab next field · ctrl+y copy results · Esc close"),
                         classes="form-hint")

    def on_mount(self) -> None:
        self.recompute()
        self.query_one(f"#f-{self.FIELDS[0].key}", Input).focus()

    def value(self, key: str) -> str:
        return self.query_one(f"#f-{key}", Input).value

    def set_value(self, key: str, text: str) -> None:
        self.query_one(f"#f-{key}", Input).value = text

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        key = (event.input.id or "").removeprefix("f-")
        if self.is_mounted and self.field_changed(key, event.value):
            return  # the fields it set recompute on their own change
        self.recompute()

    def field_changed(self, key: str, value: str) -> bool:
        """Hook: a field was edited; True when it changed other fields."""
        return False

    def parse(self) -> tuple[dict[str, Any], dict[str, str]]:
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for f in self.FIELDS:
            text = self.value(f.key).strip()
            if f.kind == TEXT:
                values[f.key] = text.lower()
                reason = self.check_text(f.key, values[f.key])
                if reason:
                    errors[f.key] = reason
                continue
            if not text and f.optional:
                values[f.key] = None
                continue
            if not text:
                errors[f.key] = "required"
                continue
            try:
                values[f.key] = number(f.label.lower(), text,
                                       percent=f.kind in (PERCENT, SIGNED),
                                       positive=f.kind not in (SIGNED, SIGNED_NUMBER),
                                       allow_zero=f.allow_zero)
            except ValueError as e:
                errors[f.key] = str(e)
        return values, errors

    def check_text(self, key: str, value: str) -> str | None:
        """Why a text field's value cannot be used, or None."""
        return None

    def compute(self, values: dict[str, Any], errors: dict[str, str]) -> list[Text]:
        raise NotImplementedError

    def recompute(self) -> None:
        values, errors = self.parse()
        lines = self.compute(values, errors) if not errors else []
        self.errors = errors
        for f in self.FIELDS:
            reason = errors.get(f.key, "")
            self.query_one(f"#e-{f.key}", Static).update(plain(reason))  # may quote the field
            self.query_one(f"#f-{f.key}", Input).set_class(bool(reason), "bad")
        if not lines:
            lines = [Text("Fix the marked fields to see results.", style="italic")]
        out = Text("\n").join(lines)
        self.results_text = out.plain
        self.query_one("#results", Static).update(out)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.results_text)
        self.notify("Results copied to the clipboard", timeout=2)


# --------------------------------------------------------------------------- position

TierResolver = Callable[[str, str], tier_feed.TierSource]


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
        Field("wallet", "Cross wallet", optional=True),
        Field("other_mm", "Others' MM", optional=True, allow_zero=True),
        Field("other_upnl", "Others' PnL", SIGNED_NUMBER, optional=True),
    )

    def __init__(self, values: Mapping[str, str], resolve: TierResolver,
                 fees_for: Callable[[str], fees.Fees], fetch: Callable[[str, str], None]
                 | None = None) -> None:
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
        taker = _pct_text(self.fees_for(venue).taker)
        updates = {"fee_in": taker, "fee_out": taker}
        if q is not None and q.has_rate:
            updates |= {"rate": _pct_text(q.funding_rate),
                        "interval": _num_text(q.interval_hours)}
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
        if cross and venue != "binance":
            errors["margin"] = "cross: binance formula only"
            return []
        if cross and v["wallet"] is None:
            errors["wallet"] = "required for cross margin"
            return []
        if not cross and (v["wallet"] is not None or v["other_mm"] or v["other_upnl"]):
            errors["margin"] = "wallet fields need cross"
            return []
        if v.get("mmr") is not None:
            source: tier_feed.TierSource | str = tier_feed.manual_tiers(v["mmr"])
        else:
            source = self._tiers(venue, base)
        if isinstance(source, str):
            errors["mmr"] = "needed: no tier table"
            return [plain(source)]  # why: it can quote a venue's answer or a file
        inp = Inputs(venue=venue, side=side, equity=v["equity"], risk=v["risk"],
                     entry=v["entry"], stop=v["stop"], leverage=v["leverage"],
                     fee_in=v["fee_in"], fee_out=v["fee_out"],
                     taker=self.fees_for(venue).taker, tiers=source.tiers, step=v["step"],
                     target=v["target"], rate=v["rate"],
                     interval_h=v["interval"] if v["rate"] is not None else None,
                     hold_h=v["hold"], cross_wallet=v["wallet"] if cross else None,
                     other_maintenance=v["other_mm"] or 0.0, other_upnl=v["other_upnl"] or 0.0)
        try:
            res = calculate(inp)
        except ValueError as e:
            message = str(e)
            field = next((k for k in ("stop", "target", "risk", "side") if message.startswith(k)
                          or f" {k} " in message), "stop")
            errors[field] = message
            return []
        s = res.size
        base = visible(base)  # typed, or prefilled from the board: venue text
        lines = [
            Text(f"{venue} {base} {side}, {v['margin']}", style="bold"),
            plain(f"tiers: {source.label}", style="dim"),
            Text(f"Size          {s.qty:.8g} {base}"),
            Text(f"Notional      {_fmt(s.notional)}"),
            Text(f"Margin        {_fmt(s.margin)} at {inp.leverage:g}x"),
            Text(f"Loss at stop  {_fmt(s.loss_at_stop)} incl. fees"),
            Text(f"Liquidation   {_price(res.liquidation)}", style="bold"),
            Text(f"  maintenance {res.tier.mmr * 100:g} %"
                 + (f", amount {res.tier.cum:,.2f}" if res.tier.cum else "")),
            Text("Max leverage  " + (f"{res.max_leverage_for_stop}x (stop before liq.)"
                                     if res.max_leverage_for_stop else
                                     "n/a (cross)" if cross else "none")),
        ]
        if res.r_multiple is not None:
            lines.append(Text(f"R multiple    {res.r_multiple:.2f}"))
        f = res.funding
        if f is not None:
            lines.append(Text(f"Funding       {f.verb} {_fmt(abs(f.per_settlement))} "
                              f"per {inp.interval_h:g}h"))
            lines.append(Text(f"              {_fmt(abs(f.per_day))} per day, "
                              f"{_fmt(abs(f.over_period))} over {inp.hold_h:g}h"))
        lines.append(Text(f"Break-even    {_price(res.break_even)}"
                          + (f" ({f.settlements} settlements)" if f is not None else "")))
        for w in res.warnings:
            lines.append(plain(f"⚠ {w}", style="bold red"))
        return lines


# --------------------------------------------------------------------------- carry

class CarryScreen(FormScreen):
    FIELDS = (
        Field("long_venue", "Long venue", TEXT),
        Field("long_kind", "Long leg", TEXT),
        Field("long_rate", "Long rate %", SIGNED, optional=True),
        Field("long_interval", "Long int. h"),
        Field("short_venue", "Short venue", TEXT),
        Field("short_rate", "Short rate %", SIGNED),
        Field("short_interval", "Short int. h"),
        Field("price", "Price"),
        Field("notional", "Notional"),
        Field("long_fee", "Long fee %", PERCENT, allow_zero=True),
        Field("short_fee", "Short fee %", PERCENT, allow_zero=True),
        Field("horizon", "Horizon h"),
    )

    def __init__(self, values: Mapping[str, str], base: str) -> None:
        super().__init__(values, f"Carry calculator · {base}")
        self.base = base

    def check_text(self, key: str, value: str) -> str | None:
        if key == "long_kind" and value not in ("perp", "spot"):
            return "perp or spot"
        if key.endswith("_venue") and not value:
            return "required"
        return None

    def compute(self, v: dict[str, Any], errors: dict[str, str]) -> list[Text]:
        kind = v["long_kind"]
        if kind == "perp" and v["long_rate"] is None:
            errors["long_rate"] = "required for a perp leg"
            return []
        qty = v["notional"] / v["price"]
        if kind == "spot":
            res = carry.cash_and_carry(qty=qty, spot=v["price"], perp=v["price"],
                                       rate=v["short_rate"], interval_h=v["short_interval"],
                                       spot_fee_in=v["long_fee"], spot_fee_out=v["long_fee"],
                                       perp_fee_in=v["short_fee"], perp_fee_out=v["short_fee"],
                                       horizon_h=v["horizon"])
            what = f"long {visible(v['long_venue'])} spot, short {visible(v['short_venue'])} perp"
        else:
            res = carry.perp_perp(qty=qty, long_price=v["price"], long_rate=v["long_rate"],
                                  long_interval_h=v["long_interval"], short_price=v["price"],
                                  short_rate=v["short_rate"],
                                  short_interval_h=v["short_interval"],
                                  long_fee_in=v["long_fee"], long_fee_out=v["long_fee"],
                                  short_fee_in=v["short_fee"], short_fee_out=v["short_fee"],
                                  horizon_h=v["horizon"])
            what = f"long {visible(v['long_venue'])}, short {visible(v['short_venue'])}"
        verb = "receives" if res.funding_per_day >= 0 else "pays"
        be = (f"{res.break_even_settlements} settlements ({res.break_even_hours:g} h)"
              if res.break_even_settlements else "never")
        base = visible(self.base)  # the board row's base: venue text
        return [
            Text(f"{base} {what}", style="bold"),
            Text(f"Quantity      {qty:.8g} {base} per leg"),
            Text(f"Funding       {verb} {abs(res.funding_per_day):,.2f} per day"),
            Text(f"Fees          {res.fees:,.2f} (all legs in and out)"),
            Text(f"Break-even    {be}", style="bold"),
            Text(f"Net           {res.net:,.2f} over {res.horizon_h:g} h"),
            Text(f"Net APR       {res.net_apr * 100:,.2f} %", style="bold"),
        ]


# --------------------------------------------------------------------------- prefill

def _first_quote(row: BoardRow) -> Quote | None:
    fresh = [q for q in row.fresh_quotes() if q.has_rate]
    return fresh[0] if fresh else next(iter(row.quotes.values()), None)


def _price_of(q: Quote | None) -> float | None:
    if q is None or q.mark_price is None:
        return None
    return q.mark_price / (q.multiplier or 1)


def position_values(row: BoardRow | None, fee_table: Callable[[str], fees.Fees]
                    ) -> dict[str, str]:
    q = _first_quote(row) if row is not None else None
    venue = q.venue if q is not None else "binance"
    taker = fee_table(venue).taker
    entry = _price_of(q)
    return {
        # the base as shown: a hidden character arrives spelled out (and fails the check)
        "venue": venue, "symbol": visible(row.base) if row is not None else "BTC",
        "side": "long",
        "equity": "10000", "risk": "1", "entry": _num_text(entry),
        "stop": _num_text(round(entry * 0.98, 10)) if entry else "",
        "leverage": "10", "fee_in": _pct_text(taker), "fee_out": _pct_text(taker),
        "rate": _pct_text(q.funding_rate if q is not None else None),
        # an unknown interval stays empty: never a guessed 8 h
        "interval": _num_text(q.interval_hours if q is not None else None),
        "hold": "24", "margin": "isolated",
    }


def carry_values(row: BoardRow, fee_table: Callable[[str], fees.Fees]) -> dict[str, str]:
    spread = row.spread
    assert spread is not None
    lq, sq = row.quotes[spread.long_venue], row.quotes[spread.short_venue]
    price = _price_of(lq) or _price_of(sq) or next(
        (p for q in row.fresh_quotes() if (p := _price_of(q)) is not None), None)
    return {
        "long_venue": spread.long_venue, "long_kind": "perp",
        "long_rate": _pct_text(lq.funding_rate), "long_interval": _num_text(lq.interval_hours),
        "short_venue": spread.short_venue, "short_rate": _pct_text(sq.funding_rate),
        "short_interval": _num_text(sq.interval_hours), "price": _num_text(price),
        "notional": "10000", "long_fee": _pct_text(fee_table(spread.long_venue).taker),
        "short_fee": _pct_text(fee_table(spread.short_venue).taker), "horizon": "720",
    }


# --------------------------------------------------------------------------- opening

def _selected_row(app: Any) -> BoardRow | None:
    base = app.board.selected_base
    return app.board.board_rows.get(base) if base is not None else None


def _fee_table(app: Any) -> Callable[[str], fees.Fees]:
    overrides = getattr(app.config, "fees", None)
    return lambda venue: fees.perp_fees(venue, overrides)


def open_calculator(app: Any) -> None:
    """``c``: the position calculator for the selected row."""
    config = app.config
    fee_table = _fee_table(app)

    def resolve(venue: str, base: str) -> tier_feed.TierSource:
        if venue == "binance":
            return tier_feed.binance_tiers(base, getattr(config, "binance_brackets", None))
        return tier_feed.venue_tiers(config.venue(venue), base, fetch=False)

    values = position_values(_selected_row(app), fee_table)
    limits = tier_feed.market_limits(config.venue(values["venue"]), values["symbol"],
                                     fetch=False)
    if limits is not None and limits.step:
        values["step"] = _num_text(limits.step)
    screen = CalculatorScreen(values, resolve, fee_table)
    row = _selected_row(app)
    if row is not None:
        screen.row_quotes = row.quotes
    if not getattr(app, "demo", False):
        screen.fetch = lambda venue, base: _fetch_tiers(screen, config.venue(venue), base)
    app.push_screen(screen)


def _fetch_tiers(screen: CalculatorScreen, venue_config: Any, base: str) -> None:
    def job() -> None:
        try:
            result: tier_feed.TierSource | str = tier_feed.venue_tiers(venue_config, base)
        except tier_feed.TiersUnavailable as e:
            result = str(e)
        screen.app.call_from_thread(screen.tiers_arrived, venue_config.name, base, result)

    screen.run_worker(job, thread=True, exit_on_error=False, group="tiers")


def open_carry(app: Any) -> None:
    """``C``: the carry calculator with the selected row's spread legs."""
    row = _selected_row(app)
    if row is None or row.spread is None:
        app.notify("No spread on this row: the carry calculator needs two fresh venues",
                   timeout=3)
        return
    app.push_screen(CarryScreen(carry_values(row, _fee_table(app)), row.base))
