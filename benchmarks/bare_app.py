"""The baseline for the first-frame benchmark: a bare Textual app with a header,
a small table and a footer, started the way fundtui is."""

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header


class BareApp(App):
    TITLE = "bare"

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("base", "rate")
        for i in range(5):
            table.add_row(f"SYM{i}", f"{i / 1e4:.4%}")


if __name__ == "__main__":
    BareApp().run()
