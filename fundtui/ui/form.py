"""A form screen: one Input per field, results recomputed on every keystroke.

The calculators are forms: Tab moves between fields, a field that cannot be
used is marked in place with the reason, wrapped, and the reason is repeated in
full under the results (typed text is hostile: it reaches the screen only as
``Text``); ctrl+y copies the results. A field is wide enough for any pre-filled
number (:func:`fundtui.core.number_text.num_text`: ten significant digits, no
exponent). Subclasses list their
fields and compute the result lines; numbers are read with
:func:`fundtui.core.calculator.number`, which takes plain ASCII decimals only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from fundtui.core.calculator import number
from fundtui.ui.safe import plain

PERCENT, NUMBER, SIGNED, TEXT = "pct", "num", "signed", "text"
SIGNED_NUMBER = "signed_num"  # any finite number, not a percent


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    label: str
    kind: str = NUMBER
    optional: bool = False
    allow_zero: bool = False


#: Result lines are "label" padded to this width, then the value (``Size          1.5``).
LABEL_WIDTH = 14


def hanging(line: Text) -> RenderableType:
    """A result line whose value, when it wraps, wraps under itself, not under the
    label: at 80 columns the results are narrow and a label-less second line reads
    as a different result."""
    text = line.plain
    head = text[:LABEL_WIDTH]
    if len(text) <= LABEL_WIDTH or text[LABEL_WIDTH] == " " or not head.endswith("  "):
        return line
    grid = Table.grid()
    grid.add_column(width=LABEL_WIDTH, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(line[:LABEL_WIDTH], line[LABEL_WIDTH:])
    return grid


class FormScreen(ModalScreen[None]):
    """Fields on the left, results on the right; subclasses compute."""

    FIELDS: tuple[Field, ...] = ()
    TITLE = ""
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("ctrl+y", "copy", "Copy results", priority=True),
    ]
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > Vertical { width: 100%; max-width: 120; height: 100%; max-height: 34;
                            border: round $accent; background: $surface; padding: 0 1; }
    FormScreen .form-title { text-style: bold; height: 1; margin-bottom: 1; }
    FormScreen .form-body { height: 1fr; }
    FormScreen .form-fields { width: 1fr; min-width: 50; }
    FormScreen .form-row { height: auto; }
    FormScreen .form-row Label { width: 13; }
    FormScreen .form-row Input { width: 20; height: 1; border: none; padding: 0 1;
                                 background: $boost; }
    FormScreen .form-row Input:focus { background: $accent 40%; }
    FormScreen .form-row Input.bad { background: $error 40%; }
    FormScreen .form-error { color: $error; width: 1fr; height: auto; padding: 0 0 0 1; }
    FormScreen .form-results { width: 1fr; padding: 0 0 0 2; }
    FormScreen .form-hint { color: $text-muted; height: 1; }
    FormScreen.-narrow .form-fields { width: 31; min-width: 31; }
    FormScreen.-narrow .form-row Input { width: 16; }
    FormScreen.-narrow .form-error { display: none; }
    """
    #: Narrower than this, the fields give the results the room (each field's reason
    #: is then listed in full under the results, as it always is).
    NARROW_WIDTH = 110

    def __init__(self, values: Mapping[str, str], title: str) -> None:
        super().__init__()
        self.initial = dict(values)
        self.title_text = title
        self.results_text = ""
        self.errors: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.title_text), classes="form-title")
            with Horizontal(classes="form-body"):
                with VerticalScroll(classes="form-fields"):
                    for f in self.FIELDS:
                        with Horizontal(classes="form-row"):
                            yield Label(Text(f.label))
                            yield Input(self.initial.get(f.key, ""), id=f"f-{f.key}")
                            yield Static("", id=f"e-{f.key}", classes="form-error")
                with VerticalScroll(classes="form-results"):
                    yield Static("", id="results")
            yield Static(
                Text("Tab next field · ctrl+y copy results · Esc close"), classes="form-hint"
            )

    def on_mount(self) -> None:
        self.set_class(self.app.size.width < self.NARROW_WIDTH, "-narrow")
        self.recompute()
        self.query_one(f"#f-{self.FIELDS[0].key}", Input).focus()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(self.app.size.width < self.NARROW_WIDTH, "-narrow")

    def value(self, key: str) -> str:
        return self.query_one(f"#f-{key}", Input).value

    def set_value(self, key: str, text: str) -> None:
        self.query_one(f"#f-{key}", Input).value = text

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        key = (event.input.id or "").removeprefix("f-")
        if self.is_mounted and self.field_changed(key, event.value):
            return  # the fields it set recompute on their own change
        self.recompute()

    def field_changed(self, key: str, value: str) -> bool:
        """Hook: a field was edited; True when it changed other fields."""
        return False

    def parse(self) -> tuple[dict[str, Any], dict[str, str]]:
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for f in self.FIELDS:
            text = self.value(f.key).strip()
            if f.kind == TEXT:
                values[f.key] = text.lower()
                reason = self.check_text(f.key, values[f.key])
                if reason:
                    errors[f.key] = reason
                continue
            if not text and f.optional:
                values[f.key] = None
                continue
            if not text:
                errors[f.key] = "required"
                continue
            try:
                values[f.key] = number(
                    f.label.lower(),
                    text,
                    percent=f.kind in (PERCENT, SIGNED),
                    positive=f.kind not in (SIGNED, SIGNED_NUMBER),
                    allow_zero=f.allow_zero,
                )
            except ValueError as e:
                errors[f.key] = str(e)
        return values, errors

    def check_text(self, key: str, value: str) -> str | None:
        """Why a text field's value cannot be used, or None."""
        return None

    def compute(self, values: dict[str, Any], errors: dict[str, str]) -> list[Text]:
        raise NotImplementedError

    def recompute(self) -> None:
        values, errors = self.parse()
        lines = self.compute(values, errors) if not errors else []
        self.errors = errors
        for f in self.FIELDS:
            reason = errors.get(f.key, "")
            self.query_one(f"#e-{f.key}", Static).update(plain(reason))  # may quote the field
            self.query_one(f"#f-{f.key}", Input).set_class(bool(reason), "bad")
        if not lines:
            lines = [Text("Fix the marked fields to see results.", style="italic")]
        # each reason in full (the field's own note wraps, but may be narrow)
        labels = {f.key: f.label for f in self.FIELDS}
        lines += [plain(f"{labels.get(k, k)}: {why}", style="red") for k, why in errors.items()]
        self.results_text = Text("\n").join(lines).plain
        self.query_one("#results", Static).update(Group(*(hanging(line) for line in lines)))

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.results_text)
        self.notify("Results copied to the clipboard", timeout=2)
