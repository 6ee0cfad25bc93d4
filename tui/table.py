"""Filling a DataTable so that its header always lines up with its rows, and its columns fit.

DataTable measures auto-width columns later, when the app is idle; a frame drawn in between
caches the header at the old widths, and it stays narrower than the rows beneath it (seen in a
CI run's dashboard snapshot, and once in about thirty local runs). Here every column's width is
fixed from its label and the new cells before any row goes in, so nothing is left to measure
afterwards. Cells go in escaped: a ledger's or a unit's name is data, never markup (a "[" in it
would otherwise vanish or raise).

Columns wider together than the table are shortened, the widest first, their cells ending in
"…": a column is never pushed off the right edge (at 100 columns the dashboard's notice counts
and the notices' units used to be). The rows are kept, and laid out again when the screen's
layout gives the table another width (a resized terminal)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

from rich.cells import cell_len
from rich.markup import escape
from rich.text import Text
from textual.widgets import DataTable

NARROWEST = 4  # cells: a column is never shortened below this (or its own width, when less)


class Shown:
    """What a table was last filled with, in full (its labels, rows and row keys), and the width
    it was laid out in."""

    def __init__(self, labels: dict[str, Text], rows: list[list[str]], keys: Sequence[str] | None) -> None:
        self.labels, self.rows, self.keys = labels, rows, keys
        self.width = 0


_shown: WeakKeyDictionary[DataTable[Any], Shown] = WeakKeyDictionary()


def fitted(widths: list[int], room: int, padding: int) -> list[int]:
    """The widths, the widest brought down to a common width until all fit in ``room`` cells
    (each column also takes ``padding`` cells on either side); as they were when they fit."""
    spare = room - 2 * padding * len(widths)
    if sum(widths) <= spare or room <= 0:
        return widths
    floors = [min(width, NARROWEST) for width in widths]
    for cap in range(max(widths), NARROWEST - 1, -1):
        capped = [max(min(width, cap), floor) for width, floor in zip(widths, floors, strict=True)]
        if sum(capped) <= spare:
            return capped
    return floors


def shortened(text: str, width: int) -> str:
    """The text in ``width`` cells, ending in "…" when cut (no space left before it by a wide
    character that did not fit, as Rich's truncation leaves)."""
    if cell_len(text) <= width:
        return text
    kept, used = [], 1
    for char in text:
        used += cell_len(char)
        if used > width:
            break
        kept.append(char)
    return "".join(kept) + "…"


def refill(table: DataTable[Any], rows: Sequence[Sequence[str]], keys: Sequence[str] | None = None) -> None:
    """Replace every row; the cursor stays on the same row number when it still exists."""
    before = _shown.get(table)
    labels = {str(key.value): column.label for key, column in table.columns.items()}
    if before is not None:  # the labels as they were written, not as they were last shortened
        labels = {key: before.labels.get(key, label) for key, label in labels.items()}
    shown = Shown(labels, [[str(value) for value in row] for row in rows], keys)
    _shown[table] = shown
    if before is None and table.is_attached:
        table.screen.screen_layout_refresh_signal.subscribe(table, lambda _screen: refit(table))
    show(table, shown)


def refit(table: DataTable[Any]) -> None:
    """The rows laid out again when the table's width has changed since (a resized terminal)."""
    shown = _shown.get(table)
    if shown is not None and table.size.width != shown.width:
        show(table, shown)


def show(table: DataTable[Any], shown: Shown) -> None:
    at = table.cursor_row
    widths = [label.cell_len for label in shown.labels.values()]
    for row in shown.rows:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], cell_len(value))
    # The vertical scroll bar's room is kept whether or not there is one: a table that fits
    # only without it would otherwise change its widths as rows come and go.
    room = table.size.width - table.styles.scrollbar_size_vertical
    widths = fitted(widths, room, table.cell_padding) if table.size.width else widths
    shown.width = table.size.width
    table.clear(columns=True)
    for (key, label), width in zip(shown.labels.items(), widths, strict=True):
        cut = label if label.cell_len <= width else Text(shortened(label.plain, width), style=label.style)
        table.add_column(cut, key=key, width=width)
    for i, row in enumerate(shown.rows):
        cells = [escape(shortened(value, width)) for value, width in zip(row, widths, strict=True)]
        table.add_row(*cells, key=shown.keys[i] if shown.keys is not None else None)
    if 0 <= at < len(shown.rows):
        table.move_cursor(row=at)
