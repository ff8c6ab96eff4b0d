"""Calculator edges of issue 12 section 3, each pinned by a hand computation
(formulas: docs/FORMULAS.md sections 3-7)."""

from __future__ import annotations

import json

import pytest

from fundtui import cli
from fundtui.core import liquidation
from fundtui.core.tiers import single_tier
from tests.netguard import loopback_only  # noqa: F401 - autouse: no internet


def run_json(capsys, argv: list[str]) -> dict:
    assert cli.main([*argv, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


OKX_ETH = (
    "calc --venue okx --symbol ETH --side long --equity 100 --risk 1 --entry 10 --stop 9 "
    "--leverage 5 --fee-in 0 --fee-out 0.06 --mmr 1 --step 0.001 --offline"
).split()


@pytest.mark.parametrize("venue", ["okx", "gate", "bitget"])
def test_the_given_closing_fee_is_the_one_in_the_liquidation(capsys, venue):
    """docs/FORMULAS.md section 5, long: LP = (EP - margin/Q) / (1 - (MMR + fee_out)).

    margin/Q = EP/leverage = 10/5 = 2 (no opening fee: --fee-in 0), MMR 1 %,
    fee out 0.06 %: LP = 8 / (1 - 0.0106) = 8 / 0.9894 = 8.085708...
    The venue's default taker (okx 0.05 %) gave 8 / 0.9895 = 8.084891.
    """
    argv = [venue if a == "okx" else a for a in OKX_ETH]
    out = run_json(capsys, argv)
    assert round(out["liquidation_price"], 5) == 8.08571
    assert cli.main(argv) == 0
    assert "liquidation   8.08571" in capsys.readouterr().out


def test_the_closing_fee_reaches_the_max_leverage_scan_too():
    """The same closing fee moves the leverage at which the stop is still before liquidation:
    at 0.06 % + 1 % a long's LP at leverage L is EP(1 - 1/L)/(0.9894); with a stop at 9.2
    (EP 10) 5x gives 8.0857 < 9.2 and 9x gives 10 x 0.8889 / 0.9894 = 8.984 < 9.2,
    10x gives 9 / 0.9894 = 9.0964 < 9.2, 11x: 10 x 0.90909 / 0.9894 = 9.188 < 9.2,
    12x: 10 x 0.91667 / 0.9894 = 9.2649 > 9.2: the answer is 11."""
    tiers = single_tier(0.01)
    assert liquidation.max_leverage_for_stop("okx", "long", 1, 10, 9.2, tiers, 0.0006) == 11
