"""Use cases of change management (seed 000, articles 22–24): a trigger date, extension requests
and decisions, a unit's termination, a periodic report received, an interview held or scheduled,
and the history they leave. Ledgers, tasks and units are named as typed (tracker.lookup)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tracker.errors import InputError
from tracker.usecases.work import Actor, Work, reading, unit_of_work

if TYPE_CHECKING:
    from tracker.app import Tracker
    from tracker.models import Ledger


@dataclass(frozen=True)
class TriggerSet:
    seq: str
    deadline_text: str
    due_on: dt.date


def set_trigger_date(tracker: Tracker, actor: Actor, ledger: str, task: str, *, on: dt.date) -> TriggerSet:
    """Record the day a relative deadline's trigger happened (接到通知之日); its deadline follows."""
    from tracker.changes import set_trigger
    from tracker.lookup import find_ledger, find_task

    with unit_of_work(tracker, actor, action="task.trigger") as work:
        found = find_ledger(work.session, ledger)
        t = find_task(work.session, found, task)
        due = set_trigger(work.session, found, t, work.stamp, on=on, calendar=tracker.calendar)
        return TriggerSet(t.seq, t.deadline_text, due)


@dataclass(frozen=True)
class ExtensionRequested:
    id: int
    subject: str  # 任务 3 / 南乐县政府
    status: str
    original_due: dt.date | None
    new_due: dt.date
    late: bool


def request_extension(
    tracker: Tracker,
    actor: Actor,
    ledger: str,
    task: str,
    unit: str,
    *,
    to: dt.date,
    reason: str,
    late: bool = False,
    today: dt.date | None = None,
) -> ExtensionRequested:
    """A unit's request for a new deadline (延期申请); after the deadline only when ``late`` (the
    bureau's decision, recorded as such)."""
    from tracker.approvals import chain_of, open_chain
    from tracker.changes import request_extension as request
    from tracker.errors import NotFoundError
    from tracker.lookup import find_assignment, find_ledger, find_task, find_unit
    from tracker.progress import task_subject

    with unit_of_work(tracker, actor, action="extension.request") as work:
        found = find_ledger(work.session, ledger)
        t, u = find_task(work.session, found, task), find_unit(work.session, found, unit)
        work.reach([u.name], NotFoundError(f"ledger {found.title!r} has no unit {unit!r}"))
        subject = task_subject(t, u)
        made = request(
            work.session,
            find_assignment(work.session, t, u),
            work.stamp,
            to=to,
            reason=reason,
            late=late,
            today=today or tracker.today(),
            subject=subject,
        )
        assert made.id is not None
        open_chain(work.session, "extension", made.id, chain_of(found.approval, tracker.settings.approval, "extension"))
        return ExtensionRequested(made.id, subject, made.status, made.original_due, made.new_due, made.late)


@dataclass(frozen=True)
class ExtensionDecided:
    id: int
    status: str  # approved or refused, or pending while later steps of its chain wait
    deadline: dt.date | None  # the one that runs now
    step: int = 0  # the step of the approval chain this decided (0: a request with no chain)
    waits_for: str = ""  # the role the next step waits for, while the request is pending


def decide_extension(
    tracker: Tracker, actor: Actor, ref: str, *, approve: bool, reason: str = "", seen: int | None = None
) -> ExtensionDecided:
    """Decide the current step of an extension request's approval chain ([approval] extension) as
    the actor's role: the request is approved (the new deadline applies) when its last step
    approves, refused (a reason is required; the old deadline keeps running) when any step refuses.
    A request made before chains existed is decided in one step by a supervisor or admin.
    ``seen``: the position of the step the decider saw; refused (``step_taken``) when the chain
    has moved on since (a web form decides the step it showed, never the next one)."""
    from tracker.approvals import check_decider, current_step, decide_step, expect_step, extension_pending
    from tracker.changes import decide_extension as decide
    from tracker.changes import find_extension

    with unit_of_work(tracker, actor, action="extension.decide") as work:
        request = find_extension(work.session, ref)
        assert request.id is not None
        step = current_step(work.session, "extension", request.id)
        expect_step("extension", request.id, step, seen)
        pending = extension_pending(work.session, request)
        if step is None and request.status == "pending":  # made before chains: one supervisor step
            check_decider(pending, "supervisor", 1, actor=work.by, role=work.actor.role)
        if step is not None:
            done = decide_step(
                work.session, pending, step, work.stamp, role=work.actor.role, approve=approve, reason=reason
            )
            if not done:
                following = current_step(work.session, "extension", request.id)
                assert following is not None
                return ExtensionDecided(request.id, "pending", request.original_due, step.position, following.role)
        request = decide(work.session, request, work.stamp, approve=approve, reason=reason)
        assert request.id is not None
        return ExtensionDecided(
            request.id,
            request.status,
            request.new_due if approve else request.original_due,
            step.position if step else 0,
        )


@dataclass(frozen=True)
class ChangeDecided:
    ref: str  # T3 (a termination), P3 (a person change)
    kind: str  # termination or person_change
    status: str  # approved or refused, or pending while later steps of its chain wait
    step: int  # the step of the approval chain this decided
    waits_for: str = ""  # the role the next step waits for, while the request is pending


def decide_change(
    tracker: Tracker, actor: Actor, ref: str, *, approve: bool, reason: str = "", seen: int | None = None
) -> ChangeDecided:
    """Decide the current step of a termination's or person change's approval chain ([approval]
    termination / person_change) as the actor's role: when its last step approves, the change is
    made (audited as of this moment); when any step refuses (a reason is required), nothing is.
    ``seen``: as ``decide_extension``'s."""
    from tracker.approvals import Pending, current_step, decide_step, expect_step
    from tracker.changes import decide_change as settle
    from tracker.changes import find_change

    with unit_of_work(tracker, actor, action="change.decide") as work:
        request = find_change(work.session, ref)
        assert request.id is not None
        step = current_step(work.session, request.kind, request.id)
        expect_step(request.kind, request.id, step, seen)
        pending = Pending(
            request.kind,
            request.id,
            request.status,
            request.ledger_id,
            None,
            request.unit_id,
            request.requested_by,
            request.decision_reason,
        )
        done = decide_step(
            work.session, pending, step, work.stamp, role=work.actor.role, approve=approve, reason=reason
        )
        assert step is not None
        if not done:
            following = current_step(work.session, request.kind, request.id)
            assert following is not None
            return ChangeDecided(pending.ref, request.kind, "pending", step.position, following.role)
        settle(work.session, request, work.stamp, approve=approve, reason=reason, today=work.today())
        return ChangeDecided(pending.ref, request.kind, request.status, step.position)


def decide_request(
    tracker: Tracker, actor: Actor, ref: str, *, approve: bool, reason: str = "", seen: int | None = None
) -> ExtensionDecided | ChangeDecided:
    """Decide a request of any kind by its id as written: ``3`` an extension, ``T3`` a
    termination, ``P3`` a person change (`tracker approve` / `refuse`, the UI's 待我审批).
    ``seen``: the step the decider saw (the web's forms), refused once the chain moved on."""
    written = ref.strip()
    if written[:1].isascii() and written[:1].isalpha():
        return decide_change(tracker, actor, written, approve=approve, reason=reason, seen=seen)
    return decide_extension(tracker, actor, written, approve=approve, reason=reason, seen=seen)


def approval_queue(tracker: Tracker, actor: Actor, *, with_steps: bool = False) -> list[dict[str, Any]]:
    """What waits for the actor's role: requests of every kind (extensions, terminations, person
    changes) whose current step is its role's (desk mode and admin: every waiting step), never
    the account's own requests (nobody decides what they asked for); ``with_steps``: each with
    its chain's steps (who, when, decision, reason)."""
    from tracker.approvals import queue_rows

    with unit_of_work(tracker, actor, action="approval.queue") as work:
        return queue_rows(work.session, work.actor.role, actor=work.by, with_steps=with_steps)


@dataclass(frozen=True)
class ExtensionState:
    """One extension request on an assignment, with its chain's steps (who, when, how, why)."""

    id: int
    requested_at: dt.datetime
    requested_by: str
    original_due: dt.date | None
    new_due: dt.date
    reason: str
    late: bool
    status: str  # pending | approved | refused
    decided_by: str
    decided_at: dt.datetime | None
    decision_reason: str
    steps: list[dict[str, Any]]  # tracker.approvals.step_rows; [] for a request made before chains


@dataclass(frozen=True)
class AssignmentExtensions:
    """An assignment as its extension page shows it: the deadline in force, whether a request may
    be made now (and why not), and its requests, newest first."""

    id: int
    ledger: str
    seq: str
    task: str
    deadline_text: str
    unit: str
    status: str
    due_on: dt.date | None  # the deadline in force (an approved extension's new date)
    first_due: dt.date | None  # before the first approved extension; None when never extended
    blocked: str  # "" when a request may be made today, else why not: not_open, no_deadline, deadline_passed, pending
    requests: list[ExtensionState]


def extensions_on(tracker: Tracker, actor: Actor, assignment_id: int) -> AssignmentExtensions:
    """The assignment ``assignment_id`` with its extension requests (延期申请) and their approval
    steps; a unit account's own unit's only (another unit's is refused as a missing one)."""
    from sqlmodel import col, select

    from tracker.approvals import step_rows
    from tracker.errors import NotFoundError
    from tracker.models import Extension
    from tracker.statuses import OPEN_STATUSES
    from tracker.usecases.progress import _assignment_rows

    with unit_of_work(tracker, actor, action="work.mine") as work:
        assignment, ledger, task, unit = _assignment_rows(work.session, assignment_id)
        work.reach([unit.name], NotFoundError(f"no assignment {assignment_id}"))
        rows = list(
            work.session.exec(
                select(Extension).where(Extension.assignment_id == assignment_id).order_by(col(Extension.id).desc())
            )
        )
        requests = [
            ExtensionState(
                e.id or 0,
                e.requested_at,
                e.requested_by,
                e.original_due,
                e.new_due,
                e.reason,
                e.late,
                e.status,
                e.decided_by,
                e.decided_at,
                e.decision_reason,
                step_rows(work.session, "extension", e.id or 0),
            )
            for e in rows
        ]
        approved = [e for e in requests if e.status == "approved"]
        due = assignment.due_on
        if assignment.status not in OPEN_STATUSES:
            blocked = "not_open"
        elif due is None:
            blocked = "no_deadline"
        elif work.today() > due:
            blocked = "deadline_passed"
        elif any(e.status == "pending" for e in requests):
            blocked = "pending"
        else:
            blocked = ""
        return AssignmentExtensions(
            assignment_id,
            ledger.title,
            task.seq,
            task.text,
            task.deadline_text,
            unit.name,
            assignment.status,
            due,
            approved[-1].original_due if approved else None,
            blocked,
            requests,
        )


def list_extensions(tracker: Tracker, *, pending: bool = False) -> list[dict[str, Any]]:
    """Extension requests as the CLI's JSON gives them (ledger, task, unit, dates as ISO text)."""
    from tracker.views import extension_rows

    with reading(tracker) as session:
        return extension_rows(session, pending_only=pending)


@dataclass(frozen=True)
class Terminated:
    unit: str
    count: int  # open assignments ended (0 while a request waits for its chain)
    on: dt.date | None  # None: a request waiting, to end on the day it is approved
    request: str = ""  # the request waiting for its approval chain (T3), or "" when done at once
    waits_for: str = ""  # the role its first step waits for


def terminate(
    tracker: Tracker, actor: Actor, ledger: str, unit: str, *, reason: str, on: dt.date | None = None
) -> Terminated:
    """End a unit's open assignments as 已终止 on ``on`` (default today; never a day to come). With
    an approval chain ([approval] termination), a request is recorded instead, waiting at step 1:
    the assignments end when its last step approves (on ``on``, or the day it is approved)."""
    from tracker.approvals import chain_of, open_chain, ref_of
    from tracker.changes import request_change, terminate_unit, termination_open
    from tracker.lookup import find_ledger, find_unit

    with unit_of_work(tracker, actor, action="unit.terminate") as work:
        found = find_ledger(work.session, ledger)
        u = find_unit(work.session, found, unit)
        if on is not None and on > tracker.today():
            raise InputError(
                f"--on: {on.isoformat()} is in the future; record a termination when it happens",
                key="terminate_future",
                on=on.isoformat(),
            )
        chain = chain_of(found.approval, tracker.settings.approval, "termination")
        if chain:
            termination_open(work.session, found, u, reason=reason)
            detail = {"on": on.isoformat() if on else None}
            made = request_change(work.session, "termination", found, u, work.stamp, detail=detail, reason=reason)
            assert made.id is not None
            open_chain(work.session, "termination", made.id, chain)
            return Terminated(u.name, 0, on, ref_of("termination", made.id), chain[0])
        day = on or tracker.today()
        return Terminated(u.name, terminate_unit(work.session, found, u, work.stamp, reason=reason, on=day), day)


@dataclass(frozen=True)
class ReportReceived:
    unit: str
    due_on: dt.date  # the period it was for
    received_on: dt.date
    standing: str  # "" on time, 迟报, or 漏报 (named missing before it came: still counts as missing)


def record_report_received(
    tracker: Tracker,
    actor: Actor,
    ledger: str,
    unit: str,
    *,
    on: dt.date,
    duty: str | None = None,
    period: dt.date | None = None,
) -> ReportReceived:
    """Record that a unit's periodic progress report arrived on ``on`` (never a day to come)."""
    if on > tracker.today():
        raise InputError(f"--on {on}: a report cannot arrive in the future", key="received_future", on=on.isoformat())
    with unit_of_work(tracker, actor, action="report.received") as work:
        return _receive(work, ledger, unit, on=on, duty=duty, period=period)


def submit_report(
    tracker: Tracker,
    actor: Actor,
    ledger: str,
    unit: str | None = None,
    *,
    duty: str | None = None,
    period: dt.date | None = None,
) -> ReportReceived:
    """A unit submits its periodic progress report itself (the portal's, `tracker submit-report`):
    received today, exactly as the bureau's ``record_report_received`` would record it (迟报 when
    late). A unit account submits its own unit's (``unit`` may be left out); staff name the unit."""
    with unit_of_work(tracker, actor, action="report.submit") as work:
        name = unit or work.actor.unit
        if not name:
            raise InputError("--unit: name the unit whose report this is", key="unit_needed")
        return _receive(work, ledger, name, on=tracker.today(), duty=duty, period=period)


def _receive(
    work: Work, ledger: str, unit: str, *, on: dt.date, duty: str | None, period: dt.date | None
) -> ReportReceived:
    from tracker.changes import receive_report
    from tracker.errors import NotFoundError
    from tracker.lookup import find_ledger, find_unit
    from tracker.scoring import received_standing

    found = find_ledger(work.session, ledger)
    u = find_unit(work.session, found, unit)
    work.reach([u.name], NotFoundError(f"ledger {found.title!r} has no unit {unit!r}"))
    _one_duty(work, found, duty)
    report = receive_report(work.session, found, u, work.stamp, duty_name=duty, on=on, period=period)
    work.session.flush()
    standing = received_standing(work.session, report, work.tracker.settings.scoring)
    return ReportReceived(u.name, report.due_on, on, standing)


def _one_duty(work: Work, ledger: Ledger, duty: str | None) -> None:
    """Refuse, saying why, a report on a ledger that asks for none, a ``--report`` that names none
    of its reports, or no ``--report`` where it has several. (``receive_report`` said "name one
    report duty with --report (has: none)" to all three, which asks for what cannot be given.)"""
    from sqlmodel import select

    from tracker.errors import InputError
    from tracker.models import ReportDuty

    names = list(work.session.exec(select(ReportDuty.name).where(ReportDuty.ledger_id == ledger.id)))
    if not names:
        raise InputError(f"{ledger.title}：本台账没有要求报送的定期报告（进度一览表、简报）", key="no_report_duty")
    every = "、".join(names)
    if duty and not any(duty in name for name in names):
        raise InputError(
            f"--report：{ledger.title} 没有名称含“{duty}”的报告；本台账的报告：{every}", key="report_duty", names=every
        )
    if len([name for name in names if not duty or duty in name]) > 1:
        raise InputError(
            f"--report：{ledger.title} 有多项报告，请写明是哪一项：{every}", key="report_duty", names=every
        )


@dataclass(frozen=True)
class InterviewHeld:
    unit: str
    held_on: dt.date
    person: str  # the unit's responsible person that day


def record_interview_held(
    tracker: Tracker, actor: Actor, ledger: str, unit: str, *, on: dt.date, note: str = ""
) -> InterviewHeld:
    """Mark a unit's interview as held (with the person responsible then); it leaves the open list."""
    from tracker.changes import record_interview
    from tracker.lookup import find_ledger, find_unit
    from tracker.progress import current_person

    with unit_of_work(tracker, actor, action="interview.record") as work:
        found = find_ledger(work.session, ledger)
        u = find_unit(work.session, found, unit)
        person = current_person(work.session, u)
        held = record_interview(
            work.session, found, u, work.stamp, on=on, note=note, person=person.name if person else ""
        )
        return InterviewHeld(u.name, held.held_on, held.person)


@dataclass(frozen=True)
class InterviewScheduled:
    number: str
    meeting_at: str  # "YYYY-MM-DD HH:MM", or "" while not set
    meeting_place: str
    meeting_when: str  # as the notice writes it: 2017年5月10日（星期三）9时30分


def schedule_interview(
    tracker: Tracker, actor: Actor, notice: str, *, at: str | None = None, place: str | None = None
) -> InterviewScheduled:
    """Set the time and/or place an interview notice (约谈通知) gives."""
    from tracker.notices import find_notice, notice_detail
    from tracker.notices import schedule_interview as schedule

    with unit_of_work(tracker, actor, action="interview.schedule") as work:
        found = schedule(work.session, find_notice(work.session, notice), work.stamp, at=at, place=place)
        detail = notice_detail(work.session, found, tracker.settings.notices.issuer)
        return InterviewScheduled(detail.number, detail.meeting_at, detail.meeting_place, detail.meeting_when)


@dataclass(frozen=True)
class History:
    ledger: str  # its title
    rows: list[dict[str, Any]]  # at, by, action, subject, before, after (oldest first)


def history(tracker: Tracker, ledger: str, task: str | None = None, unit: str | None = None) -> History:
    """The audit trail of a ledger, of one task (None or "-": any), or of one unit's part in it."""
    from tracker.changes import history as audit_history
    from tracker.lookup import find_ledger, find_task, find_unit

    with reading(tracker) as session:
        found = find_ledger(session, ledger)
        t = find_task(session, found, task) if task and task != "-" else None
        u = find_unit(session, found, unit) if unit else None
        return History(found.title, audit_history(session, found, t, u))
