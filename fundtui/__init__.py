"""fundtui: funding rates across perpetual-futures venues, in the terminal."""

__version__ = "0.1.0"
