"""Importing ledgers through the CLI into the real database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import LEDGERS
from tests.sheets import PUYANG_TASKS, date_deadlines, write_puyang, write_with_preamble

PUYANG = LEDGERS / "puyang-2017-digital-city.toml"
PILOTS = LEDGERS / "smart-city-pilots-2013.toml"


def test_every_shipped_ledger_imports_with_the_seeds_counts(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("import", *sorted(LEDGERS.glob("*.toml")), "--json")
    assert result.code == 0, result.err
    by_title = {item["title"]: item for item in result.json()["ledgers"]}
    puyang = by_title["濮阳市所辖县数字化城市管理系统建设工作台账"]
    assert (puyang["tasks"], puyang["units"], puyang["assignments"]) == (9, 5, 45)  # seed 004
    pilots = by_title["国家智慧城市试点过程管理（第一批试点）"]
    # seed 001: 90 pilots in 28 provinces; 3 tasks owed by the pilots, 2 by the provinces
    assert (pilots["tasks"], pilots["units"], pilots["assignments"]) == (5, 118, 3 * 90 + 2 * 28)
    assert by_title["国家智慧城市2014年度试点：创建任务书与增补申报"]["tasks"] == 2  # seed 002
    assert by_title["2016年新型智慧城市评价工作"]["tasks"] == 6  # seed 003
    listed = cli("ledgers", "--json").json()
    assert sorted(item["title"] for item in listed) == sorted(by_title)


def test_puyang_deadlines_and_persons_match_the_seed(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    shown = cli("show", "濮政办〔2017〕13号", "--as-of", "2017-05-01", "--json").json()
    rows = shown["rows"]
    assert [r["deadline"] for r in rows[::5]] == [
        "2017-03-31",
        "2017-04-30",
        "2017-06-30",
        "2017-07-31",
        "2017-08-31",
        "2017-11-30",
        "2017-12-31",
        "2018-07-31",
        "2018-10-31",
    ]
    assert [r["person"] for r in rows[:5]] == ["孙庆伟", "刘兵", "刘冰", "赵丽玲", "王俊海"]
    assert [r["unit"] for r in rows[:5]] == ["濮阳县政府", "清丰县政府", "南乐县政府", "范县政府", "台前县政府"]
    assert rows[0]["days_overdue"] == 31 and rows[5]["days_overdue"] == 1 and rows[10]["days_overdue"] == -60
    assert {r["phase"] for r in rows} == {"项目前期阶段", "项目实施阶段", "系统运行阶段"}


def test_relative_tasks_wait_and_recurring_ones_start_at_their_first_period(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PILOTS)
    rows = cli("show", "第一批试点", "--json", "--as-of", "2013-12-01").json()["rows"]
    by_task: dict[str, set[object]] = {}
    for row in rows:
        by_task.setdefault(row["deadline_text"], set()).add(row["deadline"])
    assert by_task["2月22日前"] == {"2013-02-22"}
    assert by_task["自接到中期监督检查通知后的15天内"] == {None}
    assert by_task["每年12月15日前"] == {"2013-12-15"}  # the ledger was issued 2013-10-18
    assert by_task["每年12月31日前"] == {"2013-12-31"}


def test_reimport_updates_in_place_and_keeps_progress(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    assert cli("progress", "濮政办〔2017〕13号", "1", "南乐县", "--status", "done", "--on", "2017-04-02").code == 0
    assert cli("progress", "濮政办〔2017〕13号", "9", "范县", "--status", "doing", "--note", "在推进").code == 0
    changed = PUYANG.read_text(encoding="utf-8")
    changed = changed.replace("2017年3月底完成", "2017年4月底完成")  # task 1 stays, deadline moves
    changed = changed.replace('  [[phases.tasks]]\n  text = "系统正式验收。"\n  deadline = "2018年10月底完成"\n', "")
    changed = changed.replace('person = "刘冰"', 'person = "李新"')
    path = tmp_path / "puyang.toml"
    path.write_text(changed, encoding="utf-8")
    refused = cli("import", path, "--json")  # task 9 left the file with 范县's progress on it
    assert refused.code == 2 and "task 9 (系统正式验收。)" in refused.err and "--allow-removals" in refused.err
    result = cli("import", path, "--json", "--allow-removals")
    assert result.code == 0, result.err
    assert result.json()["ledgers"][0]["tasks"] == 8
    assert len(cli("ledgers", "--json").json()) == 1
    rows = cli("show", "1", "--json", "--as-of", "2017-05-01").json()["rows"]
    nanle = next(r for r in rows if r["seq"] == "1" and r["unit"] == "南乐县政府")
    assert nanle["status"] == "done" and nanle["completed_on"] == "2017-04-02"
    assert nanle["deadline"] == "2017-04-30" and nanle["person"] == "李新"
    assert not any(r["task"] == "系统正式验收。" for r in rows)


def test_import_is_atomic_across_files(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.toml"
    bad.write_text(
        PUYANG.read_text(encoding="utf-8")
        .replace("2017年6月底完成", "2017年13月底完成")
        .replace("濮政办〔2017〕13号", "濮政办〔2017〕99号"),
        encoding="utf-8",
    )
    result = cli("import", PILOTS, bad)
    assert result.code == 2
    assert "bad.toml" in result.err and "无法识别“2017年13月底完成”中的“13月”" in result.err
    line = next(n for n, text in enumerate(bad.read_text(encoding="utf-8").splitlines(), 1) if "13月底" in text)
    assert f"bad.toml:{line}" in result.err
    assert cli("ledgers", "--json").json() == []


def test_dry_run_writes_nothing(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("import", PUYANG, "--dry-run", "--json")
    assert result.code == 0 and result.json()["ledgers"][0]["assignments"] == 45
    assert cli("ledgers", "--json").json() == []


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.replace('name = "范县政府"', 'nmae = "范县政府"'), "units[3].nmae: unknown key"),
        (lambda s: s.replace('deadline = "2017年7月底完成"', 'deadline = "尽快"'), "无法识别“尽快”；可写作"),
        (lambda s: s.replace('person = "赵丽玲"', 'person = "赵丽玲"\nemail = "not-an-address"'), "not an email"),
        (lambda s: s.replace('title = "濮阳市', 'title = "濮阳市\n'), "toml"),
        (lambda s: s + '\n[[tasks]]\ntext = "x"\ndeadline = "2017年1月1日"\nunits = ["华县政府"]\n', "华县政府"),
        (lambda s: s.replace("year = 2017\n", "").replace("2017年3月底", "3月底"), "“3月底完成”没有写年份"),
        (lambda s: "", "title"),
    ],
)
def test_bad_toml_is_refused_with_file_and_place(cli, tmp_path: Path, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "edited.toml"
    path.write_text(edit(PUYANG.read_text(encoding="utf-8")), encoding="utf-8")
    result = cli("import", path)
    assert result.code == 2
    assert "edited.toml" in result.err and message.lower() in result.err.lower(), result.err
    assert "Traceback" not in result.err


def test_missing_corrupt_and_unknown_files(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert "no such file" in cli("import", tmp_path / "nope.toml").err
    corrupt = tmp_path / "corrupt.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    result = cli("import", corrupt)
    assert result.code == 2 and "corrupt.xlsx" in result.err and "not a readable" in result.err
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert cli("import", empty).code == 2
    other = tmp_path / "ledger.docx"
    other.write_text("x")
    assert "unknown kind of file" in cli("import", other).err


# --- spreadsheets ------------------------------------------------------------------------


def test_puyang_spreadsheet_imports_like_the_toml(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = write_puyang(tmp_path / "puyang.xlsx")
    result = cli("import", sheet, "--json")
    assert result.code == 0, result.err
    summary = result.json()["ledgers"][0]
    assert (summary["title"], summary["tasks"], summary["units"], summary["assignments"]) == (
        "濮阳市所辖县数字化城市管理系统建设工作台账",
        9,
        5,
        45,
    )
    from_sheet = cli("show", "1", "--json", "--as-of", "2017-05-01").json()
    assert from_sheet["ledger"]["doc_number"] == "濮政办〔2017〕13号"
    # Importing the TOML afterwards finds the same ledger (same title and number): nothing doubles.
    assert cli("import", PUYANG).code == 0
    assert len(cli("ledgers", "--json").json()) == 1
    from_toml = cli("show", "1", "--json", "--as-of", "2017-05-01").json()
    keys = ("seq", "task", "deadline", "unit", "person", "phase")
    assert [{k: r[k] for k in keys} for r in from_sheet["rows"]] == [{k: r[k] for k in keys} for r in from_toml["rows"]]


def test_spreadsheet_contacts_and_date_cells(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = write_puyang(tmp_path / "puyang.xlsx", deadlines=date_deadlines())
    assert cli("import", sheet).code == 0
    rows = cli("show", "1", "--json", "--as-of", "2017-05-01").json()["rows"]
    assert rows[0]["deadline"] == "2017-03-31" and rows[0]["deadline_text"] == "2017-03-31"
    import os

    from sqlmodel import Session, select

    from tracker.db import make_engine
    from tracker.models import Person

    with Session(make_engine(os.environ["TRACKER_DB"])) as session:
        people = {p.name: p for p in session.exec(select(Person))}
    assert people["刘冰"].email == "nanle@example.gov.cn" and people["刘冰"].phone == "0393-1234567"
    assert people["赵丽玲"].email == "fanxian@example.gov.cn"


def test_spreadsheet_errors_name_the_cell(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deadlines: list[object] = [t[2] for t in __import__("tests.sheets").sheets.PUYANG_TASKS]
    deadlines[3] = "2019年13月底"
    sheet = write_puyang(tmp_path / "bad.xlsx", deadlines=deadlines)
    result = cli("import", sheet)
    assert result.code == 2
    assert "bad.xlsx: 台账!D8: 无法识别“2019年13月底”中的“13月”：一年只有1月至12月" in result.err
    short = write_puyang(tmp_path / "short.xlsx", persons="孙庆伟\n刘兵")
    result = cli("import", short)
    assert result.code == 2 and "台账!F5" in result.err and "2 persons for 5 units" in result.err
    assert cli("ledgers", "--json").json() == []


def test_sheet_without_a_header_row(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["名称", "日期"])
    wb.save(tmp_path / "plain.xlsx")
    result = cli("import", tmp_path / "plain.xlsx")
    assert result.code == 2 and "no sheet has a header row" in result.err


# --- every error at once ------------------------------------------------------------------


def test_every_error_of_a_toml_file_is_reported_with_its_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = (
        PUYANG.read_text(encoding="utf-8")
        .replace('name = "范县政府"', 'nmae = "范县政府"')
        .replace('deadline = "2017年3月底完成"', 'deadline = "2017年13月底完成"')
        .replace('deadline = "2017年7月底完成"', 'deadline = "尽快"')
    )
    path = tmp_path / "four.toml"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()

    def line(needle: str) -> int:
        return next(n for n, t in enumerate(lines, 1) if needle in t)

    result = cli("import", PILOTS, path)
    assert result.code == 2 and "Traceback" not in result.err
    reported = result.err.splitlines()
    assert reported[0] == "tracker: 4 errors:" and len(reported) == 5
    assert [int(r.split(":")[1]) for r in reported[1:]] == sorted(int(r.split(":")[1]) for r in reported[1:])
    assert f"{path}:{line('nmae')}: units[3].nmae: unknown key" in result.err
    assert f"{path}:{line('nmae') - 1}: units[3].name: is missing" in result.err
    assert f"{path}:{line('13月底')}: phases[0].tasks[0].deadline: 无法识别“2017年13月底完成”中的“13月”" in result.err
    assert f"{path}:{line('尽快')}: phases[1].tasks[0].deadline: 无法识别“尽快”；可写作" in result.err
    assert cli("ledgers", "--json").json() == []  # the good file is not imported either


def test_every_bad_cell_of_a_sheet_is_reported(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deadlines: list[object] = [t[2] for t in PUYANG_TASKS]
    deadlines[1], deadlines[3], deadlines[6] = "尽快", "2019年13月底", None
    sheet = write_puyang(tmp_path / "bad.xlsx", deadlines=deadlines, persons="孙庆伟\n刘兵")
    result = cli("import", sheet)
    assert result.code == 2
    assert result.err.splitlines() == [
        "tracker: 4 errors:",
        f"  {sheet}: 台账!F5: 2 persons for 5 units in 台账!E5 (they are matched by position)",  # once: one merged cell
        f"  {sheet}: 台账!D6: 无法识别“尽快”；可写作 收件之日起5个工作日内 或 2017年3月底前",
        f"  {sheet}: 台账!D8: 无法识别“2019年13月底”中的“13月”：一年只有1月至12月",
        f"  {sheet}: 台账!D11: the task has no deadline",
    ]
    assert cli("ledgers", "--json").json() == []


def test_errors_of_several_files_together_and_past_twenty_counted(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = write_puyang(tmp_path / "late.xlsx", deadlines=["某日"] * len(PUYANG_TASKS))
    many = tmp_path / "many.toml"
    many.write_text(
        'title = "很多错误"\nyear = 2017\n[[units]]\nname = "甲县"\n'
        + "".join(f'[[tasks]]\ntext = "任务{i}"\ndeadline = "第{i}天"\n' for i in range(1, 16)),
        encoding="utf-8",
    )
    result = cli("import", sheet, many)
    assert result.code == 2
    listed = result.err.splitlines()
    assert listed[0] == "tracker: 24 errors:"
    assert len(listed) == 1 + 20 + 1 and listed[-1] == "  …及另外4处错误"
    assert [line.split(": ")[0].strip() for line in listed[1:10]] == [str(sheet)] * 9
    assert [line.split(": ")[1] for line in listed[1:10]] == [f"台账!D{row}" for row in range(5, 14)]
    assert all(line.strip().startswith(f"{many}:") for line in listed[10:21])
    assert cli("ledgers", "--json").json() == []


def test_the_import_screen_lists_several_errors_in_its_language(tmp_path: Path) -> None:
    from tracker.errors import InputError, InputErrors
    from tui.i18n import language, set_language
    from tui.screens.imports import _errors_text

    errors = [
        InputError(
            f"x.xlsx: 台账!D{row}: the task has no deadline", key="no_deadline_cell", where=f"x.xlsx: 台账!D{row}"
        )
        for row in range(5, 30)
    ]
    before = language()
    set_language("zh")
    try:
        lines = _errors_text(InputErrors(errors)).strip("\n").splitlines()
        one = _errors_text(errors[0])
    finally:
        set_language(before)
    assert lines[0] == "共 25 处错误："
    assert lines[1].strip() == "x.xlsx: 台账!D5：任务没有完成时限"
    assert len(lines) == 22 and lines[-1].strip() == "…及另外5处错误"
    assert one == "x.xlsx: 台账!D5：任务没有完成时限"  # one error: on the line itself


# --- the title row, not the preamble ------------------------------------------------------


@pytest.mark.parametrize("split", [False, True], ids=["one-cell", "cells"])
def test_the_title_row_wins_over_a_longer_preamble(cli, tmp_path: Path, split: bool) -> None:  # type: ignore[no-untyped-def]
    sheet = write_with_preamble(tmp_path / "renovation.xlsx", split_preamble=split)
    result = cli("import", sheet, "--json")
    assert result.code == 0, result.err
    assert result.json()["ledgers"][0]["title"] == "县城区老旧小区改造工作台账"
    import os

    from sqlmodel import Session, select

    from tracker.db import make_engine
    from tracker.models import Ledger

    with Session(make_engine(os.environ["TRACKER_DB"])) as session:
        ledger = session.exec(select(Ledger)).one()
    # The preamble's fields: who leads (the issuer), the date (the ledger's date and year), all of it in source.
    assert (ledger.issuer, ledger.issued_on, ledger.year) == ("县住建局", dt.date(2019, 3, 1), 2019)
    assert str(sheet) in ledger.source and "牵头单位：县住建局" in ledger.source and "填报日期：" in ledger.source
    rows = cli("show", "1", "--json", "--as-of", "2019-04-10").json()["rows"]
    assert [r["deadline"] for r in rows if r["role"] == "lead"] == [
        "2019-03-31",
        "2019-05-31",
        "2019-09-30",
        "2019-12-31",
    ]
    assert {r["unit"] for r in rows} == {"县住建局", "各乡镇政府", "县发改委", "县财政局"}


def test_a_sheet_with_only_a_preamble_above_the_header_has_no_title(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    sheet = write_with_preamble(tmp_path / "untitled.xlsx")
    book = load_workbook(sheet)
    book.active.unmerge_cells("A1:F1")
    book.active["A1"] = None
    book.save(sheet)
    result = cli("import", sheet)
    assert result.code == 2 and "no title row above the header" in result.err


WEEKLY = """
title = "周报台账"
doc_number = "测试〔2017〕2号"
year = 2017
issued_on = 2017-01-01

[[units]]
name = "甲县政府"
person = "张三"

[[tasks]]
text = "任务一"
deadline = "2017年12月31日"

[[reports]]
name = "工作周报"
deadline = "每周五前"
"""


def test_a_weekly_report_duty_imports_and_its_periods_are_weekly(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ledger = tmp_path / "weekly.toml"
    ledger.write_text(WEEKLY, encoding="utf-8")
    result = cli("import", ledger)
    assert result.code == 0, result.err
    assert cli("received", "周报台账", "甲县", "--on", "2017-01-06").code == 0
    checked = cli("check", "--as-of", "2017-01-31", "--json")
    assert checked.code == 0, checked.err
    missing = {f["deadline"] for f in checked.json()["findings"] if f["kind"] == "report"}
    # Fridays 01-06 (received), 01-13, 01-20, 01-27: each a period of its own (02-03 as a reminder)
    assert {"2017-01-13", "2017-01-20"} <= missing and "2017-01-06" not in missing
    assert all(dt.date.fromisoformat(d).weekday() == 4 for d in missing)
