"""What ``fundtui calc`` prints: the text report and the JSON object.

Numbers go through :mod:`fundtui.core.number_text`, shared with the calculator
screen: prices with six significant digits (a sub-cent coin keeps its digits),
quantities in plain digits with thousands separators, never exponent notation.
A bundled contract (``1000PEPE``) is sized both in contracts and in coins.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from fundtui.core.bundle import Bundle, bundle_line, contracts_and_coins
from fundtui.core.number_text import amount, num_text, pct_text, price, quantity

NO_LIQUIDATION = "none (cannot be liquidated)"


def _num_or_none(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else x


def to_json(
    args: argparse.Namespace, inp: Any, res: Any, tiers_label: str, bundle: Bundle | None = None
) -> dict[str, Any]:
    f = res.funding
    tier = res.tier
    out: dict[str, Any] = {
        "venue": args.venue,
        "symbol": args.symbol,
        "side": args.side,
        "inputs": {
            "equity": inp.equity,
            "risk": inp.risk,
            "entry": inp.entry,
            "stop": inp.stop,
            "leverage": inp.leverage,
            "fee_in": inp.fee_in,
            "fee_out": inp.fee_out,
            "step": inp.step,
            "min_notional": inp.min_notional,
            "target": inp.target,
            "rate": inp.rate,
            "interval_h": inp.interval_h,
            "hold_h": inp.hold_h,
            "added_margin": inp.added_margin,
        },
        "tiers": tiers_label,
        "margin_mode": "isolated" if inp.cross_wallet is None else "cross",
        "qty": res.size.qty,
        "qty_unrounded": res.size.raw_qty,
        "bundle": None,
        "notional": res.size.notional,
        "margin": res.size.margin,
        "loss_at_stop": res.size.loss_at_stop,
        "liquidation_price": res.liquidation,
        "liquidation_missing": res.liquidation_missing,
        "maintenance_rate": None if tier is None else tier.mmr,
        "maintenance_amount": None if tier is None else tier.cum,
        "max_leverage_stop_before_liquidation": res.max_leverage_for_stop,
        "r_multiple": _num_or_none(res.r_multiple),
        "break_even": res.break_even,
        "funding": None
        if f is None
        else {
            "per_settlement": f.per_settlement,
            "per_day": f.per_day,
            "over_hold": f.over_period,
            "settlements": f.settlements,
            "verb": f.verb,
        },
        "warnings": list(res.warnings),
    }
    if bundle is not None:
        n, coins = contracts_and_coins(_qty(res), args.symbol, bundle)
        out["bundle"] = {
            "contract": bundle.contract,
            "coin": bundle.coin,
            "coins_per_contract": bundle.coins,
            "contracts": n,
            "coins": coins,
        }
    return out


def _qty(res: Any) -> float:
    return res.size.qty if res.size.qty > 0 else res.size.raw_qty


def _liquidation_line(inp: Any, res: Any) -> str:
    if res.tier is None:
        return f"liquidation   {res.liquidation_missing} (give --mmr)"
    return (
        f"liquidation   {price(res.liquidation, none=NO_LIQUIDATION)} "
        f"(maintenance {pct_text(res.tier.mmr)} %"
        + (f", amount {amount(res.tier.cum)})" if res.tier.cum else ")")
    )


def _max_leverage_line(inp: Any, res: Any) -> str:
    if res.max_leverage_for_stop:
        return f"max leverage  {res.max_leverage_for_stop}x keeps the stop before liquidation"
    if inp.cross_wallet is not None:
        return "max leverage  n/a in cross margin (the wallet backs the position)"
    if res.tier is None:
        return "max leverage  n/a without the maintenance rate"
    return "max leverage  none keeps the stop before liquidation"


def text(
    args: argparse.Namespace,
    inp: Any,
    res: Any,
    tiers_label: str,
    limits_note: str = "",
    bundle: Bundle | None = None,
) -> str:
    s = res.size
    step = (
        f"step {quantity(inp.step)}, min notional {amount(inp.min_notional)} ({limits_note})"
        if inp.step
        else limits_note or "no step: not rounded"
    )
    added = f", {amount(inp.added_margin)} added" if inp.added_margin else ""
    lines = [
        f"{args.venue} {args.symbol} {args.side}, "
        f"{'isolated' if inp.cross_wallet is None else 'cross'} · tiers: {tiers_label}",
        f"size          {quantity(s.qty)} {args.symbol}  "
        f"({quantity(s.raw_qty)} before rounding, {step})",
    ]
    if bundle is not None:
        lines.append(f"              {bundle_line(_qty(res), args.symbol, bundle)}")
    lines += [
        f"notional      {amount(s.notional)}",
        f"margin        {amount(s.margin)} at {num_text(inp.leverage)}x{added}",
        f"loss at stop  {amount(s.loss_at_stop)} incl. fees "
        f"({pct_text(inp.fee_in)} % in, {pct_text(inp.fee_out)} % out)",
        _liquidation_line(inp, res),
        _max_leverage_line(inp, res),
    ]
    if res.r_multiple is not None:
        lines.append(f"R multiple    {amount(res.r_multiple)} at {price(inp.target)}")
    f = res.funding
    if f is not None:
        lines.append(
            f"funding       {f.verb} {amount(abs(f.per_settlement))} per "
            f"{num_text(inp.interval_h)}h settlement, {amount(abs(f.per_day))} per day, "
            f"{amount(abs(f.over_period))} over {num_text(inp.hold_h)}h "
            f"({f.settlements} settlements)"
        )
    lines.append(
        f"break-even    {price(res.break_even, none=NO_LIQUIDATION)}"
        + (
            f" after {f.settlements} settlements"
            if f is not None
            else " (fees only; give --rate for funding)"
        )
    )
    lines += [f"warning: {w}" for w in res.warnings]
    return "\n".join(lines)
