"""Use cases of completion review (复核 and 销号): a unit or a clerk submits a completion
(待复核); a clerk or supervisor accepts it (已完成, 销号, completed on the submission's date) or
returns it with a reason (退回: still owed, the clock running on from the deadline in force);
and the review queue (what waits).

An assignment waiting for review is not escalated (it is not among OPEN_STATUSES): the bureau
does not criticise a unit for the bureau's own review delay. Accepted, it is done as of the day
it was submitted for, so a completion submitted before the deadline and accepted after it counts
as on time. Every step writes an audit row stamped with the account.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracker.usecases.work import Actor, Work, reading, unit_of_work

if TYPE_CHECKING:
    from tracker.app import Tracker
    from tracker.evidence import EvidenceRow
    from tracker.evidence_files import Checked
    from tracker.models import Assignment, Ledger, Submission, Task, Unit


@dataclass(frozen=True)
class Reviewed:
    """One submission and where it stands."""

    id: int
    assignment: int
    ledger: str
    task: str  # its 序号
    unit: str
    subject: str  # 任务 3 / 南乐县政府
    done_on: dt.date
    due_on: dt.date | None
    on_time: bool  # submitted for a day on or before the deadline in force
    note: str
    evidence: tuple[str, ...]
    submitted_by: str
    submitted_at: dt.datetime
    decision: str  # pending | accepted | returned
    decided_by: str | None
    reason: str
    status: str  # the assignment's status after this step
    files: tuple[EvidenceRow, ...] = ()  # the assignment's stored evidence as of the submission (the queue's)


def submit_completion(
    tracker: Tracker,
    actor: Actor,
    ledger: str,
    task: str,
    unit: str,
    done_on: dt.date,
    *,
    note: str = "",
    evidence: tuple[str, ...] = (),
) -> Reviewed:
    """Submit ``unit``'s completion of ``task`` (as typed) for review, finished on ``done_on``."""
    from tracker.errors import NotFoundError
    from tracker.lookup import find_assignment, find_ledger, find_task, find_unit

    with unit_of_work(tracker, actor, action="review.submit") as work:
        found = find_ledger(work.session, ledger)
        t = find_task(work.session, found, task)
        u = find_unit(work.session, found, unit)
        work.reach([u.name], NotFoundError(f"ledger {found.title!r} has no unit {unit!r}"))
        assignment = find_assignment(work.session, t, u)
        return submit_in(work, assignment, found, t, u, done_on, note=note, evidence=evidence)


def review_required(work: Work, ledger: Ledger) -> bool:
    """Whether ``ledger``'s completions wait for review: its own [review] required, else the config's."""
    if ledger.review_required is not None:
        return ledger.review_required
    return work.tracker.settings.review.required


def submit_in(
    work: Work,
    assignment: Assignment,
    ledger: Ledger,
    task: Task,
    unit: Unit,
    done_on: dt.date,
    *,
    note: str = "",
    evidence: tuple[str, ...] = (),
    uploaded: Sequence[Checked] = (),
) -> Reviewed:
    """Submit a completion inside ``work`` (also what a unit's "done" becomes on a ledger whose
    completions are reviewed: tracker/usecases/progress.py). ``evidence``: references as typed
    (a file named is stored); ``uploaded``: files already judged (the web portal's uploads),
    stored and named in the submission by their labels."""
    import json

    from tracker.evidence import attach, check_files, names_a_file, store_of
    from tracker.models import Submission
    from tracker.progress import check_completion_day, check_length, status_label, task_subject
    from tracker.refusals import Refusal
    from tracker.statuses import OPEN_STATUSES, Status

    subject = task_subject(task, unit)
    if assignment.status not in OPEN_STATUSES:
        raise Refusal("review_not_submittable", subject=subject, status=status_label(assignment.status))
    today = work.today()
    if done_on > today:
        raise Refusal("review_future", subject=subject, day=done_on, today=today)
    check_completion_day(done_on, ledger, subject)
    check_length(note, "note")
    files = [*check_files([e for e in evidence if e and names_a_file(e)], work.tracker.settings), *uploaded]
    assert assignment.id is not None
    row = Submission(
        assignment_id=assignment.id,
        done_on=done_on,
        note=note,
        evidence=json.dumps([e for e in evidence if e] + [u.name for u in uploaded], ensure_ascii=False),
        submitted_by=work.by,
        submitted_at=work.now,
    )
    work.session.add(row)
    before = assignment.status
    _set_status(work, assignment, Status.SUBMITTED)
    if files:
        store = store_of(work.tracker.settings)
        attach(work.session, store, assignment, files, work.stamp, ledger_id=ledger.id, subject=subject)
    work.session.flush()
    work.audit(
        "review-submitted",
        ledger_id=ledger.id,
        task_id=task.id,
        unit_id=unit.id,
        subject=subject,
        before={"status": before},
        after={"status": assignment.status, "done_on": done_on, "submission": row.id},
    )
    return _reviewed(row, assignment, ledger, task, unit)


def accept_completion(tracker: Tracker, actor: Actor, submission_id: int) -> Reviewed:
    """Accept submission ``submission_id`` (销号): the assignment is done as of its day."""
    from tracker import progress as domain
    from tracker.statuses import Status

    with unit_of_work(tracker, actor, action="review.decide") as work:
        row, assignment, ledger, task, unit = _pending(work, submission_id)
        subject = domain.task_subject(task, unit)
        # Done through the one progress path (an event, the recurring rule, the version check),
        # dated the day submitted for: on time when that day was within the deadline.
        change = domain.ProgressUpdate(status=Status.DONE, completed_on=row.done_on, note=row.note or None)
        domain.record_progress(
            work.session,
            assignment,
            change,
            work.stamp,
            today=max(work.today(), row.done_on),
            subject=subject,
            ledger_id=ledger.id,
        )
        _decide(work, row, "accepted", "")
        work.audit(
            "review-accepted",
            ledger_id=ledger.id,
            task_id=task.id,
            unit_id=unit.id,
            subject=subject,
            after={"submission": row.id, "completed_on": row.done_on},
        )
        return _reviewed(row, assignment, ledger, task, unit)


def return_completion(tracker: Tracker, actor: Actor, submission_id: int, reason: str) -> Reviewed:
    """Return submission ``submission_id`` with ``reason``: the assignment is owed again (退回)."""
    from tracker.progress import check_length, task_subject
    from tracker.refusals import Refusal
    from tracker.statuses import Status

    with unit_of_work(tracker, actor, action="review.decide") as work:
        reason = reason.strip()
        if not reason:
            raise Refusal("review_reason_empty")
        check_length(reason, "note")
        row, assignment, ledger, task, unit = _pending(work, submission_id)
        _set_status(work, assignment, Status.RETURNED)
        _decide(work, row, "returned", reason)
        work.audit(
            "review-returned",
            ledger_id=ledger.id,
            task_id=task.id,
            unit_id=unit.id,
            subject=task_subject(task, unit),
            after={"submission": row.id, "reason": reason},
        )
        return _reviewed(row, assignment, ledger, task, unit)


def review_queue(tracker: Tracker, actor: Actor | None = None) -> list[Reviewed]:
    """What waits for review, oldest first: the bureau's queue (staff and viewers)."""
    from tracker.evidence import evidence_rows
    from tracker.views import waiting_for_review

    with reading(tracker, actor, action="review.queue") as session:
        rows = session.execute(waiting_for_review()).all()
        shown = []
        for row, assignment, ledger, task, unit in rows:
            assert ledger.id is not None
            files = [f for f in evidence_rows(session, ledger.id, assignment.id) if f.added_at <= row.submitted_at]
            shown.append(_reviewed(row, assignment, ledger, task, unit, tuple(files)))
        return shown


@dataclass(frozen=True)
class Completion:
    """An assignment as its 申请办结 page shows it: where it stands, whether a completion may be
    submitted now, every submission of it (newest first: the latest 退回 and its reason on top)
    and its stored evidence."""

    id: int
    ledger: str
    task: str  # its 序号
    task_text: str
    unit: str
    subject: str
    deadline_text: str
    due_on: dt.date | None
    status: str
    submittable: bool  # open (未开始, 进行中, 退回): a completion may be submitted
    submissions: tuple[Reviewed, ...]
    files: tuple[EvidenceRow, ...]


def completion_of(tracker: Tracker, actor: Actor, assignment_id: int) -> Completion:
    """The assignment ``assignment_id`` for its 申请办结 page: asked by those who may submit a
    completion; a unit account's question about another unit's assignment is refused exactly
    as a missing one (and audited)."""
    from sqlmodel import col, select

    from tracker.evidence import evidence_rows
    from tracker.models import Submission
    from tracker.progress import task_subject
    from tracker.statuses import OPEN_STATUSES

    with unit_of_work(tracker, actor, action="review.submit") as work:
        assignment, ledger, task, unit = _assignment_of(work, assignment_id)
        rows = work.session.exec(
            select(Submission)
            .where(Submission.assignment_id == assignment_id)
            .order_by(col(Submission.submitted_at).desc(), col(Submission.id).desc())
        ).all()
        assert ledger.id is not None
        return Completion(
            id=assignment_id,
            ledger=ledger.title,
            task=task.seq,
            task_text=task.text,
            unit=unit.name,
            subject=task_subject(task, unit),
            deadline_text=task.deadline_text,
            due_on=assignment.due_on,
            status=assignment.status,
            submittable=assignment.status in OPEN_STATUSES,
            submissions=tuple(_reviewed(r, assignment, ledger, task, unit) for r in rows),
            files=tuple(evidence_rows(work.session, ledger.id, assignment_id)),
        )


def submit_completion_on(
    tracker: Tracker,
    actor: Actor,
    assignment_id: int,
    done_on: dt.date,
    *,
    note: str = "",
    uploads: Sequence[tuple[str, bytes]] = (),
) -> Reviewed:
    """Submit the completion of the assignment ``assignment_id`` (the web portal's 申请办结),
    finished on ``done_on``, with ``uploads`` (``(file name, content)`` each) as its evidence:
    every file is judged before anything is written, and one refused refuses the submission."""
    from tracker.evidence import check_uploads

    checked = check_uploads(uploads, tracker.settings)
    with unit_of_work(tracker, actor, action="review.submit") as work:
        assignment, ledger, task, unit = _assignment_of(work, assignment_id)
        return submit_in(work, assignment, ledger, task, unit, done_on, note=note, uploaded=checked)


def _assignment_of(
    work: Work, assignment_id: int, missing: Exception | None = None
) -> tuple[Assignment, Ledger, Task, Unit]:
    """The assignment and what it belongs to; another unit's, for a unit account, is refused as
    missing (``missing``, else "no assignment"). (Not tracker.usecases.progress's lookup:
    progress calls this module.)"""
    from tracker.errors import NotFoundError
    from tracker.models import Assignment, Ledger, Task, Unit

    missing = missing or NotFoundError(f"no assignment {assignment_id}")
    assignment = work.session.get(Assignment, assignment_id)
    if assignment is None:
        raise missing
    task, unit = work.session.get(Task, assignment.task_id), work.session.get(Unit, assignment.unit_id)
    assert task is not None and unit is not None
    ledger = work.session.get(Ledger, task.ledger_id)
    assert ledger is not None
    work.reach([unit.name], missing)
    return assignment, ledger, task, unit


def _pending(work: Work, submission_id: int) -> tuple[Submission, Assignment, Ledger, Task, Unit]:
    """The pending submission and what it belongs to; refused as missing when it is not there
    (or another unit's, for a unit account), and as decided when it was decided already."""
    from tracker.models import Submission
    from tracker.refusals import Refusal
    from tracker.statuses import Status

    # Not tracker.usecases.progress's lookup: progress calls this module (a unit's done is a
    # submission), and use cases never import each other both ways.
    row = work.session.get(Submission, submission_id)
    if row is None:
        raise Refusal("review_not_found", id=submission_id)
    assignment, ledger, task, unit = _assignment_of(
        work, row.assignment_id, Refusal("review_not_found", id=submission_id)
    )
    if row.decision != "pending":
        raise Refusal("review_decided", id=submission_id, decision=_DECISION_LABELS.get(row.decision, row.decision))
    if assignment.status != Status.SUBMITTED:  # progress recorded over it since (staff's done, 进行中)
        from tracker.progress import status_label, task_subject

        subject = task_subject(task, unit)
        raise Refusal("review_stale", id=submission_id, subject=subject, status=status_label(assignment.status))
    return row, assignment, ledger, task, unit


_DECISION_LABELS = {"pending": "待复核", "accepted": "已销号", "returned": "已退回"}


def _decide(work: Work, row: Submission, decision: str, reason: str) -> None:
    """Record the decision, once: two reviewers deciding at once, the second is refused."""
    from sqlalchemy import update
    from sqlmodel import col

    from tracker.models import Submission
    from tracker.refusals import Refusal

    result = work.session.execute(
        update(Submission)
        .where(col(Submission.id) == row.id, col(Submission.decision) == "pending")
        .values(decision=decision, decided_by=work.by, decided_at=work.now, reason=reason)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Refusal("review_decided", id=row.id, decision="—")
    work.session.refresh(row)


def _set_status(work: Work, assignment: Assignment, status: str) -> None:
    """The assignment's status, with its version moved on (an edit based on the old one is stale)."""
    assignment.status = status
    assignment.version += 1
    assignment.updated_at = work.now
    work.session.add(assignment)
    work.session.flush()


def _reviewed(
    row: Submission,
    assignment: Assignment,
    ledger: Ledger,
    task: Task,
    unit: Unit,
    files: tuple[EvidenceRow, ...] = (),
) -> Reviewed:
    import json

    from tracker.progress import task_subject

    assert row.id is not None and assignment.id is not None
    due = assignment.due_on
    return Reviewed(
        id=row.id,
        assignment=assignment.id,
        ledger=ledger.title,
        task=task.seq,
        unit=unit.name,
        subject=task_subject(task, unit),
        done_on=row.done_on,
        due_on=due,
        on_time=due is None or row.done_on <= due,
        note=row.note,
        evidence=tuple(json.loads(row.evidence)),
        submitted_by=row.submitted_by,
        submitted_at=row.submitted_at,
        decision=row.decision,
        decided_by=row.decided_by,
        reason=row.reason,
        status=assignment.status,
        files=files,
    )
