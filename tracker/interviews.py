"""The interview list (约谈名单): one entry per ledger and unit whose interview is due and not yet held."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.models import Assignment, Interview, Ledger, Notice, NoticeItem, Person, Task, Unit
from tracker.people import current_person_of_unit


@dataclass
class InterviewEntry:
    ledger_id: int
    ledger: str
    unit_id: int
    unit: str
    person: str
    reasons: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"ledger": self.ledger, "unit": self.unit, "person": self.person, "reasons": self.reasons}


def open_interviews(session: Session, ledger_id: int | None = None) -> list[InterviewEntry]:
    """Units with an interview notice issued after their last interview held, with the reasons:
    the overdue tasks (how late) and the criticism bulletins that named them."""
    last_held = (
        sa.select(col(Interview.unit_id).label("unit_id"), sa.func.max(col(Interview.held_on)).label("held_on"))
        .group_by(col(Interview.unit_id))
        .subquery("held")
    )
    query = (
        sa.select(
            col(Notice.ledger_id),
            col(Ledger.title),
            col(Unit.id),
            col(Unit.name),
            sa.func.coalesce(col(Person.name), ""),
            col(Notice.number),
            col(Notice.id),
        )
        .join(Ledger, col(Ledger.id) == col(Notice.ledger_id))
        .join(Unit, col(Unit.id) == col(Notice.unit_id))
        .outerjoin(Person, current_person_of_unit())
        .outerjoin(last_held, last_held.c.unit_id == col(Unit.id))
        .where(
            col(Notice.kind) == "interview",
            sa.or_(last_held.c.held_on.is_(None), col(Notice.as_of) > last_held.c.held_on),
        )
        .order_by(col(Notice.ledger_id), col(Unit.position), col(Notice.id))
    )
    if ledger_id is not None:
        query = query.where(col(Notice.ledger_id) == ledger_id)
    entries: dict[tuple[int, int], InterviewEntry] = {}
    notice_ids: dict[int, tuple[int, int]] = {}
    for lid, title, uid, unit, person, number, nid in session.execute(query):
        entry = entries.setdefault((lid, uid), InterviewEntry(lid, title, uid, unit, person))
        entry.reasons.append(f"约谈通知 {number}")
        notice_ids[nid] = (lid, uid)
    if not entries:
        return []
    tasks = session.execute(
        sa.select(
            col(NoticeItem.notice_id), col(Task.seq), col(Task.text), col(NoticeItem.days_overdue), col(Notice.as_of)
        )
        .join(Notice, col(Notice.id) == col(NoticeItem.notice_id))
        .join(Assignment, col(Assignment.id) == col(NoticeItem.assignment_id))
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .where(col(NoticeItem.notice_id).in_(list(notice_ids)))
        .order_by(col(Task.position))
    )
    for nid, seq, text, days, as_of in tasks:
        # The days late are the notice's, counted on its day: the list itself is read later.
        entries[notice_ids[nid]].reasons.append(f"任务{seq} {text[:30]} 逾期{days}天（截至{as_of:%Y-%m-%d}）")
    bulletins = session.execute(
        sa.select(col(Notice.ledger_id), col(NoticeItem.unit_id), col(Notice.number))
        .join(NoticeItem, col(NoticeItem.notice_id) == col(Notice.id))
        .where(col(Notice.kind) == "criticism")
        .distinct()
        .order_by(col(Notice.number))
    )
    for lid, uid, number in bulletins:
        if (lid, uid) in entries:
            entries[(lid, uid)].reasons.append(f"通报批评 {number}")
    return list(entries.values())


def held_interviews(session: Session, ledger_id: int | None = None) -> list[dict[str, Any]]:
    """Interviews held, newest first."""
    query = (
        sa.select(col(Ledger.title), col(Unit.name), col(Interview.person), col(Interview.held_on), col(Interview.note))
        .join(Ledger, col(Ledger.id) == col(Interview.ledger_id))
        .join(Unit, col(Unit.id) == col(Interview.unit_id))
        .order_by(col(Interview.held_on).desc(), col(Interview.id).desc())
    )
    if ledger_id is not None:
        query = query.where(col(Interview.ledger_id) == ledger_id)
    return [
        {"ledger": title, "unit": unit, "person": person, "held_on": held_on, "note": note}
        for title, unit, person, held_on, note in session.execute(query)
    ]
