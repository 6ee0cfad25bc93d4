"""Rows written straight into a constant-memory XlsxWriter sheet, for the big table.

XlsxWriter costs about 25 µs a cell in Python (a cell object, a row table, attribute lists and
escaping per cell): 1.3 million cells of a 100,000-row weekly table took 15 of its 22 seconds.
The sheet's frame (columns, titles, header, print set-up, merges, filter, conditional format,
charts) is still XlsxWriter's; only the data rows are written here, as the ``<row>`` elements
XlsxWriter itself would write in constant-memory mode (inline strings, the same style indexes),
one string per row.

This uses three of XlsxWriter's private members (``_write_single_row``, ``fh``,
``_check_dimensions``) and ``Format._get_xf_index``; requirements.lock pins the version and the
weekly-table tests read every property back with openpyxl, so a change shows there first.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from typing import Any

_ESCAPES = re.compile(r"[&<>]")
# Control characters are not allowed in XML: Excel writes them as _xHHHH_, and a literal "_xHHHH_"
# in the text is escaped by writing its underscore as _x005F_ (as XlsxWriter does).
_LITERAL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_NEEDS_WORK = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()  # serial 1 is 1900-01-01 (past Excel's leap-year bug)
MAX_CHARS = 32767  # Excel's limit for a cell


def column_letters(count: int) -> list[str]:
    letters = []
    for n in range(count):
        name, n = "", n + 1
        while n:
            n, rest = divmod(n - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


@functools.lru_cache(maxsize=65536)  # a task's text, a unit's name, a status repeat row after row
def _inline(text: str) -> str:
    """The end of an inline-string cell holding ``text``, escaped as XML and as Excel wants."""
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    preserve = ""
    if _NEEDS_WORK.search(text):
        text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if text[:1].isspace() or text[-1:].isspace():
            preserve = ' xml:space="preserve"'
    return f' t="inlineStr"><is><t{preserve}>{text}</t></is></c>'


def text_cell(ref: str, style: int, text: str, keep_empty: bool = True) -> str:
    """A text cell; an empty text gives a blank cell (for its style), or nothing unless
    ``keep_empty``."""
    if text:
        return f'<c r="{ref}" s="{style}"{_inline(text)}'
    return f'<c r="{ref}" s="{style}"/>' if keep_empty else ""


def number_cell(ref: str, style: int, number: float) -> str:
    return f'<c r="{ref}" s="{style}"><v>{number:.16G}</v></c>'


def date_cell(ref: str, style: int, day: dt.date) -> str:
    return f'<c r="{ref}" s="{style}"><v>{day.toordinal() - EXCEL_EPOCH}</v></c>'


def blank_cell(ref: str, style: int) -> str:
    return f'<c r="{ref}" s="{style}"/>'


class RowStream:
    """Data rows of ``sheet`` from ``first`` on, strictly in order, after XlsxWriter has written
    the rows above (titles, header). Nothing may be written to the sheet through XlsxWriter's
    cell methods afterwards."""

    def __init__(self, sheet: Any, first: int, columns: int) -> None:
        sheet._write_single_row(first)  # XlsxWriter writes out the row it still holds
        self._sheet, self._fh = sheet, sheet.fh
        self._columns = columns
        self._first, self._last = first, first - 1

    def write(self, row: int, height: float, cells: Iterable[str]) -> None:
        """One row: its height in points and its cells' XML, left to right."""
        self._fh.write(f'<row r="{row + 1}" ht="{height:g}" customHeight="1">{"".join(cells)}</row>')
        self._last = row

    def close(self) -> None:
        if self._last >= self._first:  # the sheet's dimension (A1:M…) covers the rows written here
            self._sheet._check_dimensions(self._last, self._columns - 1)


def style_index(fmt: Any) -> int:
    return int(fmt._get_xf_index())
