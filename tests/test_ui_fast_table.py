"""FastTable (ui/fast_table.py) against the installed Textual.

The board's speed-ups override private DataTable internals. A Textual upgrade that
removes or changes one would not fail loudly by itself: an override of a method
DataTable no longer calls is silently dead, a write to an attribute it no longer
reads is silently lost. These tests name what moved: each private name the module
lists exists on DataTable with the shape it relies on, each overridden method still
has DataTable's signature, DataTable's own code still does what the module copies,
the module uses no private name it does not list, and the overrides still take effect.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
import textual
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowKey

from fundtui.ui import fast_table
from fundtui.ui.fast_table import FastTable, cursor_key, order_rows, row_keys

UI = Path(fast_table.__file__).parent
SOURCE = Path(fast_table.__file__).read_text(encoding="utf-8")
WHERE = f"(textual {textual.__version__}; fundtui/ui/fast_table.py relies on it)"


def datatable_names() -> set[str]:
    """Every name a DataTable has: its class's and those its __init__ sets."""
    return set(dir(DataTable)) | set(vars(DataTable()))


def private_uses(source: str) -> set[str]:
    """Private attributes read or written on a table (``self``, ``table``, ``super()``)."""
    return set(re.findall(r"\b(?:self|table|super\(\))\.(_[A-Za-z]\w*)", source))


# --- the names and signatures relied on ------------------------------------------


@pytest.mark.parametrize("name", fast_table.RELIES_ON)
def test_every_private_name_relied_on_still_exists_on_datatable(name):
    assert name in datatable_names(), f"DataTable.{name} is gone {WHERE}"


async def test_the_private_attributes_have_the_shape_relied_on():
    table = DataTable()
    async with Host(table).run_test(size=(20, 5)):
        table.add_column("c", key="c")
        table.add_row("x", key="r")
        shape_of(table)


def shape_of(table: DataTable) -> None:
    assert isinstance(table._data, dict), f"DataTable._data is no longer a dict {WHERE}"
    assert table._data[RowKey("r")]["c"] == "x", f"DataTable._data[row][column] moved {WHERE}"
    assert table._data.get("r") is not None, f"DataTable._data no longer takes str keys {WHERE}"
    assert isinstance(table._update_count, int), f"DataTable._update_count changed {WHERE}"
    for name in ("_row_locations", "_column_locations"):
        locations = getattr(table, name)
        assert hasattr(locations, "get_key"), f"DataTable.{name} has no get_key {WHERE}"
        rebuilt = type(locations)({key: 0 for key in locations})
        assert rebuilt.get_key(0) == locations.get_key(0), f"DataTable.{name} changed {WHERE}"
    assert table._row_locations.get_key(0) == RowKey("r")
    assert isinstance(table._header_row_key, RowKey), f"DataTable._header_row_key changed {WHERE}"
    assert isinstance(table._show_hover_cursor, bool), (
        f"DataTable._show_hover_cursor changed {WHERE}"
    )
    assert callable(table._clear_caches) and callable(table._render_cell)


def overridden() -> list[str]:
    return sorted(
        n
        for n, v in vars(FastTable).items()
        if callable(v) and hasattr(DataTable, n) and not n.startswith("__")
    )


def test_the_overrides_are_the_ones_listed():
    # public overrides are named in the module docstring, private ones in RELIES_ON
    for name in overridden():
        assert f"``{name}" in fast_table.__doc__, f"FastTable.{name} is not documented"
    assert {"_render_cell", "_clear_caches", "update_cell", "notify_style_update"} <= set(
        overridden()
    )


@pytest.mark.parametrize("name", overridden())
def test_each_override_keeps_datatable_s_signature(name):
    def shape(function) -> list[tuple[str, object, object]]:
        return [
            (p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()
        ]

    ours, theirs = getattr(FastTable, name), getattr(DataTable, name)
    assert shape(ours) == shape(theirs), (
        f"DataTable.{name}{inspect.signature(theirs)} changed; FastTable.{name}"
        f"{inspect.signature(ours)} overrides it {WHERE}"
    )


def body_of(method) -> str:
    return inspect.getsource(method)


def test_datatable_s_cell_cache_key_is_still_the_one_the_override_follows():
    # FastTable._render_cell keys its cache on all DataTable keys on, but the update
    # counter (and adds the cell itself): a new part of DataTable's key must be added.
    tree = ast.parse(inspect.cleandoc("\n" + body_of(DataTable._render_cell)))
    keys = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign)
        and ast.unparse(node.target) == "cell_cache_key"
        or isinstance(node, ast.Assign)
        and ast.unparse(node.targets[0]) == "cell_cache_key"
    ]
    assert len(keys) == 1, f"DataTable._render_cell no longer builds cell_cache_key {WHERE}"
    parts = [ast.unparse(e) for e in keys[0].elts]
    assert parts == [
        "row_key",
        "column_key",
        "base_style",
        "cursor",
        "hover",
        "self._show_hover_cursor",
        "self._update_count",
        "self._pseudo_class_state",
    ], f"DataTable._render_cell's cache key is now {parts} {WHERE}"


def test_datatable_still_does_what_the_module_copies():
    update = body_of(DataTable.update_cell)
    for line in (
        "self._data[row_key][column_key] = value",
        "self._update_count += 1",
        "self.refresh()",
    ):
        assert line in update, f"DataTable.update_cell no longer does {line!r} {WHERE}"
    sort = body_of(DataTable.sort)
    for line in ("self._row_locations = TwoWayDict(", "self._update_count += 1"):
        assert line in sort, f"DataTable.sort no longer does {line!r}; order_rows copies it"
    assert "self._header_row_key" in body_of(DataTable._render_cell), (
        f"DataTable._render_cell no longer keys the header on _header_row_key {WHERE}"
    )
    for caller in (DataTable._on_resize, DataTable.watch_show_cursor, DataTable.add_row):
        source = body_of(caller)
        assert "_clear_caches()" in source or "_update_count += 1" in source, (
            f"DataTable.{caller.__name__} drops no caches any more {WHERE}"
        )


# --- no private use unlisted ------------------------------------------------------


def test_the_module_uses_only_the_private_names_it_lists():
    used = private_uses(SOURCE)
    unlisted = sorted(used - set(fast_table.RELIES_ON) - set(fast_table.OWN))
    assert not unlisted, f"fast_table.py uses {unlisted}: list them in RELIES_ON (and why)"
    assert used == set(fast_table.RELIES_ON) | set(fast_table.OWN), (
        f"listed but not used: {sorted(set(fast_table.RELIES_ON) | set(fast_table.OWN) - used)}"
    )
    for name in fast_table.RELIES_ON:
        assert f"``{name}" in fast_table.__doc__, f"{name} is not explained in the docstring"


def test_fast_table_s_own_names_shadow_nothing_of_datatable():
    clash = sorted(set(fast_table.OWN) & datatable_names())
    assert not clash, f"DataTable now has {clash} {WHERE}: FastTable's own would shadow it"


def test_no_other_ui_module_uses_datatable_internals():
    # DataTable's own private names (not those every widget has)
    from textual.widget import Widget

    own = {
        n
        for n in datatable_names() - set(dir(Widget)) - set(vars(Widget()))
        if n.startswith("_") and not n.startswith("__")
    }
    assert set(fast_table.RELIES_ON) - {"_pseudo_class_state"} <= own
    for path in sorted(UI.glob("*.py")):
        if path.name == "fast_table.py":
            continue
        used = sorted(set(re.findall(r"\.(_[A-Za-z]\w*)", path.read_text("utf-8"))) & own)
        assert not used, f"{path.name} uses DataTable's {used}: they belong in fast_table.py"


def test_the_board_keeps_no_private_state_datatable_could_clash_with():
    source = (UI / "board.py").read_text("utf-8")
    clash = sorted(private_uses(source) & datatable_names())
    assert not clash, f"board.py's {clash} are DataTable's too {WHERE}"


# --- the overrides still take effect ----------------------------------------------


class Host(App[None]):
    def __init__(self, table: DataTable, rows: int = 0) -> None:
        super().__init__()
        self.table, self.rows = table, rows

    def compose(self) -> ComposeResult:
        yield self.table

    def on_mount(self) -> None:
        if self.rows:
            self.table.add_column("key", width=6, key="key")
            self.table.add_column("value", width=8, key="value")
        for i in range(self.rows):
            self.table.add_row(Text(f"r{i}"), Text(f"v{i}"), key=f"r{i}")


def filled(rows: int = 4) -> Host:
    return Host(FastTable(cursor_type="row"), rows)


def line(table: DataTable, key: str) -> str:
    return table.render_line(table.get_row_index(key) + 1).text  # + the header


def spy_rendered(table: DataTable, monkeypatch) -> list[tuple[str, str]]:
    rendered: list[tuple[str, str]] = []
    real = DataTable._render_cell

    def spy(self, row_index, column_index, *a, **k):
        if self is table and row_index >= 0 and column_index >= 0:
            rendered.append(
                (
                    self.coordinate_to_cell_key((row_index, column_index)).row_key.value,
                    self.ordered_columns[column_index].key.value,
                )
            )
        return real(self, row_index, column_index, *a, **k)

    monkeypatch.setattr(DataTable, "_render_cell", spy)
    return rendered


async def test_a_batched_update_renders_the_new_value_and_only_that_cell(monkeypatch):
    host = filled()
    table = host.table
    async with host.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        assert "v1" in line(table, "r1")
        rendered = spy_rendered(table, monkeypatch)
        refreshes: list[int] = []
        real = table.refresh
        monkeypatch.setattr(
            table, "refresh", lambda *a, **k: (refreshes.append(1), real(*a, **k))[1]
        )
        with table.one_refresh():
            table.update_cell("r1", "value", Text("new1"))
            table.update_cell("r2", "value", Text("new2"))
        assert len(refreshes) == 1  # DataTable alone refreshes on every update
        await pilot.pause()
        lines = {key: line(table, key) for key in ("r0", "r1", "r2", "r3")}
        assert "new1" in lines["r1"] and "v1" not in lines["r1"]
        assert "new2" in lines["r2"] and "v0" in lines["r0"]
        assert sorted(set(rendered)) == [("r1", "value"), ("r2", "value")]
        with pytest.raises(CellDoesNotExist):  # DataTable's own checks, in a batch too
            with table.one_refresh():
                table.update_cell("nope", "value", "x")


async def test_a_style_change_drops_the_cached_cells():
    host = filled()
    table = host.table
    async with host.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        before = list(table.render_line(2))
        assert table._cells
        pilot.app.theme = "textual-light"
        await pilot.pause()
        assert list(table.render_line(2)) != before  # recoloured, not from the cache
        table.show_cursor = False  # DataTable drops its caches through _clear_caches
        assert not table._cells


async def test_ordering_rows_moves_their_rendering_and_keeps_the_cursor_by_key(monkeypatch):
    host = filled()
    table = host.table
    async with host.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        table.move_cursor(row=table.get_row_index("r1"))
        assert cursor_key(table) == "r1"
        for key in row_keys(table):
            line(table, key)
        rendered = spy_rendered(table, monkeypatch)
        table.put_in_order(["r3", "r1"])  # the others keep their order after them
        assert row_keys(table) == ["r3", "r1", "r0", "r2"]
        assert table.cursor_row == 1  # at its index, as after DataTable.sort
        table.move_cursor(row=table.get_row_index("r1"))
        assert cursor_key(table) == "r1"
        await pilot.pause()
        for index, key in enumerate(row_keys(table)):
            strip = table.render_line(index + 1)
            assert key in strip.text
            rows = {seg.style.meta.get("row") for seg in strip if seg.style and seg.style.meta}
            assert rows == {index}  # a click lands on the row shown there
        assert not rendered  # moved, not rendered again
        order_rows(table, ["r0", "r1", "r2", "r3"])
        assert row_keys(table) == ["r0", "r1", "r2", "r3"]


async def test_a_deferred_cell_waits_until_its_row_scrolls_into_view():
    host = filled(rows=40)
    table = host.table
    async with host.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        table.defer_cell("r0", "value", Text("near"))
        table.defer_cell("r39", "value", Text("far"))
        table.draw_deferred()
        assert table.get_cell("r0", "value").plain == "near"
        assert table.get_cell("r39", "value").plain == "v39"  # off the screen: waits
        table.move_cursor(row=39)
        await pilot.pause()
        assert table.get_cell("r39", "value").plain == "far"


async def test_left_and_right_scroll_a_row_cursor_s_table_a_whole_column_at_a_time():
    table = FastTable(cursor_type="row", fixed_columns=1)
    async with Host(table).run_test(size=(30, 6)) as pilot:
        for i in range(8):
            table.add_column(f"c{i}", width=8, key=f"c{i}")
        table.add_row(*[str(i) for i in range(8)], key="r")
        await pilot.pause()
        table.focus()
        await pilot.press("right")
        await pilot.pause()
        width = table.ordered_columns[1].get_render_width(table)
        assert table.scroll_x == width
        await pilot.press("left")
        await pilot.pause()
        assert table.scroll_x == 0


def test_a_fixed_width_column_still_renders_at_its_width_whatever_its_cells_measure():
    # FastTable._update_dimensions skips measuring cells for fixed-width columns,
    # which is safe only while DataTable reads the measure for auto-width ones alone
    source = body_of(textual.widgets._data_table.Column.get_render_width)
    assert "self.content_width if self.auto_width else self.width" in source, (
        f"DataTable's Column.get_render_width changed {WHERE}"
    )
    assert "measure(console, renderable, 1)" in body_of(DataTable._update_dimensions), (
        f"DataTable._update_dimensions no longer measures new rows' cells {WHERE}"
    )


def spy_measured(monkeypatch) -> list[object]:
    measured: list[object] = []
    module = textual.widgets._data_table
    real = module.measure

    def spy(console, renderable, *a, **k):
        measured.append(renderable)
        return real(console, renderable, *a, **k)

    monkeypatch.setattr(module, "measure", spy)
    return measured


async def test_new_rows_of_fixed_width_columns_are_not_measured(monkeypatch):
    table = FastTable(cursor_type="row")
    async with Host(table).run_test(size=(40, 10)) as pilot:
        table.add_column("key", width=6, key="key")
        table.add_column("value", width=8, key="value")
        await pilot.pause()
        measured = spy_measured(monkeypatch)
        for i in range(50):
            table.add_row(Text(f"r{i}"), Text("a long value " * 3), key=f"r{i}")
        await pilot.pause()
        assert measured == []
        assert table.virtual_size.height == 51  # the rows and the header
        assert table.virtual_size.width == 6 + 8 + 2 * 2 * table.cell_padding
        assert len(table.render_line(1).text) == 40  # cut to its column, not widened


async def test_an_auto_width_column_and_a_labelled_row_are_still_measured(monkeypatch):
    table = FastTable(cursor_type="row")
    async with Host(table).run_test(size=(60, 10)) as pilot:
        table.add_column("key", width=6, key="key")
        table.add_column("value", key="value")  # no width: sized to its cells
        await pilot.pause()
        measured = spy_measured(monkeypatch)
        wide = "twenty-one characters"
        table.add_row(Text("r0"), Text(wide), key="r0")
        await pilot.pause()
        assert any(str(m) == wide for m in measured)
        assert table.ordered_columns[1].content_width == len(wide)
        fixed = FastTable(cursor_type="row")
        await pilot.app.mount(fixed)
        fixed.add_column("key", width=6, key="key")
        await pilot.pause()
        measured.clear()
        fixed.add_row(Text("r0"), label=Text("a label"), key="r0")
        await pilot.pause()
        assert any(str(m) == "a label" for m in measured)
        assert fixed._label_column.content_width == 7


async def test_the_render_caches_hold_a_screenful_not_every_refresh_s_renderings():
    # DataTable keys its row, line and cell caches on the update count, so each
    # refresh's renderings are dead at the next one; its own caches keep 1,000 rows
    # and lines and 10,000 cells of them (~20 MB with every rate moving)
    table = FastTable(cursor_type="row")
    async with Host(table).run_test(size=(120, 40)) as pilot:
        for c in range(12):
            table.add_column(f"c{c}", key=f"c{c}", width=7)
        for r in range(200):
            table.add_row(*(f"{r}.{c}" for c in range(12)), key=f"r{r}")
        await pilot.pause()
        for n in range(30):
            with table.one_refresh():
                for r in range(40):  # every cell on screen changes
                    for c in range(12):
                        table.update_cell(f"r{r}", f"c{c}", f"{n}:{r}:{c}")
            await pilot.pause()
            table.render_lines(table.region.reset_offset)  # the screen drawn
        assert isinstance(table._cell_render_cache, type(DataTable()._cell_render_cache))
        for name in ("_cell_render_cache", "_row_render_cache", "_row_renderable_cache"):
            assert len(getattr(table, name)) <= 2 * fast_table.SCREEN_CACHE, name
        assert len(table._line_cache) <= fast_table.SCREEN_CACHE
        assert "29:0:0" in table.render_line(1).text  # still drawn from the latest values


# --- Textual's StylesCache.get_inner_outer ------------------------------------------


def assert_lru_cached(original, name: str, params: list[str]) -> None:
    """``original`` (a Textual method fast_table replaces) is still lru-cached with
    these parameters, so the replacement still stands in for it."""
    assert hasattr(original, "cache_info") and hasattr(original, "__wrapped__"), (
        f"{name} is no longer lru-cached {WHERE}"
    )
    found = list(inspect.signature(original.__wrapped__).parameters)
    assert found == params, f"{name}{inspect.signature(original)} changed {WHERE}"


def test_textual_s_inner_outer_is_still_a_cached_method_of_two_colours():
    from textual._styles_cache import StylesCache

    assert_lru_cached(
        fast_table.TEXTUAL_INNER_OUTER,
        "StylesCache.get_inner_outer",
        ["cls", "base_background", "background"],
    )
    assert StylesCache.get_inner_outer is fast_table._get_inner_outer  # installed on import
    # StylesCache still calls it on the instance, with those two colours
    src = inspect.getsource(StylesCache)
    assert "self.get_inner_outer(base_background, background)" in src, (
        f"StylesCache no longer calls get_inner_outer as relied on {WHERE}"
    )


def test_the_shared_inner_outer_styles_are_textual_s_and_keep_no_widget_alive():
    import gc
    import weakref

    from textual._styles_cache import StylesCache
    from textual.color import Color

    pairs = [(Color(10, 20, 30), Color(200, 100, 0, 0.5)), (Color(0, 0, 0), Color(9, 9, 9))]
    for base, bg in pairs:
        assert StylesCache().get_inner_outer(base, bg) == fast_table.TEXTUAL_INNER_OUTER(
            StylesCache(), base, bg
        )
    gc.collect()
    # Textual's own cache keys on the instance, and so keeps every widget's cache
    # (and the lines it rendered) alive; the shared one keeps none
    kept = StylesCache()
    fast_table.TEXTUAL_INNER_OUTER(kept, *pairs[0])
    theirs = weakref.ref(kept)
    mine = StylesCache()
    mine.get_inner_outer(*pairs[1])
    ours = weakref.ref(mine)
    del kept, mine
    gc.collect()
    assert theirs() is not None and ours() is None
    fast_table.TEXTUAL_INNER_OUTER.cache_clear()


# --- Textual's Strip.render_ansi ----------------------------------------------------


def test_textual_s_render_ansi_is_still_a_cached_classmethod_of_a_style_and_colours():
    from textual.strip import Strip

    original = fast_table.TEXTUAL_RENDER_ANSI
    assert_lru_cached(original, "Strip.render_ansi", ["cls", "style", "color_system"])
    assert vars(Strip)["render_ansi"].__func__ is fast_table._render_ansi  # installed
    # what the cache key stands for: the only parts of a style the codes are made of
    body = inspect.getsource(original.__wrapped__)
    read = set(re.findall(r"style\.(_\w+)", body))
    assert read == {"_attributes", "_set_attributes", "_color", "_bgcolor", "_ansi"}, (
        f"Strip.render_ansi now reads {sorted(read)} of a style {WHERE}"
    )
    # Strip.render_style still asks for the codes only when the style has none
    src = inspect.getsource(Strip.render_style)
    assert "if (ansi := style._ansi) is None:" in src and (
        "cls.render_ansi(style, color_system)" in src
    ), f"Strip.render_style no longer calls render_ansi as relied on {WHERE}"


def _looks():
    from rich.color import ColorSystem
    from rich.style import Style

    for system in (ColorSystem.STANDARD, ColorSystem.EIGHT_BIT, ColorSystem.TRUECOLOR):
        for style in (
            Style(),
            Style(bold=True),
            Style(bold=False, italic=True, underline=True),
            Style(color="red", bgcolor="#102030", reverse=True),
            Style(color="#a0b0c0", dim=True, strike=True),
            Style(bgcolor="color(200)", blink=True, link="https://example.com"),
        ):
            yield style, system


def test_the_escape_codes_are_textual_s_for_every_look_and_colour_system():
    from rich.style import Style
    from textual.strip import Strip

    for style, system in _looks():
        expected = fast_table.TEXTUAL_RENDER_ANSI(Strip, style.copy(), system)
        with_meta = style + Style.from_meta({"row": 3, "column": 1})
        assert Strip.render_ansi(with_meta, system) == expected
        assert with_meta._ansi == expected  # stored on the style, as Textual does
        plain = Style.from_meta({"row": 4, "system": int(system)}) + style.clear_meta_and_links()
        drawn = f"\x1b[{expected}mx\x1b[0m" if expected else "x"
        assert Strip.render_style(plain, "x", system) == drawn
    fast_table.TEXTUAL_RENDER_ANSI.cache_clear()


def test_cells_that_differ_only_in_their_row_and_column_share_one_entry():
    from rich.color import ColorSystem
    from rich.style import Style
    from textual.strip import Strip

    fast_table._ansi_codes.clear()
    fast_table.TEXTUAL_RENDER_ANSI.cache_clear()
    base = Style(color="green", bgcolor="#000000", bold=True)
    for row in range(200):
        cell = base + Style.from_meta({"row": row, "column": row % 7})
        Strip.render_ansi(cell, ColorSystem.TRUECOLOR)
    assert len(fast_table._ansi_codes) == 1
    # Textual's own cache would have kept all 200 styles and their meta
    for row in range(200):
        cell = base + Style.from_meta({"row": row, "column": row % 7})
        fast_table.TEXTUAL_RENDER_ANSI(Strip, cell, ColorSystem.TRUECOLOR)
    assert fast_table.TEXTUAL_RENDER_ANSI.cache_info().currsize == 200
    fast_table.TEXTUAL_RENDER_ANSI.cache_clear()
    assert len(fast_table._ansi_codes) <= fast_table.ANSI_CACHE_MAX


def test_the_escape_code_cache_starts_over_past_its_bound(monkeypatch):
    from rich.color import Color, ColorSystem
    from rich.style import Style
    from textual.strip import Strip

    monkeypatch.setattr(fast_table, "ANSI_CACHE_MAX", 8)
    fast_table._ansi_codes.clear()
    for i in range(20):
        style = Style(color=Color.from_rgb(i, 0, 0))
        assert Strip.render_ansi(style, ColorSystem.TRUECOLOR) == f"38;2;{i};0;0"
        assert len(fast_table._ansi_codes) <= 8
    fast_table._ansi_codes.clear()
