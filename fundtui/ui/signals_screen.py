"""The signals screen: every hit, newest first, filterable by rule.

Rows are keyed by a running number, added as hits arrive and kept in time order;
changing the rule filter rebuilds the list (a key press, not a refresh). Enter
on a hit opens the base's detail view.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from fundtui.core.signal_types import RULES, Hit
from fundtui.core.signal_units import figure
from fundtui.core.timefmt import utc
from fundtui.ui.fast_table import cursor_key, order_rows
from fundtui.ui.format import Palette
from fundtui.ui.messages import OpenDetail
from fundtui.ui.safe import plain, visible


def when(ms: int) -> str:
    return utc(ms).strftime("%m-%d %H:%M:%S")


def hits_notice(hits: Sequence[Hit]) -> tuple[str, str]:
    """Toast text and title for a batch of new hits: the one explanation, or a count.
    (Venue text in them is made visible by the app's ``notify``, like every toast's.)"""
    if len(hits) == 1:
        h = hits[0]
        return h.explanation, f"Signal · {h.rule} · {h.base}"
    counts = Counter(h.rule for h in hits)
    parts = ", ".join(f"{rule} {n}" for rule, n in counts.most_common())
    bases = ", ".join(dict.fromkeys(h.base for h in hits))
    if len(bases) > 60:
        bases = bases[:59] + "…"
    return f"{parts}\n{bases}\n(g: signals screen)", f"{len(hits)} new signals"


class SignalsScreen(Screen):
    BINDINGS = [
        Binding("escape,g", "close", "Back"),
        Binding("f", "rule(1)", "Rule filter"),
        Binding("F", "rule(-1)", "Rule back", show=False),
        Binding("a", "all_rules", "All rules"),
    ]
    DEFAULT_CSS = """
    SignalsScreen #signals-head {
        height: 1;
        padding: 0 1;
        background: $panel;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    SignalsScreen #signals { height: 1fr; }
    """
    COLUMNS = (
        ("time", "Time (UTC)", 14),
        ("rule", "Rule", 14),
        ("base", "Base", 10),
        ("venues", "Venues", 20),
        ("value", "Value", 14),
        ("threshold", "Threshold", 13),
        ("why", "Explanation", 120),
    )

    def __init__(self, hits: Sequence[Hit], palette: Palette) -> None:
        super().__init__()
        self.hits: list[Hit] = list(hits)  # oldest first
        self.palette = palette
        self.rule: str | None = None
        self._next_key = 0
        self._keys: dict[str, Hit] = {}
        self._order: dict[str, tuple[int, int]] = {}  # row key -> (time, arrival)

    @property
    def rules(self) -> list[str]:
        """The filter cycle: the engine's rules, then any other rule seen (sectors)."""
        seen = [r for r in dict.fromkeys(h.rule for h in self.hits) if r not in RULES]
        return [*RULES, *seen]

    def compose(self) -> ComposeResult:
        yield Static("", id="signals-head", markup=False)
        yield DataTable(cursor_type="row", id="signals")
        yield Footer()

    @property
    def table(self) -> DataTable:
        return self.query_one("#signals", DataTable)

    def on_mount(self) -> None:
        for key, title, width in self.COLUMNS:
            self.table.add_column(title, width=width, key=key)
        self._fill()
        self.table.focus()

    def _shown(self, hit: Hit) -> bool:
        return self.rule is None or hit.rule == self.rule

    def _cells(self, h: Hit) -> list[Text]:
        p = self.palette
        # a hit's base, venues and explanation are venue text (or the signals log's)
        return [
            Text(when(h.time_ms), style=p.muted),
            plain(h.rule, style="bold"),
            plain(h.base),
            plain(" / ".join(h.venues)),
            plain(figure(h.rule, h.value), style=p.hot, justify="right"),
            plain(figure(h.rule, h.threshold), style=p.muted, justify="right"),
            plain(h.explanation),
        ]

    def _add(self, hits: Sequence[Hit]) -> None:
        for h in hits:
            if not self._shown(h):
                continue
            key = str(self._next_key)
            self._next_key += 1
            self._keys[key] = h
            self._order[key] = (h.time_ms, self._next_key)
            self.table.add_row(*self._cells(h), key=key)

    def _fill(self) -> None:
        self.table.clear()
        self._keys.clear()
        self._order.clear()
        with self.app.batch_update():
            self._add(self.hits)
            self._newest_first()
        self._head()

    def _head(self) -> None:
        shown = sum(1 for h in self.hits if self._shown(h))
        rule = self.rule or "all rules"
        self.query_one("#signals-head", Static).update(
            Text.assemble(
                ("Signals", "bold"),
                f"  ·  {visible(rule)}  ·  {shown} of {len(self.hits)} hits  ·  ",
                ("f next rule · a all · Enter details · Esc back", self.palette.muted),
            )
        )

    def add_hits(self, hits: Sequence[Hit]) -> None:
        """New hits, newest last: they go on top, the cursor stays on its hit."""
        self.hits.extend(hits)
        fresh = [h for h in hits if self._shown(h)]
        if fresh:
            table = self.table
            cursor_key = self._cursor_key()
            with self.app.batch_update():
                self._add(fresh)
                self._newest_first()
                if cursor_key is not None and cursor_key in self._keys:
                    table.move_cursor(row=table.get_row_index(cursor_key), animate=False)
        self._head()

    def _newest_first(self) -> None:
        # By time, then arrival: the latest hit on top (found by row key, not by cell).
        order_rows(self.table, sorted(self._order, key=self._order.__getitem__, reverse=True))

    def _cursor_key(self) -> str | None:
        return cursor_key(self.table)

    def selected_hit(self) -> Hit | None:
        key = self._cursor_key()
        return self._keys.get(key) if key is not None else None

    def action_close(self) -> None:
        self.app.pop_screen()

    def action_rule(self, step: int) -> None:
        rules: list[str | None] = [None, *self.rules]
        self.rule = rules[(rules.index(self.rule) + step) % len(rules)]
        self._fill()

    def action_all_rules(self) -> None:
        self.rule = None
        self._fill()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        hit = self._keys.get(event.row_key.value or "")
        if hit is not None:
            self.app.post_message(OpenDetail(hit.base))
