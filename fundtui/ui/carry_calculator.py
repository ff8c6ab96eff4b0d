"""The carry calculator (``C``): a spread row's long and short legs, after fees.

Pre-filled from the row's spread (:func:`fundtui.engine.calc_inputs.carry_values`);
the figures come from :mod:`fundtui.core.carry`. Changing a leg's venue (or the
long leg's kind) brings that venue's fee for the kind and its rate and interval
from the board row, through the resolver ``fundtui carry`` uses
(:func:`fundtui.engine.calc_inputs.leg_taker`), so a spot leg pays spot fees here
as there; a venue fundtui does not know is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text

from fundtui.config import SUPPORTED_VENUES, Config
from fundtui.core import carry
from fundtui.core.board import BoardRow
from fundtui.core.number_text import amount, num_text, quantity
from fundtui.core.numbers import fixed
from fundtui.core.quote import Quote
from fundtui.engine.calc_inputs import LegFee, carry_leg_values, carry_values, leg_fees
from fundtui.ui.form import PERCENT, SIGNED, TEXT, Field, FormScreen
from fundtui.ui.safe import visible


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

    def __init__(
        self,
        values: Mapping[str, str],
        base: str,
        leg_fee: LegFee,
        quotes: Mapping[str, Quote] | None = None,
    ) -> None:
        super().__init__(values, f"Carry calculator · {base}")
        self.base = base
        self.leg_fee = leg_fee
        self.row_quotes: Mapping[str, Quote] = quotes or {}  # the board row's, by venue

    def field_changed(self, key: str, value: str) -> bool:
        """A leg's venue or kind changed: its fee, rate and interval follow."""
        if key not in ("long_venue", "long_kind", "short_venue"):
            return False
        leg = key.split("_")[0]
        venue = self.value(f"{leg}_venue").strip().lower()
        kind = self.value("long_kind").strip().lower() if leg == "long" else "perp"
        if venue not in SUPPORTED_VENUES or kind not in ("perp", "spot"):
            return False
        updates = carry_leg_values(leg, venue, kind, self.row_quotes.get(venue), self.leg_fee)
        if key == "long_kind":  # the same venue: only the fee depends on the kind
            updates = {k: v for k, v in updates.items() if k.endswith("_fee")}
        changed = False
        for k, text in updates.items():
            if self.value(k) != text:
                self.set_value(k, text)
                changed = True
        return changed

    def check_text(self, key: str, value: str) -> str | None:
        if key == "long_kind" and value not in ("perp", "spot"):
            return "perp or spot"
        if key.endswith("_venue") and value not in SUPPORTED_VENUES:
            return f"one of {', '.join(SUPPORTED_VENUES)}"
        return None

    def compute(self, v: dict[str, Any], errors: dict[str, str]) -> list[Text]:
        kind = v["long_kind"]
        if kind == "perp" and v["long_venue"] == v["short_venue"]:
            errors["short_venue"] = f"both legs on {v['short_venue']}: pick two venues"
            return []
        if kind == "perp" and v["long_rate"] is None:
            errors["long_rate"] = "required for a perp leg"
            return []
        qty = v["notional"] / v["price"]
        if kind == "spot":
            res = carry.cash_and_carry(
                qty=qty,
                spot=v["price"],
                perp=v["price"],
                rate=v["short_rate"],
                interval_h=v["short_interval"],
                spot_fee_in=v["long_fee"],
                spot_fee_out=v["long_fee"],
                perp_fee_in=v["short_fee"],
                perp_fee_out=v["short_fee"],
                horizon_h=v["horizon"],
            )
            what = f"long {visible(v['long_venue'])} spot, short {visible(v['short_venue'])} perp"
        else:
            res = carry.perp_perp(
                qty=qty,
                long_price=v["price"],
                long_rate=v["long_rate"],
                long_interval_h=v["long_interval"],
                short_price=v["price"],
                short_rate=v["short_rate"],
                short_interval_h=v["short_interval"],
                long_fee_in=v["long_fee"],
                long_fee_out=v["long_fee"],
                short_fee_in=v["short_fee"],
                short_fee_out=v["short_fee"],
                horizon_h=v["horizon"],
            )
            what = f"long {visible(v['long_venue'])}, short {visible(v['short_venue'])}"
        verb = "receives" if res.funding_per_day >= 0 else "pays"
        be = (
            f"{res.break_even_settlements} settlements ({num_text(res.break_even_hours)} h)"
            if res.break_even_settlements
            else "never"
        )
        base = visible(self.base)  # the board row's base: venue text
        return [
            Text(f"{base} {what}", style="bold"),
            Text(f"Quantity      {quantity(qty)} {base} per leg"),
            Text(f"Funding       {verb} {amount(abs(res.funding_per_day))} per day"),
            Text(f"Fees          {amount(res.fees)} (all legs in and out)"),
            Text(f"Break-even    {be}", style="bold"),
            Text(f"Net           {amount(res.net)} over {num_text(res.horizon_h)} h"),
            Text(f"Net APR       {fixed(res.net_apr, 2, shift=2, group=True)} %", style="bold"),
        ]


def carry_screen(row: BoardRow | None, config: Config) -> CarryScreen | str:
    """The carry calculator with ``row``'s spread legs, or why there is none (one line)."""
    if row is None or row.spread is None:
        return "No spread on this row: the carry calculator needs two fresh venues"
    fee = leg_fees(config)
    return CarryScreen(carry_values(row, fee), row.base, fee, row.quotes)
