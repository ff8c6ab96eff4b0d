"""What a newly drawn style's escape codes cost: Textual's cache against fundtui's.

Every cell DataTable renders carries its row and column as style meta, so each one
drawn is a new Rich style whose escape codes ``Strip.render_style`` asks
``Strip.render_ansi`` for. Textual caches those by the whole style (16,384 entries,
each keeping a style and its meta alive); ``ui/fast_table.py`` caches them by the
look they depend on. Times drawing N new styles (60 looks, distinct meta; each
drawn twice, as a repaint does) with each, alternating, median of ``--repeats``,
and prints the entries each cache holds afterwards.

    python benchmarks/ansi_codes.py [--styles 20000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from rich.color import ColorSystem
from rich.style import Style
from textual.strip import Strip

from fundtui.ui import fast_table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--styles", type=int, default=20000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    rng = random.Random(1)
    looks = [
        Style(
            color=f"#{rng.randrange(1 << 24):06x}",
            bgcolor=f"#{rng.randrange(1 << 24):06x}",
            bold=rng.random() < 0.3,
        )
        for _ in range(60)
    ]
    impls = {
        "textual (by whole style)": classmethod(fast_table.TEXTUAL_RENDER_ANSI),
        "fundtui (by look)": vars(Strip)["render_ansi"],
    }
    times: dict[str, list[float]] = {name: [] for name in impls}
    held: dict[str, int] = {}
    for rnd in range(args.repeats):
        for name, impl in impls.items():
            Strip.render_ansi = impl  # type: ignore[method-assign]
            fast_table.TEXTUAL_RENDER_ANSI.cache_clear()
            fast_table._ansi_codes.clear()
            batch = [
                rng.choice(looks) + Style.from_meta({"row": i, "column": f"{name}{rnd}"})
                for i in range(args.styles)
            ]
            start = time.perf_counter()
            for style in batch:
                Strip.render_style(style, "x", ColorSystem.TRUECOLOR)
                Strip.render_style(style, "x", ColorSystem.TRUECOLOR)
            times[name].append((time.perf_counter() - start) / args.styles * 1e6)
            held[name] = fast_table.TEXTUAL_RENDER_ANSI.cache_info().currsize + len(
                fast_table._ansi_codes
            )
    Strip.render_ansi = impls["fundtui (by look)"]  # type: ignore[method-assign]
    print(f"{args.styles} new styles, 60 looks, {args.repeats} alternating rounds")
    for name in impls:
        print(
            f"  {name:26} {statistics.median(times[name]):5.2f} us per style (median),"
            f" {held[name]:6d} entries held"
        )


if __name__ == "__main__":
    main()
