"""The weekly progress table through the CLI, every file read back: xlsx with openpyxl (values,
fills, merged ranges, the chart), csv with the csv module, html with an HTML parser."""

from __future__ import annotations

import csv
import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

from tracker.app import today_in, utc_now

LEDGER = """
title = "周报测试台账"
doc_number = "测试〔2017〕9号"
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

[[phases]]
name = "前期阶段"
  [[phases.tasks]]
  text = "完成方案编制"
  deadline = "2017年3月31日"
  [[phases.tasks]]
  text = "完成项目立项"
  deadline = "2017年4月30日"

[[phases]]
name = "实施阶段"
  [[phases.tasks]]
  text = "完成系统建设"
  deadline = "2017年12月底完成"
"""
AS_OF = "2017-04-25"
INJECTED = '=HYPERLINK("http://evil.example","点击")'
RED, YELLOW, GREEN, ORANGE, GREY = "FFFFC7CE", "FFFFEB9C", "FFC6EFCE", "FFF8CBAD", "FFD9D9D9"


@pytest.fixture
def ledger(cli, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """Task 1 done on time by 甲 and late by 乙; task 2 due in five days (reminder) with a
    formula-looking note from 甲; task 3 (年底) ahead of its expected progress for 甲 and behind
    it (yellow: 序时进度) for 乙; 丙 terminated."""
    path = tmp_path / "ledger.toml"
    path.write_text(LEDGER, encoding="utf-8")
    assert cli("import", path).code == 0
    steps = [
        ("progress", "周报测试台账", "1", "甲县政府", "--status", "done", "--on", "2017-03-30"),
        ("progress", "周报测试台账", "1", "乙县政府", "--status", "done", "--on", "2017-04-20"),
        ("progress", "周报测试台账", "2", "甲县政府", "--status", "doing", "--percent", "40", "--note", INJECTED),
        ("progress", "周报测试台账", "3", "甲县政府", "--status", "doing", "--percent", "40"),
        ("terminate", "周报测试台账", "丙县政府", "--reason", "试点终止"),
    ]
    for step in steps:
        result = cli(*step)
        assert result.code == 0, result.err
    return path


def header_row(sheet, first: str = "序号") -> int:  # type: ignore[no-untyped-def]
    for row in sheet.iter_rows(min_row=1, max_row=10):
        if row[0].value == first:
            return int(row[0].row)
    raise AssertionError(f"no header row in {sheet.title}")


def rows_of(sheet, header: int) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    names = [c.value for c in sheet[header]]
    out = []
    for row in sheet.iter_rows(min_row=header + 1):
        if all(c.value is None for c in row):
            break
        out.append({name: c for name, c in zip(names, row, strict=False) if name})
    return out


def test_xlsx_progress_sheet(cli, ledger: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "weekly.xlsx"
    result = cli("report", "weekly", "--as-of", AS_OF, "-o", out, "--json")
    assert result.code == 0, result.err
    assert result.json()["files"] == [str(out)]
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["进度表", "单位汇总", "本周变化"]
    sheet = book["进度表"]
    assert sheet["A1"].value == "周报测试台账督查进度表"
    assert "测试〔2017〕9号" in sheet["A2"].value and "2017年4月25日" in sheet["A2"].value
    header = header_row(sheet)
    names = [c.value for c in sheet[header]]
    for required in (
        "序号",
        "阶段",
        "任务",
        "完成时限",
        "责任单位",
        "责任人",
        "状态",
        "完成日期",
        "逾期天数",
        "进展说明",
    ):
        assert required in names
    rows = rows_of(sheet, header)
    assert len(rows) == 9
    by_key = {(r["序号"].value, r["责任单位"].value): r for r in rows}  # type: ignore[union-attr]
    done_on_time, done_late = by_key[("1", "甲县政府")], by_key[("1", "乙县政府")]
    assert done_on_time["状态"].value == "已完成"  # type: ignore[union-attr]
    assert done_on_time["完成日期"].value == dt.datetime(2017, 3, 30)  # type: ignore[union-attr]
    assert done_on_time["状态"].fill.fgColor.rgb == GREEN  # type: ignore[union-attr]
    assert done_late["状态"].fill.fgColor.rgb == ORANGE  # type: ignore[union-attr]
    assert done_late["逾期天数"].value == 20  # type: ignore[union-attr]
    assert by_key[("1", "丙县政府")]["状态"].value == "已终止"  # type: ignore[union-attr]
    assert by_key[("1", "丙县政府")]["状态"].fill.fgColor.rgb == GREY  # type: ignore[union-attr]
    reminded = by_key[("2", "乙县政府")]
    assert reminded["时限日期"].value == dt.datetime(2017, 4, 30)  # type: ignore[union-attr]
    assert reminded["督办等级"].value == "提醒"  # type: ignore[union-attr]
    assert reminded["状态"].fill.fgColor.rgb == YELLOW  # type: ignore[union-attr]
    assert reminded["逾期天数"].value is None  # type: ignore[union-attr]
    assert by_key[("3", "甲县政府")]["状态"].fill.fgColor.rgb in (None, "00000000")  # type: ignore[union-attr]
    assert by_key[("3", "乙县政府")]["状态"].fill.fgColor.rgb == YELLOW  # type: ignore[union-attr]
    # The note that looks like a formula is a string cell holding exactly the text.
    noted = by_key[("2", "甲县政府")]["进展说明"]
    assert noted.value == INJECTED and noted.data_type == "s"  # type: ignore[union-attr]
    # Phases merged as in the ledger; header frozen, filtered and repeated on every printed page.
    first_data = header + 1
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert f"B{first_data}:B{first_data + 5}" in merged and f"B{first_data + 6}:B{first_data + 8}" in merged
    assert sheet[f"B{first_data}"].value == "前期阶段" and sheet[f"B{first_data + 6}"].value == "实施阶段"
    assert sheet.freeze_panes == f"A{first_data}"
    assert sheet.auto_filter.ref == f"A{header}:M{header + 9}"
    assert sheet.print_title_rows == f"${header}:${header}"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9


def test_xlsx_unit_summary_and_changes(cli, ledger: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "weekly.xlsx"
    assert cli("report", "weekly", "--as-of", AS_OF, "-o", out).code == 0
    book = openpyxl.load_workbook(out)
    summary = book["单位汇总"]
    header = header_row(summary, "责任单位")
    assert [c.value for c in summary[header]][:8] == [
        "责任单位",
        "任务数",
        "已完成",
        "按期完成",
        "逾期",
        "完成率",
        "迟报",
        "漏报",
    ]
    units = {r["责任单位"].value: {k: c.value for k, c in r.items()} for r in rows_of(summary, header)}  # type: ignore[union-attr]
    # 甲: 3 tasks, 1 done on time; 乙: 1 done late (one overdue task: 100 − 1). 丙, terminated (today)
    # with task 1 overdue, keeps that lateness: 1 task (the others were not yet due), 逾期 1, 100 − 1.
    assert units["甲县政府"] | {} == {
        "责任单位": "甲县政府",
        "任务数": 3,
        "已完成": 1,
        "按期完成": 1,
        "逾期": 0,
        "完成率": pytest.approx(1 / 3),
        "迟报": 0,
        "漏报": 0,
        "得分": 100,
        "排名": 1,
    }
    assert (units["乙县政府"]["已完成"], units["乙县政府"]["按期完成"], units["乙县政府"]["得分"]) == (1, 0, 99)
    assert units["乙县政府"]["排名"] == 2
    assert [units["丙县政府"][k] for k in ("任务数", "已完成", "逾期", "得分", "排名")] == [1, 0, 1, 99, 2]
    assert len(summary._charts) == 1  # the native completion chart
    changes = rows_of(book["本周变化"], header_row(book["本周变化"], "台账"))
    assert [(r["类别"].value, r["任务"].value, r["责任单位"].value) for r in changes] == [  # type: ignore[union-attr]
        ("新完成", "1", "乙县政府")
    ]


def test_changes_of_the_week_from_the_audit_trail(cli, ledger: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    today = today_in("Asia/Shanghai", utc_now())
    assert cli("person", "周报测试台账", "甲县政府", "--name", "赵六").code == 0
    extend = cli("extend", "周报测试台账", "3", "乙县政府", "--to", "2018-03-31", "--reason", "资金未到位", "--late")
    assert extend.code == 0, extend.err
    assert cli("approve", "1").code == 0
    out = tmp_path / "weekly.xlsx"
    assert cli("report", "weekly", "--as-of", today.isoformat(), "-o", out).code == 0
    sheet = openpyxl.load_workbook(out)["本周变化"]
    found = {(r["类别"].value, r["责任单位"].value, r["情况"].value) for r in rows_of(sheet, header_row(sheet, "台账"))}  # type: ignore[union-attr]
    assert ("责任人变更", "甲县政府", "责任人由张三变更为赵六") in found
    assert ("延期获批", "乙县政府", "完成时限由2017-12-31延至2018-03-31") in found
    assert any(kind == "终止" and unit == "丙县政府" for kind, unit, _ in found)


def test_csv_has_a_bom_and_neutralised_text(cli, ledger: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "weekly.csv"
    assert cli("report", "weekly", "--as-of", AS_OF, "-o", out).code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == 9
    noted = next(r for r in rows if r["序号"] == "2" and r["责任单位"] == "甲县政府")
    assert noted["进展说明"] == "'" + INJECTED
    late = next(r for r in rows if r["序号"] == "1" and r["责任单位"] == "乙县政府")
    assert (late["状态"], late["完成日期"], late["逾期天数"], late["预警"]) == (
        "已完成",
        "2017-04-20",
        "20",
        "逾期完成",
    )


class Tables(HTMLParser):
    """Collects table rows (cell texts and the row's class), every tag, and every URL used."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self.tags: list[str] = []
        self.urls: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        self.urls += [v for k, v in values.items() if k in ("src", "href") and v]
        if tag == "tr":
            self.rows.append((values.get("class") or "", []))
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1][1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_html_is_standalone_with_the_same_tables(cli, ledger: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert (
        cli(
            "progress", "周报测试台账", "3", "甲县政府", "--status", "doing", "--note", "<script>alert(1)</script>"
        ).code
        == 0
    )
    out = tmp_path / "weekly.html"
    assert cli("report", "weekly", "--as-of", AS_OF, "-o", out).code == 0
    parser = Tables()
    parser.feed(out.read_text(encoding="utf-8"))
    assert parser.urls == [] and "script" not in parser.tags and "link" not in parser.tags
    assert "svg" in parser.tags and parser.tags.count("rect") == 3  # one bar per unit
    progress = [(cls, cells) for cls, cells in parser.rows if len(cells) >= 11 and cells[0].isdigit()]
    assert len(progress) == 9
    classes = {cells[0] + cells[3 if len(cells) == 11 else 4]: cls for cls, cells in progress}
    assert classes["1乙县政府"] == "orange" and classes["1甲县政府"] == "green" and classes["1丙县政府"] == "grey"
    assert classes["2乙县政府"] == "yellow"
    assert any("<script>alert(1)</script>" in cells for _, cells in progress)  # shown as text
    summary = [cells for _, cells in parser.rows if cells and cells[0] == "乙县政府"]
    assert summary == [["乙县政府", "3", "1", "0", "0", "33%", "0", "0", "99.00", "2"]]


def test_one_file_per_ledger_into_a_folder(cli, ledger: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import LEDGERS

    assert cli("import", LEDGERS / "puyang-2017-digital-city.toml").code == 0
    folder = tmp_path / "out"
    result = cli("report", "weekly", "--as-of", AS_OF, "-o", f"{folder}/", "--format", "csv", "--json")
    assert result.code == 0, result.err
    files = sorted(Path(f).name for f in result.json()["files"])
    assert files == [
        "进度表-周报测试台账-2017-04-25.csv",
        "进度表-濮阳市所辖县数字化城市管理系统建设工作台账-2017-04-25.csv",
    ]
    puyang = (folder / files[1]).read_text(encoding="utf-8-sig").splitlines()
    assert len(puyang) == 1 + 45


def test_bad_output_is_refused_and_nothing_written(cli, ledger: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for name, message in (("weekly.pdf", ".xlsx, .csv or .html"), ("weekly.csv", "--format says xlsx")):
        args = ["report", "weekly", "--as-of", AS_OF, "-o", tmp_path / name]
        result = cli(*args, *(["--format", "xlsx"] if name.endswith(".csv") else []))
        assert result.code == 2 and message in result.err
    missing = cli("report", "weekly", "--ledger", "没有这个台账", "-o", tmp_path / "w.xlsx")
    assert missing.code == 2 and "没有这个台账" in missing.err
    assert list(tmp_path.glob("weekly*")) == [] and not (tmp_path / "w.xlsx").exists()
