"""The units' side: what a unit owes across ledgers (`tracker mine`, the portal's first page).

A unit account asks for its own unit (``unit`` left out, or its own name); another unit's name is
refused exactly as a unit that does not exist (and audited). Staff, and viewers, name the unit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracker.evidence import EvidenceRow
from tracker.unit_work import OwedReport, OwedTask, ReceivedNotice, UnitWork
from tracker.usecases.work import Actor, Work, unit_of_work

if TYPE_CHECKING:
    from tracker.app import Tracker

__all__ = [
    "OwedReport",
    "OwedTask",
    "ProgressLine",
    "ReceivedNotice",
    "UnitAssignment",
    "UnitWork",
    "my_work",
    "unit_assignment",
]


def my_work(tracker: Tracker, actor: Actor, unit: str | None = None, *, as_of: dt.date | None = None) -> UnitWork:
    """What the unit (a unit account's own by default) owes on ``as_of`` (default today): each
    assignment with its deadline as written and as understood, days (and working days) left or
    late, level, status and percent; the notices it received with their 签收 state; the periodic
    reports it owes."""
    from tracker.errors import InputError, NotFoundError
    from tracker.ledger_spec import clean_name
    from tracker.unit_work import unit_work

    with unit_of_work(tracker, actor, action="work.mine") as work:
        name = clean_name(unit) if unit is not None else work.actor.unit
        if not name:
            raise InputError("--unit：请写明责任单位（台账中的单位名）", key="unit_needed")
        if work.actor.role != "unit":
            name = _whole_name(work, name)
        missing = NotFoundError(f"--unit：没有名为“{name}”的责任单位", key="unit_unknown", unit=name)
        work.reach([name], missing)
        day = as_of or tracker.today()
        found = unit_work(work.session, name, as_of=day, settings=tracker.settings, calendar=tracker.calendar)
        if found is None and unit is None:  # the account's own unit, which no ledger has (now)
            raise NotFoundError(
                f"账号“{work.actor.name}”所属的单位“{name}”不在任何台账中；请管理员用 tracker user role 更正",
                key="own_unit_unknown",
                unit=name,
            )
        if found is None:
            raise missing
        return found


def _whole_name(work: Work, name: str) -> str:
    """Staff may name a unit by a part of its name only one unit (in all the ledgers) has, as
    every other command takes it (南乐县 finds 南乐县政府); several: refused, naming them. A unit
    account is never told other units' names: it asks for its own, whole."""
    from sqlmodel import col, select

    from tracker.errors import InputError
    from tracker.models import Unit

    if work.session.exec(select(Unit.id).where(Unit.name == name).limit(1)).first() is not None:
        return name
    near = sorted(set(work.session.exec(select(Unit.name).where(col(Unit.name).contains(name)))))
    if len(near) > 1:
        shown = "、".join(near[:10]) + ("等" if len(near) > 10 else "")
        raise InputError(f"--unit：“{name}”可指多个单位：{shown}；请写全称", key="unit_ambiguous", unit=name)
    return near[0] if near else name


@dataclass(frozen=True)
class ProgressLine:
    """One progress report on the assignment, as reported."""

    at: dt.datetime
    by: str
    status: str
    status_label: str
    percent: int
    note: str


@dataclass(frozen=True)
class UnitAssignment:
    """One assignment as the unit's page shows it: what it owes (deadline, days, level, status,
    退回 reason), the version a progress report is based on, its evidence files and its reports."""

    unit: str
    task: OwedTask
    version: int
    evidence: tuple[EvidenceRow, ...]
    reports: tuple[ProgressLine, ...]  # the latest first
    reviewed: bool  # a unit's "done" is a submission for review (待复核) on this ledger


def unit_assignment(
    tracker: Tracker, actor: Actor, assignment_id: int, *, as_of: dt.date | None = None
) -> UnitAssignment:
    """The assignment ``assignment_id`` of a unit: a unit account reaches its own unit's only
    (another's is refused exactly as a missing one, and audited); staff and viewers any."""
    from sqlmodel import col, select

    from tracker.errors import NotFoundError
    from tracker.evidence import evidence_rows
    from tracker.models import Assignment, Ledger, ProgressEvent, Task, Unit
    from tracker.statuses import STATUS_LABELS, Status
    from tracker.unit_work import owed_task
    from tracker.usecases.review import review_required

    missing = NotFoundError(f"no assignment {assignment_id}")
    with unit_of_work(tracker, actor, action="work.mine") as work:
        # One query for the four rows; kept in the session, owed_task's look-ups find them there.
        found = work.session.exec(
            select(Assignment, Unit, Task, Ledger)
            .join(Unit, col(Unit.id) == col(Assignment.unit_id))
            .join(Task, col(Task.id) == col(Assignment.task_id))
            .join(Ledger, col(Ledger.id) == col(Task.ledger_id))
            .where(col(Assignment.id) == assignment_id)
        ).first()
        if found is None:
            raise missing
        assignment, unit, task, ledger = found
        work.reach([unit.name], missing)
        day = as_of or tracker.today()
        line = owed_task(work.session, assignment_id, as_of=day, settings=tracker.settings, calendar=tracker.calendar)
        assert line is not None
        events = work.session.exec(
            select(ProgressEvent)
            .where(ProgressEvent.assignment_id == assignment_id)
            .order_by(col(ProgressEvent.id).desc())
        )
        reports = tuple(
            ProgressLine(e.at, e.by, e.status, STATUS_LABELS[Status(e.status)], e.percent, e.note) for e in events
        )
        files = tuple(evidence_rows(work.session, task.ledger_id, assignment_id))
        reviewed = review_required(work, ledger)
        return UnitAssignment(unit.name, line, assignment.version, files, reports, reviewed)
