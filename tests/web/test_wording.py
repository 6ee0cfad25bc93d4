"""What a user reads when the portal refuses or translates (found by walking the portal as a
county clerk, a bureau clerk, a supervisor and a leader): a refusal names what was typed in the
page's language (not the CLI's English), the 403
page names no permission key, English leaves no level label in Chinese, a leader's menu offers no
page it may not open, the language switch goes back only within the portal. Both backends."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from sqlmodel import select
from starlette.testclient import TestClient

from tests.web.conftest import Portal, csrf_of, import_reporting
from tracker.models import Assignment, Submission

Client = Callable[..., TestClient]
OWN = 8  # task 2 of the demo ledger: 南乐县政府's assignment
ERROR = re.compile(r'<p class="error" role="alert">([^<]*)</p>')


def english(browser: TestClient) -> TestClient:
    token = csrf_of(browser.get("/").text)
    assert browser.post("/lang", data={"csrf": token, "back": "/"}).status_code == 303
    return browser


def test_a_refusal_names_what_was_typed_not_a_placeholder(client: Client) -> None:
    unit = client("unit")
    token = csrf_of(unit.get(f"/assignments/{OWN}").text)
    for typed in ("abc", "101", "-1"):
        answer = unit.post(f"/assignments/{OWN}/progress", data={"csrf": token, "status": "doing", "percent": typed})
        message = ERROR.findall(answer.text)[0]
        assert answer.status_code == 400 and f"不是“{typed}”" in message and "{" not in message, message


def test_the_403_page_names_no_permission_key_in_either_language(client: Client) -> None:
    unit = client("unit")
    page = unit.get("/approvals")
    assert page.status_code == 403 and "本账号无权进行此操作" in page.text and "approval.queue" not in page.text
    page = english(unit).get("/dashboard")
    assert page.status_code == 403 and "your account may not do this" in page.text
    assert "单位" not in page.text and "“read”" not in page.text


def test_english_dashboard_names_the_levels_in_english(client: Client) -> None:
    clerk = english(client("clerk"))
    page = clerk.get("/dashboard?ledger=1")
    assert page.status_code == 200 and "Overdue · criticism" in page.text
    assert not re.search("Overdue · [\u4e00-\u9fff]", page.text)
    profile = clerk.get("/dashboard/units/南乐县政府")
    assert "Received: interview" in profile.text and not re.search("Received: [\u4e00-\u9fff]", profile.text)
    assert "收到约谈" in client("clerk").get("/dashboard/units/南乐县政府").text  # Chinese as before


def test_a_leader_is_offered_no_page_or_button_it_may_not_use(client: Client) -> None:
    viewer, clerk = client("viewer"), client("clerk")
    assert 'href="/approvals"' not in viewer.get("/").text and viewer.get("/approvals").status_code == 403
    assert 'href="/approvals"' in clerk.get("/").text
    notices = viewer.get("/notices").text
    assert "逾期未签收" in notices and 'action="/notices/' not in notices  # no 签收 button: its 403 page
    assert 'action="/notices/' in clerk.get("/notices").text
    assert ">代单位签收</button>" in clerk.get("/notices").text  # a clerk's click is not the unit's own 签收


def test_the_language_switch_goes_back_only_within_the_portal(client: Client) -> None:
    browser = client()
    token = csrf_of(browser.get("/login").text)
    for back, where in [("/notices?page=2", "/notices?page=2"), ("/\\evil.example/", "/"), ("//evil.example/", "/")]:
        answer = browser.post("/lang", data={"csrf": token, "back": back})
        assert answer.status_code == 303 and answer.headers["location"] == where, back


def test_an_extension_refused_is_told_in_the_pages_language(client: Client) -> None:
    unit = client("unit")
    path = "/assignments/28/extension"  # task 6, due 2017-11-30: open on the portal's 2017-09-15
    cases = [
        ({"to": "2017-11-01", "reason": "招标流标"}, "申请延至的日期 2017-11-01 须晚于现行期限 2017-11-30"),
        ({"to": "2017-12-31", "reason": "   "}, "请写明理由"),
    ]
    for fields, message in cases:
        answer = unit.post(path, data={"csrf": csrf_of(unit.get(path).text)} | fields)
        assert answer.status_code == 400 and ERROR.findall(answer.text)[0] == message, fields
    sent = unit.post(path, data={"csrf": csrf_of(unit.get(path).text), "to": "2017-12-31", "reason": "招标流标"})
    assert sent.status_code == 303
    again = unit.post(path, data={"csrf": csrf_of(unit.get(path).text), "to": "2018-01-31", "reason": "招标流标"})
    assert "正在审批中，请等待审批结果" in ERROR.findall(again.text)[0]
    english(unit)
    answer = unit.post(path, data={"csrf": csrf_of(unit.get(path).text), "to": "2017-11-01", "reason": "x"})
    assert "must be after the current one (2017-11-30)" in ERROR.findall(answer.text)[0]


def test_a_periodic_report_sent_twice_is_told_in_chinese(client: Client, portal: Portal, tmp_path: Path) -> None:
    import_reporting(portal, tmp_path)
    unit = client("unit")
    data = {"csrf": csrf_of(unit.get("/").text), "ledger": "月报台账", "report": "月度进展报告", "period": "2017-04-25"}
    assert unit.post("/reports/submit", data=data).status_code == 303
    again = unit.post("/reports/submit", data=data)  # a second tab, or back and 报送 again
    assert again.status_code == 400 and "月度进展报告（2017-04-25 期）已于 2017-09-15 报送，无需再报" in again.text
    assert "was received" not in again.text


def test_the_completion_page_names_its_task_in_the_pages_language(client: Client) -> None:
    unit = client("unit")
    assert "任务2 · 南乐县政府" in unit.get(f"/assignments/{OWN}/complete").text
    page = english(unit).get(f"/assignments/{OWN}/complete").text
    assert "Task 2 · 南乐县政府" in page and "任务 2 /" not in page and "（2017-04-30）" not in page


def test_a_completion_day_before_the_ledger_or_a_deadline_past_the_calendar_is_refused(
    client: Client, portal: Portal
) -> None:
    """申请办结 on 1990-01-01 would have shown a task years late as done on time (是否按期：是); a
    new deadline of 9999-12-31 was taken as it came. Both refused in the page's language, and
    nothing is recorded."""
    unit = client("unit")
    path = f"/assignments/{OWN}/complete"
    answer = unit.post(path, data={"csrf": csrf_of(unit.get(path).text), "done_on": "1990-01-01", "note": "已完成"})
    assert answer.status_code == 400, answer.text
    assert "完成日期 1990-01-01 早于台账年初（2017-01-01），请核对" in ERROR.findall(answer.text)[0]
    token = csrf_of(unit.get(f"/assignments/{OWN}").text)
    done = {"csrf": token, "status": "done", "completed_on": "1990-01-01", "percent": "100"}
    answer = unit.post(f"/assignments/{OWN}/progress", data=done)
    assert answer.status_code == 400 and "早于台账年初" in ERROR.findall(answer.text)[0]
    with portal.tracker.session() as session:
        assert session.get(Assignment, OWN).status == "todo"  # type: ignore[union-attr]
        assert not session.exec(select(Submission).where(Submission.assignment_id == OWN)).all()
    path = "/assignments/28/extension"
    answer = unit.post(path, data={"csrf": csrf_of(unit.get(path).text), "to": "9999-12-31", "reason": "招标流标"})
    assert answer.status_code == 400 and "年份 9999 超出支持的范围（1900–2200）" in ERROR.findall(answer.text)[0]


def test_the_language_switch_comes_back_to_the_same_list(client: Client) -> None:
    """From 通知 showing only the unsigned ones, English shows the same list, not all notices."""
    clerk = client("clerk")
    page = clerk.get("/notices?show=unsigned").text
    assert 'name="back" value="/notices?show=unsigned"' in page
    answer = clerk.post("/lang", data={"csrf": csrf_of(page), "back": "/notices?show=unsigned"})
    assert answer.headers["location"] == "/notices?show=unsigned"


def test_a_weekly_table_of_a_ledger_that_is_not_there_is_refused(client: Client) -> None:
    """?ledger=abc exported every ledger instead; now the exports page says which is missing."""
    clerk = client("clerk")
    answer = clerk.get("/exports/weekly.xlsx?ledger=abc")
    assert answer.status_code == 400 and "没有名为或编号为“abc”的台账" in ERROR.findall(answer.text)[0]
    assert clerk.get("/exports/weekly.xlsx?ledger=1").headers["content-type"].startswith("application/vnd.openxml")


def test_english_charts_speak_english(client: Client) -> None:
    """The dashboard's charts and a unit's profile charts: axes, titles, week dates and the
    levels in the page's language; the ledger's and units' names as they are."""
    chinese_words = ("周末日期", "比率（%）", "按期办结率", "全台账", "逾期事项", "已发通知等级", "督办通知", "月")
    clerk = english(client("clerk"))
    page = clerk.get("/dashboard?ledger=1&as_of=2017-09-15&weeks=4").text
    charts = "".join(re.findall(r"<svg.*?</svg>", page, re.S))
    assert "Week ending" in charts and "Rate (%)" in charts and "On-time completion (by week)" in charts
    assert ">9/15<" in charts and "Whole ledger" in charts and "Notice level" in charts
    assert [w for w in chinese_words if w in charts] == []
    assert ">accountability<" in charts and "account…" not in charts  # cut at a Chinese label's length before
    profile = clerk.get("/dashboard/units/南乐县政府").text
    charts = "".join(re.findall(r"<svg.*?</svg>", profile, re.S))
    assert "南乐县政府：Completion (by week)" in charts and "周末日期" not in charts
    chinese = client("clerk").get("/dashboard?ledger=1&as_of=2017-09-15&weeks=4").text
    assert "周末日期" in chinese and ">9月15日<" in chinese and "全台账" in chinese  # Chinese as before
