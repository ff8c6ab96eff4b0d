"""The row-ordering helpers, now in ``fundtui.ui.fast_table`` with the rest of the
DataTable internals fundtui relies on; kept here for the modules that import them."""

from fundtui.ui.fast_table import cursor_key, order_rows, row_keys  # noqa: F401  (moved)
