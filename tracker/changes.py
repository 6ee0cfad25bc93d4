"""Change management (seed 000, articles 22–24): triggers, extensions, termination, reports received,
interviews held. Every change goes into the audit trail with who and when: each takes the ``Stamp``
(a use case's ``Work.stamp``) that its audit rows carry.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.audit import Stamp
from tracker.deadlines import Relative, check_date, parse
from tracker.errors import InputError, NotFoundError
from tracker.models import (
    Assignment,
    AuditEntry,
    ChangeRequest,
    Extension,
    Interview,
    Ledger,
    NoticeItem,
    ReportDue,
    ReportDuty,
    Status,
    Task,
    Unit,
)
from tracker.statuses import OPEN_STATUSES
from tracker.workdays import WorkCalendar


def set_trigger(
    session: Session, ledger: Ledger, task: Task, stamp: Stamp, *, on: dt.date, calendar: WorkCalendar
) -> dt.date:
    """Record the day a relative deadline's trigger happened (e.g. the mid-term notice arrived)."""
    deadline = parse(task.deadline_text, ledger.year)
    if not isinstance(deadline, Relative):
        raise InputError(
            f"任务 {task.seq}: {task.deadline_text} is not a relative deadline; it needs no trigger",
            key="not_relative",
            seq=task.seq,
            text=task.deadline_text,
        )
    due = deadline.resolve(on, calendar)
    before = {"trigger_on": task.trigger_on, "due_on": task.due_on}
    old_due = task.due_on
    task.trigger_on, task.due_on = on, due
    session.add(task)
    # Assignments follow the task, except those with an approved extension of their own.
    session.execute(
        sa.update(Assignment)
        .where(
            col(Assignment.task_id) == task.id,
            sa.or_(col(Assignment.due_on).is_(None), col(Assignment.due_on) == old_due),
        )
        .values(due_on=due)
    )
    stamp.record(
        session,
        "trigger",
        ledger_id=ledger.id,
        task_id=task.id,
        subject=f"任务 {task.seq}",
        before=before,
        after={"trigger_on": on, "due_on": due},
    )
    return due


def request_extension(
    session: Session,
    assignment: Assignment,
    stamp: Stamp,
    *,
    to: dt.date,
    reason: str,
    late: bool,
    today: dt.date,
    subject: str,
) -> Extension:
    """A unit asks for a new deadline. It must ask before the deadline unless ``late`` (a supervisor's
    decision, recorded as such)."""
    if not reason.strip():
        raise InputError(f"{subject}: an extension needs a reason (--reason)", key="reason_needed")
    if assignment.status not in OPEN_STATUSES:
        raise InputError(
            f"{subject}: the assignment is {assignment.status}; only open ones can be extended", key="not_open"
        )
    due = assignment.due_on
    if due is None:
        raise InputError(f"{subject}: the assignment has no deadline yet", key="no_deadline")
    if to <= due:
        raise InputError(
            f"{subject}: the new deadline {to} is not after the current one ({due})", key="not_later", to=to, due=due
        )
    check_date(to, f"{subject} 新期限 {to}")  # 9999-12-31 from a web form: the supported years, as everywhere
    if today > due and not late:
        raise InputError(
            f"{subject}: the deadline {due} has passed; a late request needs --late (a supervisor's decision)",
            key="deadline_passed",
            due=due,
        )
    pending = session.exec(
        select(Extension).where(Extension.assignment_id == assignment.id, Extension.status == "pending")
    ).first()
    if pending is not None:
        raise InputError(f"{subject}: extension request {pending.id} is still pending", key="pending", id=pending.id)
    assert assignment.id is not None
    request = Extension(
        assignment_id=assignment.id,
        requested_on=today,
        requested_at=stamp.at,
        requested_by=stamp.by,
        original_due=due,
        new_due=to,
        reason=reason.strip(),
        late=today > due,
    )
    session.add(request)
    session.flush()
    stamp.record(
        session,
        "extension-request",
        ledger_id=_ledger_of(session, assignment),
        task_id=assignment.task_id,
        unit_id=assignment.unit_id,
        subject=subject,
        after={"id": request.id, "from": due, "to": to, "reason": reason, "late": request.late},
    )
    return request


def _ledger_of(session: Session, assignment: Assignment) -> int | None:
    task = session.get(Task, assignment.task_id)
    return task.ledger_id if task else None


def find_extension(session: Session, ref: str) -> Extension:
    from tracker.lookup import record_id

    number = record_id(ref.strip(), "extension request")
    request = session.get(Extension, number) if number is not None else None
    if request is None:
        raise NotFoundError(f"no extension request {ref!r} (see `tracker extensions`)")
    return request


def decide_extension(session: Session, request: Extension, stamp: Stamp, *, approve: bool, reason: str) -> Extension:
    """Approve (the new deadline replaces the old for this assignment; the original stays in the
    history, and the ladder starts afresh against the new date) or refuse (the clock keeps running)."""
    now = stamp.at
    if request.status != "pending":
        from tracker.approvals import not_pending

        assert request.id is not None
        raise not_pending("extension", request.id, request.status, request.decision_reason)
    if not approve and not reason.strip():
        raise InputError(f"extension request {request.id}: a refusal needs a reason (--reason)", key="reason_needed")
    assignment = session.get(Assignment, request.assignment_id)
    assert assignment is not None
    status = "approved" if approve else "refused"
    # Conditional on the request still pending, never read-then-write: of two people deciding it
    # at once, one wins and the other is told (the approval chain's steps are guarded likewise).
    won = session.execute(
        sa.update(Extension)
        .where(col(Extension.id) == request.id, col(Extension.status) == "pending")
        .values(status=status, decided_at=now, decided_by=stamp.by, decision_reason=reason.strip())
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        from tracker.refusals import Refusal

        raise Refusal("step_taken", id=request.id, position=1, what="延期申请", what_en="extension request")
    session.refresh(request)
    if approve:
        if assignment.status not in OPEN_STATUSES:
            raise InputError(
                f"extension request {request.id}: the assignment is {assignment.status} now", key="not_open"
            )
        session.execute(
            sa.update(Assignment)
            .where(col(Assignment.id) == assignment.id)
            .values(due_on=request.new_due, version=col(Assignment.version) + 1, updated_at=now)
        )
    stamp.record(
        session,
        f"extension-{request.status}",
        ledger_id=_ledger_of(session, assignment),
        task_id=assignment.task_id,
        unit_id=assignment.unit_id,
        subject=f"延期申请 {request.id}",
        before={"due_on": request.original_due},
        after={"due_on": request.new_due if approve else request.original_due, "reason": reason},
    )
    return request


def termination_open(session: Session, ledger: Ledger, unit: Unit, *, reason: str) -> list[int]:
    """The unit's open assignments in ``ledger`` that a termination ends; refused without a reason
    or when there are none."""
    if not reason.strip():
        raise InputError(f"{unit.name}: termination needs a reason (--reason)", key="reason_needed")
    ids = list(
        session.exec(
            select(Assignment.id)
            .join(Task, col(Task.id) == col(Assignment.task_id))
            .where(
                Assignment.unit_id == unit.id, Task.ledger_id == ledger.id, col(Assignment.status).in_(OPEN_STATUSES)
            )
        )
    )
    if not ids:
        raise InputError(f"{unit.name} has no open assignments in {ledger.title}", key="nothing_open", unit=unit.name)
    return [i for i in ids if i is not None]


def terminate_unit(
    session: Session, ledger: Ledger, unit: Unit, stamp: Stamp, *, reason: str, on: dt.date, request: str = ""
) -> int:
    """End a unit's work on ``on`` (article 24): its open assignments become 已终止 and leave the
    findings (they stay in the history), and it owes no report due after that day. Its requests
    still waiting (extensions of those assignments, a person change) are closed, saying why
    (``request``: the termination request approved, T3, when there was one)."""
    ids = termination_open(session, ledger, unit, reason=reason)
    session.execute(
        sa.update(Assignment)
        .where(col(Assignment.id).in_(ids))
        .values(status=Status.TERMINATED.value, version=col(Assignment.version) + 1, updated_at=stamp.at)
    )
    unit.terminated_on = on
    session.add(unit)
    # Report periods after that day are no longer owed (none can have been noticed yet).
    noticed = sa.select(col(NoticeItem.report_id)).where(col(NoticeItem.report_id).is_not(None))
    session.execute(
        sa.delete(ReportDue).where(
            col(ReportDue.unit_id) == unit.id,
            col(ReportDue.due_on) > on,
            col(ReportDue.received_on).is_(None),
            col(ReportDue.id).not_in(noticed),
        )
    )
    stamp.record(
        session,
        "terminate",
        ledger_id=ledger.id,
        unit_id=unit.id,
        subject=unit.name,
        before={"open": len(ids)},
        after={"status": "terminated", "reason": reason.strip(), "on": on.isoformat()},
    )
    close_pending(session, ledger, unit, ids, stamp, why=f"单位已终止办理（{request or on.isoformat()}）")
    return len(ids)


def close_pending(
    session: Session, ledger: Ledger, unit: Unit, assignment_ids: list[int], stamp: Stamp, *, why: str
) -> int:
    """Close (status ``closed``, with ``why`` as its decision's reason, audited) the requests that
    wait on a unit whose work ended: the extensions of ``assignment_ids`` and the unit's change
    requests (a person change; a termination asked for before the chain was set). No step of
    theirs can be decided any more, so they leave the queue and the digest's 待审批. How many."""
    from tracker.approvals import naming, ref_of

    closing = {"status": "closed", "decided_at": stamp.at, "decided_by": stamp.by, "decision_reason": why}
    extensions = session.exec(
        select(Extension).where(col(Extension.assignment_id).in_(assignment_ids), Extension.status == "pending")
    ).all()
    changes = session.exec(
        select(ChangeRequest).where(ChangeRequest.unit_id == unit.id, ChangeRequest.status == "pending")
    ).all()
    query = select(Assignment.id, Assignment.task_id).where(col(Assignment.id).in_(assignment_ids))
    tasks = {assignment: task for assignment, task in session.exec(query)}
    waiting: list[tuple[type[Extension] | type[ChangeRequest], int | None, str, int | None]] = [
        (Extension, e.id, "extension", tasks.get(e.assignment_id)) for e in extensions
    ]
    waiting += [(ChangeRequest, c.id, c.kind, None) for c in changes]
    for model, request_id, kind, task_id in waiting:
        assert request_id is not None
        session.execute(
            sa.update(model)
            .where(col(model.id) == request_id, col(model.status) == "pending")
            .values(**closing)
            .execution_options(synchronize_session="fetch")
        )
        stamp.record(
            session,
            f"{kind.replace('_', '-')}-closed",
            ledger_id=ledger.id,
            task_id=task_id,
            unit_id=unit.id,
            subject=f"{naming(kind)['what']} {ref_of(kind, request_id)}",
            before={"status": "pending"},
            after={"status": "closed", "reason": why},
        )
    return len(waiting)


def request_change(
    session: Session, kind: str, ledger: Ledger, unit: Unit, stamp: Stamp, *, detail: dict[str, Any], reason: str
) -> ChangeRequest:
    """Record a termination or person change that waits for its approval chain: nothing changes
    until its last step approves. One request of a kind per unit waits at a time."""
    from tracker.approvals import naming, ref_of

    assert ledger.id is not None and unit.id is not None
    pending = session.exec(
        select(ChangeRequest).where(
            ChangeRequest.kind == kind, ChangeRequest.unit_id == unit.id, ChangeRequest.status == "pending"
        )
    ).first()
    if pending is not None and pending.id is not None:
        raise InputError(
            f"{unit.name}: {naming(kind)['what_en']} {ref_of(kind, pending.id)} is still pending",
            key="change_pending",
            id=ref_of(kind, pending.id),
        )
    request = ChangeRequest(
        kind=kind,
        ledger_id=ledger.id,
        unit_id=unit.id,
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
        reason=reason.strip(),
        requested_at=stamp.at,
        requested_by=stamp.by,
    )
    session.add(request)
    session.flush()
    assert request.id is not None
    stamp.record(
        session,
        f"{kind.replace('_', '-')}-request",
        ledger_id=ledger.id,
        unit_id=unit.id,
        subject=f"{naming(kind)['what']} {ref_of(kind, request.id)}",
        after={"id": request.id, **detail, "reason": reason.strip()},
    )
    return request


def find_change(session: Session, ref: str) -> ChangeRequest:
    """A termination (T3) or person change (P3) request, as its id is written."""
    from tracker.approvals import KINDS
    from tracker.lookup import record_id

    written = ref.strip()
    kind = next((k for k, (_, _, letter) in KINDS.items() if letter and written[:1].upper() == letter), None)
    number = record_id(written[1:], "request", written[:1]) if kind else None
    request = session.get(ChangeRequest, number) if number is not None else None
    if request is None or request.kind != kind:
        raise NotFoundError(f"no request {ref!r} (see `tracker queue`)")
    return request


def decide_change(
    session: Session, request: ChangeRequest, stamp: Stamp, *, approve: bool, reason: str, today: dt.date
) -> None:
    """Settle a change request whose chain is decided: approved, the change is made now (audited
    as of this moment, by the last step's decider; a termination without a day given ends on
    ``today``); refused, nothing changes."""
    from tracker.approvals import naming, ref_of
    from tracker.refusals import Refusal

    assert request.id is not None
    words = naming(request.kind)
    status = "approved" if approve else "refused"
    won = session.execute(
        sa.update(ChangeRequest)
        .where(col(ChangeRequest.id) == request.id, col(ChangeRequest.status) == "pending")
        .values(status=status, decided_at=stamp.at, decided_by=stamp.by, decision_reason=reason.strip())
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        raise Refusal("step_taken", id=ref_of(request.kind, request.id), position=1, **words)
    session.refresh(request)
    ledger, unit = session.get(Ledger, request.ledger_id), session.get(Unit, request.unit_id)
    assert ledger is not None and unit is not None
    stamp.record(
        session,
        f"{request.kind.replace('_', '-')}-{status}",
        ledger_id=ledger.id,
        unit_id=unit.id,
        subject=f"{words['what']} {ref_of(request.kind, request.id)}",
        after={"status": status, "reason": reason.strip()},
    )
    if not approve:
        return
    detail = json.loads(request.detail)
    if request.kind == "termination":
        on = dt.date.fromisoformat(detail["on"]) if detail.get("on") else today
        ref = ref_of(request.kind, request.id)
        terminate_unit(session, ledger, unit, stamp, reason=request.reason, on=on, request=ref)
    else:
        from tracker.progress import Reach, set_person

        set_person(session, ledger, unit, stamp, name=detail["name"], reach=Reach(**detail.get("reach", {})))


def receive_report(
    session: Session,
    ledger: Ledger,
    unit: Unit,
    stamp: Stamp,
    *,
    duty_name: str | None,
    on: dt.date,
    period: dt.date | None,
) -> ReportDue:
    """Record that a unit's periodic report arrived on ``on`` (for the earliest open period, or ``period``)."""
    duties = list(session.exec(select(ReportDuty).where(ReportDuty.ledger_id == ledger.id)))
    if duty_name:
        duties = [d for d in duties if duty_name in d.name]
    if len(duties) != 1:
        every = session.exec(select(ReportDuty.name).where(ReportDuty.ledger_id == ledger.id))
        names = ", ".join(every) or "none"
        raise InputError(
            f"{ledger.title}: name one report duty with --report (has: {names})", key="report_duty", names=names
        )
    from tracker.scan import materialize_reports

    # A report may arrive before its period's deadline: make the coming periods exist too.
    materialize_reports(session, max(on, period or on) + dt.timedelta(days=366), asked=max(on, period or on))
    query = select(ReportDue).where(ReportDue.duty_id == duties[0].id, ReportDue.unit_id == unit.id)
    if period is not None:
        query = query.where(ReportDue.due_on == period)
    else:
        query = query.where(col(ReportDue.received_on).is_(None))
    report = session.exec(query.order_by(col(ReportDue.due_on))).first()
    if report is None:
        raise InputError(
            f"{unit.name}: no {'such' if period else 'open'} period of {duties[0].name} to receive",
            key="no_period",
            unit=unit.name,
            duty=duties[0].name,
        )
    if period is None:
        # A report arriving on ``on`` is for a period due by then (late) or for the next one (early),
        # never for one further ahead: the periods before that were all received already.
        nearest = session.exec(
            select(col(ReportDue.due_on))
            .where(ReportDue.duty_id == duties[0].id, ReportDue.unit_id == unit.id, col(ReportDue.due_on) >= on)
            .order_by(col(ReportDue.due_on))
        ).first()
        if nearest is not None and report.due_on > nearest:
            raise InputError(
                f"{unit.name}: the {duties[0].name} due {nearest} was received already; "
                f"give --period {report.due_on} to record that later period's report early",
                key="period_received",
                unit=unit.name,
                duty=duties[0].name,
                nearest=nearest,
            )
    if report.received_on is not None:
        raise InputError(
            f"{unit.name}: the {report.due_on} {duties[0].name} was received on {report.received_on}",
            key="received_already",
            unit=unit.name,
            due=report.due_on,
            duty=duties[0].name,
            on=report.received_on,
        )
    report.received_on = on
    session.add(report)
    stamp.record(
        session,
        "report-received",
        ledger_id=ledger.id,
        unit_id=unit.id,
        subject=f"{duties[0].name} {report.due_on}",
        after={"received_on": on, "late": on > report.due_on},
    )
    return report


def record_interview(
    session: Session, ledger: Ledger, unit: Unit, stamp: Stamp, *, on: dt.date, note: str, person: str
) -> Interview:
    assert ledger.id is not None and unit.id is not None
    from tracker.models import Notice

    # An interview answers the interview notices before it: held before the first one still open,
    # it would answer none, and the unit would stay on the list as if nothing had been recorded.
    held = session.exec(select(sa.func.max(Interview.held_on)).where(Interview.unit_id == unit.id)).first()
    notices = select(sa.func.min(Notice.as_of)).where(
        Notice.ledger_id == ledger.id, Notice.unit_id == unit.id, Notice.kind == "interview"
    )
    if held is not None:
        notices = notices.where(col(Notice.as_of) > held)
    first = session.exec(notices).first()
    if first is not None and on < first:
        raise InputError(
            f"--on {on.isoformat()}: before the interview notice of {first.isoformat()} it answers",
            key="interview_before_notice",
            on=on.isoformat(),
            notice=first.isoformat(),
        )
    interview = Interview(ledger_id=ledger.id, unit_id=unit.id, held_on=on, recorded_at=stamp.at, recorded_by=stamp.by)
    interview.person, interview.note = person, note
    session.add(interview)
    stamp.record(
        session,
        "interview-held",
        ledger_id=ledger.id,
        unit_id=unit.id,
        subject=unit.name,
        after={"held_on": on, "note": note, "person": person},
    )
    return interview


def history(
    session: Session, ledger: Ledger, task: Task | None = None, unit: Unit | None = None
) -> list[dict[str, Any]]:
    query = select(AuditEntry).where(AuditEntry.ledger_id == ledger.id).order_by(col(AuditEntry.id))
    if task is not None:
        query = query.where(AuditEntry.task_id == task.id)
    if unit is not None:
        query = query.where(AuditEntry.unit_id == unit.id)
    return [
        {
            "at": e.at.isoformat(),
            "by": e.by,
            "action": e.action,
            "subject": e.subject,
            "before": e.before,
            "after": e.after,
        }
        for e in session.exec(query)
    ]
