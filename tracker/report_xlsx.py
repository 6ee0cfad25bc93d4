"""The weekly progress table as an Excel workbook (XlsxWriter, constant-memory mode).

Constant-memory mode keeps one row in memory, so a hundred thousand assignments take tens of
megabytes; the price is that rows must be written top to bottom, once. Text is always written
with ``write_string``: a note that starts with "=" stays text, never a formula.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tracker.deadlines import cn_date
from tracker.models import STATUS_LABELS, Status
from tracker.report import LIGHTS, LedgerSection, ReportRow, WeeklyReport
from tracker.spreadsheets import open_workbook

# (header, width, kind): kind picks the cell format (text wraps; dates and numbers do not).
PROGRESS_COLUMNS = (
    ("序号", 6, "center"),
    ("阶段", 14, "wrap"),
    ("任务", 42, "wrap"),
    ("完成时限", 16, "wrap"),
    ("时限日期", 12, "date"),
    ("责任单位", 18, "wrap"),
    ("责任人", 8, "center"),
    ("状态", 8, "center"),
    ("进度", 7, "percent"),
    ("完成日期", 12, "date"),
    ("逾期天数", 8, "center"),
    ("进展说明", 36, "wrap"),
    ("督办等级", 10, "center"),
)
SUMMARY_COLUMNS = (
    ("责任单位", 20, "wrap"),
    ("任务数", 8, "center"),
    ("已完成", 8, "center"),
    ("按期完成", 9, "center"),
    ("逾期", 8, "center"),
    ("完成率", 9, "percent"),
    ("迟报", 7, "center"),
    ("漏报", 7, "center"),
    ("得分", 8, "score"),
    ("排名", 7, "center"),
)
CHANGE_COLUMNS = (
    ("台账", 30, "wrap"),
    ("类别", 12, "center"),
    ("任务", 10, "center"),
    ("责任单位", 20, "wrap"),
    ("情况", 44, "wrap"),
    ("日期", 12, "date"),
)
A4 = 9
BODY_FONT = "宋体"


class Formats:
    """The workbook's formats, made once each (Excel caps a file at 64,000 distinct formats)."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self._cache: dict[tuple[str, str], Any] = {}
        self.title = workbook.add_format({"bold": True, "font_size": 16, "align": "center", "font_name": "黑体"})
        self.border = workbook.add_format({"border": 1})
        self.meta = workbook.add_format({"font_size": 10, "font_name": BODY_FONT})
        self.head = workbook.add_format(
            {
                "bold": True,
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "bg_color": "#D9E1F2",
                "font_name": "黑体",
            }
        )

    def cell(self, kind: str, light: str = "") -> Any:
        key = (kind, light)
        if key not in self._cache:
            spec: dict[str, Any] = {"border": 1, "valign": "vcenter", "font_name": BODY_FONT, "font_size": 10}
            if kind == "wrap":
                spec["text_wrap"] = True
            elif kind == "date":
                spec.update(num_format='yyyy"年"m"月"d"日"', align="center")
            elif kind == "percent":
                spec.update(num_format="0%", align="center")
            elif kind == "score":
                spec.update(num_format="0.00", align="center")
            else:
                spec["align"] = "center"
            if light:
                spec["bg_color"] = LIGHTS[light][1]
            self._cache[key] = self.workbook.add_format(spec)
        return self._cache[key]


def write_weekly_xlsx(path: Path, report: WeeklyReport) -> None:
    workbook = open_workbook(path, constant_memory=True)
    formats = Formats(workbook)
    _progress_sheet(workbook.add_worksheet("进度表"), report, formats)
    _summary_sheet(workbook, workbook.add_worksheet("单位汇总"), report, formats)
    _changes_sheet(workbook.add_worksheet("本周变化"), report, formats)
    workbook.close()


def _page_setup(sheet: Any) -> None:
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.fit_to_pages(1, 0)  # every column on the page's width, as many pages down as it takes
    sheet.set_footer("&C第 &P 页，共 &N 页")
    sheet.hide_gridlines(0)  # keep the screen grid, do not print it: the table has borders


def _headers(sheet: Any, row: int, columns: tuple[tuple[str, int, str], ...], formats: Formats) -> None:
    for column, (name, _, _) in enumerate(columns):
        sheet.write_string(row, column, name, formats.head)


def _widths(sheet: Any, columns: tuple[tuple[str, int, str], ...]) -> None:
    for column, (_, width, _) in enumerate(columns):
        sheet.set_column(column, column, width)


def _title(sheet: Any, row: int, text: str, width: int, fmt: Any) -> None:
    sheet.merge_range(row, 0, row, width - 1, text, fmt)


def _progress_sheet(sheet: Any, report: WeeklyReport, formats: Formats) -> None:
    n = len(PROGRESS_COLUMNS)
    _widths(sheet, PROGRESS_COLUMNS)
    _page_setup(sheet)
    row = 0
    single = len(report.sections) == 1
    for section in report.sections:
        _title(sheet, row, f"{section.title}督查进度表", n, formats.title)
        meta = f"文号：{section.doc_number or '—'}　　截至：{cn_date(report.as_of)}　　{report.week}"
        _title(sheet, row + 1, meta, n, formats.meta)
        header = row + 2
        if row == 0:  # the legend once, under the first title
            _legend(sheet, header, formats)
            header += 1
        _headers(sheet, header, PROGRESS_COLUMNS, formats)
        if section.count:
            # Borders for the empty cells that were not written (see _progress_cells).
            cells = (header + 1, 0, header + section.count, n - 1)
            sheet.conditional_format(*cells, {"type": "blanks", "format": formats.border})
        if single:
            sheet.freeze_panes(header + 1, 0)
            sheet.repeat_rows(header)
            if section.count:
                sheet.autofilter(header, 0, header + section.count, n - 1)
        row = _progress_rows(sheet, header + 1, section, formats) + 1


def _legend(sheet: Any, row: int, formats: Formats) -> None:
    sheet.write_string(row, 0, "图例", formats.cell("center"))
    for column, (light, (label, _)) in enumerate(LIGHTS.items(), start=1):
        sheet.write_string(row, column, label, formats.cell("wrap", light))


def _progress_rows(sheet: Any, first: int, section: LedgerSection, formats: Formats) -> int:
    """Writes the section's rows from ``first``; returns the next free row. Runs of one phase are
    merged in the 阶段 column, as in the ledger."""
    row = first
    for item, span in section.rows_with_spans():
        if span:
            sheet.write_string(row, 1, item.row.phase, formats.cell("wrap"))
            if span > 1:
                _merge_ahead(sheet, row, row + span - 1, 1)
        else:
            sheet.write_blank(row, 1, None, formats.cell("wrap"))
        _progress_cells(sheet, row, item, formats)
        row += 1
    return row


def _merge_ahead(sheet: Any, first: int, last: int, column: int) -> None:
    """Declare cells merged whose rows are still to be written. XlsxWriter's merge_range writes
    the whole range at once, which constant-memory mode (rows strictly in order) cannot take: the
    cells are written row by row instead (the first with the value, the rest blank, one format)
    and only the merge is recorded here, as merge_range itself records it."""
    sheet.merge.append([first, column, last, column])


def _progress_cells(sheet: Any, row: int, item: ReportRow, formats: Formats) -> None:
    r, light = item.row, item.light
    # An empty cell is written only to carry its row's colour: the borders of the others come
    # from the table's conditional format (a fifth fewer cells to write in a big ledger).
    values: tuple[tuple[int, object, str], ...] = (
        (0, r.seq, "center"),
        (2, r.task, "wrap"),
        (3, r.deadline_text, "wrap"),
        (4, r.due_on or r.deadline_shown, "date" if r.due_on else "center"),
        (5, r.unit, "wrap"),
        (6, r.person, "center"),
        (7, STATUS_LABELS[Status(r.status)], "center"),
        (8, r.percent / 100, "percent"),
        (9, r.completed_on, "date"),
        (10, item.days_late, "center"),
        (11, r.note, "wrap"),
        (12, item.level, "center"),
    )
    for column, value, kind in values:
        fmt = formats.cell(kind, light)
        if isinstance(value, str) and value:
            sheet.write_string(row, column, value, fmt)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, column, value, fmt)
        elif isinstance(value, int | float):
            sheet.write_number(row, column, value, fmt)
        elif light:
            sheet.write_blank(row, column, None, fmt)


def _summary_sheet(workbook: Any, sheet: Any, report: WeeklyReport, formats: Formats) -> None:
    n = len(SUMMARY_COLUMNS)
    _widths(sheet, SUMMARY_COLUMNS)
    _page_setup(sheet)
    row = 0
    for section in report.sections:
        _title(sheet, row, f"{section.title}责任单位完成情况汇总", n, formats.title)
        _title(sheet, row + 1, f"截至：{cn_date(report.as_of)}　　{report.week}", n, formats.meta)
        header = row + 2
        _headers(sheet, header, SUMMARY_COLUMNS, formats)
        row = header + 1
        for unit in section.units:
            sheet.write_string(row, 0, unit.unit, formats.cell("wrap"))
            for column, value in enumerate(
                (unit.tasks, unit.done, unit.on_time, unit.overdue, unit.rate, unit.late_reports, unit.missing_reports),
                start=1,
            ):
                kind = SUMMARY_COLUMNS[column][2]
                light = "red" if column == 4 and value else ""
                sheet.write_number(row, column, value, formats.cell(kind, light))
            sheet.write_number(row, 8, round(unit.score, 2), formats.cell("score"))
            sheet.write_number(row, 9, unit.rank, formats.cell("center"))
            row += 1
        if section.units:
            _completion_chart(workbook, sheet, section, header)
        # Leave room for the chart below a short table before the next section starts.
        row = max(row, header + 18) + 1


def _completion_chart(workbook: Any, sheet: Any, section: LedgerSection, header: int) -> None:
    """A native column chart of 完成率 per unit, beside the table it plots."""
    chart = workbook.add_chart({"type": "column"})
    first, last = header + 1, header + len(section.units)
    chart.add_series(
        {
            "name": "完成率",
            "categories": ["单位汇总", first, 0, last, 0],
            "values": ["单位汇总", first, 5, last, 5],
            "fill": {"color": "#4472C4"},
            "data_labels": {"value": True, "num_format": "0%"},
        }
    )
    chart.set_title({"name": f"{section.title[:30]}：各单位完成率", "name_font": {"size": 11}})
    chart.set_y_axis({"num_format": "0%", "min": 0, "max": 1, "major_gridlines": {"visible": True}})
    chart.set_legend({"none": True})
    chart.set_size({"width": max(560, 36 * len(section.units)), "height": 340})
    sheet.insert_chart(header, len(SUMMARY_COLUMNS) + 1, chart)


def _changes_sheet(sheet: Any, report: WeeklyReport, formats: Formats) -> None:
    n = len(CHANGE_COLUMNS)
    _widths(sheet, CHANGE_COLUMNS)
    _page_setup(sheet)
    since = report.since + dt.timedelta(days=1)
    _title(sheet, 0, "本周变化情况", n, formats.title)
    _title(sheet, 1, f"{cn_date(since)}至{cn_date(report.as_of)}　　{report.week}", n, formats.meta)
    _headers(sheet, 2, CHANGE_COLUMNS, formats)
    sheet.freeze_panes(3, 0)
    row = 3
    for section in report.sections:
        for change in section.changes:
            values = (section.title, change.kind, change.task, change.unit, change.detail)
            for column, value in enumerate(values):
                sheet.write_string(row, column, value, formats.cell(CHANGE_COLUMNS[column][2]))
            if change.on is None:
                sheet.write_blank(row, 5, None, formats.cell("date"))
            else:
                sheet.write_datetime(row, 5, change.on, formats.cell("date"))
            row += 1
    if row == 3:
        _title(sheet, row, "本周无变化", n, formats.cell("center"))
