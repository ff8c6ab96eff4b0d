"""CSV for spreadsheets, with every cell inert.

A venue names its own symbols, and a spreadsheet runs a cell that starts with
``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(...)``, ``=cmd|...``):
such a text cell gets a leading ``'``, which spreadsheets read as "this is
text". Control characters are spelled out (``fundtui.core.text.visible``), so a
cell cannot break a row or reach a terminal raw. Numbers stay numbers: a
negative rate is a float, written as ``-0.0001``, never quoted.
"""

from __future__ import annotations

import csv
import math
import sys
from collections.abc import Iterable, Sequence
from typing import TextIO

from fundtui.core.text import visible

#: First characters that make a spreadsheet read a text cell as a formula
#: (tab and carriage return too: some spreadsheets strip them first).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | bool | None


def cell(value: Cell) -> str:
    """One value as the text of its cell: nothing for None or a non-finite
    number, numbers as Python writes them, text made inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if math.isfinite(value) else ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return visible(text)


def write_csv(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], out: TextIO | None = None
) -> None:
    """``header`` then ``rows`` as CSV (``\\n`` line ends) on ``out`` (stdout)."""
    writer = csv.writer(out or sys.stdout, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([cell(v) for v in row] for row in rows)
