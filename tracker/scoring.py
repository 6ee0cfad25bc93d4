"""Scoring as data: the bureau's published rules give each unit a score and a rank per ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.config import ScoringSettings
from tracker.models import Assignment, ReportDue, ReportDuty, Role, Status, Task, Unit


@dataclass
class UnitScore:
    unit: str
    tasks: int = 0
    done: int = 0
    done_on_time: int = 0
    overdue_tasks: int = 0  # open past the deadline, or completed after it
    open_overdue: int = 0  # open past the deadline
    overdue_days: int = 0
    late_reports: int = 0
    missing_reports: int = 0
    score: float = 0.0
    rank: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "score": round(self.score, 2),
            "rank": self.rank,
            "tasks": self.tasks,
            "done": self.done,
            "done_on_time": self.done_on_time,
            "overdue_tasks": self.overdue_tasks,
            "open_overdue": self.open_overdue,
            "overdue_days": self.overdue_days,
            "late_reports": self.late_reports,
            "missing_reports": self.missing_reports,
        }


def scores(session: Session, ledger_id: int, as_of: dt.date, rules: ScoringSettings) -> list[UnitScore]:
    """Score = base − (per overdue task + per day late) × role weight − per late/missing report.

    A task counts as overdue when it is open past its deadline or was completed after it.
    Ranks are shared on equal scores (1, 2, 2, 4).
    """
    units = {
        uid: UnitScore(name)
        for uid, name in session.execute(
            sa.select(col(Unit.id), col(Unit.name)).where(col(Unit.ledger_id) == ledger_id).order_by(col(Unit.position))
        )
    }
    penalty: dict[int, float] = dict.fromkeys(units, 0.0)
    rows = session.execute(
        sa.select(
            col(Assignment.unit_id),
            col(Assignment.role),
            col(Assignment.status),
            col(Assignment.due_on),
            col(Assignment.completed_on),
        )
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .where(col(Task.ledger_id) == ledger_id, col(Task.deadline_kind) != "recurring")
        .execution_options(yield_per=5000)  # streamed: a big ledger's rows are never all in memory
    )
    for uid, role, status, due, completed in rows:
        s = units[uid]
        if status == Status.TERMINATED:
            continue
        s.tasks += 1
        late = 0
        if status == Status.DONE:
            s.done += 1
            if due is None or completed is None or completed <= due:
                s.done_on_time += 1
            else:
                late = (completed - due).days
        elif due is not None and due < as_of:
            late = (as_of - due).days
            s.open_overdue += 1
        if late > 0:
            s.overdue_tasks += 1
            s.overdue_days += late
            weight = rules.lead_weight if role == Role.LEAD else rules.assist_weight
            penalty[uid] += weight * (rules.overdue_task + rules.overdue_day * late)
    reports = session.execute(
        sa.select(col(ReportDue.unit_id), col(ReportDue.due_on), col(ReportDue.received_on))
        .join(ReportDuty, col(ReportDuty.id) == col(ReportDue.duty_id))
        .where(col(ReportDuty.ledger_id) == ledger_id, col(ReportDue.due_on) < as_of)
    )
    for uid, due, received in reports:
        if received is None or received > as_of:
            units[uid].missing_reports += 1
            penalty[uid] += rules.missing_report
        elif received > due:
            units[uid].late_reports += 1
            penalty[uid] += rules.late_report
    for uid, s in units.items():
        s.score = rules.base - penalty[uid]
    ordered = sorted(units.values(), key=lambda s: -s.score)
    for i, s in enumerate(ordered):
        s.rank = ordered[i - 1].rank if i and ordered[i - 1].score == s.score else i + 1
    return ordered
