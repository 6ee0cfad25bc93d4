"""Filling a DataTable so that its header always lines up with its rows.

DataTable measures auto-width columns later, when the app is idle; a frame drawn in between
caches the header at the old widths, and it stays narrower than the rows beneath it (seen in a
CI run's dashboard snapshot, and once in about thirty local runs). Here every column's width is
fixed from its label and the new cells before any row goes in, so nothing is left to measure
afterwards. Cells go in escaped: a ledger's or a unit's name is data, never markup (a "[" in it
would otherwise vanish or raise)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.markup import escape
from textual.widgets import DataTable


def refill(table: DataTable[Any], rows: Sequence[Sequence[str]], keys: Sequence[str] | None = None) -> None:
    """Replace every row; the cursor stays on the same row number when it still exists."""
    at = table.cursor_row
    columns = [(key.value, column.label) for key, column in table.columns.items()]
    widths = [label.cell_len for _, label in columns]
    cells = [[escape(str(value)) for value in row] for row in rows]
    for row in rows:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], cell_len(str(value)))
    table.clear(columns=True)
    for (key, label), width in zip(columns, widths, strict=True):
        table.add_column(label, key=key, width=width)
    for i, row in enumerate(cells):
        table.add_row(*row, key=keys[i] if keys is not None else None)
    if 0 <= at < len(cells):
        table.move_cursor(row=at)
