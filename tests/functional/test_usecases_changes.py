"""The change use cases (tracker.usecases.changes, .scores, the notices' questions) on a real
database (the demo's, at its fixed date): each does its change, its audit row names the actor who
acted, and a refusal writes nothing at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlmodel import col, func, select

from tests.tui.conftest import AS_OF, demo
from tracker.app import Tracker
from tracker.errors import InputError
from tracker.models import AuditEntry, Extension, Task, Unit
from tracker.usecases import changes
from tracker.usecases.notices import interview_list, list_notices, notice_document
from tracker.usecases.scores import ledger_scores
from tracker.usecases.work import Actor

PUYANG = "濮政办〔2017〕13号"
PILOTS = "建科研函[2013]183号"  # with a report duty and relative deadlines (tasks 4 and 5)
CLERK = Actor("督查室 李四")


@pytest.fixture
def tracker(db_url: str) -> Iterator[Tracker]:
    """The demo's ledgers and day (as the UI's tests have them), on the backend under test."""
    yield from demo(db_url)


def trail(tracker: Tracker) -> list[tuple[str, str, str]]:
    """Every audit row: (action, by, subject), oldest first."""
    with tracker.session() as session:
        rows = session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))
        return [(e.action, e.by, e.subject) for e in rows]


def refused_without_a_trace(tracker: Tracker, attempt, key: str | None = None) -> InputError:  # type: ignore[no-untyped-def]
    """``attempt`` is refused (with ``key``) and leaves the audit trail as it was."""
    before = trail(tracker)
    with pytest.raises(InputError) as refusal:
        attempt()
    assert trail(tracker) == before
    if key is not None:
        assert refusal.value.key == key
    return refusal.value


def test_trigger_date(tracker: Tracker) -> None:
    done = changes.set_trigger_date(tracker, CLERK, PILOTS, "4", on=dt.date(2017, 9, 1))
    assert (done.seq, done.due_on) == ("4", dt.date(2017, 9, 16))  # 15 days on
    assert trail(tracker)[-1] == ("trigger", CLERK.name, "任务 4")
    with tracker.session() as session:
        task = session.exec(select(Task).where(Task.ledger_id == 3, Task.seq == "4")).one()
        assert (task.trigger_on, task.due_on) == (dt.date(2017, 9, 1), dt.date(2017, 9, 16))
    # An absolute deadline needs no trigger: refused, nothing written.
    refused_without_a_trace(
        tracker, lambda: changes.set_trigger_date(tracker, CLERK, PILOTS, "1", on=AS_OF), "not_relative"
    )


def test_extension_requested_approved_refused_listed(tracker: Tracker) -> None:
    made = changes.request_extension(
        tracker, Actor("濮阳县政府 王强"), PUYANG, "6", "濮阳县政府", to=dt.date(2018, 6, 30), reason="资金未到位"
    )
    assert (made.subject, made.status, made.new_due, made.late) == (
        "任务 6 / 濮阳县政府",
        "pending",
        dt.date(2018, 6, 30),
        False,
    )
    assert trail(tracker)[-1] == ("extension-request", "濮阳县政府 王强", "任务 6 / 濮阳县政府")
    pending = changes.list_extensions(tracker, pending=True)
    assert [row["id"] for row in pending] == [1, made.id] and pending[-1]["requested_by"] == "濮阳县政府 王强"
    # A second request while one waits, and a refusal without a reason: refused, nothing written.
    refused_without_a_trace(
        tracker,
        lambda: changes.request_extension(
            tracker, CLERK, PUYANG, "6", "濮阳县政府", to=dt.date(2018, 7, 1), reason="再申请"
        ),
        "pending",
    )
    refused_without_a_trace(
        tracker, lambda: changes.decide_extension(tracker, CLERK, str(made.id), approve=False), "reason_needed"
    )
    refused = changes.decide_extension(tracker, CLERK, str(made.id), approve=False, reason="理由不足")
    assert (refused.status, refused.deadline) == ("refused", dt.date(2017, 11, 30))
    approved = changes.decide_extension(tracker, Actor("督查室 主任"), "1", approve=True)
    assert (approved.status, approved.deadline) == ("approved", dt.date(2017, 12, 31))
    assert [row[:2] for row in trail(tracker)[-2:]] == [
        ("extension-refused", CLERK.name),
        ("extension-approved", "督查室 主任"),
    ]
    with tracker.session() as session:
        decided = {e.id: (e.status, e.decided_by) for e in session.exec(select(Extension))}
    assert decided == {1: ("approved", "督查室 主任"), made.id: ("refused", CLERK.name)}
    # Decided already: refused, nothing written.
    refused_without_a_trace(tracker, lambda: changes.decide_extension(tracker, CLERK, "1", approve=True), "decided")
    assert changes.list_extensions(tracker, pending=True) == []


def test_terminating_a_unit(tracker: Tracker) -> None:
    refused_without_a_trace(
        tracker,
        lambda: changes.terminate(tracker, CLERK, PUYANG, "台前县政府", reason="试点终止", on=AS_OF.replace(day=16)),
        "terminate_future",
    )
    refused_without_a_trace(
        tracker, lambda: changes.terminate(tracker, CLERK, PUYANG, "台前县政府", reason=" "), "reason_needed"
    )
    done = changes.terminate(tracker, CLERK, PUYANG, "台前", reason="试点终止", on=dt.date(2017, 9, 1))
    assert (done.unit, done.on) == ("台前县政府", dt.date(2017, 9, 1)) and done.count > 0
    # The demo's extension request of 台前县政府, still waiting, is closed with it.
    assert trail(tracker)[-2:] == [
        ("terminate", CLERK.name, "台前县政府"),
        ("extension-closed", CLERK.name, "延期申请 1"),
    ]
    with tracker.session() as session:
        unit = session.exec(select(Unit).where(Unit.ledger_id == 1, Unit.name == "台前县政府")).one()
        assert unit.terminated_on == dt.date(2017, 9, 1)
        closed = session.get(Extension, 1)
        assert closed is not None and (closed.status, closed.decision_reason) == (
            "closed",
            "单位已终止办理（2017-09-01）",
        )
    # Nothing open is left to end.
    refused_without_a_trace(
        tracker, lambda: changes.terminate(tracker, CLERK, PUYANG, "台前县政府", reason="再次"), "nothing_open"
    )


def test_a_report_received(tracker: Tracker) -> None:
    refused_without_a_trace(
        tracker,
        lambda: changes.record_report_received(tracker, CLERK, PILOTS, "北京东城区", on=dt.date(2017, 9, 16)),
        "received_future",
    )
    done = changes.record_report_received(tracker, CLERK, PILOTS, "北京东城区", on=dt.date(2017, 9, 10))
    assert done.unit == "北京东城区" and done.received_on == dt.date(2017, 9, 10)
    assert done.due_on < done.received_on and done.standing in ("迟报", "漏报")
    action, by, subject = trail(tracker)[-1]
    assert (action, by) == ("report-received", CLERK.name) and done.due_on.isoformat() in subject
    # The same period again: refused, nothing written.
    refused_without_a_trace(
        tracker,
        lambda: changes.record_report_received(
            tracker, CLERK, PILOTS, "北京东城区", on=dt.date(2017, 9, 11), period=done.due_on
        ),
        "received_already",
    )


def test_an_interview_held_and_scheduled(tracker: Tracker) -> None:
    entry = interview_list(tracker)[0]
    notice = next(n for n in list_notices(tracker) if n.kind == "interview" and entry.unit in n.units)
    refused_without_a_trace(
        tracker,
        lambda: changes.record_interview_held(
            tracker, CLERK, str(entry.ledger_id), entry.unit, on=notice.as_of - dt.timedelta(days=1)
        ),
        "interview_before_notice",
    )
    scheduled = changes.schedule_interview(tracker, CLERK, notice.number, at="2017年9月20日下午3时", place="三楼会议室")
    assert (scheduled.meeting_at, scheduled.meeting_place) == ("2017-09-20 15:00", "三楼会议室")
    assert scheduled.meeting_when == "2017年9月20日（星期三）15时"
    assert trail(tracker)[-1] == ("interview-schedule", CLERK.name, notice.number)
    assert notice_document(tracker, notice.number).meeting_place == "三楼会议室"
    held = changes.record_interview_held(tracker, CLERK, str(entry.ledger_id), entry.unit, on=AS_OF, note="已约谈")
    assert (held.unit, held.held_on, held.person) == (entry.unit, AS_OF, entry.person)
    assert trail(tracker)[-1] == ("interview-held", CLERK.name, entry.unit)
    assert entry.unit not in [e.unit for e in interview_list(tracker) if e.ledger_id == entry.ledger_id]
    # Not an interview notice: refused, nothing written.
    bulletin = next(n for n in list_notices(tracker) if n.kind == "criticism")
    refused_without_a_trace(tracker, lambda: changes.schedule_interview(tracker, CLERK, bulletin.number, place="某处"))


def test_history_and_scores(tracker: Tracker) -> None:
    changes.terminate(tracker, CLERK, PUYANG, "台前县政府", reason="试点终止")
    found = changes.history(tracker, PUYANG, "-", "台前县政府")
    assert found.ledger.startswith("濮阳市") and found.rows[-2]["action"] == "terminate"
    assert found.rows[-1]["action"] == "extension-closed" and found.rows[-2]["by"] == CLERK.name
    scored = ledger_scores(tracker, PUYANG, as_of=AS_OF)
    assert scored.title.startswith("濮阳市") and len(scored.rows) == 5
    assert sorted(row["rank"] for row in scored.rows)[0] == 1
    assert ledger_scores(tracker).ledger_id == 1  # none named: the first ledger
    with tracker.session() as session:
        count = session.exec(select(func.count()).select_from(AuditEntry)).one()
    ledger_scores(tracker, PUYANG)  # questions write nothing
    with tracker.session() as session:
        assert session.exec(select(func.count()).select_from(AuditEntry)).one() == count
