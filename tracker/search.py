"""Find ledgers, tasks, units and responsible persons by a part of their name or text."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.models import Ledger, Person, Task, Unit
from tracker.people import in_office


@dataclass(frozen=True)
class Hit:
    kind: str  # ledger | task | unit | person
    text: str  # the title, task text, unit name or person's name
    where: str  # what it belongs to: the ledger (task, unit) or the unit (person); "" for a ledger
    ledger_id: int
    task_id: int | None = None
    unit_id: int | None = None
    seq: str = ""  # a task's 序号


def search(session: Session, text: str, limit: int = 10) -> list[Hit]:
    """Up to ``limit`` hits of each kind whose name or text contains ``text`` (case-insensitive)."""
    text = text.strip()
    if not text:
        return []
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"

    def like(column: object) -> sa.ColumnElement[bool]:
        return sa.func.lower(column).like(pattern.lower(), escape="\\")

    hits = [
        Hit("ledger", title, "", lid)
        for lid, title in session.execute(
            sa.select(col(Ledger.id), col(Ledger.title)).where(like(col(Ledger.title))).limit(limit)
        )
    ]
    tasks = session.execute(
        sa.select(col(Task.id), col(Task.ledger_id), col(Task.seq), col(Task.text), col(Ledger.title))
        .join(Ledger, col(Ledger.id) == col(Task.ledger_id))
        .where(sa.or_(like(col(Task.text)), col(Task.seq) == text))
        .order_by(col(Task.ledger_id), col(Task.position))
        .limit(limit)
    )
    hits += [Hit("task", body, title, lid, task_id=tid, seq=seq) for tid, lid, seq, body, title in tasks]
    units = session.execute(
        sa.select(col(Unit.id), col(Unit.ledger_id), col(Unit.name), col(Ledger.title))
        .join(Ledger, col(Ledger.id) == col(Unit.ledger_id))
        .where(like(col(Unit.name)))
        .order_by(col(Unit.ledger_id), col(Unit.position))
        .limit(limit)
    )
    hits += [Hit("unit", name, title, lid, unit_id=uid) for uid, lid, name, title in units]
    persons = session.execute(
        sa.select(col(Person.name), col(Unit.id), col(Unit.ledger_id), col(Unit.name))
        .join(Unit, col(Unit.id) == col(Person.unit_id))
        .where(in_office(), like(col(Person.name)))
        .order_by(col(Unit.ledger_id), col(Unit.position))
        .limit(limit)
    )
    hits += [Hit("person", name, unit, lid, unit_id=uid) for name, uid, lid, unit in persons]
    return hits
