"""The program's entry point: the ``fundtui`` script and ``python -m fundtui``.

Python's cyclic garbage collector is off while the program starts. Startup builds
objects that live as long as the program (fundtui's, Textual's and Rich's modules,
the first screen, then ccxt and the venues' market metadata) and next to no
garbage, and the collector's hundred or so young-generation passes over them cost
the first frame about a tenth of its time. The board turns it on again when
startup is over (``engine/heap.freeze_startup``: every venue answered, or at the
latest ``STARTUP_COLLECTOR_MAX_S`` after the engine started); every other command
turns it on before it runs (``cli.main``). Importing ``fundtui.cli`` elsewhere (the
tests) leaves the collector as it is.
"""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    from fundtui.cli import main as run

    return run()
