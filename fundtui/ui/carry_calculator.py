"""The carry calculator (``C``): a spread row's long and short legs, after fees.

Pre-filled from the row's spread (:func:`fundtui.engine.calc_inputs.carry_values`);
the figures come from :mod:`fundtui.core.carry`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text

from fundtui.config import Config
from fundtui.core import carry
from fundtui.core.board import BoardRow
from fundtui.engine.calc_inputs import carry_values, fee_table
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
            f"{res.break_even_settlements} settlements ({res.break_even_hours:g} h)"
            if res.break_even_settlements
            else "never"
        )
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


def carry_screen(row: BoardRow | None, config: Config) -> CarryScreen | str:
    """The carry calculator with ``row``'s spread legs, or why there is none (one line)."""
    if row is None or row.spread is None:
        return "No spread on this row: the carry calculator needs two fresh venues"
    return CarryScreen(carry_values(row, fee_table(config)), row.base)
