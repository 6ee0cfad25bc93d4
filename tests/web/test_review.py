"""The completion review loop over HTTP (the ASGI test client), both backends: a unit applies for
completion (申请办结) with evidence, the bureau returns it with a reason or accepts it (销号),
the unit sees the reason and submits again; refused uploads, another unit's assignment and
evidence refused as missing, CSRF, a return without a reason, two clerks deciding at once; the
evidence and the weekly table as downloads."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlmodel import col, select
from starlette.testclient import TestClient

from tests.evidence_samples import SAMPLES, stored_files
from tests.web.conftest import Portal, csrf_of
from tracker.models import Assignment, AuditEntry, Evidence, Submission

Client = Callable[..., TestClient]
OWN, OTHER = 28, 26  # 任务 6: 南乐县政府 (the unit account's), 濮阳县政府 (unit2's); due 2017-11-30
PDF = "评审意见.pdf"


def complete(browser: TestClient, assignment: int, *, files: dict[str, bytes] | None = None, **fields: str) -> object:
    page = browser.get(f"/assignments/{assignment}/complete")
    data = {"csrf": csrf_of(page.text), "done_on": "2017-09-10", "note": "系统已上线运行"} | fields
    uploads = [("evidence", (name, content, "application/octet-stream")) for name, content in (files or {}).items()]
    return browser.post(f"/assignments/{assignment}/complete", data=data, files=uploads or None)


def decide(browser: TestClient, submission: int, what: str, reason: str | None = None) -> object:
    data = {"csrf": csrf_of(browser.get("/review").text)}
    if reason is not None:
        data["reason"] = reason
    return browser.post(f"/review/{submission}/{what}", data=data)


def status_of(portal: Portal, assignment: int) -> str:
    with portal.tracker.session() as session:
        found = session.get(Assignment, assignment)
        assert found is not None
        return found.status


def submissions(portal: Portal) -> list[Submission]:
    with portal.tracker.session() as session:
        return list(session.exec(select(Submission).order_by(col(Submission.id))))


def actions(portal: Portal) -> list[str]:
    with portal.tracker.session() as session:
        return [e.action for e in session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))]


def test_apply_return_with_reason_resubmit_accept(client: Client, portal: Portal) -> None:
    unit, clerk = client("unit"), client("clerk")
    answer = complete(unit, OWN, files={PDF: SAMPLES[PDF]})
    assert answer.status_code == 303 and answer.headers["location"] == f"/assignments/{OWN}/complete?submitted=1"  # type: ignore[attr-defined]
    assert status_of(portal, OWN) == "submitted"
    shown = unit.get(f"/assignments/{OWN}/complete?submitted=1").text
    assert "已提交办结申请" in shown and PDF in shown and 'name="done_on"' not in shown  # no second submission
    first = submissions(portal)[0]
    queue = clerk.get("/review").text
    assert "任务 6 / 南乐县政府" in queue and PDF in queue and f"/review/{first.id}/accept" in queue

    reason = "佐证材料不全，请补充<b>验收报告</b>"
    answer = decide(clerk, first.id or 0, "return", reason)
    assert answer.status_code == 303 and "已退回提交" in clerk.get(answer.headers["location"]).text  # type: ignore[attr-defined]
    assert status_of(portal, OWN) == "returned"
    page = unit.get(f"/assignments/{OWN}/complete").text
    assert "被退回" in page and "佐证材料不全，请补充&lt;b&gt;验收报告&lt;/b&gt;" in page  # escaped, shown
    assert "重新提交办结申请" in page and 'name="done_on"' in page

    assert complete(unit, OWN, note="已补充验收报告", files={"验收报告.pdf": SAMPLES[PDF]}).status_code == 303  # type: ignore[attr-defined]
    second = submissions(portal)[1]
    assert decide(clerk, second.id or 0, "accept").status_code == 303  # type: ignore[attr-defined]
    assert status_of(portal, OWN) == "done"
    assert "已销号" in unit.get(f"/assignments/{OWN}/complete").text
    with portal.tracker.session() as session:
        assignment = session.get(Assignment, OWN)
        assert assignment is not None and str(assignment.completed_on) == "2017-09-10"
        names = [e.name for e in session.exec(select(Evidence).where(Evidence.assignment_id == OWN))]
    assert names == [PDF, "验收报告.pdf"]
    assert [a for a in actions(portal) if a.startswith("review-")] == [
        "review-submitted",
        "review-returned",
        "review-submitted",
        "review-accepted",
    ]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("通知.pdf", b"<!doctype html><script>alert(1)</script>", "看起来是网页"),
        ("评审意见.png", SAMPLES[PDF], "后缀"),
        ("程序.exe", b"MZ" + bytes(64), "可执行程序"),
        ("空.pdf", b"", "文件为空"),
        ("../../etc/passwd.pdf", b"root:x:0:0", "文件名含有路径"),
    ],
)
def test_a_refused_upload_is_said_and_nothing_is_kept(
    client: Client, portal: Portal, tmp_path: Path, name: str, content: bytes, words: str
) -> None:
    unit = client("unit")
    answer = complete(unit, OWN, note="保留这段说明", files={PDF: SAMPLES[PDF], name: content})
    assert answer.status_code == 400, answer.text  # type: ignore[attr-defined]
    assert words in answer.text and "保留这段说明" in answer.text  # type: ignore[attr-defined]
    assert status_of(portal, OWN) == "todo" and submissions(portal) == []
    assert stored_files(tmp_path / "data") == []


def test_an_oversize_upload_is_refused_naming_the_limit(
    client: Client, portal: Portal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = portal.tracker.settings
    small = settings.model_copy(update={"evidence": settings.evidence.model_copy(update={"max_mib": 1})})
    monkeypatch.setattr(portal.tracker, "settings", small)
    unit = client("unit")
    big = SAMPLES[PDF] + bytes(1024 * 1024)
    answer = complete(unit, OWN, files={"扫描件.pdf": big})
    assert answer.status_code == 400 and "超过上限" in answer.text and "1 MiB" in answer.text  # type: ignore[attr-defined]
    assert submissions(portal) == [] and stored_files(tmp_path / "data") == []


def test_a_future_done_date_is_refused_on_the_form(client: Client, portal: Portal) -> None:
    answer = complete(client("unit"), OWN, done_on="2017-12-01")
    assert answer.status_code == 400 and "晚于今天" in answer.text  # type: ignore[attr-defined]
    assert submissions(portal) == []


def test_another_units_assignment_and_evidence_are_missing_to_a_unit(client: Client, portal: Portal) -> None:
    unit, unit2 = client("unit"), client("unit2")
    assert complete(unit2, OTHER, files={PDF: SAMPLES[PDF]}).status_code == 303  # type: ignore[attr-defined]
    with portal.tracker.session() as session:
        theirs = session.exec(select(Evidence)).one().id
    assert unit.get(f"/assignments/{OTHER}/complete").status_code == 404
    token = csrf_of(unit.get("/").text)
    answer = unit.post(f"/assignments/{OTHER}/complete", data={"csrf": token, "done_on": "2017-09-10"})
    assert answer.status_code == 404 and "找不到" in answer.text
    assert unit.get(f"/evidence/{theirs}").status_code == unit.get("/evidence/99999").status_code == 404
    assert len(submissions(portal)) == 1 and status_of(portal, OWN) == "todo"
    assert unit2.get(f"/evidence/{theirs}").status_code == 200  # its own
    assert actions(portal).count("refused") >= 3


def test_posts_without_the_csrf_token_are_refused(client: Client, portal: Portal) -> None:
    unit, clerk = client("unit"), client("clerk")
    answer = unit.post(
        f"/assignments/{OWN}/complete",
        data={"done_on": "2017-09-10"},
        files=[("evidence", (PDF, SAMPLES[PDF], "application/pdf"))],
    )
    assert answer.status_code == 403 and submissions(portal) == []
    assert complete(unit, OWN).status_code == 303  # type: ignore[attr-defined]
    submission = submissions(portal)[0].id
    for what in ("accept", "return"):
        assert clerk.post(f"/review/{submission}/{what}", data={"reason": "x", "csrf": "forged"}).status_code == 403
    assert submissions(portal)[0].decision == "pending"


def test_a_return_without_a_reason_is_refused(client: Client, portal: Portal) -> None:
    assert complete(client("unit"), OWN).status_code == 303  # type: ignore[attr-defined]
    clerk = client("clerk")
    submission = submissions(portal)[0].id or 0
    for reason in (None, "", "   "):
        answer = decide(clerk, submission, "return", reason)
        assert answer.status_code == 400 and "退回须写明理由" in answer.text  # type: ignore[attr-defined]
        assert "--reason" not in answer.text  # type: ignore[attr-defined]  # the CLI's wording is not the portal's
    assert submissions(portal)[0].decision == "pending" and status_of(portal, OWN) == "submitted"


def test_a_unit_and_a_viewer_may_not_decide(client: Client, portal: Portal) -> None:
    assert complete(client("unit"), OWN).status_code == 303  # type: ignore[attr-defined]
    submission = submissions(portal)[0].id or 0
    unit, viewer = client("unit"), client("viewer")
    token = csrf_of(unit.get("/").text)
    assert unit.post(f"/review/{submission}/accept", data={"csrf": token}).status_code == 403
    page = viewer.get("/review").text
    assert "任务 6 / 南乐县政府" in page and "/accept" not in page  # the queue, without the buttons
    assert decide(viewer, submission, "accept").status_code == 403  # type: ignore[attr-defined]
    assert submissions(portal)[0].decision == "pending"


def test_two_clerks_deciding_one_after_the_other(client: Client, portal: Portal) -> None:
    """Both saw the queue; the second to decide is told the first did (409), nothing changed."""
    assert complete(client("unit"), OWN).status_code == 303  # type: ignore[attr-defined]
    submission = submissions(portal)[0].id or 0
    clerk, supervisor = client("clerk"), client("supervisor")
    late_token = csrf_of(supervisor.get("/review").text)
    assert decide(clerk, submission, "accept").status_code == 303  # type: ignore[attr-defined]
    answer = supervisor.post(f"/review/{submission}/return", data={"csrf": late_token, "reason": "不同意"})
    assert answer.status_code == 409 and f"提交 {submission} 已处理（已销号）" in answer.text
    assert status_of(portal, OWN) == "done" and submissions(portal)[0].decided_by == "clerk"


def test_two_clerks_deciding_at_once_the_use_cases_guard_lets_one_win(
    client: Client, portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The supervisor's return has found the submission pending when the clerk's accept commits:
    the guard on the decision (an update of a pending row only) refuses the return, 409."""
    from tracker.usecases import review
    from tracker.usecases.work import Actor

    assert complete(client("unit"), OWN).status_code == 303  # type: ignore[attr-defined]
    submission = submissions(portal)[0].id or 0
    looked_up = review._pending
    raced: list[int] = []

    def racing(work: object, number: int) -> object:
        found = looked_up(work, number)  # type: ignore[arg-type]
        if not raced:  # between the look-up and the decision, another clerk decides (its own transaction)
            raced.append(number)
            review.accept_completion(portal.tracker, Actor("clerk"), number)
        return found

    monkeypatch.setattr(review, "_pending", racing)
    answer = decide(client("supervisor"), submission, "return", "不同意")
    assert raced == [submission]
    assert answer.status_code == 409 and f"提交 {submission} 已处理" in answer.text  # type: ignore[attr-defined]
    row = submissions(portal)[0]
    assert (row.decision, row.decided_by, row.reason) == ("accepted", "clerk", "")
    assert status_of(portal, OWN) == "done"
    assert actions(portal).count("review-returned") == 0


def test_evidence_downloads_as_an_attachment(client: Client, portal: Portal) -> None:
    assert complete(client("unit"), OWN, files={PDF: SAMPLES[PDF]}).status_code == 303  # type: ignore[attr-defined]
    with portal.tracker.session() as session:
        evidence = session.exec(select(Evidence)).one().id
    for role in ("clerk", "viewer", "unit"):
        answer = client(role).get(f"/evidence/{evidence}")
        assert answer.status_code == 200 and answer.content == SAMPLES[PDF]
        assert answer.headers["content-type"] == "application/pdf"
        assert answer.headers["x-content-type-options"] == "nosniff"
        disposition = answer.headers["content-disposition"]
        assert disposition.startswith("attachment;") and f"filename*=UTF-8''{quote(PDF)}" in disposition
    assert actions(portal).count("evidence-downloaded") == 3


def test_the_weekly_table_downloads_as_xlsx_with_a_chinese_name(client: Client, portal: Portal) -> None:
    import openpyxl

    answer = client("viewer").get("/exports/weekly.xlsx?as_of=2017-09-15")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith("attachment;") and 'filename="2017-09-15.xlsx"' in disposition
    assert f"filename*=UTF-8''{quote('进度表-2017-09-15.xlsx')}" in disposition
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert any(name.startswith("进度表") for name in book.sheetnames)
    bad = client("clerk").get("/exports/weekly.xlsx?as_of=明年")
    assert bad.status_code == 400 and "无法识别" in bad.text
    calendar = client("clerk").get("/exports/deadlines.ics")
    assert calendar.status_code == 200 and calendar.content.startswith(b"BEGIN:VCALENDAR")
    assert "attachment;" in calendar.headers["content-disposition"]
