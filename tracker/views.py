"""Read-only views of a ledger's state as of a date (one query, no ORM objects per row)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session, col

from tracker.models import Assignment, Ledger, Person, Phase, ProgressEvent, Status, Task, Unit, ledger_start
from tracker.people import current_person_of_unit
from tracker.progress import lags_expected
from tracker.statuses import OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class Row:
    assignment_id: int
    seq: str
    phase: str
    task: str
    deadline_text: str
    due_on: dt.date | None
    unit: str
    person: str
    role: str
    status: str
    completed_on: dt.date | None
    percent: int
    note: str
    version: int
    days_overdue: int | None  # negative before the deadline; None without a date
    expected_percent: int | None = None  # 序时进度: the share of the time allowed that has passed
    lagging: bool = False  # reported percent behind the expected one by more than the margin
    deadline_kind: str = ""  # absolute | relative | recurring | ongoing

    @property
    def deadline_shown(self) -> str:
        """The deadline's date as tables give it: the date, 持续 for an ongoing task (长期坚持: no
        deadline, never overdue), or nothing while a relative one waits for its trigger."""
        if self.due_on is not None:
            return self.due_on.isoformat()
        return "持续" if self.deadline_kind == "ongoing" else ""

    def as_json(self) -> dict[str, object]:
        return {
            "assignment": self.assignment_id,
            "seq": self.seq,
            "phase": self.phase,
            "task": self.task,
            "deadline_text": self.deadline_text,
            "deadline": self.due_on.isoformat() if self.due_on else None,
            "unit": self.unit,
            "person": self.person,
            "role": self.role,
            "status": self.status,
            "completed_on": self.completed_on.isoformat() if self.completed_on else None,
            "percent": self.percent,
            "note": self.note,
            "days_overdue": self.days_overdue,
            "expected_percent": self.expected_percent,
            "lagging": self.lagging,
        }


def days_overdue(due: dt.date | None, status: str, completed_on: dt.date | None, as_of: dt.date) -> int | None:
    """Calendar days past the deadline: as of today while open, at completion once done."""
    if due is None or status == Status.TERMINATED:
        return None
    if status == Status.DONE and completed_on is not None:
        return (completed_on - due).days
    return (as_of - due).days


def expected_percent(start: dt.date | None, due: dt.date | None, as_of: dt.date) -> int | None:
    """序时进度: how far through the time between start and deadline ``as_of`` is, in percent."""
    if start is None or due is None or due <= start:
        return None
    share = (as_of - start).days / (due - start).days
    return max(0, min(100, round(share * 100)))


def progress_reported() -> Any:
    """Whether any progress was ever recorded on the row's assignment (a column of a select
    over Assignment): see ``progress.lags_expected``."""
    return sa.exists().where(col(ProgressEvent.assignment_id) == col(Assignment.id)).label("reported")


def ledger_rows(session: Session, ledger_id: int, as_of: dt.date, lag_margin: int = 10) -> list[Row]:
    """Every assignment of the ledger, in ledger order (see ``iter_ledger_rows``)."""
    return list(iter_ledger_rows(session, ledger_id, as_of, lag_margin))


def iter_ledger_rows(session: Session, ledger_id: int, as_of: dt.date, lag_margin: int = 10) -> Iterator[Row]:
    """Every assignment of the ledger, streamed from the database in ledger order; open ones not
    yet due carry their expected progress and are flagged when their reported percent lags it by
    more than ``lag_margin`` points (``progress.lags_expected``)."""
    query: Any = (  # a wide select; mypy cannot type it usefully
        select(
            col(Assignment.id),
            col(Task.seq),
            sa.func.coalesce(col(Phase.name), ""),
            col(Task.text),
            col(Task.deadline_text),
            col(Assignment.due_on),
            col(Unit.name),
            sa.func.coalesce(col(Person.name), ""),
            col(Assignment.role),
            col(Assignment.status),
            col(Assignment.completed_on),
            col(Assignment.percent),
            col(Assignment.note),
            col(Assignment.version),
            col(Task.start_on),
            col(Task.deadline_kind),
            progress_reported(),
        )
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .outerjoin(Phase, col(Phase.id) == col(Task.phase_id))
        .outerjoin(Person, current_person_of_unit())
        .where(col(Task.ledger_id) == ledger_id)
        .order_by(col(Task.position), col(Unit.position))
        .execution_options(yield_per=2000)  # streamed: a big ledger is never all in memory
    )
    ledger = session.get(Ledger, ledger_id)
    default_start = ledger_start(ledger.issued_on, ledger.year) if ledger else None
    session.flush()  # what session.execute would autoflush; the rows come through Core below
    # Core rows, not ORM ones: the ORM's per-row loading cost a third of a 100,000-row report.
    for *fields, start, kind, reported in session.connection().execute(query):
        due, status, done_on, percent = fields[5], fields[9], fields[10], fields[11]  # in the order selected
        expected = None
        if status in OPEN_STATUSES and due and due >= as_of:
            expected = expected_percent(start or default_start, due, as_of)
        lagging = lags_expected(percent, expected, lag_margin, reported=bool(reported))
        values: tuple[Any, ...] = (*fields, days_overdue(due, status, done_on, as_of), expected, lagging, kind)
        yield Row(*values)


def waiting_for_review() -> Any:
    """The query of what waits for review: (Submission, Assignment, Ledger, Task, Unit), oldest
    first. A submission progress was recorded over since (a clerk's done, 进行中) waits for nothing."""
    from tracker.models import Submission

    return (
        sa.select(Submission, Assignment, Ledger, Task, Unit)
        .join(Assignment, col(Assignment.id) == col(Submission.assignment_id))
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .join(Ledger, col(Ledger.id) == col(Task.ledger_id))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(col(Submission.decision) == "pending", col(Assignment.status) == Status.SUBMITTED.value)
        .order_by(col(Submission.submitted_at), col(Submission.id))
    )


def extension_rows(session: Session, pending_only: bool = False) -> list[dict[str, Any]]:
    from tracker.models import Extension

    query: Any = (
        sa.select(Extension, col(Ledger.title), col(Task.seq), col(Unit.name))
        .join(Assignment, col(Assignment.id) == col(Extension.assignment_id))
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .join(Ledger, col(Ledger.id) == col(Task.ledger_id))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .order_by(col(Extension.id))
    )
    if pending_only:
        query = query.where(col(Extension.status) == "pending")
    return [
        {
            "id": e.id,
            "ledger": title,
            "task": seq,
            "unit": unit,
            "from": e.original_due.isoformat() if e.original_due else None,
            "to": e.new_due.isoformat(),
            "status": e.status,
            "late": e.late,
            "reason": e.reason,
            "requested_by": e.requested_by,
            "requested_at": e.requested_at,
            "decided_by": e.decided_by or None,
            "decision_reason": e.decision_reason or None,
        }
        for e, title, seq, unit in session.execute(query)
    ]


def change_rows(session: Session, pending_only: bool = False) -> list[dict[str, Any]]:
    """Termination and person change requests, as the queue shows them beside extensions: ``from``
    and ``to`` are the person before and after, or the day a termination takes effect."""
    import json

    from tracker.models import ChangeRequest
    from tracker.progress import current_person

    query: Any = (
        sa.select(ChangeRequest, col(Ledger.title), Unit)
        .join(Ledger, col(Ledger.id) == col(ChangeRequest.ledger_id))
        .join(Unit, col(Unit.id) == col(ChangeRequest.unit_id))
        .order_by(col(ChangeRequest.id))
    )
    if pending_only:
        query = query.where(col(ChangeRequest.status) == "pending")
    rows = []
    for c, title, unit in session.execute(query):
        detail = json.loads(c.detail)
        if c.kind == "termination":
            before, after = None, detail.get("on") or "批准之日"
        else:
            person = current_person(session, unit)
            before, after = person.name if person else None, detail.get("name")
        rows.append(
            {
                "id": c.id,
                "kind": c.kind,
                "ledger": title,
                "task": None,
                "unit": unit.name,
                "from": before,
                "to": after,
                "status": c.status,
                "reason": c.reason,
                "requested_by": c.requested_by,
                "requested_at": c.requested_at,
                "decided_by": c.decided_by or None,
                "decision_reason": c.decision_reason or None,
            }
        )
    return rows
