"""The signals screen: every hit, newest first, filterable by rule and by coin.

Rows are keyed by a running number, added as hits arrive and kept in time order;
changing a filter rebuilds the list (a key press, not a refresh). Explanations
wrap to the screen's width (a row grows a line per line of text) instead of
being cut. Enter on a hit opens the base's detail view; ``e`` writes what is
shown to a JSON-lines file in the data folder and says where.
"""

from __future__ import annotations

import asyncio
import textwrap
import time
from collections import Counter
from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from fundtui.core.signal_types import RULES, Hit
from fundtui.core.signal_units import figure
from fundtui.core.timefmt import utc
from fundtui.store import signal_log
from fundtui.store.paths import data_dir
from fundtui.ui.fast_table import cursor_key, order_rows
from fundtui.ui.format import Palette
from fundtui.ui.messages import OpenDetail
from fundtui.ui.row_table import RowTable
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
        Binding("slash", "coin_filter", "Coin"),
        Binding("e", "export", "Export"),
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
    SignalsScreen #signals-filter { display: none; height: 1; }
    SignalsScreen #signals-filter.-open { display: block; }
    """
    COLUMNS = (
        ("time", "Time (UTC)", 14),
        ("rule", "Rule", 14),
        ("base", "Base", 10),
        ("venues", "Venues", 20),
        ("value", "Value", 14),
        ("threshold", "Threshold", 13),
        ("why", "Explanation", 60),
    )
    #: The other columns' widths plus DataTable's cell padding (one each side).
    FIXED = sum(w for k, _, w in COLUMNS if k != "why") + 2 * len(COLUMNS)

    def __init__(self, hits: Sequence[Hit], palette: Palette) -> None:
        super().__init__()
        self.hits: list[Hit] = list(hits)  # oldest first
        self.palette = palette
        self.rule: str | None = None
        self.coin = ""  # a part of a base, any case
        self.why_width = 60
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
        yield Input(placeholder="coin (Enter keeps, Esc clears)", id="signals-filter", compact=True)
        yield RowTable(cursor_type="row", id="signals")
        yield Footer()

    @property
    def table(self) -> DataTable:
        return self.query_one("#signals", DataTable)

    def on_mount(self) -> None:
        self.why_width = self._why_width(self.app.size.width)
        for key, title, width in self.COLUMNS:
            self.table.add_column(title, width=self.why_width if key == "why" else width, key=key)
        self._fill()
        self.table.focus()

    def _why_width(self, screen_width: int) -> int:
        return max(30, screen_width - self.FIXED - 2)

    def on_resize(self, event: Resize) -> None:
        width = self._why_width(event.size.width)
        if width != self.why_width and self.is_mounted:
            self.why_width = width
            self.table.columns["why"].width = width  # type: ignore[index]
            self._fill()

    def _shown(self, hit: Hit) -> bool:
        rule_ok = self.rule is None or hit.rule == self.rule
        return rule_ok and (not self.coin or self.coin in hit.base.upper())

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
            # wrapped here: its own line breaks, the text inert (visible), never cut
            Text("\n".join(textwrap.wrap(visible(h.explanation), self.why_width))),
        ]

    def _add(self, hits: Sequence[Hit]) -> None:
        for h in hits:
            if not self._shown(h):
                continue
            key = str(self._next_key)
            self._next_key += 1
            self._keys[key] = h
            self._order[key] = (h.time_ms, self._next_key)
            cells = self._cells(h)
            self.table.add_row(*cells, key=key, height=max(1, len(cells[-1].plain.split("\n"))))

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
        if self.coin:
            rule += f" · coin “{self.coin}”"
        self.query_one("#signals-head", Static).update(
            Text.assemble(
                ("Signals", "bold"),
                f"  ·  {visible(rule)}  ·  {shown} of {len(self.hits)} hits  ·  ",
                (
                    "f rule · / coin · a all · e export · Enter opens · Esc back",
                    self.palette.muted,
                ),
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
        field = self.query_one("#signals-filter", Input)
        if self.coin or field.has_class("-open"):  # Esc clears the coin filter first
            field.value = ""
            field.remove_class("-open")
            self.coin = ""
            self._fill()
            self.table.focus()
            return
        self.app.pop_screen()

    def action_coin_filter(self) -> None:
        field = self.query_one("#signals-filter", Input)
        field.add_class("-open")
        field.focus()

    @on(Input.Changed, "#signals-filter")
    def _coin_changed(self, event: Input.Changed) -> None:
        self.coin = event.value.strip().upper()
        self._fill()

    @on(Input.Submitted, "#signals-filter")
    def _coin_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.remove_class("-open")
        self.table.focus()

    async def action_export(self) -> None:
        """What the list shows (both filters), oldest first, as JSON lines; the path."""
        shown = [h for h in self.hits if self._shown(h)]
        try:
            path = await asyncio.to_thread(
                signal_log.export, shown, data_dir(), time.time_ns() // 1_000_000
            )
        except OSError as e:
            self.notify(f"Could not export the signals: {e}", severity="error")
            return
        self.notify(f"{len(shown)} signals written to {path}", timeout=10)

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
