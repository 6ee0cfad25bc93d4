"""The check through the CLI: findings, escalation, notices, idempotency, changes, reports, scores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import LEDGERS

PUYANG = LEDGERS / "puyang-2017-digital-city.toml"
COUNTIES = ["濮阳县政府", "清丰县政府", "南乐县政府", "范县政府", "台前县政府"]

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
[[tasks]]
text = "中期自查报告"
deadline = "接到通知后15天内"

[[reports]]
name = "进度一览表"
deadline = "每月25日前"
"""


def check(cli, day: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    result = cli("check", "--as-of", day, "--json")
    assert result.code == 0, result.err
    return result.json()  # type: ignore[no-any-return]


def test_findings_and_notices_follow_the_contract(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    first = check(cli, "2017-04-05")
    assert first["as_of"] == "2017-04-05"
    assert {(f["unit"], f["task"], f["level"], f["days_overdue"]) for f in first["findings"]} == {
        (unit, "1", "warning", 5) for unit in COUNTIES
    }
    finding = first["findings"][0]
    assert set(finding) >= {"ledger", "task", "unit", "person", "deadline", "days_overdue", "level"}
    assert finding["deadline"] == "2017-03-31" and finding["person"] == "孙庆伟"
    assert [(n["kind"], n["units"]) for n in first["notices"]] == [("warning", [u]) for u in COUNTIES]
    again = check(cli, "2017-04-05")
    assert again["notices"] == [] and again["findings"] == first["findings"]


def test_the_table_check_counts_and_escalates_like_the_json_one(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    table = cli("check", "--as-of", "2017-04-05")
    assert table.code == 0, table.err
    assert "warning" in table.out and "5" in table.out and "督查〔2017〕" in table.out
    notices = cli("notices", "--json").json()
    assert sorted(n["units"][0] for n in notices) == sorted(COUNTIES)
    assert check(cli, "2017-04-05")["notices"] == []  # already escalated by the table run
    quiet = cli("check", "--as-of", "2017-04-05")
    assert quiet.code == 0 and "no new notices" in quiet.out


def test_reminders_before_the_deadline_are_findings_not_notices(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    result = check(cli, "2017-03-24")
    assert {(f["task"], f["level"], f["days_overdue"]) for f in result["findings"]} == {("1", "reminder", -7)}
    assert result["notices"] == []
    assert check(cli, "2017-03-23")["findings"] == []


def test_the_ladder_climbs_once_per_level(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    check(cli, "2017-04-05")  # warnings
    criticised = check(cli, "2017-04-20")  # 20 days late: one bulletin naming all five counties
    assert [(n["kind"], sorted(n["units"])) for n in criticised["notices"]] == [("criticism", sorted(COUNTIES))]
    assert {f["level"] for f in criticised["findings"]} == {"criticism"}
    assert check(cli, "2017-04-21")["notices"] == []
    later = check(cli, "2017-05-05")  # task 1: 35 days (interview); task 2: 5 days (warning)
    kinds = sorted((n["kind"], n["units"][0]) for n in later["notices"])
    assert kinds == sorted([("interview", u) for u in COUNTIES] + [("warning", u) for u in COUNTIES])
    # Skipping straight to a high level yields only the highest notice.
    assert [n["kind"] for n in check(cli, "2017-07-30")["notices"]].count("accountability") == 5


def test_completed_and_terminated_assignments_leave_the_findings(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    assert cli("progress", "1", "1", "濮阳县", "--status", "done", "--on", "2017-04-02").code == 0
    assert cli("terminate", "1", "台前县", "--reason", "试点终止").code == 0
    units = {f["unit"] for f in check(cli, "2017-04-05")["findings"]}
    assert units == {"清丰县政府", "南乐县政府", "范县政府"}
    rows = cli("show", "1", "--json", "--as-of", "2017-04-05").json()["rows"]
    assert {r["status"] for r in rows if r["unit"] == "台前县政府"} == {"terminated"}
    history = cli("history", "1", "-", "台前县", "--json").json()
    assert history[-1]["action"] == "terminate" and "试点终止" in history[-1]["after"]
    assert cli("terminate", "1", "台前县", "--reason", "again").code == 2


def test_extension_approved_rebases_the_ladder(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    made = cli(
        "extend", "1", "1", "南乐县", "--to", "2017-05-31", "--reason", "资金未到位", "--as-of", "2017-03-20", "--json"
    )
    assert made.code == 0, made.err
    request = made.json()["id"]
    assert cli("extensions", "--pending", "--json").json()[0]["unit"] == "南乐县政府"
    assert cli("approve", str(request), "--json").json()["status"] == "approved"
    result = check(cli, "2017-04-05")
    assert "南乐县政府" not in {f["unit"] for f in result["findings"]}
    late = check(cli, "2017-06-02")
    nanle = [f for f in late["findings"] if f["unit"] == "南乐县政府" and f["task"] == "1"]
    assert nanle[0]["deadline"] == "2017-05-31" and nanle[0]["days_overdue"] == 2 and nanle[0]["level"] == "warning"
    history = cli("history", "1", "1", "南乐县", "--json").json()
    approved = next(h for h in history if h["action"] == "extension-approved")
    assert "2017-03-31" in approved["before"] and "2017-05-31" in approved["after"]


def test_extension_rules(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    base = ("extend", "1", "1", "清丰县")
    after = cli(*base, "--to", "2017-05-31", "--reason", "迟了", "--as-of", "2017-04-03")
    assert after.code == 2 and "--late" in after.err
    earlier = cli(*base, "--to", "2017-03-01", "--reason", "x", "--as-of", "2017-03-01")
    assert earlier.code == 2 and "not after the current one" in earlier.err
    late = cli(*base, "--to", "2017-05-31", "--reason", "迟了", "--as-of", "2017-04-03", "--late", "--json")
    assert late.code == 0 and late.json()["late"] is True
    request = str(late.json()["id"])
    assert cli("refuse", request).code == 2  # a refusal needs a reason
    assert cli("refuse", request, "--reason", "理由不充分").code == 0
    assert cli("approve", request).code == 2 and "已驳回，无需再审批" in cli("approve", request).err
    assert cli("approve", "999").code == 2
    result = check(cli, "2017-04-05")
    assert "清丰县政府" in {f["unit"] for f in result["findings"]}  # refusal: the clock keeps running


def test_criticised_twice_leads_to_an_interview(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ledger = tmp_path / "small.toml"
    ledger.write_text(
        SMALL.replace('[[reports]]\nname = "进度一览表"\ndeadline = "每月25日前"\n', "")
        + """
[[escalation]]
level = "criticism"
overdue_days = 1
[[escalation]]
level = "interview"
criticisms = 2
""",
        encoding="utf-8",
    )
    assert cli("import", ledger).code == 0, cli("import", ledger).err
    assert [n["kind"] for n in check(cli, "2017-04-01")["notices"]] == ["criticism"]
    assert [n["kind"] for n in check(cli, "2017-05-01")["notices"]] == ["criticism"]
    assert check(cli, "2017-05-01")["notices"] == []  # the same day again: nothing new
    interviews = check(cli, "2017-05-02")["notices"]
    assert sorted((n["kind"], n["units"][0]) for n in interviews) == [
        ("interview", "乙县政府"),
        ("interview", "甲县政府"),
    ]
    listed = cli("interviews", "--json").json()
    assert [(e["unit"], e["person"]) for e in listed] == [("甲县政府", "张三"), ("乙县政府", "李四")]
    assert any(r.startswith("通报批评") for r in listed[0]["reasons"])
    assert any("任务一" in r for r in listed[0]["reasons"])
    out = tmp_path / "约谈名单.xlsx"
    assert cli("interviews", "-o", out).code == 0
    from openpyxl import load_workbook

    sheet = load_workbook(out)["约谈名单"]
    assert [sheet.cell(3, c).value for c in (2, 3, 4)] == ["测试台账", "甲县政府", "张三"]
    assert cli("interviewed", "测试台账", "甲县", "--on", "2017-05-10", "--note", "已约谈").code == 0
    assert [e["unit"] for e in cli("interviews", "--json").json()] == ["乙县政府"]


def test_missing_and_late_reports(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ledger = tmp_path / "small.toml"
    ledger.write_text(SMALL, encoding="utf-8")
    cli("import", ledger)
    assert cli("received", "测试台账", "甲县", "--on", "2017-01-20").code == 0
    assert cli("received", "测试台账", "甲县", "--on", "2017-02-27").code == 0  # 迟报
    result = check(cli, "2017-03-01")
    reports = [f for f in result["findings"] if f["kind"] == "report"]
    assert {(f["unit"], f["deadline"], f["level"]) for f in reports} == {
        ("乙县政府", "2017-01-25", "criticism"),
        ("乙县政府", "2017-02-25", "criticism"),
    }
    assert [(n["kind"], n["units"]) for n in result["notices"]] == [("criticism", ["乙县政府"])]
    scores = {s["unit"]: s for s in cli("scores", "测试台账", "--as-of", "2017-03-01", "--json").json()}
    assert scores["甲县政府"]["late_reports"] == 1 and scores["甲县政府"]["score"] == 99.9
    assert scores["乙县政府"]["missing_reports"] == 2 and scores["乙县政府"]["score"] == 99.0
    assert (scores["甲县政府"]["rank"], scores["乙县政府"]["rank"]) == (1, 2)
    bad = cli("received", "测试台账", "甲县", "--on", "2017-02-27", "--period", "2017-02-25")
    assert bad.code == 2 and "received on" in bad.err


def test_relative_deadline_waits_for_its_trigger(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ledger = tmp_path / "small.toml"
    ledger.write_text(SMALL, encoding="utf-8")
    cli("import", ledger)
    assert not [f for f in check(cli, "2017-12-01")["findings"] if f["task"] == "3"]
    done = cli("trigger", "测试台账", "3", "--on", "2017-11-01")
    assert done.code == 0 and "2017-11-16" in done.out
    late = [f for f in check(cli, "2017-12-01")["findings"] if f["task"] == "3"]
    assert {(f["deadline"], f["days_overdue"]) for f in late} == {("2017-11-16", 15)}
    assert cli("trigger", "测试台账", "1", "--on", "2017-11-01").code == 2  # not relative


def test_notice_numbers_are_never_reused_and_follow_the_config(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "tracker.toml"
    config.write_text('[notices]\nnumber_format = "濮督〔{year}〕{serial}号"\nissuer = "濮阳市委市政府督查局"\n')
    cli("import", PUYANG)
    first = cli("--config", config, "check", "--as-of", "2017-04-05", "--json").json()["notices"]
    second = cli("--config", config, "check", "--as-of", "2017-05-05", "--json").json()["notices"]
    numbers = [n["number"] for n in first + second]
    assert numbers[:3] == ["濮督〔2017〕1号", "濮督〔2017〕2号", "濮督〔2017〕3号"]
    assert len(set(numbers)) == len(numbers) == 15
    listed = cli("notices", "--json").json()
    assert [n["number"] for n in listed] == numbers


def test_acknowledgement(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    notices = check(cli, "2017-04-05")["notices"]
    first = str(notices[0]["id"])
    for blank in ("   ", "\u200b", " \u200b\u3000"):  # nothing once cleaned: refused, nothing recorded
        refused = cli("ack", first, "--by", blank)
        assert refused.code == 2 and "--by" in refused.err and "Traceback" not in refused.err, refused.err
    acked = cli("ack", first, "--by", "濮阳县政府办公室 王五\u200b", "--json").json()
    assert acked["acknowledged_by"] == "濮阳县政府办公室王五" and acked["already"] is False  # cleaned as names are
    assert cli("ack", first, "--json").json()["already"] is True
    assert len(cli("notices", "--unacknowledged", "--json").json()) == len(notices) - 1
    assert cli("ack", "督查〔2099〕1号").code == 2


def test_notice_documents(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    check(cli, "2017-04-05")
    bulletin = check(cli, "2017-04-20")["notices"][0]
    md = tmp_path / "通报.md"
    assert cli("notice", "render", str(bulletin["id"]), "-o", md).code == 0
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# 关于濮阳市所辖县数字化城市管理系统建设工作台账进展情况的通报")
    assert bulletin["number"] in text and "2017年3月底完成" in text and "各有关单位：" in text
    assert "| 南乐县政府 | 1 |" in text and "| 20 |" in text and "2017年4月30日前完成整改" in text
    docx_path = tmp_path / "督办通知.docx"
    assert cli("notice", "render", "1", "-o", docx_path).code == 0
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm

    document = Document(str(docx_path))
    section = document.sections[0]

    def mm(length) -> float:  # type: ignore[no-untyped-def]
        return round(length / Mm(1), 1)  # Word stores twips: A4 is 11906 x 16838 of them

    assert (mm(section.page_width), mm(section.page_height)) == (210.0, 297.0)
    assert (mm(section.top_margin), mm(section.bottom_margin), mm(section.left_margin), mm(section.right_margin)) == (
        37.0,
        35.0,
        28.0,
        26.0,
    )
    paragraphs = [p for p in document.paragraphs if p.text]
    assert paragraphs[0].text == "督查室文件"  # the 版头's mark: the issuer and 文件 by default
    assert paragraphs[1].text == "督查〔2017〕1号" and paragraphs[2].text == "督办通知"
    title_font = paragraphs[2].runs[0]._element.rPr.rFonts.get(qn("w:eastAsia"))
    assert title_font == "方正小标宋简体"
    assert paragraphs[3].text == "濮阳县政府："
    body_font = paragraphs[4].runs[0]._element.rPr.rFonts.get(qn("w:eastAsia"))
    assert body_font == "仿宋_GB2312"
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["责任单位", "序号", "任务", "完成时限", "逾期天数"]
    assert table.rows[1].cells[3].text == "2017年3月底完成"
    assert "PAGE" in section.footer._element.xml
    # [notices] reaches the document: the 函 form, the mark, 抄送 and 印发机关 from the config.
    config = tmp_path / "c.toml"
    config.write_text(
        '[notices]\nletterhead = false\ncopy_to = ["市委办公室"]\nprinted_by = "市政府办公室"\n', encoding="utf-8"
    )
    letter = tmp_path / "函.docx"
    assert cli("--config", config, "notice", "render", "1", "-o", letter).code == 0
    document = Document(str(letter))
    first = next(p for p in document.paragraphs if p.text)
    assert first.text == "督查〔2017〕1号" and first.alignment == 2  # top right, no 版头
    imprint = [p.text.strip("\u3000") for p in document.paragraphs if p._p.pPr.find(qn("w:framePr")) is not None]
    assert imprint[0] == "抄送：市委办公室。" and imprint[1].startswith("市政府办公室\t")
    assert cli("notice", "render", "1", "-o", tmp_path / "x.pdf").code == 2


def test_a_broken_template_is_a_clear_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "notice.md.j2").write_text("# {{ n.number }\n", encoding="utf-8")
    config = tmp_path / "c.toml"
    config.write_text(f'[notices]\ntemplates = "{folder}"\n', encoding="utf-8")
    cli("import", PUYANG)
    check(cli, "2017-04-05")
    result = cli("--config", config, "notice", "render", "1", "-o", tmp_path / "n.md")
    assert result.code == 2 and "notice.md.j2" in result.err and not (tmp_path / "n.md").exists()


def test_working_day_rules(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ledger = tmp_path / "small.toml"
    ledger.write_text(
        SMALL.replace("2017年3月31日", "2017年9月29日")
        + """
[[escalation]]
level = "warning"
overdue_days = 3
working_days = true
""",
        encoding="utf-8",
    )
    cli("import", ledger)
    # 9-30 (a make-up Saturday) is a working day, 10-01..10-08 are holidays: 3 working days late on 10-10.
    assert [f for f in check(cli, "2017-10-09")["findings"] if f["task"] == "1"] == []
    late = [f for f in check(cli, "2017-10-10")["findings"] if f["task"] == "1"]
    assert {(f["level"], f["days_overdue"]) for f in late} == {("warning", 11)}


@pytest.mark.parametrize(
    ("escalation", "message"),
    [
        ('level = "scolding"\noverdue_days = 1\n', "escalation"),
        ('level = "warning"\n', "at least one condition"),
        ('level = "warning"\noverdue = 1\n', "overdue"),
    ],
)
def test_bad_escalation_rules_are_refused(cli, tmp_path: Path, escalation: str, message: str) -> None:  # type: ignore[no-untyped-def]
    ledger = tmp_path / "small.toml"
    ledger.write_text(SMALL + "\n[[escalation]]\n" + escalation, encoding="utf-8")
    result = cli("import", ledger)
    assert result.code == 2 and message in result.err and "small.toml" in result.err
    config = tmp_path / "c.toml"
    config.write_text("[[escalation]]\n" + escalation, encoding="utf-8")
    bad = cli("--config", config, "check", "--as-of", "2017-04-05")
    assert bad.code == 2 and "c.toml" in bad.err


def test_unknown_things_are_exit_2(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    assert cli("notice", "render", "42", "-o", "x.md").code == 2
    assert cli("history", "no such ledger").code == 2
    assert cli("scores", "1", "--json").code == 0
    assert cli("extend", "1", "99", "濮阳县", "--to", "2018-01-01", "--reason", "x").code == 2


def test_expected_progress_lag_is_flagged_before_the_deadline(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ledger = tmp_path / "small.toml"
    ledger.write_text(SMALL.replace('text = "任务二"\n', 'text = "任务二"\nstart = 2017-04-01\n'), encoding="utf-8")
    cli("import", ledger)
    assert cli("progress", "测试台账", "2", "甲县", "--status", "doing", "--percent", "40").code == 0
    assert cli("progress", "测试台账", "2", "乙县", "--status", "doing", "--percent", "60").code == 0
    # 2017-04-19: 18 of the 29 days from 04-01 to 04-30 have passed: 62% expected.
    result = check(cli, "2017-04-19")
    assert [(lag["unit"], lag["percent"], lag["expected_percent"]) for lag in result["lagging"]] == [
        ("甲县政府", 40, 62)
    ]
    rows = cli("show", "测试台账", "--json", "--as-of", "2017-04-19").json()["rows"]
    flags = {(r["seq"], r["unit"]): r["lagging"] for r in rows}
    assert flags[("2", "甲县政府")] is True and flags[("2", "乙县政府")] is False
    config = tmp_path / "c.toml"
    config.write_text("[progress]\nlag_margin = 25\n", encoding="utf-8")
    lenient = cli("--config", config, "check", "--as-of", "2017-04-19", "--json").json()
    assert lenient["lagging"] == []


def test_counting_by_deadline_steps_agrees_with_the_row_by_row_scan(cli, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The steady-state counts (range counts, criticised units apart) against the findings the
    JSON check lists, day by day while units are criticised and escalated."""
    from sqlmodel import Session

    from tracker.app import build
    from tracker.ladder import NOTICE_MIN_RANK
    from tracker.scan import level_counts, task_findings, task_level_counts

    ledger = tmp_path / "small.toml"
    ledger.write_text(
        SMALL
        + """
[[escalation]]
level = "reminder"
before_days = [3]
[[escalation]]
level = "warning"
overdue_days = 1
[[escalation]]
level = "criticism"
overdue_days = 20
[[escalation]]
level = "interview"
criticisms = 2
[[escalation]]
level = "accountability"
overdue_days = 45
""",
        encoding="utf-8",
    )
    assert cli("import", ledger).code == 0
    assert cli("import", PUYANG).code == 0
    tracker = build(db_url)
    days = [dt.date(2017, 3, 28) + dt.timedelta(days=n) for n in range(0, 80, 3)]
    seen_interview = False
    for day in days:
        with Session(tracker.engine) as session:
            rules = tracker.settings.escalation
            counts, new = task_level_counts(session, day, rules, tracker.calendar)
            findings = task_findings(session, day, rules, tracker.calendar)
            assert counts == level_counts(findings), day
            assert new == sum(1 for f in findings if f.rank >= NOTICE_MIN_RANK and f.is_new), day
            seen_interview |= "interview" in counts
        check(cli, day.isoformat())
    assert seen_interview  # the criticised units were counted apart at least once
    tracker.engine.dispose()


def test_a_bulletin_naming_many_units_renders_quickly(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The first-batch pilots' ledger: one criticism bulletin covers ~100 units and ~1,000 rows;
    python-docx's table.cell() made it take minutes (now row by row)."""
    import docx

    assert cli("import", LEDGERS / "smart-city-pilots-2013.toml").code == 0
    found = check(cli, "2017-09-15")
    bulletin = next(n for n in found["notices"] if n["kind"] == "criticism")
    assert len(bulletin["units"]) > 50
    out = tmp_path / "bulletin.docx"
    assert cli("notice", "render", str(bulletin["id"]), "-o", out).code == 0  # minutes before; ~2 s now
    rows = docx.Document(str(out)).tables[0].rows
    assert len(rows) > len(bulletin["units"])
