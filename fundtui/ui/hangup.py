"""SIGHUP and SIGTERM quit the board the way ``q`` does.

An SSH disconnect, a closed terminal window and ``tmux kill-session`` send SIGHUP,
whose default action ends the process on the spot: the rules' state unsaved (so a
hit fired again after a restart, inside its cooldown) and history not closed. Here
it asks the app to exit instead, and the app's unmount stops the engine, whose
writer thread saves the state and closes history. SIGTERM (``kill``, a service
manager stopping it) is handled the same way.
"""

from __future__ import annotations

import asyncio
import signal

from textual.app import App


def quit_on_hangup(app: App) -> bool:
    """Route SIGHUP and SIGTERM to ``app.exit`` on the running loop; False where signals
    cannot be handled there (not Unix, not the main thread)."""
    try:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            loop.add_signal_handler(sig, app.exit)
    except (NotImplementedError, RuntimeError, ValueError, AttributeError):
        return False
    return True
