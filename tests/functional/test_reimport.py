"""Importing again after the check has run: the ledger is updated in place and nothing the records
hold is lost (received reports, notices and their items, extension requests, progress)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import LEDGERS

PUYANG = LEDGERS / "puyang-2017-digital-city.toml"
PILOTS = LEDGERS / "smart-city-pilots-2013.toml"

SMALL = """
title = "测试台账"
doc_number = "测试〔2017〕1号"
year = 2017
issued_on = 2017-01-01

[[units]]
name = "甲县政府"
person = "张三"
[[units]]
name = "乙县政府"
person = "李四"

[[tasks]]
text = "任务一"
deadline = "2017年3月31日"
[[tasks]]
text = "任务二"
deadline = "2017年4月30日"

[[reports]]
name = "进度一览表"
deadline = "每月25日前"
"""


def ok(result):  # type: ignore[no-untyped-def]
    assert result.code == 0, result.err
    return result


def report_periods() -> list[tuple[object, ...]]:
    """Every report period as stored: (id, duty, unit, due, received), to show they stay the same rows."""
    from sqlmodel import Session, col, select

    from tracker.db import make_engine
    from tracker.models import ReportDue, ReportDuty, Unit

    engine = make_engine(os.environ["TRACKER_DB"])
    with Session(engine) as session:
        rows = session.exec(
            select(ReportDue.id, ReportDuty.name, Unit.name, ReportDue.due_on, ReportDue.received_on)
            .join(ReportDuty, col(ReportDuty.id) == col(ReportDue.duty_id))
            .join(Unit, col(Unit.id) == col(ReportDue.unit_id))
            .order_by(col(ReportDue.id))
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def snapshot(cli) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What the records hold, as the commands show it."""
    notices = ok(cli("notices", "--json")).json()
    shown = [n for n in notices if n["ledger"] in ("测试台账", "濮阳市所辖县数字化城市管理系统建设工作台账")]
    return {
        "notices": notices,
        "texts": {n["number"]: ok(cli("notice", "show", str(n["id"]))).out for n in shown},
        "extensions": ok(cli("extensions", "--json")).json(),
        "puyang": ok(cli("show", "濮政办〔2017〕13号", "--as-of", "2017-09-15", "--json")).json(),
        "small": ok(cli("show", "测试台账", "--as-of", "2017-09-15", "--json")).json(),
        "periods": report_periods(),
        "scores": ok(cli("scores", "测试台账", "--as-of", "2017-09-15", "--json")).json(),
        "ledgers": ok(cli("ledgers", "--json")).json(),
    }


def test_reimport_after_a_check_keeps_what_the_records_hold(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    small = tmp_path / "small.toml"
    small.write_text(SMALL, encoding="utf-8")
    files = [*sorted(LEDGERS.glob("*.toml")), small]
    ok(cli("import", *files))
    ok(cli("progress", "濮政办〔2017〕13号", "1", "南乐县", "--status", "done", "--on", "2017-04-02"))
    made = cli(
        "extend", "1", "2", "清丰县", "--to", "2017-06-30", "--reason", "资金未到位", "--as-of", "2017-04-20", "--json"
    )
    ok(cli("approve", str(ok(made).json()["id"])))
    ok(cli("extend", "1", "6", "濮阳县", "--to", "2017-12-31", "--reason", "设备未到", "--as-of", "2017-09-01"))
    ok(cli("received", "测试台账", "甲县", "--on", "2017-01-20"))
    ok(cli("received", "测试台账", "甲县", "--on", "2017-02-27"))  # 迟报
    first = ok(cli("check", "--as-of", "2017-09-15", "--json")).json()
    assert any(n["ledger"] == "测试台账" for n in first["notices"])  # 乙县 missed its reports
    notice = first["notices"][0]
    ok(cli("ack", str(notice["id"]), "--unit", notice["units"][0], "--by", "王五"))  # a bulletin: per unit
    before = snapshot(cli)
    assert [p for p in before["periods"] if p[4] is not None]  # type: ignore[union-attr]
    assert {e["status"] for e in before["extensions"]} == {"approved", "pending"}  # type: ignore[union-attr]

    again = cli("import", *files)  # was: internal error: IntegrityError … DELETE FROM reportduty
    assert again.code == 0, again.err
    assert snapshot(cli) == before
    second = ok(cli("check", "--as-of", "2017-09-15", "--json")).json()
    assert second["notices"] == [] and second["findings"] == first["findings"]
    assert len(ok(cli("notices", "--json")).json()) == len(before["notices"])  # type: ignore[arg-type]


def test_the_issue_commands_as_written(cli) -> None:  # type: ignore[no-untyped-def]
    files = sorted(LEDGERS.glob("*.toml"))
    ok(cli("import", *files))
    ok(cli("check", "--as-of", "2017-09-15"))
    result = cli("import", *files)
    assert result.code == 0, result.err
    assert "internal error" not in result.err
    assert ok(cli("check", "--as-of", "2017-09-15", "--json")).json()["notices"] == []


def test_a_changed_report_duty_keeps_its_received_and_noticed_periods(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    small = tmp_path / "small.toml"
    small.write_text(SMALL, encoding="utf-8")
    ok(cli("import", small))
    ok(cli("received", "测试台账", "甲县", "--on", "2017-01-20"))
    ok(cli("received", "测试台账", "甲县", "--on", "2017-02-24"))
    checked = ok(cli("check", "--as-of", "2017-03-01", "--json")).json()
    assert [(n["kind"], n["units"]) for n in checked["notices"]] == [("criticism", ["乙县政府"])]
    received = [p for p in report_periods() if p[4] is not None]
    shown = ok(cli("notice", "show", str(checked["notices"][0]["id"]))).out

    # Renamed (the same duty, found by its deadline), then due on the 20th (found by its name).
    renamed = SMALL.replace('name = "进度一览表"', 'name = "工作进度一览表"')
    for text in (renamed, renamed.replace("每月25日前", "每月20日前")):
        small.write_text(text, encoding="utf-8")
        ok(cli("import", small))
    periods = report_periods()
    assert [p[0] for p in periods if p[4] is not None] == [p[0] for p in received]  # the same rows
    assert {p[1] for p in periods} == {"工作进度一览表"}
    # The periods noticed stay (乙县's January and February); those only planned under the 25th
    # (made up to a year ahead when a report arrives) are gone.
    assert sorted((p[2], p[3].isoformat()) for p in periods if p[4] is None) == [  # type: ignore[union-attr]
        ("乙县政府", "2017-01-25"),
        ("乙县政府", "2017-02-25"),
    ]
    # The notice stays, with its items (its text is rendered with the duty's present name).
    assert ok(cli("notice", "show", str(checked["notices"][0]["id"]))).out.count("乙县政府") == shown.count("乙县政府")
    later = ok(cli("check", "--as-of", "2017-04-01", "--json")).json()
    missing = {(f["unit"], f["deadline"]) for f in later["findings"] if f["kind"] == "report"}
    assert {("乙县政府", "2017-03-20"), ("甲县政府", "2017-03-20")} <= missing
    assert not any(deadline > "2017-02-25" and deadline.endswith("-25") for _, deadline in missing)
    assert ok(cli("check", "--as-of", "2017-04-01", "--json")).json()["notices"] == []


def test_what_the_records_refer_to_cannot_leave_the_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ok(cli("import", PUYANG))
    notices = ok(cli("check", "--as-of", "2017-04-05", "--json")).json()["notices"]  # task 1, every county
    text = PUYANG.read_text(encoding="utf-8")
    first_task = '  [[phases.tasks]]\n  text = "完成建设单位申请、政府研究同意、成立建设工作机构（项目部）工作。"\n'
    assert first_task in text
    without = tmp_path / "without-task-1.toml"
    without.write_text(text.replace(first_task, "").replace('  deadline = "2017年3月底完成"\n', "", 1), "utf-8")
    before = ok(cli("show", "1", "--json", "--as-of", "2017-04-05")).json()
    result = cli("import", without)
    assert result.code == 2, result.err
    assert "without-task-1.toml" in result.err and "完成建设单位申请" in result.err
    assert all(n["number"] in result.err for n in notices)
    assert "internal error" not in result.err
    assert ok(cli("show", "1", "--json", "--as-of", "2017-04-05")).json() == before  # nothing written

    # A unit: its notices name it. Every unit and task held so is named in one go.
    unit = '[[units]]\nname = "台前县政府"\nperson = "王俊海"\nkind = "县政府"\n'
    assert unit in text
    both = tmp_path / "without-taiqian.toml"
    both.write_text(
        text.replace(unit, "").replace(first_task, "").replace('  deadline = "2017年3月底完成"\n', "", 1), "utf-8"
    )
    result = cli("import", both)
    assert result.code == 2 and "2 errors" in result.err
    assert "unit 台前县政府" in result.err and "完成建设单位申请" in result.err

    # What nothing refers to still goes: the last task, which no notice names.
    last = '  [[phases.tasks]]\n  text = "系统正式验收。"\n  deadline = "2018年10月底完成"\n'
    shorter = tmp_path / "shorter.toml"
    shorter.write_text(text.replace(last, ""), encoding="utf-8")
    assert ok(cli("import", shorter, "--json")).json()["ledgers"][0]["tasks"] == 8
    assert ok(cli("check", "--as-of", "2017-04-05", "--json")).json()["notices"] == []


def test_a_report_duty_with_received_reports_cannot_leave_the_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    small = tmp_path / "small.toml"
    small.write_text(SMALL, encoding="utf-8")
    ok(cli("import", small))
    ok(cli("received", "测试台账", "甲县", "--on", "2017-01-20"))
    small.write_text(SMALL.split("[[reports]]")[0], encoding="utf-8")
    result = cli("import", small)
    assert result.code == 2 and "report 进度一览表" in result.err and "1 received report" in result.err
    assert len(report_periods()) > 0


def test_an_unreadable_file_is_reported_with_the_errors_of_the_others(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken.toml"
    broken.write_text('title = "未闭合\n', encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'title = "台账"\n[[units]]\nname = "甲"\n[[tasks]]\ntext = "任务"\ndeadline = "2017年13月底"\n',
        encoding="utf-8",
    )
    result = cli("import", broken, bad)
    assert result.code == 2
    assert "broken.toml" in result.err and "bad.toml" in result.err and "中的“13月”" in result.err
    assert cli("ledgers", "--json").json() == []


TWICE = """
title = "同名任务台账"
doc_number = "测试〔2017〕2号"
year = 2017

[[units]]
name = "甲县政府"
[[units]]
name = "乙县政府"

[[tasks]]
text = "报送进度报告"
deadline = "2017年3月31日"
[[tasks]]
text = "报送进度报告"
deadline = "2017年6月30日"
"""


def test_two_tasks_with_the_same_text_keep_their_progress(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ledger = tmp_path / "twice.toml"
    ledger.write_text(TWICE, encoding="utf-8")
    ok(cli("import", ledger))
    ok(cli("progress", "同名任务台账", "1", "甲县", "--status", "done", "--on", "2017-03-20"))
    ok(cli("progress", "同名任务台账", "2", "乙县", "--status", "doing", "--note", "过半"))
    before = ok(cli("show", "同名任务台账", "--as-of", "2017-04-01", "--json")).json()
    for _ in range(2):  # unchanged, twice: nothing moves
        ok(cli("import", ledger))
        assert ok(cli("show", "同名任务台账", "--as-of", "2017-04-01", "--json")).json() == before

    # The two tasks trade places in the file: each keeps its own progress (matched on its deadline).
    swapped = tmp_path / "swapped.toml"
    first, second = TWICE.split("[[tasks]]")[1:]
    swapped.write_text(TWICE.split("[[tasks]]")[0] + "[[tasks]]" + second + "[[tasks]]" + first, "utf-8")
    ok(cli("import", swapped))
    rows = ok(cli("show", "同名任务台账", "--as-of", "2017-04-01", "--json")).json()["rows"]
    done = [r for r in rows if r["unit"] == "甲县政府" and r["status"] == "done"]
    assert len(done) == 1 and done[0]["deadline"] == "2017-03-31", rows


def test_an_ambiguous_task_match_is_refused(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ledger = tmp_path / "twice.toml"
    ledger.write_text(TWICE, encoding="utf-8")
    ok(cli("import", ledger))
    ok(cli("progress", "同名任务台账", "2", "乙县", "--status", "doing"))
    # Both deadlines change at once and the 序号 with them: which old task is which cannot be told.
    changed = TWICE.replace("2017年3月31日", "2017年4月30日").replace("2017年6月30日", "2017年7月31日")
    changed = changed.replace('text = "报送进度报告"', 'seq = "甲"\ntext = "报送进度报告"', 1)
    changed = changed.replace('[[tasks]]\ntext = "报送进度报告"', '[[tasks]]\nseq = "乙"\ntext = "报送进度报告"')
    assert changed.count("seq = ") == 2
    ledger.write_text(changed, "utf-8")
    before = ok(cli("show", "同名任务台账", "--json")).json()
    result = cli("import", ledger)
    assert result.code == 2, result.err
    assert "报送进度报告" in result.err and "internal error" not in result.err
    assert ok(cli("show", "同名任务台账", "--json")).json() == before  # nothing written


def test_a_renamed_unit_does_not_silently_take_its_progress_with_it(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    small = tmp_path / "small.toml"
    small.write_text(SMALL, encoding="utf-8")
    ok(cli("import", small))
    ok(cli("progress", "测试台账", "1", "甲县", "--status", "done", "--on", "2017-03-20"))
    ok(cli("progress", "测试台账", "2", "甲县", "--status", "doing", "--note", "过半"))
    before = ok(cli("show", "测试台账", "--json")).json()
    small.write_text(SMALL.replace("甲县政府", "甲县人民政府"), encoding="utf-8")

    for dry in ([], ["--dry-run"]):
        result = cli("import", small, *dry)
        assert result.code == 2, result.err
        assert "unit 甲县政府" in result.err and "2 progress records" in result.err, result.err
        assert "--allow-removals" in result.err and "internal error" not in result.err
        assert ok(cli("show", "测试台账", "--json")).json() == before  # nothing written

    dry = ok(cli("import", small, "--dry-run", "--allow-removals", "--json")).json()
    assert dry["ledgers"][0]["removed"] == {
        "units": ["甲县政府"],
        "tasks": [],
        "reports": [],
        "assignments": 2,
        "progress_records": 2,
        "assignments_with_progress": 2,
    }
    assert ok(cli("show", "测试台账", "--json")).json() == before
    said = ok(cli("import", small, "--allow-removals"))
    assert "deleted unit 甲县政府, 2 assignments, 2 progress records" in said.out
    rows = ok(cli("show", "测试台账", "--json")).json()["rows"]
    assert {r["unit"] for r in rows} == {"甲县人民政府", "乙县政府"}
    assert all(r["status"] == "todo" for r in rows)


def test_a_removal_without_progress_is_said_and_goes_ahead(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    small = tmp_path / "small.toml"
    small.write_text(SMALL, encoding="utf-8")
    ok(cli("import", small))
    small.write_text(SMALL.replace('[[tasks]]\ntext = "任务二"\ndeadline = "2017年4月30日"\n', ""), encoding="utf-8")
    said = ok(cli("import", small, "--dry-run"))
    assert "would delete task 2 (任务二), 2 assignments, 0 progress records" in said.out
    assert ok(cli("import", small, "--json")).json()["ledgers"][0]["removed"]["tasks"] == ["2 (任务二)"]
