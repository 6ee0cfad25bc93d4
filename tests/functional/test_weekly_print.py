"""The weekly table as it prints in LibreOffice and WPS, read back from the files: row heights
from wrapped lines, print titles and fit-to-width on every sheet, the grid, font sizes, the
yellow of 序时进度 by date, csv encodings and the html print style sheet."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import openpyxl
import pytest

from tracker.report_xlsx import BODY_SIZE, PROGRESS_COLUMNS
from tracker.text_width import LINE_PITCH, columns_for, row_height, wrapped_line_count

LONG_TASK = "完成城市管理部件和事件普查，建立地理编码、部件事件数据库，并与市级平台对接联调，" * 3
LEDGER = f"""
title = "打印测试台账"
doc_number = "测试〔2017〕1号"
year = 2017
issued_on = 2017-01-01

[[units]]
name = "甲县政府"
person = "张三"
[[units]]
name = "乙县政府"
person = "李四"
[[units]]
name = "丙县政府"
person = "王五"

[[tasks]]
text = "{LONG_TASK}"
deadline = "2017年4月30日"
start = 2017-04-01

[[tasks]]
text = "短任务"
deadline = "2017年12月31日"
"""
YELLOW = "FFFFEB9C"


@pytest.fixture
def ledger(cli, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "print.toml"
    path.write_text(LEDGER, encoding="utf-8")
    assert cli("import", path).code == 0
    return "打印测试台账"


def export(cli, tmp_path: Path, as_of: str, name: str, *more: str) -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path / name
    result = cli("report", "weekly", "--as-of", as_of, "-o", out, *more)
    assert result.code == 0, result.err
    return out


def header_row(sheet, first: str) -> int:  # type: ignore[no-untyped-def]
    return next(int(r[0].row) for r in sheet.iter_rows(min_row=1, max_row=10) if r[0].value == first)


def fit_width(sheet) -> int:  # type: ignore[no-untyped-def]
    """fitToWidth, whose default (1) XlsxWriter leaves unwritten as the file format allows."""
    return 1 if sheet.page_setup.fitToWidth is None else int(sheet.page_setup.fitToWidth)


def test_rows_are_as_tall_as_their_wrapped_text(cli, ledger: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    note = "已完成普查外业。\n正在整理数据。\n下周联调。"
    assert cli("progress", ledger, "1", "甲县政府", "--status", "doing", "--percent", "30", "--note", note).code == 0
    sheet = openpyxl.load_workbook(export(cli, tmp_path, "2017-04-10", "w.xlsx"))["进度表"]
    header = header_row(sheet, "序号")
    heights = {}
    for row in sheet.iter_rows(min_row=header + 1, max_row=header + 6):
        heights[(row[0].value, row[5].value)] = sheet.row_dimensions[row[0].row].height
    task_lines = wrapped_line_count(LONG_TASK, columns_for(PROGRESS_COLUMNS[2][1], BODY_SIZE))
    assert task_lines >= 5  # the long task wraps: without a height it would overprint the next rows
    for unit in ("甲县政府", "乙县政府", "丙县政府"):
        height = heights[("1", unit)]
        assert height is not None and height >= task_lines * BODY_SIZE * 1.2, unit
        assert height >= task_lines * BODY_SIZE * LINE_PITCH
    assert heights[("2", "乙县政府")] is not None and heights[("2", "乙县政府")] < heights[("1", "乙县政府")]
    # The header and the legend rows have heights too (the yellow legend wraps in its column).
    assert sheet.row_dimensions[header].height is not None
    assert sheet.row_dimensions[header - 1].height > row_height(1, BODY_SIZE)


def test_every_sheet_repeats_its_header_fits_the_width_and_prints_no_grid(cli, ledger: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import LEDGERS

    assert cli("import", LEDGERS / "puyang-2017-digital-city.toml").code == 0
    book = openpyxl.load_workbook(export(cli, tmp_path, "2017-04-10", "w.xlsx"))
    # Two ledgers: a sheet each, so each has its own print titles, filter and frozen header.
    assert book.sheetnames == [
        "进度表1-打印测试台账",
        "进度表2-濮阳市所辖县数字化城市管理系统建设工作台账",
        "单位汇总1-打印测试台账",
        "单位汇总2-濮阳市所辖县数字化城市管理系统建设工作台账",
        "本周变化",
    ]
    for sheet in book.worksheets:
        first = "台账" if sheet.title == "本周变化" else "责任单位" if sheet.title.startswith("单位汇总") else "序号"
        header = header_row(sheet, first)
        assert sheet.print_title_rows == f"${header}:${header}", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert (fit_width(sheet), sheet.page_setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.page_setup.paperSize == 9
        assert sheet.print_options.gridLines in (None, False)  # borders print, the grid does not
        assert sheet.sheet_view.showGridLines in (None, True)  # on screen as Excel shows any sheet
        sizes = {c.font.sz for row in sheet.iter_rows() for c in row if c.value is not None}
        assert min(sizes) >= 9, (sheet.title, sizes)
        if first == "序号":
            assert sheet.freeze_panes == f"A{header + 1}" and sheet.auto_filter.ref.startswith(f"A{header}:")
    assert book["进度表2-濮阳市所辖县数字化城市管理系统建设工作台账"].page_setup.orientation == "landscape"
    assert book["单位汇总1-打印测试台账"].page_setup.orientation == "portrait"


def test_a_summary_of_118_units_prints_one_page_wide_with_charts_that_fit(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    units = "".join(f'[[units]]\nname = "第{n}号责任单位"\n' for n in range(1, 119))
    path = tmp_path / "many.toml"
    path.write_text(
        f'title = "大台账"\nyear = 2017\n{units}[[tasks]]\ntext = "任务"\ndeadline = "2017年3月31日"\n',
        encoding="utf-8",
    )
    assert cli("import", path).code == 0
    sheet = openpyxl.load_workbook(export(cli, tmp_path, "2017-04-10", "w.xlsx"))["单位汇总"]
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (fit_width(sheet), sheet.page_setup.fitToHeight) == (1, 0)
    header = header_row(sheet, "责任单位")
    assert sheet.print_title_rows == f"${header}:${header}"
    assert sheet.max_column <= 10  # nothing beside the table widens the page (the chart sat there)
    assert len(sheet._charts) == math.ceil(118 / 25)
    anchors = [chart.anchor._from.row for chart in sheet._charts]
    assert all(a > header + 118 for a in anchors)  # under the table
    breaks = [b.id for b in sheet.row_breaks.brk]
    assert breaks and all(b in [a for a in anchors] for b in breaks)  # pages break between charts


def yellow_units(cli, tmp_path: Path, as_of: str, ledger: str) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    """Task 1's units flagged yellow, as the csv, the xlsx and the html each say it."""
    rows = list(csv.reader(export(cli, tmp_path, as_of, "w.csv").open(encoding="utf-8-sig")))
    in_csv = {r[6] for r in rows[1:] if r[1] == "1" and r[-1].startswith("临近时限")}
    sheet = openpyxl.load_workbook(export(cli, tmp_path, as_of, "w.xlsx"))["进度表"]
    in_xlsx = {r[5].value for r in sheet.iter_rows(min_row=5) if r[0].value == "1" and r[7].fill.fgColor.rgb == YELLOW}
    html = export(cli, tmp_path, as_of, "w.html").read_text(encoding="utf-8")
    blocks = [b for b in html.split('<tr class="')[1:] if b.startswith('yellow">\n<td class="c l">1</td>')]
    in_html = {u for u in ("甲县政府", "乙县政府", "丙县政府") for b in blocks if f'<td class="l">{u}</td>' in b}
    shown = {
        r["unit"]
        for r in cli("show", ledger, "--as-of", as_of, "--json").json()["rows"]
        if r["seq"] == "1" and r["lagging"]
    }
    return {"csv": in_csv, "xlsx": in_xlsx, "html": in_html, "show": shown}


def test_the_yellow_of_expected_progress_by_date(cli, ledger: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Task 1 runs 2017-04-01 → 04-30 (margin 10). 乙 reports 30 %, 丙 reports "not started yet"."""
    assert cli("progress", ledger, "1", "乙县政府", "--status", "doing", "--percent", "30").code == 0
    assert cli("progress", ledger, "1", "丙县政府", "--status", "todo", "--note", "已部署，尚未开工").code == 0
    # Day 3 (7 % of the time gone): nobody is behind, started or not.
    assert all(found == set() for found in yellow_units(cli, tmp_path, "2017-04-03", ledger).values())
    # Day 10 (31 %): 甲, not started and silent, is behind; 乙 (30 %) is within the margin; 丙
    # has reported, so its 0 % is an answer, not silence.
    day10 = yellow_units(cli, tmp_path, "2017-04-10", ledger)
    assert day10 == {"csv": {"甲县政府"}, "xlsx": {"甲县政府"}, "html": {"甲县政府"}, "show": {"甲县政府"}}
    # Day 20 (66 %): 乙 at 30 % trails by more than 10 points too.
    day20 = yellow_units(cli, tmp_path, "2017-04-20", ledger)
    assert day20["csv"] == day20["xlsx"] == day20["show"] == {"甲县政府", "乙县政府"}


def test_the_legend_says_what_yellow_means(cli, ledger: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "c.toml"
    config.write_text("[progress]\nlag_margin = 15\n", encoding="utf-8")
    out = tmp_path / "w.xlsx"
    assert cli("--config", config, "report", "weekly", "--as-of", "2017-04-10", "-o", out).code == 0
    sheet = openpyxl.load_workbook(out)["进度表"]
    meanings = {fill: text for fill, text, _ in legend_entries(sheet)}
    assert "序时进度超过15个百分点" in meanings[YELLOW] and "从未报送进展" in meanings[YELLOW]
    assert meanings["FFFFC7CE"] == "逾期未完成"
    html = tmp_path / "w.html"
    assert cli("--config", config, "report", "weekly", "--as-of", "2017-04-10", "-o", html).code == 0
    assert "时间已过15%且从未报送进展" in html.read_text(encoding="utf-8")


def legend_entries(sheet) -> list[tuple[str, str, float]]:  # type: ignore[no-untyped-def]
    """The legend's entries: fill, text and the half-width columns of text its (merged) cell holds."""
    legend = next(r for r in sheet.iter_rows(max_row=6) if r[0].value == "图例")
    row = legend[0].row
    spans = {r.min_col: r.max_col for r in sheet.merged_cells.ranges if r.min_row == row}
    entries = []
    for cell in legend[1:]:
        if cell.value is None or cell.__class__.__name__ == "MergedCell":
            continue
        first, last = cell.column - 1, spans.get(cell.column, cell.column) - 1  # 0-based, as PROGRESS_COLUMNS
        pixels = sum(width * 7 + 5 for _, width, _ in PROGRESS_COLUMNS[first : last + 1])
        entries.append((cell.fill.fgColor.rgb, cell.value, columns_for((pixels - 5) / 7, BODY_SIZE)))
    return entries


def test_no_legend_entry_wraps_onto_a_third_line(cli, ledger: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Each colour's meaning fits two lines of its cell: 复核退回、仍须办理 in the narrow 状态 column alone
    printed its 理 on a third line; it now spans the columns it needs, and the row is as tall as
    the tallest entry."""
    sheet = openpyxl.load_workbook(export(cli, tmp_path, "2017-04-10", "w.xlsx"))["进度表"]
    entries = legend_entries(sheet)
    texts = {text for _, text, _ in entries}
    assert {"已提交、待复核", "复核退回、仍须办理", "逾期未完成", "已终止"} <= texts and len(entries) == 7
    for _, text, room in entries:
        assert wrapped_line_count(text, room) <= 2, text
    row = header_row(sheet, "图例")
    assert abs(sheet.row_dimensions[row].height - row_height(2, BODY_SIZE)) < 1  # XlsxWriter rounds to pixels


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030"])
def test_csv_round_trips_in_each_encoding(cli, ledger: str, tmp_path: Path, encoding: str) -> None:  # type: ignore[no-untyped-def]
    note = "进度：完成７０％，“数据”已入库；—"
    assert cli("progress", ledger, "2", "甲县政府", "--status", "doing", "--note", note).code == 0
    reference = list(csv.reader(export(cli, tmp_path, "2017-04-10", "ref.csv").open(encoding="utf-8-sig")))
    out = export(cli, tmp_path, "2017-04-10", f"w-{encoding}.csv", "--encoding", encoding)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8")  # the BOM only for utf-8
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    with out.open(encoding=codec, newline="") as handle:
        assert list(csv.reader(handle)) == reference
    assert any(note in row for row in reference)


def test_gbk_refuses_a_character_outside_it_naming_the_cell(cli, ledger: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("person", ledger, "乙县政府", "--name", "吉𠮷").code == 0  # 𠮷 (U+20BB7) is not in GBK
    out = tmp_path / "w.csv"
    result = cli("report", "weekly", "--as-of", "2017-04-10", "-o", out, "--encoding", "gbk")
    assert result.code == 2, result.err
    assert "「责任人」" in result.err and "乙县政府" in result.err and "U+20BB7" in result.err
    assert "Traceback" not in result.err and not out.exists() and list(tmp_path.glob(".w*")) == []
    wide = export(cli, tmp_path, "2017-04-10", "w18030.csv", "--encoding", "gb18030")
    assert "吉𠮷" in wide.read_text(encoding="gb18030")
    wrong = cli("report", "weekly", "-o", tmp_path / "w.xlsx", "--encoding", "gbk")
    assert wrong.code == 2 and "only a .csv" in wrong.err


def test_html_has_a_print_style_sheet(cli, ledger: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import LEDGERS

    assert cli("import", LEDGERS / "puyang-2017-digital-city.toml").code == 0
    html = export(cli, tmp_path, "2017-04-10", "w.html").read_text(encoding="utf-8")
    style = html[html.index("<style>") : html.index("</style>")]
    assert re.search(r"@page\s*\{\s*size:\s*A4 landscape;\s*margin:", style)
    print_rules = style[style.index("@media print") :]
    assert "thead { display: table-header-group; }" in print_rules
    assert re.search(r"tr, svg \{ page-break-inside: avoid;", print_rules)
    assert "print-color-adjust: exact" in print_rules  # the colours print
    # A page break only between ledgers: never before the first, so no blank first page.
    assert "section + section { page-break-before: always;" in style
    assert not re.search(r"(?<!\+ )section\s*\{[^}]*page-break-(before|after)", style)
    assert html.count("<section>") == 2
    assert html.count("<thead>") == html.count("<table")  # every table repeats its header


def test_html_phase_cells_never_hold_rows_together(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A phase is shown merged without a rowspan: a rowspan made its rows one unbreakable block,
    and Chromium printed the title alone on page 1 and the table from page 2."""
    from tests.conftest import LEDGERS

    assert cli("import", LEDGERS / "puyang-2017-digital-city.toml").code == 0
    html = export(cli, tmp_path, "2017-04-10", "w.html").read_text(encoding="utf-8")
    assert 'rowspan="' not in html
    assert html.count('<td class="phase">') == 3  # the ledger's three phases, each named once
    assert html.count('<td class="phase more"></td>') == 9 * 5 - 3


def _browser() -> str | None:
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def test_html_prints_the_table_from_the_first_page(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Printed by a real browser (headless Chromium, as .ci/run installs it): page 1 holds the
    title and the first rows, not the title alone."""
    import os
    import shutil
    import subprocess

    from tests.conftest import LEDGERS

    browser = _browser()
    if browser is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Chromium and poppler-utils (.ci/run installs them)")
        pytest.skip("no Chromium or pdftotext on this machine")
    for ledger in ("puyang-2017-digital-city.toml", "smart-city-evaluation-2016.toml"):
        assert cli("import", LEDGERS / ledger).code == 0
    page = export(cli, tmp_path, "2017-04-20", "w.html")
    pdf = tmp_path / "w.pdf"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "督查进度表" in first
    assert "完成建设单位申请" in first.replace(" ", "")  # the first task's row is on page 1
