"""fundtui's default dark theme. Any Textual theme works (ctrl+p → "theme"):
the board's colours come from the theme's success / error / warning / accent."""

from __future__ import annotations

from textual.theme import Theme

FUNDTUI_DARK = Theme(
    name="fundtui-dark",
    primary="#4C8DF6",
    secondary="#2F5FA8",
    accent="#F0A43A",
    warning="#F0A43A",
    error="#F0525B",  # negative funding: shorts pay longs
    success="#3FBF6F",  # positive funding: longs pay shorts
    foreground="#D6DCE4",
    background="#0E1116",
    surface="#151A21",
    panel="#1C232D",
    dark=True,
)
