"""Use cases on assignments and units: record progress, ask for an extension from the assignment
screen, change a unit's responsible person; and the questions the assignment and units screens ask.

The CLI names an assignment as typed (ledger, task 序号, unit); the TUI by the id of the row it
shows. Both reach the same domain call, with the same stale-edit protection: a write based on an
older version than the assignment's is refused (``StaleEditError``) and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tracker.progress import Reach  # what a person change gives: front ends build it
from tracker.usecases.work import Actor, Work, reading, unit_of_work

__all__ = ["Reach"]

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.app import Tracker
    from tracker.evidence_files import Checked
    from tracker.models import Assignment, Ledger, Task, Unit
    from tracker.notices import CoveringNotice


@dataclass(frozen=True)
class Recorded:
    assignment: int
    ledger: str
    task: str  # its 序号
    unit: str
    subject: str  # 任务 3 / 南乐县政府
    status: str
    completed_on: dt.date | None
    percent: int
    version: int


@dataclass(frozen=True)
class Progress:
    """What is reported: status (value or label: done, 已完成), completion day, percent, note, evidence."""

    status: str
    completed_on: dt.date | None = None
    percent: int | None = None
    note: str | None = None
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Upload:
    """A file sent through the portal: the name the browser gave and its content, judged as a
    file from disk is (tracker/evidence_files.py ``check_upload``) before anything is written."""

    filename: str
    data: bytes


def record_progress(
    tracker: Tracker,
    actor: Actor,
    ledger: str,
    task: str,
    unit: str,
    progress: Progress,
    *,
    expected_version: int | None = None,
) -> Recorded:
    """Record ``unit``'s progress on ``task`` of ``ledger`` (each as typed). With
    ``expected_version``, refused when the assignment changed since that version."""
    from tracker.errors import NotFoundError
    from tracker.lookup import find_assignment, find_ledger, find_task, find_unit

    with unit_of_work(tracker, actor, action="progress.record") as work:
        found = find_ledger(work.session, ledger)
        t = find_task(work.session, found, task)
        u = find_unit(work.session, found, unit)
        work.reach([u.name], NotFoundError(f"ledger {found.title!r} has no unit {unit!r}"))
        return _record(work, find_assignment(work.session, t, u), found, t, u, progress, expected_version, None)


def record_progress_on(
    tracker: Tracker,
    actor: Actor,
    assignment_id: int,
    progress: Progress,
    *,
    expected_version: int | None,
    as_of: dt.date | None = None,
    uploads: Sequence[Upload] = (),
) -> Recorded:
    """The same for the assignment ``assignment_id`` (the TUI's row, the portal's page), the
    completion day bounded by ``as_of`` (the UI's day; default today). ``uploads`` (the portal's
    files) are stored as its evidence with the progress: all of them or, when one is refused,
    nothing at all (no progress either)."""
    from tracker.evidence import check_uploads

    checked = check_uploads([(u.filename, u.data) for u in uploads], tracker.settings)
    with unit_of_work(tracker, actor, action="progress.record") as work:
        assignment, ledger, task, unit = _assignment(work, assignment_id)
        return _record(work, assignment, ledger, task, unit, progress, expected_version, as_of, checked)


def _record(
    work: Work,
    assignment: Assignment,
    ledger: Ledger,
    task: Task,
    unit: Unit,
    progress: Progress,
    expected_version: int | None,
    as_of: dt.date | None,
    uploaded: Sequence[Checked] = (),
) -> Recorded:
    from tracker import progress as domain
    from tracker.evidence import attach, check_files, names_a_file, store_of
    from tracker.statuses import STATUS_BY_LABEL, Status

    # Evidence naming a file is stored too (judged before anything is written); the reference
    # stays in the progress as typed, as before.
    files = check_files([e for e in progress.evidence if e and names_a_file(e)], work.tracker.settings)
    files += uploaded
    status = Status(STATUS_BY_LABEL.get(progress.status, progress.status))
    if status == Status.DONE and work.actor.role == "unit":
        from tracker.usecases.review import review_required, submit_in

        if review_required(work, ledger):
            # A unit's "done" on a reviewed ledger is a submission (待复核): the bureau accepts
            # it (销号) or returns it. Staff (who may accept) record done as final, as before.
            sent = submit_in(
                work,
                assignment,
                ledger,
                task,
                unit,
                progress.completed_on or (as_of or work.today()),
                note=progress.note or "",
                evidence=progress.evidence,
            )
            if uploaded:
                store = store_of(work.tracker.settings)
                subject = domain.task_subject(task, unit)
                attach(work.session, store, assignment, uploaded, work.stamp, ledger_id=ledger.id, subject=subject)
            return Recorded(
                sent.assignment,
                ledger.title,
                task.seq,
                unit.name,
                sent.subject,
                sent.status,
                None,
                assignment.percent,
                assignment.version,
            )
    change = domain.ProgressUpdate(
        status=status,
        completed_on=progress.completed_on,
        percent=progress.percent,
        note=progress.note,
        evidence=progress.evidence,
    )
    subject = domain.task_subject(task, unit)
    domain.record_progress(
        work.session,
        assignment,
        change,
        work.stamp,
        today=as_of or work.today(),
        expected_version=expected_version,
        subject=subject,
        ledger_id=ledger.id,
    )
    if files:
        store = store_of(work.tracker.settings)
        attach(work.session, store, assignment, files, work.stamp, ledger_id=ledger.id, subject=subject)
    assert assignment.id is not None
    return Recorded(
        assignment.id,
        ledger.title,
        task.seq,
        unit.name,
        subject,
        assignment.status,
        assignment.completed_on,
        assignment.percent,
        assignment.version,
    )


def _assignment(work: Work, assignment_id: int) -> tuple[Assignment, Ledger, Task, Unit]:
    """The assignment and what it belongs to; refused as missing when it is another unit's and a
    unit account asks (ids of other units' rows tell it nothing)."""
    from tracker.errors import NotFoundError

    found = _assignment_rows(work.session, assignment_id)
    work.reach([found[3].name], NotFoundError(f"no assignment {assignment_id}"))
    return found


def _assignment_rows(session: Session, assignment_id: int) -> tuple[Assignment, Ledger, Task, Unit]:
    """The assignment and what it belongs to; a clear refusal when it is gone."""
    from tracker.errors import NotFoundError
    from tracker.models import Assignment, Ledger, Task, Unit

    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFoundError(f"no assignment {assignment_id}")
    task = session.get(Task, assignment.task_id)
    unit = session.get(Unit, assignment.unit_id)
    assert task is not None and unit is not None
    ledger = session.get(Ledger, task.ledger_id)
    assert ledger is not None
    return assignment, ledger, task, unit


@dataclass(frozen=True)
class ExtensionRequested:
    id: int
    late: bool


def request_extension_on(
    tracker: Tracker, actor: Actor, assignment_id: int, *, to: dt.date, reason: str, late: bool, as_of: dt.date
) -> ExtensionRequested:
    """Ask for the new deadline ``to`` for the assignment ``assignment_id`` (the TUI's and the
    web portal's form). After the deadline it is refused (key ``deadline_passed``) unless ``late``.
    The request gets its approval chain ([approval] extension) as `tracker extend`'s does."""
    from tracker.approvals import chain_of, open_chain
    from tracker.changes import request_extension
    from tracker.progress import task_subject

    with unit_of_work(tracker, actor, action="extension.request") as work:
        assignment, ledger, task, unit = _assignment(work, assignment_id)
        request = request_extension(
            work.session,
            assignment,
            work.stamp,
            to=to,
            reason=reason,
            late=late,
            today=as_of,
            subject=task_subject(task, unit),
        )
        assert request.id is not None
        chain = chain_of(ledger.approval, tracker.settings.approval, "extension")
        open_chain(work.session, "extension", request.id, chain)
        return ExtensionRequested(request.id, request.late)


@dataclass(frozen=True)
class AssignmentDetail:
    """One assignment as its screen shows it, with its history."""

    id: int
    version: int
    ledger: str
    year: int | None
    seq: str
    task: str
    deadline_text: str
    unit: str
    person: str | None
    status: str
    percent: int
    due_on: dt.date | None
    completed_on: dt.date | None
    note: str
    original_due: dt.date | None  # the deadline before the first approved extension
    history: list[dict[str, Any]]  # the audit trail of the task × unit (tracker.changes.history)
    notices: list[CoveringNotice]
    ledger_id: int  # what the change use cases (tracker.usecases.changes) name it by
    task_id: int


def assignment_detail(tracker: Tracker, assignment_id: int) -> AssignmentDetail | None:
    """The assignment ``assignment_id`` as it is now; None when it is gone (re-imported away)."""
    from sqlmodel import col, select

    from tracker.changes import history
    from tracker.errors import NotFoundError
    from tracker.models import Extension
    from tracker.notices import assignment_notices
    from tracker.progress import current_person

    with reading(tracker) as session:
        try:
            assignment, ledger, task, unit = _assignment_rows(session, assignment_id)
        except NotFoundError:
            return None
        person = current_person(session, unit)
        extension = session.exec(
            select(Extension)
            .where(Extension.assignment_id == assignment_id, Extension.status == "approved")
            .order_by(col(Extension.id))
        ).first()
        return AssignmentDetail(
            id=assignment_id,
            version=assignment.version,
            ledger=ledger.title,
            year=ledger.year,
            seq=task.seq,
            task=task.text,
            deadline_text=task.deadline_text,
            unit=unit.name,
            person=person.name if person else None,
            status=assignment.status,
            percent=assignment.percent,
            due_on=assignment.due_on,
            completed_on=assignment.completed_on,
            note=assignment.note,
            original_due=extension.original_due if extension else None,
            history=history(session, ledger, task, unit),
            notices=assignment_notices(session, assignment_id),
            ledger_id=task.ledger_id,
            task_id=assignment.task_id,
        )


@dataclass(frozen=True)
class PersonSet:
    ledger: str
    unit: str
    name: str
    email: str
    phone: str
    mobile: str
    dingtalk_id: str
    wecom_id: str
    request: str = ""  # a person change waiting for its approval chain (P3), or "" when done at once
    waits_for: str = ""  # the role its first step waits for


def change_person(tracker: Tracker, actor: Actor, ledger: str, unit: str, *, name: str, reach: Reach) -> PersonSet:
    """Set the responsible person of ``unit`` in ``ledger`` (as typed); a new name is a personnel
    change (变更), kept in the history; the same name only updates how the person is reached."""
    from tracker.lookup import find_ledger, find_unit

    with unit_of_work(tracker, actor, action="unit.person") as work:
        found = find_ledger(work.session, ledger)
        return _set_person(work, found, find_unit(work.session, found, unit), name, reach)


def change_person_of(tracker: Tracker, actor: Actor, unit_id: int, *, name: str, reach: Reach) -> PersonSet:
    """The same for the unit ``unit_id`` (the TUI's row)."""
    from tracker.errors import NotFoundError
    from tracker.models import Ledger, Unit

    with unit_of_work(tracker, actor, action="unit.person") as work:
        unit = work.session.get(Unit, unit_id)
        if unit is None:
            raise NotFoundError(f"no unit {unit_id}")
        ledger = work.session.get(Ledger, unit.ledger_id)
        assert ledger is not None
        return _set_person(work, ledger, unit, name, reach)


def _set_person(work: Work, ledger: Ledger, unit: Unit, name: str, reach: Reach) -> PersonSet:
    from tracker.approvals import chain_of, open_chain, ref_of
    from tracker.changes import request_change
    from tracker.progress import check_person, current_person, set_person

    chain = chain_of(ledger.approval, work.tracker.settings.approval, "person_change")
    current = current_person(work.session, unit)
    cleaned = check_person(name, reach)
    if chain and (current is None or current.name != cleaned):
        # A new person waits for the chain ([approval] person_change); the same person's contact
        # details are updated at once, as before.
        detail = {"name": cleaned, "reach": reach.given()}
        made = request_change(work.session, "person_change", ledger, unit, work.stamp, detail=detail, reason="")
        assert made.id is not None
        open_chain(work.session, "person_change", made.id, chain)
        shown = {k: "" for k in ("email", "phone", "mobile", "dingtalk_id", "wecom_id")} | reach.given()
        ref = ref_of("person_change", made.id)
        return PersonSet(ledger.title, unit.name, cleaned, **shown, request=ref, waits_for=chain[0])
    unit_name, title = unit.name, ledger.title  # set_person rolls back (expiring both) on a stale write
    p = set_person(work.session, ledger, unit, work.stamp, name=name, reach=reach)
    return PersonSet(title, unit_name, p.name, p.email, p.phone, p.mobile, p.dingtalk_id, p.wecom_id)


@dataclass(frozen=True)
class UnitLine:
    id: int
    name: str
    kind: str
    person: str  # "" when the unit has no responsible person
    email: str
    phone: str


@dataclass(frozen=True)
class LedgerUnits:
    ledger_id: int | None  # None: there is no ledger
    title: str
    units: Sequence[UnitLine]


def ledger_units(tracker: Tracker, wanted: int | None) -> LedgerUnits:
    """The units of the ledger ``wanted`` (else the first) with their responsible persons."""
    from sqlmodel import col, select

    from tracker.models import Ledger, Unit
    from tracker.progress import current_person
    from tracker.usecases.ledgers import shown_ledger

    ledger_id = shown_ledger(tracker, wanted)
    with reading(tracker) as session:
        ledger = session.get(Ledger, ledger_id) if ledger_id is not None else None
        if ledger is None:
            return LedgerUnits(None, "", [])
        lines = []
        for unit in session.exec(select(Unit).where(Unit.ledger_id == ledger.id).order_by(col(Unit.position))).all():
            person = current_person(session, unit)
            lines.append(
                UnitLine(
                    int(unit.id or 0),
                    unit.name,
                    unit.kind,
                    person.name if person else "",
                    person.email if person else "",
                    person.phone if person else "",
                )
            )
        return LedgerUnits(ledger_id, ledger.title, lines)
