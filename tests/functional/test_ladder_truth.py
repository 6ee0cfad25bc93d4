"""The ladder issues only what is true: one bulletin per ledger and run, criticisms counted by
check, reminders for reports as for tasks, and two checks at once never issue anything twice."""

from __future__ import annotations

import os
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
    import json

    notices = json.loads(listed.stdout)
    numbers = [n["number"] for n in notices]
    assert len(numbers) == len(set(numbers))
    # One notice per ledger, level, unit (bulletins: per ledger) and day, never two.
    keys = [(n["ledger"], n["kind"], tuple(n["units"]) if n["kind"] != "criticism" else (), n["as_of"]) for n in notices]
    assert len(keys) == len(set(keys))
