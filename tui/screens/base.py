"""What the list screens share: a table whose headers come from the catalogue, loaded in a
worker on arrival and on `r`, refilled keeping the cursor where it was."""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable

from tui.context import Context
from tui.i18n import t
from tui.table import refill

REFRESH = Binding("r", "reload", t("key.refresh"))  # last in each screen's keys, after its own


class ListScreen(Screen[None]):
    """Subclasses set TABLE (the DataTable's id), COLUMNS (catalogue keys under HEADERS) and
    implement ``load`` (a thread worker that ends by calling ``fill``)."""

    TABLE = "list"
    HEADERS = ""
    COLUMNS: tuple[str, ...] = ()

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context
        self.ids: list[int] = []

    def table(self) -> DataTable[str]:
        return self.query_one(f"#{self.TABLE}", DataTable)

    def on_mount(self) -> None:
        table = self.table()
        for key in self.COLUMNS:
            table.add_column(t(f"{self.HEADERS}.{key}"), key=key)
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    def load(self) -> object:
        """Read the rows (each screen's is a worker) and hand them to ``fill``."""
        raise NotImplementedError

    def fill(self, ids: list[int], rows: Sequence[Sequence[str]]) -> None:
        """Rows in, ids kept alongside, the cursor on the same row as before."""
        table = self.table()
        self.ids = ids
        refill(table, rows, [str(key) for key in ids])
        table.focus()

    def current(self) -> int | None:
        """The id of the row under the cursor."""
        row = self.table().cursor_row
        return self.ids[row] if 0 <= row < len(self.ids) else None
