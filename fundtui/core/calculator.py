"""One position calculation, as the calculator screen and ``fundtui calc`` show it.

Pure: every input is passed in (tiers, fees, live rate); :func:`calculate`
returns the numbers and the warnings. Size, notional, margin, loss at stop and
break-even do not depend on the maintenance rate, so without a tier table they
are still given and only the liquidation (and the leverage that keeps the stop
before it) is missing. :func:`number` turns a typed field into a float or a
one-line reason, for the command line and the screen alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from fundtui.core import holding, liquidation, sizing, venues
from fundtui.core.number_text import amount, num_text, price, quantity
from fundtui.core.numbers import parse_decimal
from fundtui.core.tiers import NOTIONAL, Tier, tier_for

#: What stands in for the liquidation when there is no maintenance table.
NEEDS_MMR = "needs the maintenance rate (MMR %): no tier table"

_NOT_FINITE = frozenset({"nan", "inf", "infinity"})


def _shown(text: str, limit: int = 40) -> str:
    """What was typed, quoted and cut short, for the message."""
    raw = text.strip()
    return repr(raw if len(raw) <= limit else raw[: limit - 1] + "…")


def number(
    name: str, text: str, *, positive: bool = True, allow_zero: bool = False, percent: bool = False
) -> float:
    """``text`` as a finite number, else ValueError saying what is wrong with ``name``.

    Only ASCII decimal notation (:mod:`fundtui.core.numbers`): no Unicode digits,
    underscores or thousands separators (``1,5`` must not quietly become 15).
    ``percent``: the text is in percent (``1`` = 1 %, a trailing ``%`` allowed)
    and the result a fraction.
    """
    raw = text.strip()
    if percent and raw.endswith("%"):
        raw = raw[:-1].rstrip()
    if raw.lstrip("+-").lower() in _NOT_FINITE:
        raise ValueError(f"{name} must be a finite number, got {_shown(text)}")
    try:
        value = parse_decimal(raw)
    except ValueError as e:
        what = "a finite number" if str(e) == "not finite" else "a number"
        raise ValueError(f"{name} must be {what}, got {_shown(text)}") from None
    if positive and (value < 0 or (value == 0 and not allow_zero)):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {_shown(text)}")
    return value / 100 if percent else value


@dataclass(frozen=True, slots=True)
class Inputs:
    venue: str
    side: str
    equity: float
    risk: float  # fraction of equity
    entry: float
    stop: float
    leverage: float
    fee_in: float
    fee_out: float  # also the closing fee in the okx/gate/bitget liquidation form
    # None: no maintenance table (and no MMR given): every figure but the liquidation
    tiers: Sequence[Tier] | None
    step: float | None = None
    min_notional: float = 0.0
    target: float | None = None
    rate: float | None = None  # funding per settlement, fraction
    interval_h: float | None = None
    hold_h: float = 24.0
    # cross margin (binance formula): the wallet balance and the other positions'
    # maintenance and unrealised PnL; None = isolated
    cross_wallet: float | None = None
    other_maintenance: float = 0.0
    other_upnl: float = 0.0
    # isolated: margin moved into the position after opening (negative: taken out)
    added_margin: float = 0.0


@dataclass(frozen=True, slots=True)
class Result:
    size: sizing.Size
    liquidation: float | None
    tier: Tier | None  # None: no tiers, so no liquidation (``liquidation_missing`` says why)
    max_leverage_for_stop: int | None
    r_multiple: float | None
    funding: holding.Funding | None
    break_even: float
    warnings: tuple[str, ...] = field(default_factory=tuple)
    liquidation_missing: str | None = None


def check(inp: Inputs) -> None:
    """ValueError (one line) for inputs no calculation can use."""
    if inp.side not in (sizing.LONG, sizing.SHORT):
        raise ValueError(f"side must be long or short, got {inp.side!r}")
    if inp.stop == inp.entry:
        raise ValueError("stop must differ from entry")
    if not sizing.stop_on_right_side(inp.side, inp.entry, inp.stop):
        where = "below" if inp.side == sizing.LONG else "above"
        raise ValueError(
            f"stop {num_text(inp.stop)} is on the wrong side: a {inp.side}'s stop must "
            f"be {where} its entry {num_text(inp.entry)}"
        )
    if inp.cross_wallet is not None and inp.added_margin:
        raise ValueError(
            "added margin is for an isolated position; in cross margin give the wallet balance"
        )
    if inp.risk >= 1:
        raise ValueError(f"risk must be under 100 % of equity, got {inp.risk * 100:g} %")
    if inp.target is not None and not sizing.stop_on_right_side(
        sizing.SHORT if inp.side == sizing.LONG else sizing.LONG, inp.entry, inp.target
    ):
        where = "above" if inp.side == sizing.LONG else "below"
        raise ValueError(f"target must be {where} entry for a {inp.side}")


def calculate(inp: Inputs) -> Result:
    check(inp)
    size = sizing.risk_size(
        side=inp.side,
        equity=inp.equity,
        risk=inp.risk,
        entry=inp.entry,
        stop=inp.stop,
        leverage=inp.leverage,
        fee_in=inp.fee_in,
        fee_out=inp.fee_out,
        step=inp.step,
        min_notional=inp.min_notional,
    )
    warnings: list[str] = []
    qty = size.qty if size.qty > 0 else size.raw_qty
    if size.qty <= 0:
        warnings.append(
            f"size rounds down to 0 at step {quantity(inp.step or 0)}: "
            "risk more or pick a wider stop"
        )
    elif size.below_min_notional:
        warnings.append(
            f"notional {amount(size.notional)} is below the venue minimum "
            f"{amount(inp.min_notional)}"
        )
    if inp.cross_wallet is not None and not venues.supports_cross_margin(inp.venue):
        raise ValueError(
            f"cross margin is computed with binance's formula only; {inp.venue} is isolated here"
        )
    liq, max_lev = (None, None) if inp.tiers is None else _liquidation(inp, qty, warnings)
    r_mult = (
        None if inp.target is None else size.r_multiple(inp.side, inp.entry, inp.stop, inp.target)
    )
    fund = None
    n = 0
    if inp.rate is not None and inp.interval_h:
        n = holding.settlements_in(inp.hold_h, inp.interval_h)
        fund = holding.funding(inp.side, size.notional, inp.rate, inp.interval_h, n)
    be = holding.break_even(inp.side, inp.entry, inp.fee_in, inp.fee_out, inp.rate or 0.0, n)
    return Result(
        size,
        None if liq is None else liq.price,
        None if liq is None else liq.tier,
        max_lev,
        r_mult,
        fund,
        be,
        tuple(warnings),
        liquidation_missing=NEEDS_MMR if inp.tiers is None else None,
    )


def _liquidation(
    inp: Inputs, qty: float, warnings: list[str]
) -> tuple[liquidation.Liquidation, int | None]:
    """The liquidation and the highest leverage keeping the stop before it, with their
    warnings added to ``warnings``."""
    assert inp.tiers is not None
    if inp.cross_wallet is not None:
        liq = liquidation.binance(
            inp.side,
            qty,
            inp.entry,
            inp.cross_wallet,
            inp.tiers,
            other_maintenance=inp.other_maintenance,
            other_upnl=inp.other_upnl,
        )
    else:
        liq = liquidation.isolated(
            inp.venue,
            inp.side,
            qty,
            inp.entry,
            inp.leverage,
            inp.tiers,
            inp.fee_out,
            opening_fee=inp.fee_in,
            added_margin=inp.added_margin,
        )
    entry_tier = tier_for(inp.tiers, qty, inp.entry)
    if inp.leverage > entry_tier.max_leverage:
        unit = "notional" if entry_tier.unit == NOTIONAL else "size"
        warnings.append(
            f"leverage {inp.leverage:g}x is above this size's tier maximum "
            f"{entry_tier.max_leverage:g}x (tier from {unit} "
            f"{amount(entry_tier.floor, 0)})"
        )
    if liq.immediate(inp.side, inp.entry):
        warnings.append("margin is below maintenance at entry: liquidated on opening")
    elif not liquidation.stop_before_liquidation(inp.side, inp.stop, liq.price):
        warnings.append(
            f"the stop {price(inp.stop)} lies beyond the liquidation price "
            f"{price(liq.price)}: liquidation comes first"
        )
    if not liq.consistent:
        warnings.append("tier table is not continuous: liquidation uses the entry tier")
    if inp.cross_wallet is not None:
        return liq, None
    max_lev = liquidation.max_leverage_for_stop(
        inp.venue,
        inp.side,
        qty,
        inp.entry,
        inp.stop,
        inp.tiers,
        inp.fee_out,
        opening_fee=inp.fee_in,
        added_margin=inp.added_margin,
    )
    return liq, max_lev
