"""The engine: everything that keeps the market current, without Textual.

The TUI, the headless commands and a recorder all run it; it reaches them
through plain events and never imports the UI.
"""
