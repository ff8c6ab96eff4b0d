"""``fundtui calc``: position size, liquidation and funding for one trade, offline.

    fundtui calc --venue binance --symbol BTC --side long --equity 10000 --risk 1 \\
                 --entry 60000 --stop 58800 --leverage 10 [--json]

Percent flags (--risk, --fee-in, --fee-out, --mmr, --rate) take percent: 1 = 1 %.
Tiers: binance from the bundled (or configured) brackets; bybit, okx, bitget,
gate and hyperliquid from the tier cache, fetched once through the venue's public
API when missing (``--offline`` never fetches); ``--mmr`` replaces them with one rate.
Exit 0 with a result (warnings included; without tiers every figure but the
liquidation, which then asks for --mmr), 1 when a configured brackets file
cannot be used, 2 for bad flags.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from fundtui.commands import say
from fundtui.config import SUPPORTED_VENUES

VENUES = SUPPORTED_VENUES


def num(
    name: str, *, percent: bool = False, allow_zero: bool = False, positive: bool = True
) -> Callable[[str], float]:
    """An argparse type: ``text`` as a checked number, or a one-line reason.

    The calculator is imported when a value is parsed, not here: every run builds
    the parser (the board too, before its first frame)."""

    def parse(text: str) -> float:
        from fundtui.core.calculator import number

        try:
            return number(name, text, percent=percent, allow_zero=allow_zero, positive=positive)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    parse.__name__ = name  # argparse names the type in some messages
    return parse


def symbol(text: str) -> str:
    base = text.strip().upper().replace("/", "").removesuffix("USDT")
    if not base.isalnum():
        raise argparse.ArgumentTypeError(f"symbol must be a coin like BTC, got {text!r}")
    return base


def register(commands: Any, add_common: Callable[..., None]) -> None:
    p = commands.add_parser(
        "calc",
        allow_abbrev=False,
        help="size, liquidation and funding for one trade",
        description="Risk-based size, margin, isolated liquidation price, funding while "
        "holding and break-even for one trade. Percent flags take percent "
        "(1 = 1 %). Works offline with bundled or cached tiers.",
    )
    p.add_argument("--venue", required=True, choices=VENUES, help="the venue of the perp")
    p.add_argument("--symbol", required=True, type=symbol, help="coin, e.g. BTC")
    p.add_argument(
        "--side", required=True, choices=("long", "short"), help="the side of the position"
    )
    p.add_argument("--equity", required=True, type=num("equity"), help="account equity")
    p.add_argument(
        "--risk",
        required=True,
        type=num("risk", percent=True),
        help="percent of equity lost at the stop, fees included",
    )
    p.add_argument("--entry", required=True, type=num("entry"), help="entry price")
    p.add_argument("--stop", required=True, type=num("stop"), help="stop price")
    p.add_argument(
        "--leverage", required=True, type=num("leverage"), help="leverage, e.g. 10 for 10x"
    )
    p.add_argument("--target", type=num("target"), help="target price, for the R multiple")
    p.add_argument(
        "--fee-in",
        type=num("fee-in", percent=True, allow_zero=True),
        metavar="PCT",
        help="entry fee (default: the venue's base-tier taker)",
    )
    p.add_argument(
        "--fee-out",
        type=num("fee-out", percent=True, allow_zero=True),
        metavar="PCT",
        help="exit fee (default: the venue's base-tier taker)",
    )
    p.add_argument(
        "--mmr",
        type=num("mmr", percent=True),
        metavar="PCT",
        help="maintenance margin rate for every size, instead of the tiers",
    )
    p.add_argument(
        "--step",
        type=num("step"),
        help="quantity step to round the size down to (default: the market's)",
    )
    p.add_argument(
        "--min-notional",
        type=num("min-notional", allow_zero=True),
        metavar="USD",
        help="minimum order notional (default: the market's)",
    )
    p.add_argument(
        "--rate",
        type=num("rate", percent=True, positive=False),
        metavar="PCT",
        help="funding rate per settlement (+: longs pay)",
    )
    p.add_argument(
        "--interval",
        type=num("interval"),
        metavar="H",
        help="funding interval in hours, needed with --rate (never assumed)",
    )
    p.add_argument(
        "--hold",
        type=num("hold", allow_zero=True),
        metavar="H",
        default=24.0,
        help="holding period in hours (default 24)",
    )
    p.add_argument(
        "--added-margin",
        type=num("added-margin", positive=False),
        metavar="USD",
        default=0.0,
        help="isolated: margin added to the position after opening (negative: taken out)",
    )
    p.add_argument(
        "--cross-wallet",
        type=num("cross-wallet"),
        metavar="USD",
        help="cross margin (binance formula): the cross wallet balance",
    )
    p.add_argument(
        "--other-maintenance",
        type=num("other-maintenance", allow_zero=True),
        metavar="USD",
        default=0.0,
        help="cross: maintenance margin of the wallet's other positions",
    )
    p.add_argument(
        "--other-upnl",
        type=num("other-upnl", positive=False),
        metavar="USD",
        default=0.0,
        help="cross: unrealised PnL of the wallet's other positions",
    )
    p.add_argument(
        "--offline",
        action="store_true",
        help="never fetch tiers or market limits (cached or bundled only)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    add_common(p, defaults=False)
    p.set_defaults(run=run)


def _tiers(args: argparse.Namespace, config: Any):
    from fundtui.engine import calc_inputs
    from fundtui.feeds import tiers as feed

    if args.mmr is not None:
        if args.mmr >= 1:
            raise feed.TiersUnavailable(f"mmr must be under 100 %, got {args.mmr * 100:g} %")
        return feed.manual_tiers(args.mmr)
    return calc_inputs.resolve_tiers(config, args.venue, args.symbol, fetch=not args.offline)


def run(args: argparse.Namespace) -> int:
    from fundtui.commands.calc_output import text, to_json
    from fundtui.config import load_config
    from fundtui.core.bundle import bundle_of
    from fundtui.core.calculator import Inputs, calculate
    from fundtui.core.tiers import TierError
    from fundtui.engine.calc_inputs import fee_table
    from fundtui.feeds.tiers import TiersUnavailable, TiersUnusable

    config = load_config(args.config)
    fees = fee_table(config)(args.venue)
    fee_in = fees.taker if args.fee_in is None else args.fee_in
    fee_out = fees.taker if args.fee_out is None else args.fee_out
    source, missing = None, ""
    try:
        source = _tiers(args, config)
    except TiersUnusable as e:  # a configured brackets file that is not one: bad input
        say(str(e))
        return 1
    except TiersUnavailable as e:
        if args.mmr is not None:
            say(str(e))
            return 2
        missing = str(e)  # every figure but the liquidation can still be given
    except TierError as e:
        missing = f"bad tiers: {e}"
    step, min_notional, limits_note = _limits(args, config)
    inp = Inputs(
        venue=args.venue,
        side=args.side,
        equity=args.equity,
        risk=args.risk,
        entry=args.entry,
        stop=args.stop,
        leverage=args.leverage,
        fee_in=fee_in,
        fee_out=fee_out,
        tiers=None if source is None else source.tiers,
        step=step,
        min_notional=min_notional,
        target=args.target,
        rate=args.rate,
        interval_h=args.interval if args.rate is not None else None,
        hold_h=args.hold,
        cross_wallet=args.cross_wallet,
        other_maintenance=args.other_maintenance,
        other_upnl=args.other_upnl,
        added_margin=args.added_margin,
    )
    if args.rate is not None and args.interval is None:
        say("--interval is required with --rate (hours per settlement; never assumed 8)")
        return 2
    if args.cross_wallet is None and (args.other_maintenance or args.other_upnl):
        say("--other-maintenance and --other-upnl need --cross-wallet (cross margin)")
        return 2
    try:
        res = calculate(inp)
    except ValueError as e:
        say(str(e))
        return 2
    label = missing if source is None else source.label
    bundle = bundle_of(args.symbol, "" if source is None else source.symbol)
    if args.json:
        out = to_json(args, inp, res, label, bundle)
        out["limits"] = limits_note
        print(json.dumps(out, indent=2))
    else:
        print(text(args, inp, res, label, limits_note, bundle))
    return 0


def _limits(args: argparse.Namespace, config: Any) -> tuple[float | None, float, str]:
    """(step, minimum notional, where they came from): flags, else the market's."""
    from fundtui.engine.calc_inputs import order_limits

    return order_limits(
        config,
        args.venue,
        args.symbol,
        args.entry,
        step=args.step,
        min_notional=args.min_notional,
        fetch=not args.offline,
    )
