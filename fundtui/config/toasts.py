"""Which signal hits raise a toast on the board: ``[signals.toast]`` and ``toast_min_apr``.

Every hit is logged and listed on the signals screen; a toast is for what you
asked to hear. By default the rules that call for a decision toast (a spread
worth taking, an open-interest regime, an exhausted crowd, a sector's state) and
the noisy ones (deviation, EMA divergence, spike, implied) stay on the signals
screen; a spread toasts only from ``toast_min_apr`` (50 % APR) up.

    [signals]
    toast_min_apr = 0.5          # a fraction: 0.5 = 50 % APR

    [signals.toast]
    deviation = true             # any rule, or "sector": true or false
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fundtui.core.signal_types import RULES, Hit

if TYPE_CHECKING:
    from fundtui.config.sections import _Ctx

TOAST_RULES = (*RULES, "sector")
QUIET_BY_DEFAULT = frozenset({"deviation", "ema_divergence", "spike", "implied"})
DEFAULT_MIN_APR = 0.5
#: The keys of ``[signals]`` read here, not by the rules.
TOAST_KEYS = ("toast", "toast_min_apr")
MAX_MIN_APR = 100.0


@dataclass(frozen=True, slots=True)
class ToastConfig:
    rules: frozenset[str] = field(default_factory=lambda: frozenset(TOAST_RULES) - QUIET_BY_DEFAULT)
    min_apr: float = DEFAULT_MIN_APR  # spread hits under this APR (a fraction) do not toast

    def wants(self, hit: Hit) -> bool:
        if hit.rule not in self.rules:
            return False
        if hit.rule == "spread":
            apr = hit.extras.get("apr")
            if isinstance(apr, int | float) and math.isfinite(apr):
                return apr >= self.min_apr
            return hit.value * 3 * 365 >= self.min_apr  # an 8h spread's APR
        return True


def parse_toasts(ctx: _Ctx, signals: Mapping[str, Any]) -> ToastConfig:
    """The toast settings out of the ``[signals]`` table (``toast`` and ``toast_min_apr``)."""
    from fundtui.config.sections import _show

    out = ToastConfig()
    rules = set(out.rules)
    table = signals.get("toast", {})
    where = "[signals.toast]"
    if not isinstance(table, Mapping):
        raise ctx.error(
            "[signals]", f"toast must be a table of rule = true/false, got {_show(table)}"
        )
    for rule, on in table.items():
        if rule not in TOAST_RULES:
            known = ", ".join(TOAST_RULES)
            raise ctx.error(where, f"unknown rule {json.dumps(str(rule))}; one of {known}")
        if not isinstance(on, bool):
            raise ctx.error(where, f"{rule} must be true or false, got {_show(on)}")
        (rules.add if on else rules.discard)(rule)
    min_apr = signals.get("toast_min_apr", out.min_apr)
    if (
        isinstance(min_apr, bool)
        or not isinstance(min_apr, int | float)
        or not math.isfinite(min_apr)
        or not 0 <= min_apr <= MAX_MIN_APR
    ):
        raise ctx.error(
            "[signals]",
            f"toast_min_apr must be an APR fraction from 0 to {MAX_MIN_APR:g} "
            f"(0.5 = 50 %), got {_show(min_apr)}",
        )
    return ToastConfig(frozenset(rules), float(min_apr))
