"""Spreadsheets we write (XlsxWriter). Text is always written as text, never as a formula."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tracker.errors import InputError


def open_workbook(path: Path, constant_memory: bool = False) -> Any:
    """A new workbook at ``path``. ``constant_memory`` keeps one row in memory (rows then must
    be written top to bottom)."""
    import xlsxwriter

    if path.suffix.lower() != ".xlsx":
        raise InputError(f"-o {path}: write an .xlsx file")
    path.parent.mkdir(parents=True, exist_ok=True)
    # strings_to_formulas off: a note that starts with "=" stays text (OWASP CSV/formula injection).
    options = {"strings_to_formulas": False, "strings_to_urls": False, "constant_memory": constant_memory}
    return xlsxwriter.Workbook(str(path), options)


def write_interviews(path: Path, entries: Sequence[Any]) -> None:
    """The interview list (约谈名单) as a printable sheet, whole or absent."""
    from tracker.files import written_atomically

    with written_atomically(path) as temporary:
        _write_interviews(temporary, entries)


def _write_interviews(path: Path, entries: Sequence[Any]) -> None:
    workbook = open_workbook(path)
    sheet = workbook.add_worksheet("约谈名单")
    title = workbook.add_format({"bold": True, "font_size": 16, "align": "center", "font_name": "宋体"})
    head = workbook.add_format({"bold": True, "border": 1, "bg_color": "#D9D9D9", "font_name": "宋体"})
    cell = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top", "font_name": "宋体"})
    sheet.merge_range(0, 0, 0, 4, "约谈名单", title)
    for column, (name, width) in enumerate(
        (("序号", 6), ("台账", 36), ("责任单位", 24), ("责任人", 10), ("约谈事由", 70))
    ):
        sheet.write_string(1, column, name, head)
        sheet.set_column(column, column, width)
    for row, entry in enumerate(entries, start=2):
        sheet.write_number(row, 0, row - 1, cell)
        sheet.write_string(row, 1, entry.ledger, cell)
        sheet.write_string(row, 2, entry.unit, cell)
        sheet.write_string(row, 3, entry.person, cell)
        sheet.write_string(row, 4, "\n".join(entry.reasons), cell)
    sheet.freeze_panes(2, 0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.repeat_rows(1)
    workbook.close()
