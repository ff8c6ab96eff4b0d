"""The screenshot script: the same picture on every run (frozen clock, fixed
latencies), every board column in the wide one, and every picture the README needs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fundtui.ui.theme import bundled_themes

SCRIPT = Path(__file__).parent.parent / "screenshots" / "make_screenshots.py"


def script():
    spec = importlib.util.spec_from_file_location("make_screenshots", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_picture_is_made():
    names = set(script().shots())
    assert {
        "board.svg",
        "board-80x24.svg",
        "detail.svg",
        "signals.svg",
        "calculator.svg",
        "sectors.svg",
    } <= names
    assert {f"theme-{t.name}.svg" for t in bundled_themes()} <= names


async def test_a_picture_is_the_same_bytes_twice_and_shows_every_column(tmp_path):
    shots = script()
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    await shots.shoot(first, shots.WIDE, minutes=1)
    await shots.shoot(second, shots.WIDE, minutes=1)
    text = first.read_text()
    assert first.read_bytes() == second.read_bytes()
    for column in ("hyperliquid", "Premium", "Net&#160;72h", "8h/h"):
        assert column in text, column
    for venue, ms in shots.LATENCY_MS.items():  # the fixed latencies, not measured ones
        assert f"{ms}ms" in text, venue
