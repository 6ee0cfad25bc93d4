"""The cells of a workbook's sheets as the ledger reader sees them, read by python-calamine.

calamine (Rust) reads a 100,000-row sheet about fifteen times faster than openpyxl in read-only
mode, and unlike read-only mode it sees the merged ranges. Its values are made the ones openpyxl
gives with ``data_only=True`` (the reader was written against those, and tests compare the two):
an empty cell is None, not ""; a whole number is an int, not 1.0; a date cell is a datetime at
midnight, not a date. The workbook is checked against the limits (``check_xlsx``) before calamine
opens it: calamine, too, would build the whole grid up to a far-away cell.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.errors import InputError
from tracker.input_files import check_xlsx

WHOLE_BELOW = 1e15  # a number Excel writes without an exponent: openpyxl reads it as an int when whole


def as_openpyxl(value: Any) -> Any:
    """A calamine value as openpyxl (``data_only=True``) reads the same cell."""
    kind = type(value)
    if kind is str:
        return value or None
    if kind is float:
        return int(value) if value.is_integer() and abs(value) < WHOLE_BELOW else value
    if kind is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return value


@dataclass
class SheetCells:
    """One sheet: its values by row and column (1-based, as in Excel), its merged ranges.

    ``rows`` are the rows read (all of them, or the first few when the sheet was opened with
    ``head``); ``rest`` gives the rows after them, one at a time, as ``as_openpyxl`` sees them:
    a 100,000-row sheet as Python values weighed 47 MiB, and the reader needs each row once."""

    title: str
    rows: list[list[Any]]  # as calamine gives them, from A1: convert with ``as_openpyxl``
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (min_row, min_col, max_row, max_col)
    height: int = 0  # rows in the sheet, those in ``rows`` and those still to come
    width: int = 0
    more: Iterator[list[Any]] | None = None  # the rows after ``rows``, raw (``rest`` converts them)

    def __post_init__(self) -> None:
        self.max_row = max([len(self.rows), self.height, *(r for _, _, r, _ in self.merged)])
        widths = [len(self.rows[0]) if self.rows else 0, self.width, *(c for _, _, _, c in self.merged)]
        self.max_column = max(widths)

    def value(self, row: int, column: int) -> Any:
        """A cell among ``rows`` (None beyond them)."""
        if row > len(self.rows):
            return None
        cells = self.rows[row - 1]
        return as_openpyxl(cells[column - 1]) if column <= len(cells) else None

    def rest(self) -> Iterator[tuple[int, list[Any]]]:
        """(row, values as openpyxl reads them) for each row after ``rows``, once."""
        more, self.more = self.more, None
        if more is None:
            return
        for row, cells in enumerate(more, start=len(self.rows) + 1):
            yield row, [as_openpyxl(value) for value in cells]


class Workbook:
    """A workbook's worksheets, each read when first asked for."""

    def __init__(self, path: Path) -> None:
        from python_calamine import CalamineWorkbook, SheetTypeEnum

        check_xlsx(path)
        self.path = path
        try:
            self.book = CalamineWorkbook.from_path(str(path))
            self.sheetnames = [m.name for m in self.book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        except Exception as exc:
            raise self.unreadable(exc) from None

    def unreadable(self, exc: Exception) -> InputError:
        return InputError(
            f"{self.path}: not a readable .xlsx workbook ({exc.__class__.__name__})", key="not_xlsx", where=self.path
        )

    def sheet(self, name: str, head: int | None = None) -> SheetCells:
        """The sheet's cells; with ``head``, only its first ``head`` rows are read now, the others
        are left to ``SheetCells.rest``."""
        try:
            found = self.book.get_sheet_by_name(name)
            ranges = found.merged_cell_ranges or []
            end = found.end
            height, width = (end[0] + 1, end[1] + 1) if end else (0, 0)
            # iter_rows starts at row 1 but at the first column holding data: pad to column A.
            pad = [""] * (found.start[1] if found.start else 0)
            raw = iter(found.iter_rows())
            rows = [pad + cells if pad else cells for cells in itertools.islice(raw, head)]
        except Exception as exc:
            raise self.unreadable(exc) from None
        merged = [(top + 1, left + 1, bottom + 1, right + 1) for (top, left), (bottom, right) in ranges]
        if any(type(value) is dt.time for row in rows for value in row):
            self._times_from_openpyxl(name, rows, 1)
        more = self._more(name, raw, pad, len(rows) + 1) if head is not None else None
        return SheetCells(name, rows, merged, height, width, more)

    def _more(self, name: str, raw: Iterator[list[Any]], pad: list[Any], first: int) -> Iterator[list[Any]]:
        """The raw rows from row ``first`` on, each padded to column A, times fixed as in ``sheet``
        (openpyxl, opened at the first such row, read along from there)."""
        book: Any = None
        again: Iterator[tuple[Any, ...]] = iter(())
        at = 0  # the row ``again`` gives next
        try:
            for row, cells in enumerate(raw, start=first):
                cells = pad + cells if pad else cells
                if dt.time in map(type, cells):
                    if book is None:
                        from openpyxl import load_workbook

                        book = load_workbook(self.path, read_only=True, data_only=True)
                        again, at = book[name].iter_rows(min_row=row, min_col=1, values_only=True), row
                    values: tuple[Any, ...] = ()
                    while at <= row:
                        values, at = next(again, ()), at + 1
                    for c, value in enumerate(values[: len(cells)]):
                        if type(cells[c]) is dt.time:
                            cells[c] = value
                yield cells
        except InputError:
            raise
        except Exception as exc:
            raise self.unreadable(exc) from None
        finally:
            if book is not None:
                book.close()

    def _times_from_openpyxl(self, name: str, rows: list[list[Any]], first: int) -> None:
        """calamine reads a date cell before 1900 (a negative serial: 1000-12-31, far out of range,
        which the check must report as such) as the time 00:00; openpyxl reads it as the date.
        The time cells of such rows (``rows`` from row ``first`` on) are read again by openpyxl
        (read-only): rare, and only them."""
        from openpyxl import load_workbook

        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
            found = book[name].iter_rows(min_row=first, max_row=first + len(rows) - 1, min_col=1, values_only=True)
            for r, values in enumerate(found):
                if r >= len(rows):
                    break
                for c, value in enumerate(values[: len(rows[r])]):
                    if type(rows[r][c]) is dt.time:
                        rows[r][c] = value
            book.close()
        except Exception as exc:
            raise self.unreadable(exc) from None
