"""The fault matrix: every fault on one venue and on all six, through the app's own pollers.

Each row runs the six fake venues through ``make_sources`` (the ccxt adapter)
and ``VenuePoller`` on a simulated clock (see ``tests/fakevenue/matrix.py``)
and asserts what the app promises: nothing escapes a poller and nothing is
logged as a traceback, the other venues stay live and keep their schedule,
the failing venue's status gives its reason on one printable line, the
request rate during the fault is never above normal (counted at the fake
servers), and the venue is live again within two refresh intervals of its
recovery (or of the end of the wait it asked for).
"""

from __future__ import annotations

import pytest

from fundtui.core.text import visible
from tests.fakevenue import matrix

ROWS = [pytest.param(fault, all_venues, id=f"{fault.name}-{'all' if all_venues else 'one'}")
        for fault in matrix.FAULTS for all_venues in (False, True)]
#: Half a minute of each fault keeps the matrix fast; benchmarks/faults.py runs a full minute.
FAULT_S = 30.0
R = matrix.REFRESH_S


@pytest.mark.parametrize(("fault", "all_venues"), ROWS)
async def test_fault(fault, all_venues, capfd):
    targets = matrix.targets_for(matrix.FAULTS.index(fault), all_venues)
    outcome = await matrix.run(fault, targets, fault_s=FAULT_S)
    out, err = capfd.readouterr()

    assert outcome.escaped == []
    assert "Traceback" not in out + err
    assert outcome.others_live
    assert outcome.normal_per_min == 60 / R
    assert outcome.fault_per_min <= outcome.normal_per_min
    assert outcome.min_gap_s is None or outcome.min_gap_s >= R - 1e-6
    if fault.reason is None:  # not a failure: the venue stays live throughout
        assert outcome.targets_live
        assert set(outcome.reasons.values()) == {None}
    else:
        for reason in outcome.reasons.values():
            assert reason is not None and fault.reason in reason
            assert "\n" not in reason and visible(reason) == reason and len(reason) <= 200
        assert outcome.recovery_s is not None
        assert outcome.recovery_s <= max(2 * R, fault.retry_after_s) + 1e-6
    if fault.name.startswith("hostile"):
        assert outcome.bases_added == len(matrix.faults.HOSTILE_BASES)
    if fault.name.startswith("drifting"):
        assert outcome.rates_moved
