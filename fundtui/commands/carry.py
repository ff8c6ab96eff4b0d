"""``fundtui carry``: what a funding carry earns after fees.

    fundtui carry --symbol BTC --long binance --short bybit --price 60000 --notional 10000 \\
                  --long-rate 0.01 --long-interval 8 --short-rate 0.03 --short-interval 8
    fundtui carry --symbol BTC --spot binance --short bybit --price 60000 --qty 0.2 \\
                  --short-rate 0.01 --short-interval 8

``--long VENUE`` is a perp-perp spread (long the perp on one venue, short on
another, equal base quantity); ``--spot VENUE`` is a cash-and-carry (long spot,
short perp). Rates are percent per settlement (+: longs pay). Fees default to
each venue's base tier (taker in and out; spot fees for the spot leg), or
``--fee`` (percent, every leg both ways). Offline, rates, intervals and the price
come from the flags; ``--live`` polls the legs' venues once (``--demo``: the
simulated market) and takes what the flags leave out from their answers. A leg's
interval is never guessed: a rate per 4 h read as per 8 h halves the funding, so
without the flag or a live interval the command says so and stops (exit 2).
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable
from typing import Any

from fundtui.commands import say
from fundtui.commands.calc import VENUES, num, symbol


def register(commands: Any, add_common: Callable[..., None]) -> None:
    p = commands.add_parser(
        "carry",
        allow_abbrev=False,
        help="funding carry: perp-perp or cash-and-carry",
        description="Funding per day, fees for every leg, break-even in whole settlements "
        "and net APR over a horizon, for a perp-perp spread (--long) or a "
        "cash-and-carry (--spot). Rates in percent per settlement.",
    )
    p.add_argument("--symbol", required=True, type=symbol, help="coin, e.g. BTC")
    legs = p.add_mutually_exclusive_group(required=True)
    legs.add_argument("--long", choices=VENUES, help="venue of the long perp (perp-perp)")
    legs.add_argument("--spot", choices=VENUES, help="venue of the long spot (cash-and-carry)")
    p.add_argument("--short", required=True, choices=VENUES, help="venue of the short perp")
    p.add_argument("--price", type=num("price"), help="price of the coin (--live: the mark)")
    p.add_argument(
        "--short-price", type=num("short-price"), help="price on the short leg, if it differs"
    )
    size = p.add_mutually_exclusive_group(required=True)
    size.add_argument("--qty", type=num("qty"), help="base quantity of each leg")
    size.add_argument("--notional", type=num("notional"), help="notional of each leg")
    p.add_argument(
        "--long-rate",
        type=num("long-rate", percent=True, positive=False),
        metavar="PCT",
        help="funding rate of the long perp (perp-perp)",
    )
    p.add_argument(
        "--long-interval",
        type=num("long-interval"),
        metavar="H",
        help="hours per settlement of the long perp (or the live one)",
    )
    p.add_argument(
        "--short-rate",
        metavar="PCT",
        type=num("short-rate", percent=True, positive=False),
        help="funding rate of the short perp",
    )
    p.add_argument(
        "--short-interval",
        type=num("short-interval"),
        metavar="H",
        help="hours per settlement of the short perp (or the live one)",
    )
    p.add_argument(
        "--live",
        action="store_true",
        help="take rates, intervals and price not given from one poll of the two venues",
    )
    p.add_argument(
        "--fee",
        type=num("fee", percent=True, allow_zero=True),
        metavar="PCT",
        help="one fee for every leg in and out, instead of the venues' base tiers",
    )
    p.add_argument(
        "--horizon",
        type=num("horizon"),
        default=24.0 * 30,
        metavar="H",
        help="hours held, for the net figure and APR (default 720 = 30 days)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    add_common(p, defaults=False)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from fundtui.config import load_config
    from fundtui.core import carry
    from fundtui.core.number_text import amount, num_text, quantity
    from fundtui.core.numbers import fixed
    from fundtui.engine.calc_inputs import PERP, SPOT, leg_taker

    config = load_config(args.config)
    if args.live:
        problem = _fill_live(args, config)
        if problem:
            say(problem)
            return 1
    for flag in ("short_rate", "price"):
        if getattr(args, flag) is None:
            say(f"--{flag.replace('_', '-')} is required (or --live)")
            return 2
    if not args.spot and args.long_rate is None:
        say("a perp-perp spread needs --long-rate (percent per settlement) or --live")
        return 2
    if not args.spot and args.long == args.short:
        say(f"--long and --short are both {args.long}: pick two venues")
        return 2
    problem = _missing_interval(args)
    if problem:
        say(problem)
        return 2
    qty = args.qty if args.qty is not None else args.notional / args.price
    short_price = args.short_price or args.price
    short_fee = args.fee if args.fee is not None else leg_taker(config, args.short, PERP)
    try:
        if args.spot:
            spot_fee = args.fee if args.fee is not None else leg_taker(config, args.spot, SPOT)
            kind = f"cash-and-carry: long {args.spot} spot, short {args.short} perp"
            res = carry.cash_and_carry(
                qty=qty,
                spot=args.price,
                perp=short_price,
                rate=args.short_rate,
                interval_h=args.short_interval,
                spot_fee_in=spot_fee,
                spot_fee_out=spot_fee,
                perp_fee_in=short_fee,
                perp_fee_out=short_fee,
                horizon_h=args.horizon,
            )
        else:
            long_fee = args.fee if args.fee is not None else leg_taker(config, args.long, PERP)
            kind = f"perp-perp: long {args.long}, short {args.short}"
            res = carry.perp_perp(
                qty=qty,
                long_price=args.price,
                long_rate=args.long_rate,
                long_interval_h=args.long_interval,
                short_price=short_price,
                short_rate=args.short_rate,
                short_interval_h=args.short_interval,
                long_fee_in=long_fee,
                long_fee_out=long_fee,
                short_fee_in=short_fee,
                short_fee_out=short_fee,
                horizon_h=args.horizon,
            )
    except ValueError as e:
        say(str(e))
        return 2
    if args.json:
        print(
            json.dumps(
                {
                    "symbol": args.symbol,
                    "kind": "cash_and_carry" if args.spot else "perp_perp",
                    "long": args.spot or args.long,
                    "short": args.short,
                    "qty": qty,
                    "price": args.price,
                    "long_rate": None if args.spot else args.long_rate,
                    "long_interval_h": None if args.spot else args.long_interval,
                    "short_rate": args.short_rate,
                    "short_interval_h": args.short_interval,
                    "notional": res.notional,
                    "funding_per_day": res.funding_per_day,
                    "fees": res.fees,
                    "break_even_settlements": res.break_even_settlements,
                    "break_even_hours": res.break_even_hours,
                    "horizon_h": res.horizon_h,
                    "net": res.net,
                    "net_apr": None if math.isnan(res.net_apr) else res.net_apr,
                },
                indent=2,
            )
        )
        return 0
    verb = "receives" if res.funding_per_day >= 0 else "pays"
    be = (
        f"{res.break_even_settlements} settlements ({num_text(res.break_even_hours)} h)"
        if res.break_even_settlements
        else "never: the funding does not cover the fees"
    )
    print(
        "\n".join(
            [
                f"{args.symbol} {kind}, {quantity(qty)} {args.symbol} per leg "
                f"(notional {amount(res.notional)})",
                f"funding      {verb} {amount(abs(res.funding_per_day))} per day",
                f"fees         {amount(res.fees)} for all legs in and out",
                f"break-even   {be}",
                f"net          {amount(res.net)} over {num_text(res.horizon_h)} h, "
                f"{fixed(res.net_apr, 2, shift=2, group=True)} % APR",
            ]
        )
    )
    return 0


def _missing_interval(args: argparse.Namespace) -> str | None:
    """The line asking for a perp leg's interval when neither a flag nor the venue gave it."""
    legs = [("short", args.short)] if args.spot else [("long", args.long), ("short", args.short)]
    for leg, venue in legs:
        if getattr(args, f"{leg}_interval") is None:
            if args.live:
                return (
                    f"--{leg}-interval is required: {venue} gives no funding interval "
                    f"for {args.symbol} (hours per settlement)"
                )
            return f"--{leg}-interval is required (hours per settlement, or --live)"
    return None


def _fill_live(args: argparse.Namespace, config: Any) -> str | None:
    """Fill rates, intervals and price the flags left out from one poll; a problem or None."""
    import asyncio
    import dataclasses

    from fundtui.core.board import choose_quotes
    from fundtui.core.normalize import known_interval
    from fundtui.engine.calc_inputs import price_of
    from fundtui.feeds.poll import poll_all

    perp_venues = [v for v in (args.long, args.short) if v]
    if args.demo:
        from fundtui.feeds.demo import demo_sources

        sources = demo_sources(perp_venues)
    else:
        from fundtui.feeds.registry import make_sources

        sources = make_sources(
            [dataclasses.replace(config.venue(v), enabled=True) for v in perp_venues]
        )

    async def once():
        try:
            return await poll_all(sources, timeout_s=60.0)
        finally:
            await asyncio.gather(*(s.close() for s in sources), return_exceptions=True)

    try:
        polls, errors = asyncio.run(once())
    except ImportError as e:
        return f"live venues are unavailable ({e}); try --demo"
    for venue, reason in errors.items():
        return f"{venue}: {reason}"
    quotes = choose_quotes(q for p in polls for q in p.quotes).get(args.symbol, {})
    legs = [("long", args.long), ("short", args.short)] if args.long else [("short", args.short)]
    for leg, venue in legs:
        q = quotes.get(venue)
        if q is None or q.funding_rate is None:
            return f"{venue} has no live funding rate for {args.symbol}"
        if getattr(args, f"{leg}_rate") is None:
            setattr(args, f"{leg}_rate", q.funding_rate)
        if getattr(args, f"{leg}_interval") is None:  # stays None when the venue's is unknown
            setattr(args, f"{leg}_interval", known_interval(q.interval_hours))
    if args.price is None:
        marks = [p for _, v in legs if (p := price_of(quotes.get(v))) is not None]
        if not marks:
            return f"no live mark price for {args.symbol}; give --price"
        args.price = marks[0]
    return None
