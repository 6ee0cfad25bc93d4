"""The weekly progress table as an Excel workbook (XlsxWriter, constant-memory mode).

Constant-memory mode keeps one row in memory, so a hundred thousand assignments take tens of
megabytes; the price is that rows must be written top to bottom, once. Text is always written
as text (``write_string``, and inline strings in the 进度表's rows, see xlsx_rows): a note that
starts with "=" stays text, never a formula.

The workbook must print right in LibreOffice and WPS as well as in Excel: every row with wrapped
text gets its height from its line count (only Excel fits rows itself), every sheet repeats its
column header on each printed page, and columns are as wide as one page holds at a readable
size. Several ledgers get a sheet each (进度表1-…, 单位汇总1-…): a sheet has one set of print
titles, one filter and one frozen header, so stacked ledgers could not all have theirs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tracker.deadlines import cn_date
from tracker.models import STATUS_LABELS
from tracker.report import LIGHTS, LedgerSection, ReportRow, WeeklyReport, legend
from tracker.report_print import PORTRAIT_PAGE_POINTS, Columns, fit_row, page_setup, sheet_names
from tracker.spreadsheets import open_workbook
from tracker.text_width import columns_for, row_height, wrapped_line_count
from tracker.xlsx_rows import RowStream, blank_cell, column_letters, date_cell, number_cell, style_index, text_cell

# (header, width, kind): kind picks the cell format (text wraps; dates and numbers do not).
# The widths add up to what one A4 landscape page holds at 95 % (see print_scale): 五号 (10.5 pt)
# text prints at about 10 pt in Excel and WPS, and at 9.3 pt in LibreOffice, whose columns come
# out about 7 % wider from the same widths.
PROGRESS_COLUMNS = (
    ("序号", 6, "center"),
    ("阶段", 10, "wrap"),
    ("任务", 32, "wrap"),
    ("完成时限", 12, "wrap"),
    ("时限日期", 11, "date"),
    ("责任单位", 12, "wrap"),
    ("责任人", 7, "wrap"),
    ("状态", 7, "center"),
    ("进度", 6, "percent"),
    ("完成日期", 11, "date"),
    ("逾期天数", 7, "center"),
    ("进展说明", 22, "wrap"),
    ("督办等级", 8, "center"),
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
    ("任务", 10, "wrap"),
    ("责任单位", 20, "wrap"),
    ("情况", 44, "wrap"),
    ("日期", 11, "date"),
)
BODY_FONT = "宋体"
BODY_SIZE = 10.5  # 五号, the size of Chinese official tables
HEAD_SIZE = 10.5
TITLE_SIZE = 16
DATE_FORMAT = 'yyyy"."m"."d'  # 2017.12.31: fits its column; "2017年12月31日" would print as ###


class Formats:
    """The workbook's formats, made once each (Excel caps a file at 64,000 distinct formats)."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self._cache: dict[tuple[str, str], Any] = {}
        self.title = workbook.add_format(
            {"bold": True, "font_size": TITLE_SIZE, "align": "center", "valign": "vcenter", "font_name": "黑体"}
        )
        self.border = workbook.add_format({"border": 1})
        self.meta = workbook.add_format({"font_size": BODY_SIZE, "font_name": BODY_FONT, "valign": "vcenter"})
        self.head = workbook.add_format(
            {
                "bold": True,
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "bg_color": "#D9E1F2",
                "font_name": "黑体",
                "font_size": HEAD_SIZE,
            }
        )

    def cell(self, kind: str, light: str = "") -> Any:
        key = (kind, light)
        if key not in self._cache:
            spec: dict[str, Any] = {"border": 1, "valign": "vcenter", "font_name": BODY_FONT, "font_size": BODY_SIZE}
            if kind == "wrap":
                spec["text_wrap"] = True
            elif kind == "date":
                spec.update(num_format=DATE_FORMAT, align="center")
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
    titles = [section.title for section in report.sections]
    for name, section in zip(sheet_names("进度表", titles), report.sections, strict=True):
        _progress_sheet(workbook.add_worksheet(name), report, section, formats)
    for name, section in zip(sheet_names("单位汇总", titles), report.sections, strict=True):
        _summary_sheet(workbook, workbook.add_worksheet(name), report, section, formats)
    _changes_sheet(workbook.add_worksheet("本周变化"), report, formats)
    workbook.close()


def _headers(sheet: Any, row: int, columns: Columns, formats: Formats) -> None:
    fit_row(sheet, row, ((c, name) for c, (name, _, _) in enumerate(columns)), columns, HEAD_SIZE)
    for column, (name, _, _) in enumerate(columns):
        sheet.write_string(row, column, name, formats.head)
    sheet.repeat_rows(row)  # the column header on every printed page


def _widths(sheet: Any, columns: Columns) -> None:
    for column, (_, width, _) in enumerate(columns):
        sheet.set_column(column, column, width)


def _title(sheet: Any, row: int, text: str, width: int, fmt: Any, size: float = BODY_SIZE) -> None:
    sheet.set_row(row, row_height(1, size))
    sheet.merge_range(row, 0, row, width - 1, text, fmt)


def _progress_sheet(sheet: Any, report: WeeklyReport, section: LedgerSection, formats: Formats) -> None:
    n = len(PROGRESS_COLUMNS)
    _widths(sheet, PROGRESS_COLUMNS)
    page_setup(sheet, PROGRESS_COLUMNS, landscape=True)
    _title(sheet, 0, f"{section.title}督查进度表", n, formats.title, TITLE_SIZE)
    meta = f"文号：{section.doc_number or '—'}　　截至：{cn_date(report.as_of)}　　{report.week}"
    _title(sheet, 1, meta, n, formats.meta)
    _legend(sheet, 2, report.lag_margin, formats)
    header = 3
    _headers(sheet, header, PROGRESS_COLUMNS, formats)
    sheet.freeze_panes(header + 1, 0)
    if section.count:
        # Borders for the empty cells that were not written (see ProgressRows.write).
        cells = (header + 1, 0, header + section.count, n - 1)
        sheet.conditional_format(*cells, {"type": "blanks", "format": formats.border})
        sheet.autofilter(header, 0, header + section.count, n - 1)
    _progress_rows(sheet, header + 1, section, formats)


LEGEND_LINES = 2  # a legend entry takes at most this many lines: a longer one spans the columns beside it


def legend_spans(texts: list[str], columns: Columns, font_size: float) -> list[tuple[int, int]]:
    """The columns (first, last) each legend entry spans, from column 1 on: as many as it takes to
    wrap in at most ``LEGEND_LINES`` lines, keeping a column for each entry after it. One column
    each, as the legend was laid out before, put 复核退回、仍须办理 in the 7-unit 状态 column, where it
    printed 4 + 4 + 1 characters: the 理 alone on a third line."""
    spans = []
    first = 1
    for n, text in enumerate(texts):
        last, room = first, len(columns) - (len(texts) - n - 1)  # columns this entry may reach
        while (
            wrapped_line_count(text, span_columns(columns, first, last, font_size)) > LEGEND_LINES and last + 1 < room
        ):
            last += 1
        spans.append((first, last))
        first = last + 1
    return spans


def span_columns(columns: Columns, first: int, last: int, font_size: float) -> float:
    """Half-width columns of text at ``font_size`` that fit the merged columns ``first``..``last``
    (each column is 7w + 5 pixels; the padding is the merged cell's, once)."""
    pixels = sum(width * 7 + 5 for _, width, _ in columns[first : last + 1])
    return columns_for((pixels - 5) / 7, font_size)


def _legend(sheet: Any, row: int, lag_margin: int, formats: Formats) -> None:
    """图例: each colour with what it means, in the columns of the table, each spanning as many
    columns as it needs (yellow, the long one, from the wide 任务 column on)."""
    meanings = legend(lag_margin)
    texts = [meanings[light] for light in LIGHTS]
    spans = legend_spans(texts, PROGRESS_COLUMNS, BODY_SIZE)
    lines = max(
        wrapped_line_count(text, span_columns(PROGRESS_COLUMNS, a, b, BODY_SIZE))
        for text, (a, b) in zip(texts, spans, strict=True)
    )
    sheet.set_row(row, row_height(lines, BODY_SIZE))
    sheet.write_string(row, 0, "图例", formats.cell("center"))
    for (first, last), light, text in zip(spans, LIGHTS, texts, strict=True):
        if first == last:
            sheet.write_string(row, first, text, formats.cell("wrap", light))
        else:
            sheet.merge_range(row, first, row, last, text, formats.cell("wrap", light))


STATUS_TEXT = {status.value: label for status, label in STATUS_LABELS.items()}


def _progress_rows(sheet: Any, first: int, section: LedgerSection, formats: Formats) -> int:
    """Writes the section's rows from ``first``; returns the next free row. Runs of one phase are
    merged in the 阶段 column, as in the ledger. The rows go straight to the sheet's XML
    (xlsx_rows): a hundred thousand of them through XlsxWriter's cell methods took 15 s."""
    rows = ProgressRows(sheet, first, formats)
    row = first
    for item, span in section.rows_with_spans():
        rows.write(row, item, span)
        if span > 1:
            _merge_ahead(sheet, row, row + span - 1, 1)
        row += 1
    rows.close()
    return row


class ProgressRows:
    """Cells of the 进度表 as XML, one string per row, with the row's height. The inner loop of a
    big table: styles are looked up once per colour, text is escaped once per distinct value."""

    def __init__(self, sheet: Any, first: int, formats: Formats) -> None:
        self.stream = RowStream(sheet, first, len(PROGRESS_COLUMNS))
        self.formats = formats
        self.letters = column_letters(len(PROGRESS_COLUMNS))
        self.capacity = [columns_for(width, BODY_SIZE) for _, width, _ in PROGRESS_COLUMNS]
        self._styles: dict[str, tuple[int, int, int, int]] = {}
        self._heights: dict[int, float] = {}
        self.phase_style = style_index(formats.cell("wrap"))  # the merged 阶段 cell is never coloured
        self.phase_lines = 1  # lines each row of the current merged 阶段 cell must hold

    def styles(self, light: str) -> tuple[int, int, int, int]:
        """Style indexes of the center, wrap, date and percent cells of a row of this colour."""
        found = self._styles.get(light)
        if found is None:
            cell = self.formats.cell
            found = self._styles[light] = (
                style_index(cell("center", light)),
                style_index(cell("wrap", light)),
                style_index(cell("date", light)),
                style_index(cell("percent", light)),
            )
        return found

    def write(self, row: int, item: ReportRow, span: int) -> None:
        r, light = item.row, item.light
        center, wrap, date, percent = self.styles(light)
        n = str(row + 1)
        (seq, phase, task, limit, due, unit, person, status, share, done, days, note, level) = (
            letter + n for letter in self.letters
        )
        capacity = self.capacity
        if span:
            # The merged cell shows the whole phase when its rows share the lines it needs.
            self.phase_lines = -(-wrapped_line_count(r.phase, capacity[1]) // span)
        lines = self.phase_lines
        for column, text in ((2, r.task), (3, r.deadline_text), (5, r.unit), (6, r.person), (11, r.note)):
            if text:
                count = wrapped_line_count(text, capacity[column])
                if count > lines:
                    lines = count
        # An empty cell is written only to carry its row's colour: the borders of the others come
        # from the table's conditional format (a fifth fewer cells to write in a big ledger).
        blank = light != ""
        late = item.days_late
        cells = (
            text_cell(seq, center, r.seq, blank),
            text_cell(phase, self.phase_style, r.phase, True) if span else blank_cell(phase, self.phase_style),
            text_cell(task, wrap, r.task, blank),
            text_cell(limit, wrap, r.deadline_text, blank),
            date_cell(due, date, r.due_on) if r.due_on is not None else text_cell(due, center, r.deadline_shown, blank),
            text_cell(unit, wrap, r.unit, blank),
            text_cell(person, wrap, r.person, blank),
            text_cell(status, center, STATUS_TEXT[r.status], blank),
            number_cell(share, percent, r.percent / 100),
            date_cell(done, date, r.completed_on)
            if r.completed_on is not None
            else blank_cell(done, date)
            if blank
            else "",
            number_cell(days, center, late) if late is not None else blank_cell(days, center) if blank else "",
            text_cell(note, wrap, r.note, blank),
            text_cell(level, center, item.level, blank),
        )
        height = self._heights.get(lines)
        if height is None:
            height = self._heights[lines] = row_height(lines, BODY_SIZE)
        self.stream.write(row, height, cells)

    def close(self) -> None:
        self.stream.close()


def _merge_ahead(sheet: Any, first: int, last: int, column: int) -> None:
    """Declare cells merged whose rows are still to be written. XlsxWriter's merge_range writes
    the whole range at once, which constant-memory mode (rows strictly in order) cannot take: the
    cells are written row by row instead (the first with the value, the rest blank, one format)
    and only the merge is recorded here, as merge_range itself records it."""
    sheet.merge.append([first, column, last, column])


def _summary_sheet(workbook: Any, sheet: Any, report: WeeklyReport, section: LedgerSection, formats: Formats) -> None:
    n = len(SUMMARY_COLUMNS)
    _widths(sheet, SUMMARY_COLUMNS)
    page_setup(sheet, SUMMARY_COLUMNS, landscape=False)  # ten narrow columns: a portrait page at full size
    _title(sheet, 0, f"{section.title}责任单位完成情况汇总", n, formats.title, TITLE_SIZE)
    _title(sheet, 1, f"截至：{cn_date(report.as_of)}　　{report.week}", n, formats.meta)
    header = 2
    _headers(sheet, header, SUMMARY_COLUMNS, formats)
    sheet.freeze_panes(header + 1, 0)
    row = header + 1
    table_points = 2 * row_height(1, TITLE_SIZE) + row_height(1, HEAD_SIZE)
    for unit in section.units:
        table_points += fit_row(sheet, row, [(0, unit.unit)], SUMMARY_COLUMNS, BODY_SIZE)
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
        _completion_charts(workbook, sheet, section, header, row + 1, table_points)


# Units per chart: a chart is one picture and never splits across pages, so a long list of units
# is drawn as several charts, each one page wide, two to a page with a page break between pairs.
UNITS_PER_CHART = 25
CHART_WIDTH = 680  # pixels: the table's width, inside a portrait A4 page
CHART_HEIGHT = 340
ROWS_PER_CHART = CHART_HEIGHT // 20 + 2  # the rows under the table are not written: 15 pt (20 px) each
CHARTS_PER_PAGE = 2  # 2 × 19 rows × 15 pt = 570 pt, inside the ~740 pt a portrait page holds


def _completion_charts(
    workbook: Any, sheet: Any, section: LedgerSection, header: int, below: int, table_points: float
) -> None:
    """Native column charts of 完成率 per unit, under the table they plot. They start on a page
    of their own unless the table is short enough to leave room for the first one."""
    sheet_name = sheet.get_name()
    count = len(section.units)
    breaks = []
    on_page = 0 if table_points + ROWS_PER_CHART * 15 <= PORTRAIT_PAGE_POINTS else CHARTS_PER_PAGE
    for part, start in enumerate(range(0, count, UNITS_PER_CHART)):
        at = below + part * ROWS_PER_CHART
        if on_page == CHARTS_PER_PAGE:
            breaks.append(at)
            on_page = 0
        on_page += 1
        first = header + 1 + start
        last = header + min(count, start + UNITS_PER_CHART)
        chart = workbook.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": "完成率",
                "categories": [sheet_name, first, 0, last, 0],
                "values": [sheet_name, first, 5, last, 5],
                "fill": {"color": "#4472C4"},
                "data_labels": {"value": True, "num_format": "0%", "font": {"size": 9}},
            }
        )
        suffix = f"（{start + 1}—{last - header}）" if count > UNITS_PER_CHART else ""
        chart.set_title({"name": f"{section.title[:30]}：各单位完成率{suffix}", "name_font": {"size": 11}})
        chart.set_x_axis({"num_font": {"size": 9}})
        chart.set_y_axis({"num_format": "0%", "min": 0, "max": 1, "major_gridlines": {"visible": True}})
        chart.set_legend({"none": True})
        chart.set_size({"width": CHART_WIDTH, "height": CHART_HEIGHT})
        sheet.insert_chart(at, 0, chart)
    sheet.set_h_pagebreaks(breaks)


def _changes_sheet(sheet: Any, report: WeeklyReport, formats: Formats) -> None:
    n = len(CHANGE_COLUMNS)
    _widths(sheet, CHANGE_COLUMNS)
    page_setup(sheet, CHANGE_COLUMNS, landscape=True)
    since = report.since + dt.timedelta(days=1)
    _title(sheet, 0, "本周变化情况", n, formats.title, TITLE_SIZE)
    _title(sheet, 1, f"{cn_date(since)}至{cn_date(report.as_of)}　　{report.week}", n, formats.meta)
    _headers(sheet, 2, CHANGE_COLUMNS, formats)
    sheet.freeze_panes(3, 0)
    row = 3
    for section in report.sections:
        for change in section.changes:
            values = (section.title, change.kind, change.task, change.unit, change.detail)
            fit_row(sheet, row, enumerate(values), CHANGE_COLUMNS, BODY_SIZE)
            for column, value in enumerate(values):
                sheet.write_string(row, column, value, formats.cell(CHANGE_COLUMNS[column][2]))
            if change.on is None:
                sheet.write_blank(row, 5, None, formats.cell("date"))
            else:
                sheet.write_datetime(row, 5, change.on, formats.cell("date"))
            row += 1
    if row == 3:
        _title(sheet, row, "本周无变化", n, formats.cell("center"))
