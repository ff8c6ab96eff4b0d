"""Outside text on screen: inert ``Text``, never markup, nothing hidden.

Venue symbols, the response bodies quoted in a venue's reason, sector map
entries and file contents are hostile. Textual reads a ``str`` handed to a toast,
a ``Static`` or a column label as markup (``[link=...]`` and a stray ``[/]``
raise ``MarkupError``, ``[@click=app.quit]`` becomes a clickable action), and
Rich drops BEL, backspace and carriage return from a ``Text`` while passing ESC
through. So outside text goes on screen only as a ``Text`` of
``core.text.visible`` (which spells out every control, bidi and zero-width
character): what the venue sent, readable and inert.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import App
from textual.notifications import SeverityLevel

from fundtui.core.text import visible

if TYPE_CHECKING:
    from rich.console import JustifyMethod
    from rich.style import StyleType

__all__ = ["PlainToasts", "lines", "plain", "visible"]


def plain(text: object, style: StyleType = "", justify: JustifyMethod | None = None) -> Text:
    """``text`` as a ``Text`` that shows every character it holds and styles nothing."""
    return Text(visible(text), style=style, justify=justify)


def lines(text: object) -> str:
    """``text`` made visible line by line, its line breaks kept (toasts span lines)."""
    return "\n".join(visible(line) for line in str(text).split("\n"))


class PlainToasts(App):
    """The app's ``notify``: every toast as plain text, whoever raises it (screens'
    ``notify`` lands here).

    Toasts quote venue names, reasons that carry a venue's response body and file
    problems; Textual would read them as markup (``[link=...]`` raises, an
    ``[@click=...]`` runs an action). ``markup`` is accepted and ignored.
    """

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        super().notify(
            lines(message), title=visible(title), severity=severity, timeout=timeout, markup=False
        )
