"""Ongoing tasks (长期坚持), weekly duties and holidays by name (国庆节前) as real ledgers write them in
the 完成时限 column: they import from TOML and xlsx, an ongoing task is never overdue and shows as 持续 in tables."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from tests.functional.test_report import header_row, rows_of
from tests.sheets import PUYANG_TASKS, write_puyang

LEDGER = """
title = "常态化工作台账"
year = 2017
issued_on = 2017-01-01

[[units]]
name = "甲县政府"
person = "张三"

[[tasks]]
text = "河长制巡查"
deadline = "长期坚持"
[[tasks]]
text = "报送工作周报"
deadline = "每周五前"
[[tasks]]
text = "完成方案"
deadline = "2017年3月31日"
"""


def test_an_ongoing_task_is_never_overdue_and_shows_as_ongoing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "ongoing.toml"
    path.write_text(LEDGER, encoding="utf-8")
    assert cli("import", path).code == 0
    findings = cli("check", "--as-of", "2017-09-15", "--json").json()["findings"]
    assert {f["task"] for f in findings} == {"2", "3"}  # the weekly duty and the dated task, never the ongoing one
    rows = {r["seq"]: r for r in cli("show", "1", "--as-of", "2017-09-15", "--json").json()["rows"]}
    assert rows["1"]["deadline"] is None and rows["1"]["days_overdue"] is None
    assert rows["2"]["deadline"] == "2017-01-06"  # its first Friday: not done, it stays the one owed
    assert "持续" in cli("show", "1", "--as-of", "2017-09-15").out
    out = tmp_path / "weekly.xlsx"
    assert cli("report", "weekly", "--as-of", "2017-09-15", "-o", out).code == 0
    sheet = openpyxl.load_workbook(out)["进度表"]
    table = {str(r["序号"].value): r for r in rows_of(sheet, header_row(sheet))}
    assert table["1"]["时限日期"].value == "持续"
    csv = tmp_path / "weekly.csv"
    assert cli("report", "weekly", "--as-of", "2017-09-15", "-o", csv).code == 0
    assert ",长期坚持,持续," in csv.read_text(encoding="utf-8-sig")


def test_an_xlsx_ledger_with_ongoing_and_weekly_deadlines_imports(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deadlines: list[object] = [deadline for _, _, deadline in PUYANG_TASKS]
    deadlines[6], deadlines[7] = "长期坚持", "每周五前"
    path = write_puyang(tmp_path / "台账.xlsx", deadlines=deadlines)
    result = cli("import", path, "--json")
    assert result.code == 0, result.err
    rows = cli("show", "1", "--as-of", "2017-09-15", "--json").json()["rows"]
    kinds = {(r["seq"], r["deadline_text"]) for r in rows}
    assert ("7", "长期坚持") in kinds and ("8", "每周五前") in kinds
    assert {r["deadline"] for r in rows if r["seq"] == "7"} == {None}


def test_a_deadline_by_holiday_imports_and_resolves_on_the_official_calendar(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "holiday.toml"
    path.write_text(
        'title = "节日台账"\nyear = 2019\n[[units]]\nname = "甲县"\n'
        '[[tasks]]\ntext = "节前安全检查"\ndeadline = "国庆节前"\n'
        '[[tasks]]\ntext = "节后复工检查"\ndeadline = "春节后5个工作日内"\n',
        encoding="utf-8",
    )
    assert cli("import", path).code == 0
    rows = {r["seq"]: r["deadline"] for r in cli("show", "1", "--json").json()["rows"]}
    assert rows == {"1": "2019-09-30", "2": "2019-02-15"}
    when = cli("when", "国庆节前", "--ref", "2019-01-01", "--json").json()
    assert when["kind"] == "holiday" and when["dates"] == ["2019-09-30"]
    unknown = cli("when", "2031年春节前", "--json")
    assert unknown.code == 2 and "2031" in unknown.err
