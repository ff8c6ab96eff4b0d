"""The detail view of one base: funding per venue over time, premium or open
interest, the last settlements, accumulated funding and the base's signals.

Opened with Enter on a board row; Escape goes back with the board's cursor where
it was (the board is not touched while this screen is up). Charts read the
history store in a thread; settlements come from the venue's own history
endpoint when the source offers one (cached in the store, fetched only when the
cache is behind), otherwise from recorded predictions, and the table says which.
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual_plotext import PlotextPlot

from fundtui.core.accrual import Settlement, accumulated, settled_from_predictions
from fundtui.core.board import BoardRow
from fundtui.core.normalize import known_interval, rate_8h_if_known
from fundtui.core.signal_types import Hit
from fundtui.core.text import describe_exception
from fundtui.core.timefmt import clock_utc, utc
from fundtui.core.venues import open_interest_note
from fundtui.engine.settled import up_to_date
from fundtui.store.history import HistoryStore, Sample
from fundtui.ui import format as fmt
from fundtui.ui.detail_chart import (
    DAY_MS,
    HOUR_MS,
    RANGES,
    chart_points,
    earliest,
    fit_axis,
    venue_look,
    venue_slot,
)
from fundtui.ui.format import Palette
from fundtui.ui.safe import plain, visible

ACCRUAL_DAYS = (1, 7, 30)
SETTLEMENT_ROWS = 24


@dataclass(slots=True)
class VenueSettlements:
    venue: str
    symbol: str
    settlements: list[Settlement]
    source: str  # "venue", "cache", "recorded" or "" while loading
    problem: str = ""


def accrual_cell(settlements: Sequence[Settlement], now_ms: int, days: int) -> Text:
    """Sum of settled rates over ``days``; ``*`` when the history is shorter than that."""
    if not settlements:
        return Text("n/a", justify="right")
    total = accumulated(settlements, now_ms, days)
    partial = settlements[0].funding_time_ms > now_ms - days * DAY_MS + 12 * HOUR_MS
    return Text(fmt.signed_pct(total, 4) + ("*" if partial else " "), justify="right")


def settlement_cell(s: Settlement, p: Palette) -> Text:
    """One settled rate as paid, e.g. ``0.0100%``, ``0.0050%·4h``; coloured by its
    8h-equivalent. With an unknown interval it reads ``0.0100%·?h`` in the warning
    colour, as the board shows such a rate: no suffix would mean 8 h."""
    iv = known_interval(s.interval_hours)
    r8 = rate_8h_if_known(s.rate, iv)
    style = fmt.rate_style(r8, p) if r8 is not None else p.warn
    return Text(fmt.pct(s.rate, 4) + fmt.interval_suffix(iv), style=style, justify="right")


class DetailScreen(Screen):
    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("1", "range('24h')", "24h"),
        Binding("2", "range('7d')", "7d"),
        Binding("3", "range('30d')", "30d"),
        Binding("o", "extra", "Premium/OI"),
        Binding("v", "panel", "Next panel"),
    ]
    #: Below this height (or width) one panel at a time: the funding chart, the
    #: premium/OI chart or the tables, switched with v; the signals always stay.
    COMPACT_HEIGHT = 34
    COMPACT_WIDTH = 100
    PANELS = ("funding-chart", "extra-chart", "tables")
    DEFAULT_CSS = """
    DetailScreen #detail-head { height: auto; padding: 0 1; background: $panel; }
    DetailScreen #charts { height: 1fr; min-height: 12; }
    DetailScreen #funding-chart { height: 2fr; }
    DetailScreen #extra-chart { height: 1fr; min-height: 6; }
    DetailScreen #tables { height: 12; }
    DetailScreen #accrued-box { width: 56; }
    DetailScreen #settled-box { width: 1fr; }
    DetailScreen .box-title { height: 1; padding: 0 1; color: $text-muted; }
    DetailScreen #base-signals { height: 6; }
    DetailScreen.-compact #charts { min-height: 6; }
    DetailScreen.-compact #funding-chart, DetailScreen.-compact #extra-chart { height: 1fr; }
    DetailScreen.-compact #base-signals { height: 7; }
    DetailScreen.-compact .-hidden { display: none; }
    DetailScreen.-compact #tables { display: none; }
    DetailScreen.-compact.-tables-panel #charts { display: none; }
    DetailScreen.-compact.-tables-panel #tables { display: block; height: 1fr; }
    """

    def __init__(
        self,
        row: BoardRow,
        store: HistoryStore | None,
        sources: Mapping[str, object],
        hits: Sequence[Hit],
        now_ms: int,
        palette: Palette,
    ) -> None:
        super().__init__()
        self.row = row
        self.base = row.base
        self.store = store
        self.sources = sources
        self.hits = [h for h in hits if h.base == row.base]
        self.now_ms = now_ms
        self.palette = palette
        self.range = "24h"
        self.extra = "premium"
        self.samples: dict[str, list[Sample]] = {}
        self.settled: dict[str, VenueSettlements] = {}
        self.loaded = asyncio.Event()
        self.compact = False
        self.panel = 0  # which of PANELS a compact screen shows

    def compose(self) -> ComposeResult:
        yield Static(self._head(), id="detail-head", markup=False)
        with Vertical(id="charts"):
            yield PlotextPlot(id="funding-chart")
            yield PlotextPlot(id="extra-chart")
        with Horizontal(id="tables"):
            with Vertical(id="accrued-box"):
                yield Static("Accumulated funding (+ = longs paid)", classes="box-title")
                yield DataTable(id="accrued", cursor_type="none", zebra_stripes=True)
            with Vertical(id="settled-box"):
                yield Static("Last settlements (%/interval)", classes="box-title")
                yield DataTable(id="settled", cursor_type="none")
        yield Static(Text.assemble("Signals for ", visible(self.base)), classes="box-title")
        yield DataTable(id="base-signals", cursor_type="row")
        yield Footer()

    # --- header and tables --------------------------------------------------

    def _head(self) -> Text:
        p, now = self.palette, self.now_ms
        t = Text.assemble((visible(self.base), "bold"), "  ")
        for venue, q in self.row.quotes.items():
            stale = venue in self.row.stale
            t.append(f"{visible(venue)} ", style=p.muted)
            t.append_text(fmt.rate_cell(q, fmt.Unit.H8, p, stale))
            if q.next_funding_ms and q.next_funding_ms > now and not stale:
                # a time, not a countdown: this header is not redrawn every second
                t.append(f" next {clock_utc(q.next_funding_ms)}", style=p.muted)
            t.append("   ")
        if self.row.spread is not None:
            s = self.row.spread
            t.append(
                f"\nspread {fmt.pct(s.spread_8h)}/8h ({fmt.apr_pct(s.apr)} APR): "
                f"long {visible(s.long_venue)}, short {visible(s.short_venue)}",
                style=p.hot,
            )
        t.append("\n1 24h · 2 7d · 3 30d · o premium/open interest · ", style=p.muted)
        t.append("v next panel · " if self.compact else "", style=p.muted)
        t.append("Esc back", style=p.muted)
        return t

    def on_mount(self) -> None:
        accrued = self.query_one("#accrued", DataTable)
        accrued.add_column("Venue", width=11, key="venue")
        for d in ACCRUAL_DAYS:
            accrued.add_column(f"{d}d", width=10, key=f"{d}d")
        accrued.add_column("From", width=8, key="from")
        settled = self.query_one("#settled", DataTable)
        settled.add_column("Time (UTC)", width=11, key="time")
        for venue in self.row.quotes:  # a str label would be read as markup
            settled.add_column(plain(venue), width=12, key=venue)
        self._set_compact(self.app.size.width, self.app.size.height)
        self._fill_signals()
        for venue, q in self.row.quotes.items():
            self.settled[venue] = VenueSettlements(venue, q.symbol, [], "")
        self._fill_accrued()
        self._draw()
        self.run_worker(self._load(), group="detail", exit_on_error=False)

    def _signal_widths(self) -> tuple[int, int, int, int]:
        """Time, rule, venues and explanation widths: the explanation takes what the
        screen leaves (wrapped, never cut; padding and the scrollbar taken out)."""
        rule, venues = (12, 16) if self.compact else (14, 20)
        why = self.app.size.width - (14 + rule + venues) - 4 * 2 - 2 - 1
        return 14, rule, venues, max(20, why)

    def _fill_signals(self) -> None:
        signals = self.query_one("#base-signals", DataTable)
        signals.clear(columns=True)
        widths = self._signal_widths()
        why = widths[-1]
        titles = (
            ("time", "Time (UTC)"),
            ("rule", "Rule"),
            ("venues", "Venues"),
            ("why", "Explanation"),
        )
        for (key, title), width in zip(titles, widths, strict=True):
            signals.add_column(title, width=width, key=key)
        for i, h in enumerate(reversed(self.hits)):
            lines = textwrap.wrap(visible(h.explanation), why) or [""]
            signals.add_row(
                Text(utc(h.time_ms).strftime("%m-%d %H:%M:%S")),
                plain(h.rule),
                plain(" / ".join(h.venues)),
                Text("\n".join(lines)),
                key=str(i),
                height=len(lines),
            )
        if not self.hits:
            signals.add_row(Text("—"), Text("none yet"), Text(""), Text(""), key="none")

    # --- narrow terminals ---------------------------------------------------

    def on_resize(self, event) -> None:  # noqa: ANN001 - events.Resize
        size = self.app.size
        was = self._signal_widths()
        self._set_compact(size.width, size.height)
        if self._signal_widths() != was:
            self._fill_signals()

    def _set_compact(self, width: int, height: int) -> None:
        compact = height < self.COMPACT_HEIGHT or width < self.COMPACT_WIDTH
        changed = compact != self.compact
        self.compact = compact
        self.set_class(compact, "-compact")
        shown = self.PANELS[self.panel] if compact else None
        self.set_class(shown == "tables", "-tables-panel")
        self.query_one("#funding-chart").set_class(shown == "extra-chart", "-hidden")
        self.query_one("#extra-chart").set_class(shown == "funding-chart", "-hidden")
        if changed:
            self.query_one("#detail-head", Static).update(self._head())
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """v is there only when one panel is shown at a time."""
        return self.compact if action == "panel" else True

    def action_panel(self) -> None:
        """v: the next panel when one is shown at a time (else nothing to switch)."""
        if not self.compact:
            return
        self.panel = (self.panel + 1) % len(self.PANELS)
        self._set_compact(self.app.size.width, self.app.size.height)
        self._draw()

    def _fill_accrued(self) -> None:
        table = self.query_one("#accrued", DataTable)
        p = self.palette
        table.clear()
        for venue, vs in self.settled.items():
            if not vs.source:
                cells = [Text("loading…", style=p.muted)] * len(ACCRUAL_DAYS) + [Text("")]
            elif vs.problem and not vs.settlements:
                cells = [Text("n/a", justify="right")] * len(ACCRUAL_DAYS) + [
                    Text("error", style=p.warn)
                ]
            else:
                cells = [accrual_cell(vs.settlements, self.now_ms, d) for d in ACCRUAL_DAYS]
                cells.append(plain(vs.source, style=p.muted))
            table.add_row(plain(venue), *cells, key=venue)
        settled = self.query_one("#settled", DataTable)
        settled.clear()
        times = sorted(
            {s.funding_time_ms for vs in self.settled.values() for s in vs.settlements},
            reverse=True,
        )[:SETTLEMENT_ROWS]
        by_venue = {
            v: {s.funding_time_ms: s for s in vs.settlements} for v, vs in self.settled.items()
        }
        for t in times:
            cells = [Text(utc(t).strftime("%m-%d %H:%M"))]
            for venue in self.row.quotes:
                s = by_venue[venue].get(t)
                if s is None:
                    cells.append(Text(""))
                    continue
                cells.append(settlement_cell(s, p))
            settled.add_row(*cells, key=str(t))

    # --- charts -------------------------------------------------------------

    def oi_notes(self) -> list[str]:
        """Why a venue of the row shows no open interest (it has no bulk request, has
        not answered the slower one yet, or sent none for this market)."""
        return [
            visible(note)
            for venue, q in self.row.quotes.items()
            if (note := open_interest_note(venue, q.open_interest_usd is not None))
        ]

    def _draw(self) -> None:
        span = RANGES[self.range][0]
        since = self.now_ms - span
        unit_ms, unit_name, left = fit_axis(earliest(self.samples, since), self.now_ms, self.range)
        dark, no_color = self.app.current_theme.dark, self.app.no_color
        venues = list(self.samples)
        for chart_id, field in (("#funding-chart", "rate"), ("#extra-chart", self.extra)):
            chart = self.query_one(chart_id, PlotextPlot)
            plt = chart.plt
            plt.clear_data()
            plt.clear_figure()
            drawn = 0
            for venue, samples in self.samples.items():
                xs, ys = chart_points(
                    [s for s in samples if s.at_ms >= since], self.now_ms, unit_ms, field
                )
                if xs:
                    colour, marker = venue_look(venue_slot(venue, venues), dark, no_color)
                    label = visible(venue) if marker == "braille" else f"{marker} {visible(venue)}"
                    plt.plot(xs, ys, label=label, marker=marker, color=colour)
                    drawn += 1
            # plotext's output is read back as ANSI: an ESC in a title would style the chart
            titles = {
                "rate": f"{visible(self.base)} funding, % per 8h-equivalent, last {self.range}",
                "premium": "premium (mark vs index), %",
                "oi": "open interest, $ millions",
            }
            title = titles[field] if drawn else f"{titles[field]}: no stored history yet"
            if field == "oi" and (notes := self.oi_notes()):
                title += " · " + "; ".join(notes)  # a blank would read as "none held"
            plt.title(title)
            plt.xlabel(f"{unit_name} before now")
            plt.xlim(left, 0)
            chart.refresh()

    # --- loading ------------------------------------------------------------

    async def _load(self) -> None:
        store, now = self.store, self.now_ms
        if store is not None:
            try:
                self.samples = await asyncio.to_thread(
                    store.series_by_base, self.base, now - 30 * DAY_MS
                )
            except Exception as e:  # damaged file: say so, keep the screen
                self.notify(f"History: {describe_exception(e)}", severity="warning")
            self._draw()
        await asyncio.gather(*(self._load_settlements(vs) for vs in self.settled.values()))
        self._fill_accrued()
        self.loaded.set()

    async def _load_settlements(self, vs: VenueSettlements) -> None:
        q = self.row.quotes.get(vs.venue)
        fetch = getattr(self.sources.get(vs.venue), "settlements", None)
        vs.settlements, vs.source, vs.problem = await up_to_date(
            self.store, vs.venue, vs.symbol, fetch, self.now_ms, q.interval_hours if q else None
        )
        if not vs.source:  # no venue history and nothing cached: recorded predictions
            points = [
                (s.at_ms, s.funding_rate, s.interval_hours)
                for s in self.samples.get(vs.venue, [])
                if s.symbol == vs.symbol
            ]
            vs.settlements = settled_from_predictions(points, self.now_ms)
            vs.source = "recorded"

    # --- keys ---------------------------------------------------------------

    def action_close(self) -> None:
        self.app.pop_screen()

    def action_range(self, key: str) -> None:
        self.range = key
        self._draw()

    def action_extra(self) -> None:
        self.extra = "oi" if self.extra == "premium" else "premium"
        self._draw()
