"""Scores and the weekly 单位汇总 through the CLI: late reports that stay missing, terminated units
that keep their record, and recurring duties counted once per period, as the check judges them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import LEDGERS
from tests.functional.test_report import header_row, rows_of
from tracker.app import today_in, utc_now

SMART_CITY = LEDGERS / "smart-city-pilots-2013.toml"
PROVINCE = "北京市住房城乡建设管理部门"

REPORTS = """
title = "报送测试台账"
doc_number = "测试〔2017〕5号"
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
text = "年底前完成建设"
deadline = "2017年12月31日"

[[reports]]
name = "年度工作报告"
deadline = "每年1月25日前"
"""

TASKS = """
title = "终止测试台账"
doc_number = "测试〔2017〕6号"
year = 2017
issued_on = 2017-01-01

[[units]]
name = "甲县政府"
person = "张三"
[[units]]
name = "乙县政府"
person = "李四"

[[tasks]]
text = "完成方案编制"
deadline = "2017年3月31日"
[[tasks]]
text = "远期任务"
deadline = "2099年12月31日"
"""

RECURRING = """
title = "月报测试台账"
doc_number = "测试〔2017〕7号"
year = 2017
issued_on = 2017-01-01

[[units]]
name = "甲县政府"
person = "张三"
[[units]]
name = "乙县政府"
person = "李四"

[[tasks]]
text = "每月报送运行情况"
deadline = "每月10日前"
"""


def imported(cli, tmp_path: Path, text: str) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "ledger.toml"
    path.write_text(text, encoding="utf-8")
    result = cli("import", path)
    assert result.code == 0, result.err
    return path


def run(cli, *args: object) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args)
    assert result.code == 0, result.err


def scores(cli, ledger: str, as_of: str, *options: object) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    result = cli(*options, "scores", ledger, "--as-of", as_of, "--json")
    assert result.code == 0, result.err
    return {s["unit"]: s for s in result.json()}


def summary(
    cli, tmp_path: Path, as_of: str, *options: object, ledger: str | None = None
) -> tuple[dict[str, dict[str, object]], list]:  # type: ignore[no-untyped-def, type-arg]
    """The weekly workbook's 单位汇总 by unit, and its 本周变化 rows (``options``: global ones)."""
    out = tmp_path / f"weekly-{as_of}.xlsx"
    only = ("--ledger", ledger) if ledger else ()
    run(cli, *options, "report", "weekly", *only, "--as-of", as_of, "-o", out)
    book = openpyxl.load_workbook(out)
    sheet = book["单位汇总"]
    units = {
        r["责任单位"].value: {k: c.value for k, c in r.items()} for r in rows_of(sheet, header_row(sheet, "责任单位"))
    }
    changes = rows_of(book["本周变化"], header_row(book["本周变化"], "台账"))
    return units, changes  # type: ignore[return-value]


def agree(scored: dict[str, dict[str, object]], table: dict[str, dict[str, object]]) -> None:
    """The weekly 单位汇总 says what `tracker scores` says, unit by unit."""
    assert set(scored) == set(table)
    for unit, s in scored.items():
        row = table[unit]
        assert (row["迟报"], row["漏报"]) == (s["late_reports"], s["missing_reports"]), unit
        assert row["逾期"] == s["open_overdue"] + s["terminated_overdue"], unit  # type: ignore[operator]
        assert (row["任务数"], row["已完成"], row["按期完成"]) == (s["tasks"], s["done"], s["done_on_time"]), unit
        assert (row["得分"], row["排名"]) == (s["score"], s["rank"]), unit


# --- 5. a report named missing in a bulletin stays missing ------------------------------------------


@pytest.fixture
def reports(cli, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """The 2017-01-25 report: 甲 sends it two days late, before anything is published; the check of
    2017-02-01 names 乙 and 丙 as missing in a criticism bulletin; 乙's arrives months later, 丙's
    never."""
    imported(cli, tmp_path, REPORTS)
    run(cli, "received", "报送测试台账", "甲县", "--on", "2017-01-27")
    result = cli("check", "--as-of", "2017-02-01", "--json")
    assert result.code == 0, result.err
    bulletins = [n for n in result.json()["notices"] if n["kind"] == "criticism"]
    assert {u for n in bulletins for u in n["units"]} == {"乙县政府", "丙县政府"}
    run(cli, "received", "报送测试台账", "乙县", "--on", "2017-05-10")
    return "报送测试台账"


def test_a_report_named_missing_in_a_bulletin_stays_missing(cli, reports: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    scored = scores(cli, reports, "2017-06-01")
    assert (scored["甲县政府"]["late_reports"], scored["甲县政府"]["missing_reports"]) == (1, 0)
    # 乙's report arrived, but only after the bulletin had published it as missing: still 漏报.
    assert (scored["乙县政府"]["late_reports"], scored["乙县政府"]["missing_reports"]) == (0, 1)
    assert (scored["丙县政府"]["late_reports"], scored["丙县政府"]["missing_reports"]) == (0, 1)
    assert scored["乙县政府"]["score"] == scored["丙县政府"]["score"] == 99.5
    assert (scored["甲县政府"]["score"], scored["甲县政府"]["rank"]) == (99.9, 1)
    table, _ = summary(cli, tmp_path, "2017-06-01")
    agree(scored, table)
    assert (table["乙县政府"]["迟报"], table["乙县政府"]["漏报"]) == (0, 1)
    # Before it arrived it was missing too, as the check said.
    assert scores(cli, reports, "2017-05-01")["乙县政府"]["missing_reports"] == 1


@pytest.mark.parametrize(("days", "乙"), [(30, (0, 1)), (200, (1, 0)), (0, (0, 1))])
def test_missing_after_days_decides_instead(cli, reports: str, tmp_path: Path, days: int, 乙: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    config.write_text(f"[scoring]\nmissing_after_days = {days}\n", encoding="utf-8")
    scored = scores(cli, reports, "2017-06-01", "--config", config)
    # 乙's came 105 days late: missing beyond 30 days, late within 200 (the bulletin aside).
    assert (scored["乙县政府"]["late_reports"], scored["乙县政府"]["missing_reports"]) == 乙
    # 甲's came 2 days late: late, unless no lateness at all is allowed.
    assert scored["甲县政府"]["missing_reports"] == (1 if days == 0 else 0)
    agree(scored, summary(cli, tmp_path, "2017-06-01", "--config", config)[0])


def test_missing_after_days_is_checked(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    config.write_text("[scoring]\nmissing_after_days = -1\n", encoding="utf-8")
    result = cli("--config", config, "ledgers")
    assert result.code == 2 and "scoring.missing_after_days" in result.err


# --- 6. termination keeps the lateness reached ------------------------------------------------------


def test_a_terminated_unit_keeps_its_lateness(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """甲 never did the task due 2017-03-31 and is terminated today; 乙 did it on time. 甲's days
    late stop at the termination; its far-off task, ended before its deadline, is not counted."""
    imported(cli, tmp_path, TASKS)
    run(cli, "progress", "终止测试台账", "1", "乙县", "--status", "done", "--on", "2017-03-30")
    run(cli, "terminate", "终止测试台账", "甲县", "--reason", "试点终止")
    today = today_in("Asia/Shanghai", utc_now())
    late = (today - dt.date(2017, 3, 31)).days
    config = tmp_path / "config.toml"
    config.write_text("[scoring]\noverdue_day = 0.01\n", encoding="utf-8")
    later = (today + dt.timedelta(days=60)).isoformat()
    scored = scores(cli, "终止测试台账", later, "--config", config)
    甲 = scored["甲县政府"]
    assert (甲["tasks"], 甲["done"], 甲["overdue_tasks"], 甲["terminated_overdue"], 甲["open_overdue"]) == (
        1,
        0,
        1,
        1,
        0,
    )
    assert 甲["overdue_days"] == late  # up to the termination, not to the as-of date
    assert 甲["score"] == pytest.approx(100 - 1 - 0.01 * late)
    assert (甲["rank"], scored["乙县政府"]["rank"], scored["乙县政府"]["score"]) == (2, 1, 100)
    table, _ = summary(cli, tmp_path, later, "--config", config)
    agree(scored, table)
    assert table["甲县政府"]["逾期"] == 1
    # As of a day before the termination, the days late run to that day.
    assert scores(cli, "终止测试台账", "2017-04-25")["甲县政府"]["overdue_days"] == 25


def test_one_assignment_terminated_keeps_its_lateness_too(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Terminated one at a time (`progress --status terminated`): late ones count to that day,
    reopened and terminated again from the second time; one terminated before its deadline not."""
    imported(cli, tmp_path, TASKS)
    run(cli, "progress", "终止测试台账", "1", "甲县", "--status", "terminated")
    run(cli, "progress", "终止测试台账", "2", "甲县", "--status", "terminated")
    run(cli, "progress", "终止测试台账", "1", "乙县", "--status", "terminated")
    run(cli, "progress", "终止测试台账", "1", "乙县", "--status", "doing")
    run(cli, "progress", "终止测试台账", "1", "乙县", "--status", "terminated")
    today = today_in("Asia/Shanghai", utc_now())
    late = (today - dt.date(2017, 3, 31)).days
    scored = scores(cli, "终止测试台账", (today + dt.timedelta(days=30)).isoformat())
    甲, 乙 = scored["甲县政府"], scored["乙县政府"]
    assert (甲["tasks"], 甲["terminated_overdue"], 甲["overdue_days"]) == (1, 1, late)
    assert (乙["tasks"], 乙["terminated_overdue"], 乙["overdue_days"]) == (2, 1, late)  # its task 2 still open
    assert 甲["score"] == 乙["score"] == 99


# --- 7. recurring duties count per period ------------------------------------------------------------


def test_an_overdue_recurring_duty_counts_as_the_check_judges_it(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The shipped smart-city ledger as of 2014-05-01: each province's annual evaluation report,
    due 2013-12-31, is 121 days late and referred for accountability."""
    run(cli, "import", SMART_CITY)
    result = cli("check", "--as-of", "2014-05-01", "--json")
    assert result.code == 0, result.err
    findings = [f for f in result.json()["findings"] if f["unit"] == PROVINCE]
    assert [(f["deadline"], f["days_overdue"], f["level"]) for f in findings] == [("2013-12-31", 121, "accountability")]
    ledger = "建科研函[2013]183号"
    scored = scores(cli, ledger, "2014-05-01")
    province = scored[PROVINCE]
    assert (province["overdue_tasks"], province["open_overdue"], province["overdue_days"]) == (1, 1, 121)
    assert province["score"] == 99
    # A pilot owes the annual self-evaluation (due 2013-12-15) besides the plan of 2013-02-22.
    pilot = scored["北京东城区"]
    assert (pilot["overdue_tasks"], pilot["overdue_days"]) == (2, 137 + 433)
    table, changes = summary(cli, tmp_path, "2014-05-01", ledger=ledger)
    agree(scored, table)
    # Every unit the week's changes refer for accountability is overdue in the summary, below 100.
    referred = {r["责任单位"].value for r in changes if r["类别"].value == "问责"}  # type: ignore[union-attr]
    assert PROVINCE in referred
    for unit in referred:
        assert table[unit]["逾期"] >= 1 and table[unit]["得分"] < 100, unit  # type: ignore[operator]


def test_a_recurring_duty_counts_each_period_done(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A monthly duty: each period done is a task done (late or on time, judged against the deadline
    it had, an approved extension's included), and the period now open counts as the check sees it."""
    imported(cli, tmp_path, RECURRING)
    ledger = "月报测试台账"
    run(cli, "progress", ledger, "1", "甲县", "--status", "done", "--on", "2017-01-09")  # January: on time
    run(cli, "progress", ledger, "1", "甲县", "--status", "done", "--on", "2017-02-20")  # February: 10 days late
    run(cli, "extend", ledger, "1", "甲县", "--to", "2017-03-31", "--reason", "系统升级", "--as-of", "2017-03-01")
    run(cli, "approve", "1")
    run(cli, "progress", ledger, "1", "甲县", "--status", "done", "--on", "2017-03-30")  # March, extended: on time
    run(cli, "progress", ledger, "1", "乙县", "--status", "done", "--on", "2017-01-15")  # January: 5 days late
    findings = cli("check", "--as-of", "2017-04-20", "--json").json()["findings"]
    assert sorted((f["unit"], f["deadline"], f["days_overdue"]) for f in findings) == [
        ("乙县政府", "2017-02-10", 69),
        ("甲县政府", "2017-04-10", 10),
    ]
    scored = scores(cli, ledger, "2017-04-20")
    甲, 乙 = scored["甲县政府"], scored["乙县政府"]
    # 甲: January, February and March done, one late by 10 days; April open, 10 days late.
    assert (甲["tasks"], 甲["done"], 甲["done_on_time"]) == (4, 3, 2)
    assert (甲["overdue_tasks"], 甲["open_overdue"], 甲["overdue_days"]) == (2, 1, 10 + 10)
    # 乙: January done 5 days late; February open, 69 days late (as the check says).
    assert (乙["tasks"], 乙["done"], 乙["done_on_time"]) == (2, 1, 0)
    assert (乙["overdue_tasks"], 乙["open_overdue"], 乙["overdue_days"]) == (2, 1, 5 + 69)
    assert 甲["score"] == 乙["score"] == 98
    agree(scored, summary(cli, tmp_path, "2017-04-20")[0])


def test_the_day_a_units_work_ended_counts_not_the_day_it_was_typed(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`terminate --on` records the day the work ended: lateness runs to that day."""
    imported(cli, tmp_path, TASKS)
    run(cli, "terminate", "终止测试台账", "甲县", "--reason", "试点终止", "--on", "2017-04-20")
    甲 = scores(cli, "终止测试台账", "2017-09-15")["甲县政府"]
    assert (甲["terminated_overdue"], 甲["overdue_days"]) == (1, 20)
