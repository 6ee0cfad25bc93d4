"""What one unit owes, across ledgers (the units' side: `tracker mine`, the portal's first page):
its assignments with their deadlines and levels, the notices it received with their 签收 state,
and the periodic reports it owes. A unit is named the same in every ledger (a unit account's
``unit``), so it is found by name. Nothing here writes, and nothing reads the clock.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.acks import ack_state
from tracker.config import Settings
from tracker.ladder import LEVEL_LABELS, LEVEL_OF, ladder_for, rank_for
from tracker.models import (
    Assignment,
    Ledger,
    Notice,
    NoticeReceipt,
    Phase,
    ReportDue,
    ReportDuty,
    Submission,
    Task,
    Unit,
    ledger_start,
)
from tracker.statuses import OPEN_STATUSES, STATUS_LABELS, Status
from tracker.workdays import UnknownYearError, WorkCalendar


@dataclass(frozen=True)
class OwedTask:
    """One assignment of the unit."""

    assignment_id: int
    ledger: str  # its title
    task: str  # 序号
    text: str
    phase: str
    role: str  # lead | assist
    deadline_text: str  # as written
    due_on: dt.date | None  # as understood (an approved extension's, once approved)
    days_left: int | None  # calendar days to the deadline; negative: days late (open ones only)
    workdays_left: int | None  # the same in working days (None: no date, or a year the calendar does not know)
    level: str  # the ladder's level today (reminder, warning, ...), "" for none
    level_label: str  # 提醒, 督办通知, ...
    status: str  # todo | doing | submitted (待复核) | returned (退回) | done | terminated
    status_label: str
    percent: int
    completed_on: dt.date | None
    note: str
    returned_reason: str  # why the bureau returned its completion (退回), while returned


@dataclass(frozen=True)
class ReceivedNotice:
    """A notice that concerns the unit, with the unit's own 签收 (its receipt: another unit named
    in the same bulletin signs for itself)."""

    id: int
    kind: str
    number: str
    ledger: str
    issued_on: dt.date
    acknowledged_by: str
    acknowledged_at: dt.datetime | None
    ack_due: dt.date | None  # to be signed by then ([notices] ack_days working days)
    ack_overdue: bool  # 逾期未签收
    chased_on: dt.date | None  # the day it was reminded to sign


@dataclass(frozen=True)
class OwedReport:
    """A period of a periodic report not yet received: overdue (``days_late`` > 0) or the next."""

    ledger: str
    report: str  # the duty's name
    deadline_text: str
    due_on: dt.date
    days_late: int  # negative: days left


@dataclass(frozen=True)
class UnitWork:
    unit: str
    as_of: dt.date
    tasks: tuple[OwedTask, ...]
    notices: tuple[ReceivedNotice, ...]
    reports: tuple[OwedReport, ...]


def unit_work(
    session: Session, name: str, *, as_of: dt.date, settings: Settings, calendar: WorkCalendar
) -> UnitWork | None:
    """What the unit named ``name`` owes as of ``as_of``, in every ledger it is in; ``None`` when
    no ledger has a unit of that name."""
    rows = session.exec(
        select(Unit, Ledger).join(Ledger, col(Ledger.id) == col(Unit.ledger_id)).where(Unit.name == name)
    ).all()  # the unit in every ledger, and those ledgers, in one query
    if not rows:
        return None
    units = {int(u.id or 0): u for u, _ in rows}
    ledgers = {int(lg.id or 0): lg for _, lg in rows}
    return UnitWork(
        name,
        as_of,
        tuple(_tasks(session, units, ledgers, as_of, settings, calendar)),
        tuple(_notices(session, units, ledgers, as_of, settings.notices.ack_days, calendar)),
        tuple(_reports(session, units, ledgers, as_of)),
    )


def owed_task(
    session: Session, assignment_id: int, *, as_of: dt.date, settings: Settings, calendar: WorkCalendar
) -> OwedTask | None:
    """One assignment as ``unit_work`` shows it among its unit's tasks (one task's page: its unit's
    notices and reports are not read)."""
    assignment = session.get(Assignment, assignment_id)
    unit = session.get(Unit, assignment.unit_id) if assignment is not None else None
    if assignment is None or unit is None:
        return None
    units = {assignment.unit_id: unit}
    ledger = session.get(Ledger, unit.ledger_id)
    assert ledger is not None
    ledgers = {unit.ledger_id: ledger}
    found = _tasks(session, units, ledgers, as_of, settings, calendar, assignment_id=assignment_id)
    return found[0] if found else None


def _ledger_ids(units: dict[int, Unit]) -> list[int]:
    return sorted({u.ledger_id for u in units.values()})


def _tasks(
    session: Session,
    units: dict[int, Unit],
    ledgers: dict[int, Ledger],
    as_of: dt.date,
    settings: Settings,
    calendar: WorkCalendar,
    *,
    assignment_id: int | None = None,
) -> list[OwedTask]:
    from tracker.scan import criticism_counts

    if not units:
        return []
    query = (
        select(Assignment, Task, sa.func.coalesce(col(Phase.name), ""))
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .outerjoin(Phase, col(Phase.id) == col(Task.phase_id))
        .where(col(Assignment.unit_id).in_(list(units)))
        .order_by(col(Task.ledger_id), col(Task.position))
    )
    if assignment_id is not None:
        query = query.where(col(Assignment.id) == assignment_id)
    rows = list(session.exec(query).all())
    returned = _returned_reasons(session, [a.id or 0 for a, _, _ in rows if a.status == Status.RETURNED])
    criticisms = criticism_counts(session, as_of)
    rungs = {
        lid: ladder_for(lg.escalation, settings.escalation, where=lg.title).rungs(as_of, calendar)
        for lid, lg in ledgers.items()
    }
    found = []
    for a, t, phase in rows:
        open_ = a.status in OPEN_STATUSES and a.due_on is not None
        rank = rank_for(rungs[t.ledger_id], a.due_on, as_of, criticisms.get(a.unit_id, 0)) if a.due_on and open_ else 0
        days = (a.due_on - as_of).days if a.due_on and open_ else None
        found.append(
            OwedTask(
                a.id or 0,
                ledgers[t.ledger_id].title,
                t.seq,
                t.text,
                phase,
                a.role,
                t.deadline_text,
                a.due_on,
                days,
                _workdays(calendar, as_of, a.due_on) if days is not None and a.due_on else None,
                LEVEL_OF[rank].value if rank else "",
                LEVEL_LABELS[LEVEL_OF[rank]] if rank else "",
                a.status,
                STATUS_LABELS[Status(a.status)],
                a.percent,
                a.completed_on,
                a.note,
                returned.get(a.id or 0, ""),
            )
        )
    return found


def _workdays(calendar: WorkCalendar, as_of: dt.date, due: dt.date) -> int | None:
    try:
        return calendar.workdays_between(as_of, due)
    except UnknownYearError:
        return None


def _returned_reasons(session: Session, assignment_ids: list[int]) -> dict[int, str]:
    if not assignment_ids:
        return {}
    query = (
        select(Submission.assignment_id, Submission.reason)
        .where(col(Submission.assignment_id).in_(assignment_ids), Submission.decision == "returned")
        .order_by(col(Submission.id))
    )
    return {int(a): reason for a, reason in session.execute(query)}  # the latest return wins


def _notices(
    session: Session,
    units: dict[int, Unit],
    ledgers: dict[int, Ledger],
    as_of: dt.date,
    ack_days: int,
    calendar: WorkCalendar,
) -> list[ReceivedNotice]:
    if not units:
        return []
    query = (
        select(Notice, NoticeReceipt)
        .join(NoticeReceipt, col(NoticeReceipt.notice_id) == col(Notice.id))
        .where(col(NoticeReceipt.unit_id).in_(list(units)), col(Notice.as_of) <= as_of)
        .order_by(col(Notice.id))
    )
    found = []
    for n, r in session.exec(query):
        due, overdue = ack_state(n.as_of, r.acknowledged_at is not None, as_of, ack_days, calendar)
        found.append(
            ReceivedNotice(
                n.id or 0,
                n.kind,
                n.number,
                ledgers[n.ledger_id].title,
                n.as_of,
                r.acknowledged_by,
                r.acknowledged_at,
                due,
                overdue,
                r.chased_on,
            )
        )
    return found


def _reports(session: Session, units: dict[int, Unit], ledgers: dict[int, Ledger], as_of: dt.date) -> list[OwedReport]:
    """Every period due by ``as_of`` not received, and each duty's next period. Computed from the
    duties' deadlines (the periods the check keeps are made up to its horizon only), without
    writing: a period received early is one the table holds already."""
    from tracker.deadlines import Recurring, parse

    found: list[OwedReport] = []
    duties = session.exec(select(ReportDuty).where(col(ReportDuty.ledger_id).in_(_ledger_ids(units))))
    by_ledger = {u.ledger_id: u for u in units.values()}
    for duty in sorted(duties, key=lambda d: (d.ledger_id, d.id or 0)):
        unit, ledger = by_ledger[duty.ledger_id], ledgers[duty.ledger_id]
        kinds = set(json.loads(duty.unit_kinds))
        rule = parse(duty.deadline_text, ledger.year)
        if (kinds and unit.kind not in kinds) or not isinstance(rule, Recurring):
            continue
        received = set(
            session.exec(
                select(col(ReportDue.due_on)).where(
                    ReportDue.duty_id == duty.id, ReportDue.unit_id == unit.id, col(ReportDue.received_on).is_not(None)
                )
            )
        )
        start = ledger_start(ledger.issued_on, ledger.year) or dt.date(as_of.year, 1, 1)
        ended = unit.terminated_on
        dates = [d for d in rule.dates(start, as_of + dt.timedelta(days=400)) if ended is None or d <= ended]
        owed = [d for d in dates if d not in received]
        late = [d for d in owed if d < as_of]
        coming = [d for d in owed if d >= as_of][:1]
        for due in late + coming:
            found.append(OwedReport(ledger.title, duty.name, duty.deadline_text, due, (as_of - due).days))
    return found
