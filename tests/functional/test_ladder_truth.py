"""The ladder issues only what is true: one bulletin per ledger and run, criticisms counted by
check, reminders for reports as for tasks, and two checks at once never issue anything twice."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.smtp_server import Server, smtp_config

LEDGER = """
title = "测试台账"
doc_number = "测试〔2017〕1号"
year = 2017
issued_on = 2017-01-01

[[units]]
name = "甲县政府"
person = "张三"
email = "zhangsan@example.gov.cn"
[[units]]
name = "乙县政府"
person = "李四"

[[tasks]]
text = "任务一"
deadline = "2017年3月31日"
[[tasks]]
text = "任务二"
deadline = "2017年6月30日"
[[tasks]]
text = "中期自查报告"
deadline = "接到通知后15天内"
"""

REPORTS = """
[[reports]]
name = "进度一览表"
deadline = "每月25日前"
"""


def imported(cli, tmp_path: Path, text: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "ledger.toml"
    path.write_text(text, encoding="utf-8")
    result = cli("import", path)
    assert result.code == 0, result.err


def check(cli, day: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    result = cli("check", "--as-of", day, "--json")
    assert result.code == 0, result.err
    return result.json()  # type: ignore[no-any-return]


def test_one_bulletin_per_run_names_late_tasks_and_missing_reports(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    imported(cli, tmp_path, LEDGER + REPORTS)
    # 20 days late on 任务一 (criticism by overdue_days) and three reports missing (by missed_reports).
    result = check(cli, "2017-04-20")
    bulletins = [n for n in result["notices"] if n["kind"] == "criticism"]
    assert len(bulletins) == 1, result["notices"]
    assert sorted(bulletins[0]["units"]) == ["乙县政府", "甲县政府"]
    shown = cli("notice", "show", bulletins[0]["number"], "--json").json()
    items = {(i["unit"], i["task_text"]) for i in shown["items"]}
    for unit in ("甲县政府", "乙县政府"):
        assert (unit, "任务一") in items
        assert (unit, "进度一览表（漏报）") in items
    # ... and the next day nothing climbs to interview through `criticisms = 2`.
    assert check(cli, "2017-04-21")["notices"] == []


def test_criticisms_count_checks_not_bulletins(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    imported(cli, tmp_path, LEDGER)
    assert [n["kind"] for n in check(cli, "2017-04-20")["notices"]] == ["criticism"]
    # The trigger of 中期自查报告 recorded late the same day: it is 16 days late, a second bulletin
    # of the same day naming the same units.
    assert cli("trigger", "1", "3", "--on", "2017-03-20").code == 0
    assert [n["kind"] for n in check(cli, "2017-04-20")["notices"]] == ["criticism"]
    # Criticised on one day only: 21 days late is not yet an interview (overdue_days = 30).
    later = check(cli, "2017-04-21")
    assert later["notices"] == []
    assert {f["level"] for f in later["findings"]} == {"criticism"}
    # Criticised on a second day (任务二 late by 15 days on 07-15): now criticisms = 2 holds.
    assert [n["kind"] for n in check(cli, "2017-07-15")["notices"]].count("criticism") == 1
    assert {n["kind"] for n in check(cli, "2017-07-16")["notices"]} == {"interview"}


def test_reports_get_reminders_like_tasks(cli, tmp_path: Path, server: Server) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "tracker.toml"
    config.write_text(smtp_config(server.port), encoding="utf-8")
    imported(cli, tmp_path, LEDGER + REPORTS)
    result = cli("--config", config, "check", "--as-of", "2017-02-18", "--json")
    assert result.code == 0, result.err
    reminders = {(f["kind"], f["unit"], f["task"], f["level"], f["days_overdue"]) for f in result.json()["findings"]}
    # Seven days before 02-25 (before_days = [7, 1]); January's report is missing already.
    assert ("report", "甲县政府", "进度一览表", "reminder", -7) in reminders
    assert ("report", "乙县政府", "进度一览表", "reminder", -7) in reminders
    outbox = cli("--config", config, "outbox", "--json").json()
    assert len(outbox) == 1 and outbox[0]["to"] == "zhangsan@example.gov.cn"
    text = cli("--config", config, "outbox", "--show", str(outbox[0]["id"])).out
    assert "进度一览表（2017-02-25）" in text
    assert "1份报告即将到期" in outbox[0]["subject"] and "任务即将到期" not in outbox[0]["subject"]
    # A received report is no longer reminded of.
    assert cli("received", "1", "甲县", "--on", "2017-02-18", "--period", "2017-02-25").code == 0
    again = cli("--config", config, "check", "--as-of", "2017-02-18", "--json").json()
    assert ("report", "甲县政府", "进度一览表", "reminder", -7) not in {
        (f["kind"], f["unit"], f["task"], f["level"], f["days_overdue"]) for f in again["findings"]
    }


def test_two_checks_at_once_issue_everything_once(db_url: str, tmp_path: Path) -> None:
    """Processes started together: each exits 0, no traceback, no notice twice (4 rounds)."""
    env = {**os.environ, "TRACKER_DB": db_url, "XDG_DATA_HOME": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    env.pop("TRACKER_CONFIG", None)
    tracker = [sys.executable, "-m", "tracker"]
    ledgers = sorted(str(p) for p in (ROOT / "ledgers").glob("*.toml"))
    (tmp_path / "extra.toml").write_text(LEDGER + REPORTS, encoding="utf-8")
    subprocess.run([*tracker, "import", *ledgers, str(tmp_path / "extra.toml")], env=env, check=True, timeout=120)
    for day in ("2017-04-20", "2017-05-05", "2017-07-20", "2017-09-15"):
        runs = [
            subprocess.Popen(
                [*tracker, "check", "--as-of", day, "--json"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        outcomes = [run.communicate(timeout=300) for run in runs]
        assert [run.returncode for run in runs] == [0, 0, 0], [err for _, err in outcomes]
        assert all("Traceback" not in err and "internal error" not in err for _, err in outcomes)
    listed = subprocess.run([*tracker, "notices", "--json"], env=env, capture_output=True, text=True, timeout=120)
    notices = json.loads(listed.stdout)
    numbers = [n["number"] for n in notices]
    assert len(numbers) == len(set(numbers))
    # One notice per ledger, level, unit (bulletins: per ledger) and day, never two.
    keys = [
        (n["ledger"], n["kind"], tuple(n["units"]) if n["kind"] != "criticism" else (), n["as_of"]) for n in notices
    ]
    assert len(keys) == len({repr(k) for k in keys})


PUYANG = ROOT / "ledgers" / "puyang-2017-digital-city.toml"


def show(cli, number: str) -> str:  # type: ignore[no-untyped-def]
    """The notice's text as `notice show` prints it, with the lines joined again (it wraps them)."""
    result = cli("notice", "show", number)
    assert result.code == 0, result.err
    return re.sub(r"\s+", "", result.out)


def test_a_referral_on_a_first_check_says_no_notice_came_before(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", PUYANG).code == 0
    notices = check(cli, "2017-07-30")["notices"]  # tasks 1-2 over 90 days late, task 3 30 days
    referral = next(n for n in notices if n["kind"] == "accountability" and n["units"] == ["濮阳县政府"])
    text = show(cli, referral["number"])
    assert "经督办、通报和约谈" not in text and "督办、通报" not in text.replace("督办通知、通报或约谈通知", "")
    assert "此前未就上述任务向你单位发出督办通知、通报或约谈通知" in text
    interview = next(n for n in notices if n["kind"] == "interview" and n["units"] == ["濮阳县政府"])
    text = show(cli, interview["number"])
    assert "此前未就上述任务向你单位发出督办通知或通报" in text
    assert cli("notice", "show", referral["number"], "--json").json()["earlier"] == []


def test_a_referral_names_the_notices_issued_before_it(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", PUYANG).code == 0
    issued = {day: check(cli, day)["notices"] for day in ("2017-04-05", "2017-04-20", "2017-05-05", "2017-07-30")}

    def number(day: str, kind: str) -> str:
        return next(n["number"] for n in issued[day] if n["kind"] == kind and "濮阳县政府" in n["units"])

    warning, bulletin = number("2017-04-05", "warning"), number("2017-04-20", "criticism")
    interview = next(
        n["number"] for n in issued["2017-05-05"] if n["kind"] == "interview" and n["units"] == ["濮阳县政府"]
    )
    referral = number("2017-07-30", "accountability")
    text = show(cli, referral)
    assert f"2017年4月5日发出督办通知（{warning}）" in text
    assert f"2017年4月20日予以通报批评（{bulletin}）" in text
    assert f"2017年5月5日发出约谈通知（{interview}）" in text
    assert "此前未" not in text
    earlier = cli("notice", "show", referral, "--json").json()["earlier"]
    assert [e["number"] for e in earlier][:2] == [warning, bulletin]
    assert interview in [e["number"] for e in earlier]


def test_an_interview_notice_gives_time_and_place_or_leaves_them_to_fill(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", PUYANG).code == 0
    interview = next(n for n in check(cli, "2017-05-05")["notices"] if n["kind"] == "interview")
    text = show(cli, interview["number"])
    assert "于____年__月__日__时__分到________________参加约谈" in text
    done = cli("interview-schedule", interview["number"], "--at", "2017年5月12日下午3时", "--place", "市政府三楼会议室")
    assert done.code == 0, done.err
    assert "于2017年5月12日（星期五）15时到市政府三楼会议室参加约谈" in show(cli, interview["number"])
    history = cli("history", "1", "--json").json()
    assert history[-1]["action"] == "interview-schedule"
    # Bad input: exit 2 with a message, nothing changed.
    bad = cli("interview-schedule", interview["number"], "--at", "下周")
    assert bad.code == 2 and "--at" in bad.err
    warning = next(n for n in cli("notices", "--json").json() if n["kind"] == "warning")
    refused = cli("interview-schedule", warning["number"], "--place", "会议室")
    assert refused.code == 2 and "约谈通知" in refused.err
    # The configured place is printed on interview notices as they are issued.
    config = tmp_path / "tracker.toml"
    config.write_text('[notices]\ninterview_place = "市督查室会议室"\n', encoding="utf-8")
    later = cli("--config", config, "check", "--as-of", "2017-05-31", "--json").json()["notices"]
    fresh = next(n for n in later if n["kind"] == "interview")
    assert "到市督查室会议室参加约谈" in show(cli, fresh["number"])


def test_a_terminated_unit_owes_no_more_reports(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    imported(cli, tmp_path, LEDGER + REPORTS)
    check(cli, "2017-01-20")
    assert cli("terminate", "1", "乙县", "--reason", "试点终止", "--on", "2017-01-20").code == 0
    later = check(cli, "2017-03-10")
    assert {f["unit"] for f in later["findings"]} == {"甲县政府"}
    assert all(n["units"] == ["甲县政府"] or "乙县政府" not in n["units"] for n in later["notices"])


def test_processes_opening_a_new_database_at_once_all_work(db_url: str, tmp_path: Path) -> None:
    """Cron, the scheduler and a clerk on a database nobody opened yet: one creates the schema,
    the others wait and find it current; a check of an empty database finds nothing."""
    env = {**os.environ, "TRACKER_DB": db_url, "XDG_DATA_HOME": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    env.pop("TRACKER_CONFIG", None)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "tracker", "check", "--as-of", "2017-04-20", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], [err for _, err in outcomes]
    assert all(json.loads(out)["notices"] == [] for out, _ in outcomes)


def markdown(cli, tmp_path: Path, number: str) -> str:  # type: ignore[no-untyped-def]
    out = tmp_path / "notice.md"
    assert cli("notice", "render", number, "-o", out).code == 0
    return out.read_text(encoding="utf-8")


def test_an_issued_notice_keeps_the_person_it_named(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", PUYANG).code == 0
    interview = next(n for n in check(cli, "2017-05-05")["notices"] if n["kind"] == "interview")
    unit = interview["units"][0]
    before = markdown(cli, tmp_path, interview["number"])
    assert cli("person", "1", unit, "--name", "新任甲", "--email", "new@example.gov.cn").code == 0
    after = markdown(cli, tmp_path, interview["number"])
    assert after == before and "新任甲" not in after
    # A notice issued after the change names the new person.
    referral = next(n for n in check(cli, "2017-07-30")["notices"] if n["units"] == [unit])
    assert "新任甲" in markdown(cli, tmp_path, referral["number"])


def test_a_notice_after_an_extension_gives_the_extended_deadline(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", PUYANG).code == 0
    made = cli(
        "extend",
        "1",
        "2",
        "清丰县",
        "--to",
        "2017-06-30",
        "--reason",
        "资金未到位",
        "--late",
        "--as-of",
        "2017-05-10",
        "--json",
    )
    assert made.code == 0, made.err
    assert cli("approve", str(made.json()["id"])).code == 0
    warning = next(
        n for n in check(cli, "2017-07-02")["notices"] if n["kind"] == "warning" and n["units"] == ["清丰县政府"]
    )
    text = markdown(cli, tmp_path, warning["number"])
    assert "| 2017年4月底完成（已延期至2017年6月30日） | 2 |" in text


def test_an_interview_on_criticisms_names_the_bulletins(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    imported(cli, tmp_path, LEDGER + REPORTS)
    first = [n for n in check(cli, "2017-01-26")["notices"] if n["kind"] == "criticism"]  # January's report
    second = [n for n in check(cli, "2017-02-26")["notices"] if n["kind"] == "criticism"]  # February's
    interviews = [n for n in check(cli, "2017-04-01")["notices"] if n["kind"] == "interview"]  # 1 day late
    assert first and second and interviews
    text = show(cli, next(n["number"] for n in interviews if n["units"] == ["甲县政府"]))
    assert f"2017年1月26日予以通报批评（{first[0]['number']}）" in text
    assert f"2017年2月26日予以通报批评（{second[0]['number']}）" in text
    assert "此前未" not in text and "严重" not in text


def test_an_interview_cannot_be_set_before_its_notice_nor_at_a_morning_afternoon(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", PUYANG).code == 0
    number = next(n["number"] for n in check(cli, "2017-05-05")["notices"] if n["kind"] == "interview")
    early = cli("interview-schedule", number, "--at", "2017-05-01 09:00")
    assert early.code == 2 and "before the notice" in early.err
    odd = cli("interview-schedule", number, "--at", "2017年5月12日上午15时")
    assert odd.code == 2 and "上午" in odd.err
    assert cli("notice", "show", number, "--json").json()["meeting_at"] is None


def test_a_termination_cannot_be_dated_in_the_future(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", PUYANG).code == 0
    result = cli("terminate", "1", "台前县", "--reason", "试点终止", "--on", "2199-01-01")
    assert result.code == 2 and "future" in result.err
    assert {r["status"] for r in cli("show", "1", "--json").json()["rows"] if r["unit"] == "台前县政府"} == {"todo"}


def test_an_interview_is_not_held_before_its_notice(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", PUYANG).code == 0
    interview = next(n for n in check(cli, "2017-05-05")["notices"] if n["kind"] == "interview")
    unit = interview["units"][0]
    early = cli("interviewed", "1", unit, "--on", "2017-04-01")
    assert early.code == 2 and "2017-05-05" in early.err
    assert cli("interviewed", "1", unit, "--on", "2017-05-10").code == 0
    assert unit not in {e["unit"] for e in cli("interviews", "--json").json()}


def test_a_report_is_received_for_a_period_due_by_then_or_the_next(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    imported(cli, tmp_path, LEDGER.replace("每月", "") + '\n[[reports]]\nname = "季度简报"\ndeadline = "每季度末"\n')
    for period in ("2017-03-31", "2017-06-30"):
        assert cli("received", "1", "甲县", "--on", "2017-03-30", "--period", period).code == 0
    ahead = cli("received", "1", "甲县", "--on", "2017-03-30")  # the earliest open one is 09-30
    assert ahead.code == 2 and "--period 2017-09-30" in ahead.err
    unknown = cli("received", "1", "甲县", "--on", "2017-03-30", "--report", "年报")
    assert unknown.code == 2 and "季度简报" in unknown.err


def test_receiving_a_report_named_missing_says_it_still_counts_missing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    imported(cli, tmp_path, LEDGER + REPORTS)
    assert any(n["kind"] == "criticism" for n in check(cli, "2017-01-26")["notices"])  # January's, missing
    named = cli("received", "1", "甲县", "--on", "2017-02-10", "--period", "2017-01-25")
    assert named.code == 0 and "仍计为漏报" in named.out
    late = cli("received", "1", "乙县", "--on", "2017-01-26", "--period", "2017-01-25")  # no bulletin before
    assert late.code == 0 and "(迟报)" in late.out and "漏报" not in late.out


def test_reimporting_the_file_keeps_a_personnel_change(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", PUYANG).code == 0
    assert cli("person", "1", "南乐县", "--name", "赵六", "--email", "zhaoliu@example.gov.cn").code == 0
    assert cli("import", PUYANG).code == 0
    rows = [r for r in cli("show", "1", "--json").json()["rows"] if r["unit"] == "南乐县政府"]
    assert {r["person"] for r in rows} == {"赵六"}
    assert [h["action"] for h in cli("history", "1", "-", "南乐县", "--json").json()].count("person") == 1


def test_an_issued_notice_keeps_its_words_after_a_reimport(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    imported(cli, tmp_path, LEDGER)
    warning = next(n for n in check(cli, "2017-04-05")["notices"] if n["units"] == ["甲县政府"])
    before = markdown(cli, tmp_path, warning["number"])
    assert "| 任务一 | 2017年3月31日 |" in before
    changed = LEDGER.replace(
        'text = "任务一"\ndeadline = "2017年3月31日"', 'text = "任务一（修订）"\ndeadline = "2017年3月31日前"'
    )
    assert changed != LEDGER
    imported(cli, tmp_path, changed)
    assert markdown(cli, tmp_path, warning["number"]) == before
    # A notice issued after the re-import gives the new words.
    later = next(n for n in check(cli, "2017-04-20")["notices"] if n["kind"] == "criticism")
    assert "任务一（修订）" in markdown(cli, tmp_path, later["number"])
