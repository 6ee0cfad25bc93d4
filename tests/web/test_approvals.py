"""The portal's requests and decisions over ASGI, both backends: a unit's extension request on its
own assignment (before the deadline, reason and date required; another unit's is the 404 page),
the approval queue (approve / refuse each step with its chain shown, a refusal needs a reason, a
clerk cannot decide a supervisor's step, two deciders: one wins, the other is told), the outbox's
批准发送, notices with their 签收 state and pages, the interview list, the calendar download."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from tests.web.conftest import Portal, csrf_of
from tracker.config import ApprovalSettings
from tracker.models import Extension, Ledger

Client = Callable[..., TestClient]
OWN = 28  # 南乐县政府's task 6, due 2017-11-30 (the clock: 2017-09-15)
PAST = 23  # 南乐县政府's task 5, due 2017-08-31: past
OTHERS = 26  # 濮阳县政府's task 6


def post(browser: TestClient, path: str, **data: str) -> object:
    return browser.post(path, data={"csrf": csrf_of(browser.get("/").text), **data})


def chained(portal: Portal, *roles: str) -> None:
    tracker = portal.tracker
    tracker.settings = tracker.settings.model_copy(update={"approval": ApprovalSettings(extension=list(roles))})


def extension(portal: Portal, request_id: int) -> Extension:
    with portal.tracker.session() as session:
        found = session.get(Extension, request_id)
        assert found is not None
        return found


def ask(client: Client, assignment: int = OWN, **data: str) -> TestClient:
    unit = client("unit")
    answer = post(unit, f"/assignments/{assignment}/extension", **({"to": "2017-12-31", "reason": "资金未到位"} | data))
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    assert answer.headers["location"] == f"/assignments/{assignment}/extension?sent=2"  # type: ignore[attr-defined]
    return unit


def test_a_unit_requests_an_extension_and_sees_each_step(client: Client, portal: Portal) -> None:
    chained(portal, "clerk", "supervisor")
    unit = client("unit")
    page = unit.get(f"/assignments/{OWN}/extension").text
    assert "2017-11-30" in page and "提交延期申请" in page
    ask(client)
    made = extension(portal, 2)
    assert (made.status, made.new_due.isoformat(), made.reason, made.requested_by) == (
        "pending",
        "2017-12-31",
        "资金未到位",
        "unit",
    )
    page = unit.get(f"/assignments/{OWN}/extension?sent=2").text
    assert (
        "延期申请已提交" in page and "审批中" in page and "第1步 · 督查员" in page and "第2步 · 科长/分管领导" in page
    )
    assert "已有延期申请正在审批中" in page and "提交延期申请" not in page  # one at a time
    clerk = client("clerk")
    answer = post(clerk, "/approvals/2/decide", decision="approve", step="1", reason="情况属实")
    assert answer.status_code == 303  # type: ignore[attr-defined]
    assert "第1步已同意，下一步等待科长/分管领导审批" in clerk.get(answer.headers["location"]).text  # type: ignore[attr-defined]
    queue = client("supervisor").get("/approvals").text
    assert "情况属实" in queue and "第1步 · 督查员" in queue and "clerk · 2017-09-15 10:00" in queue
    page = unit.get(f"/assignments/{OWN}/extension").text
    assert "意见：情况属实" in page and "clerk · 2017-09-15 10:00" in page and "审批中" in page


def test_what_a_request_needs(client: Client, portal: Portal) -> None:
    unit = client("unit")
    for data, said in [
        ({"to": "", "reason": "资金"}, "请填写申请延至的日期"),
        ({"to": "2017-13-01", "reason": "资金"}, "不是有效日期"),
        ({"to": "2017-12-31", "reason": "  "}, "理由"),
        ({"to": "2017-11-01", "reason": "资金"}, "2017-11-30"),  # not after the deadline in force
    ]:
        answer = post(unit, f"/assignments/{OWN}/extension", **data)
        assert answer.status_code == 400 and said in answer.text, data  # type: ignore[attr-defined]
        assert data["reason"] in answer.text  # what was typed stays
    with portal.tracker.session() as session:
        assert session.exec(select(Extension).where(Extension.assignment_id == OWN)).first() is None


def test_only_before_the_deadline(client: Client, portal: Portal) -> None:
    unit = client("unit")
    page = unit.get(f"/assignments/{PAST}/extension").text
    assert "期限已过，不能在线申请延期" in page and 'name="to"' not in page
    answer = post(unit, f"/assignments/{PAST}/extension", to="2017-12-31", reason="资金")
    assert answer.status_code == 400 and "已过" in answer.text  # type: ignore[attr-defined]
    with portal.tracker.session() as session:
        assert session.exec(select(Extension).where(Extension.assignment_id == PAST)).first() is None


def test_another_units_assignment_is_the_404_page(client: Client, portal: Portal) -> None:
    unit = client("unit")
    assert unit.get(f"/assignments/{OTHERS}/extension").status_code == 404
    answer = post(unit, f"/assignments/{OTHERS}/extension", to="2017-12-31", reason="资金")
    assert answer.status_code == 404 and "找不到" in answer.text  # type: ignore[attr-defined]
    assert unit.get("/assignments/99999/extension").status_code == 404  # as a missing one
    with portal.tracker.session() as session:
        assert session.exec(select(Extension).where(Extension.assignment_id == OTHERS)).first() is None


@pytest.mark.parametrize(
    ("login", "path", "data"),
    [
        ("unit", f"/assignments/{OWN}/extension", {"to": "2017-12-31", "reason": "资金"}),
        ("supervisor", "/approvals/1/decide", {"decision": "approve", "step": "1"}),
        ("supervisor", "/outbox/approve", {}),
    ],
)
def test_no_csrf_no_change(client: Client, portal: Portal, login: str, path: str, data: dict[str, str]) -> None:
    browser = client(login)
    for token in ({}, {"csrf": "forged"}):
        answer = browser.post(path, data=data | token)
        assert answer.status_code == 403 and "页面已过期" in answer.text
    assert extension(portal, 1).status == "pending"
    with portal.tracker.session() as session:
        assert len(session.exec(select(Extension)).all()) == 1


def test_a_refusal_needs_a_reason(client: Client, portal: Portal) -> None:
    supervisor = client("supervisor")
    answer = post(supervisor, "/approvals/1/decide", decision="refuse", step="1", reason=" ")
    assert answer.status_code == 400 and "理由" in answer.text  # type: ignore[attr-defined]
    assert extension(portal, 1).status == "pending"
    answer = post(supervisor, "/approvals/1/decide", decision="refuse", step="1", reason="理由不充分")
    assert answer.status_code == 303  # type: ignore[attr-defined]
    assert "未获批准" in supervisor.get(answer.headers["location"]).text  # type: ignore[attr-defined]
    assert (extension(portal, 1).status, extension(portal, 1).decision_reason) == ("refused", "理由不充分")


def test_a_clerk_cannot_decide_a_supervisors_step(client: Client, portal: Portal) -> None:
    clerk = client("clerk")
    assert "request-1" not in clerk.get("/approvals").text  # not in its queue
    answer = post(clerk, "/approvals/1/decide", decision="approve", step="1")
    assert answer.status_code == 403 and "无权访问" in answer.text and "科长/分管领导" in answer.text  # type: ignore[attr-defined]
    assert extension(portal, 1).status == "pending"
    for login in ("viewer", "unit"):
        assert post(client(login), "/approvals/1/decide", decision="approve", step="1").status_code == 403  # type: ignore[attr-defined]


def test_two_deciders_one_wins_the_other_is_told(client: Client, portal: Portal) -> None:
    """Both saw step 1: the second click is refused with why (409), never decides step 2 unseen."""
    chained(portal, "clerk", "supervisor")
    ask(client)
    clerk, admin = client("clerk"), client("admin")
    assert 'name="step" value="1"' in admin.get("/approvals").text
    assert post(clerk, "/approvals/2/decide", decision="approve", step="1").status_code == 303  # type: ignore[attr-defined]
    answer = post(admin, "/approvals/2/decide", decision="refuse", step="1", reason="不同意")
    assert answer.status_code == 409 and "刚已由他人审批" in answer.text  # type: ignore[attr-defined]
    assert "不同意" in answer.text  # what it typed stays, beside the queue as it is now
    assert extension(portal, 2).status == "pending"
    supervisor = client("supervisor")
    assert post(supervisor, "/approvals/2/decide", decision="approve", step="2").status_code == 303  # type: ignore[attr-defined]
    answer = post(admin, "/approvals/2/decide", decision="approve", step="2")
    assert answer.status_code == 409 and "已处理完毕" in answer.text  # type: ignore[attr-defined]
    assert extension(portal, 2).status == "approved"
    page = client("unit").get(f"/assignments/{OWN}/extension").text
    assert "已批准" in page and "2017-12-31" in page and "原期限 2017-11-30" in page


def test_a_ledgers_own_chain_and_requests_of_every_kind(client: Client, portal: Portal) -> None:
    """A termination (T1) waits in the same queue; deciding it through the page ends the unit."""
    from tracker.usecases import changes
    from tracker.usecases.work import Actor

    with portal.tracker.session() as session:
        ledger = session.exec(select(Ledger)).first()
        assert ledger is not None
        ledger.approval = '{"termination": ["clerk", "supervisor"]}'
        session.add(ledger)
        session.commit()
        title = ledger.title
    made = changes.terminate(portal.tracker, Actor("admin"), title, "南乐县政府", reason="机构撤并")
    assert made.request == "T1"
    clerk = client("clerk")
    page = clerk.get("/approvals").text
    assert "终止申请 T1" in page and "机构撤并" in page
    assert post(clerk, "/approvals/T1/decide", decision="approve", step="1").status_code == 303  # type: ignore[attr-defined]
    answer = post(client("supervisor"), "/approvals/T1/decide", decision="approve", step="2")
    assert answer.headers["location"].startswith("/approvals?ref=T1&result=approved")  # type: ignore[attr-defined]
    assert post(clerk, "/approvals/X1/decide", decision="approve", step="1").status_code == 404  # type: ignore[attr-defined]
    assert post(clerk, "/approvals/T99/decide", decision="approve", step="1").status_code == 404  # type: ignore[attr-defined]


def test_the_outbox_is_approved_by_a_supervisor(client: Client, portal: Portal) -> None:
    import datetime as dt

    from tracker.models import OutboxMessage

    at = dt.datetime(2017, 9, 15, 1, tzinfo=dt.UTC)
    with portal.tracker.session() as session:
        for n in (1, 2):
            session.add(
                OutboxMessage(
                    key=f"weekly:2017-09-15:{n}",
                    kind="weekly",
                    as_of=at.date(),
                    to_addr=f"leader{n}@example.org",
                    subject="督查周报",
                    text="",
                    html="",
                    message_id=f"<weekly-{n}@example.org>",
                    created_at=at,
                )
            )
        session.commit()
    clerk, supervisor = client("clerk"), client("supervisor")
    page = supervisor.get("/outbox").text
    assert page.count("（待批准）") == 2 and "2 条消息待批准发送" in page and "批准发送</button>" in page
    page = clerk.get("/outbox").text
    assert "批准发送</button>" not in page and "由科长/分管领导或管理员操作" in page
    assert post(clerk, "/outbox/approve").status_code == 403  # type: ignore[attr-defined]
    answer = post(supervisor, "/outbox/approve")
    assert answer.status_code == 303  # type: ignore[attr-defined]
    page = supervisor.get(answer.headers["location"]).text  # type: ignore[attr-defined]
    assert "已批准 2 条消息" in page and "（待批准）" not in page
    with portal.tracker.session() as session:
        assert {m.approved_by for m in session.exec(select(OutboxMessage))} == {"supervisor"}


def test_notices_with_their_ack_state_a_page_at_a_time(client: Client) -> None:
    clerk = client("clerk")
    first = clerk.get("/notices").text
    assert "共 136 件" in first and "第 1 / 3 页" in first and first.count("<tr>") == 51
    assert "逾期未签收" in first and "应于 " in first
    last = clerk.get("/notices?show=all&page=3").text
    assert last.count("<tr>") == 37 and "上一页" in last and "下一页" not in last
    assert clerk.get("/notices?page=99").text.count("<tr>") == 37  # past the end: the last page
    assert clerk.get("/notices?page=x").status_code == 200
    overdue = clerk.get("/notices?show=overdue").text
    rows = overdue.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in overdue else ""
    assert rows.count("<tr>") == rows.count("逾期未签收")
    unit = client("unit").get("/notices").text
    shown = unit.split("<tbody>")[1].count("<tr>")
    assert f"共 {shown} 件" in unit and 0 < shown < 50 and "督查〔2017〕4号" not in unit  # its own only


def test_the_interview_list_prints(client: Client) -> None:
    page = client("viewer").get("/interviews").text
    assert "约谈名单" in page and "南乐县政府" in page and "刘冰" in page and "逾期77天（截至2017-09-15）" in page
    assert "data-print" in page and '<script src="/static/print.js"></script>' in page
    script = client("viewer").get("/static/print.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert client("unit").get("/interviews").status_code == 403


def test_the_calendar_downloads(client: Client) -> None:
    answer = client("viewer").get("/exports/deadlines.ics")  # also linked from the interview list
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "2017-09-15.ics" in answer.headers["content-disposition"]
    assert answer.text.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in answer.text
    assert client("unit").get("/exports/deadlines.ics").status_code == 403


def test_an_extension_closed_when_the_units_work_ended_shows_as_closed(client: Client, portal: Portal) -> None:
    """Ending a unit's work closes its waiting extension (tracker/changes.py); the request's page
    says 已关闭 (it had no words for a closed request: a 500)."""
    from tracker.usecases.changes import terminate
    from tracker.usecases.work import Actor

    unit = ask(client)
    terminate(portal.tracker, Actor("supervisor"), "1", "南乐县政府", reason="机构调整")
    assert extension(portal, 2).status == "closed"
    for browser in (unit, client("clerk")):
        page = browser.get(f"/assignments/{OWN}/extension")
        assert page.status_code == 200 and "已关闭" in page.text, page.text
    assert "资金未到位" not in client("supervisor").get("/approvals").text  # gone from the queue
