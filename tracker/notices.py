"""Notices: issued from a scan's new escalations, numbered like official documents, acknowledged.

A warning notice (督办通知), interview notice (约谈通知) or accountability referral (问责建议)
concerns one unit and covers all of its assignments that newly reached that level; a criticism
bulletin (通报) is one per ledger and run and names every newly criticised unit. An assignment
yields the notice of the highest level it reached, once per level and deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker import audit
from tracker.config import Level, NoticeSettings
from tracker.errors import NotFoundError
from tracker.ladder import LEVEL_LABELS, LEVEL_OF, RANK
from tracker.models import Assignment, Ledger, Notice, NoticeCounter, NoticeItem, Person, ReportDue, Task, Unit
from tracker.scan import Finding

NOTICE_TITLES = {
    Level.WARNING: "督办通知",
    Level.CRITICISM: "通报",
    Level.INTERVIEW: "约谈通知",
    Level.ACCOUNTABILITY: "问责建议",
}


def next_number(session: Session, year: int, settings: NoticeSettings) -> tuple[int, str]:
    """The next serial of ``year``. The UPDATE takes the write lock first, so two processes never
    get the same serial; a number once issued is never issued again."""
    bumped = session.execute(
        sa.update(NoticeCounter).where(col(NoticeCounter.year) == year).values(last=col(NoticeCounter.last) + 1)
    )
    if bumped.rowcount == 0:  # type: ignore[attr-defined]
        session.add(NoticeCounter(year=year, last=1))
        session.flush()
    serial = session.execute(select(NoticeCounter.last).where(NoticeCounter.year == year)).scalar_one()
    return serial, settings.number_format.format(year=year, serial=serial)


def issue_notices(
    session: Session,
    new: Sequence[Finding],
    *,
    as_of: dt.date,
    now: dt.datetime,
    by: str,
    settings: NoticeSettings,
) -> list[Notice]:
    """Create the notices for newly escalated findings and remember what was noticed."""
    groups: dict[tuple[int, int, int], list[Finding]] = {}
    for finding in new:
        if finding.rank < RANK[Level.WARNING]:
            continue
        unit_key = 0 if LEVEL_OF[finding.rank] == Level.CRITICISM else finding.unit_id
        groups.setdefault((finding.ledger_id, finding.rank, unit_key), []).append(finding)
    notices = []
    items: list[dict[str, Any]] = []
    noticed_tasks: list[dict[str, Any]] = []
    noticed_reports: list[dict[str, Any]] = []
    for (ledger_id, rank, unit_key), findings in sorted(groups.items()):
        serial, number = next_number(session, as_of.year, settings)
        notice = Notice(
            kind=LEVEL_OF[rank].value,
            ledger_id=ledger_id,
            unit_id=unit_key or None,
            number=number,
            year=as_of.year,
            serial=serial,
            as_of=as_of,
            fix_by=as_of + dt.timedelta(days=settings.fix_days),
            created_at=now,
            created_by=by,
        )
        session.add(notice)
        session.flush()
        assert notice.id is not None
        for f in findings:
            is_task = f.kind == "task"
            items.append(
                {
                    "notice_id": notice.id,
                    "unit_id": f.unit_id,
                    "assignment_id": f.item_id if is_task else None,
                    "report_id": None if is_task else f.item_id,
                    "level": rank,
                    "deadline": f.deadline,
                    "days_overdue": f.days_overdue,
                }
            )
            if is_task:
                noticed_tasks.append({"id": f.item_id, "notified_level": rank, "notified_due": f.deadline})
            else:
                noticed_reports.append({"id": f.item_id, "notified_level": rank})
        audit.record(
            session,
            at=now,
            by=by,
            action=f"notice-{notice.kind}",
            ledger_id=ledger_id,
            unit_id=notice.unit_id,
            subject=number,
            after={"kind": notice.kind, "items": len(findings), "as_of": as_of},
        )
        notices.append(notice)
    # In bulk: a first check over a large ledger escalates hundreds of thousands of assignments.
    if items:
        session.execute(sa.insert(NoticeItem), items)
    if noticed_tasks:
        session.execute(sa.update(Assignment), noticed_tasks)
    if noticed_reports:
        session.execute(sa.update(ReportDue), noticed_reports)
    session.flush()
    return notices


@dataclass(frozen=True)
class NoticeLine:
    unit: str
    person: str
    seq: str
    task: str
    deadline_text: str
    deadline: dt.date | None
    days_overdue: int


@dataclass(frozen=True)
class NoticeDetail:
    id: int
    kind: str
    number: str
    title: str
    ledger: str
    doc_number: str
    issuer: str
    as_of: dt.date
    fix_by: dt.date | None
    units: list[str]
    persons: list[str]
    lines: list[NoticeLine] = field(default_factory=list)
    acknowledged_at: dt.datetime | None = None
    acknowledged_by: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "number": self.number,
            "ledger": self.ledger,
            "units": self.units,
            "as_of": self.as_of.isoformat(),
            "fix_by": self.fix_by.isoformat() if self.fix_by else None,
            "acknowledged_at": self.acknowledged_at.isoformat() if self.acknowledged_at else None,
            "acknowledged_by": self.acknowledged_by or None,
            "items": [
                {
                    "unit": ln.unit,
                    "task": ln.seq,
                    "task_text": ln.task,
                    "deadline_text": ln.deadline_text,
                    "deadline": ln.deadline.isoformat() if ln.deadline else None,
                    "days_overdue": ln.days_overdue,
                }
                for ln in self.lines
            ],
        }


def notice_detail(session: Session, notice: Notice, issuer: str) -> NoticeDetail:
    ledger = session.get(Ledger, notice.ledger_id)
    assert ledger is not None and notice.id is not None
    task_rows = session.execute(
        sa.select(
            col(Unit.name),
            sa.func.coalesce(col(Person.name), ""),
            col(Task.seq),
            col(Task.text),
            col(Task.deadline_text),
            col(NoticeItem.deadline),
            col(NoticeItem.days_overdue),
        )
        .join(Assignment, col(Assignment.id) == col(NoticeItem.assignment_id))
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .join(Unit, col(Unit.id) == col(NoticeItem.unit_id))
        .outerjoin(Person, sa.and_(col(Person.unit_id) == col(Unit.id), col(Person.until).is_(None)))
        .where(col(NoticeItem.notice_id) == notice.id)
        .order_by(col(Unit.position), col(Task.position))
    ).all()
    from tracker.models import ReportDuty

    report_rows = session.execute(
        sa.select(
            col(Unit.name),
            sa.func.coalesce(col(Person.name), ""),
            col(ReportDuty.name),
            col(ReportDuty.deadline_text),
            col(NoticeItem.deadline),
            col(NoticeItem.days_overdue),
        )
        .join(ReportDue, col(ReportDue.id) == col(NoticeItem.report_id))
        .join(ReportDuty, col(ReportDuty.id) == col(ReportDue.duty_id))
        .join(Unit, col(Unit.id) == col(NoticeItem.unit_id))
        .outerjoin(Person, sa.and_(col(Person.unit_id) == col(Unit.id), col(Person.until).is_(None)))
        .where(col(NoticeItem.notice_id) == notice.id)
        .order_by(col(Unit.position), col(NoticeItem.deadline))
    ).all()
    lines = [NoticeLine(u, p, s, t, dtext, d, n) for u, p, s, t, dtext, d, n in task_rows]
    lines += [NoticeLine(u, p, "", f"{name}（漏报）", dtext, d, n) for u, p, name, dtext, d, n in report_rows]
    units: list[str] = []
    persons: list[str] = []
    for line in lines:
        if line.unit not in units:
            units.append(line.unit)
            persons.append(line.person)
    return NoticeDetail(
        id=notice.id,
        kind=notice.kind,
        number=notice.number,
        title=NOTICE_TITLES[Level(notice.kind)],
        ledger=ledger.title,
        doc_number=ledger.doc_number,
        issuer=issuer,
        as_of=notice.as_of,
        fix_by=notice.fix_by,
        units=units,
        persons=persons,
        lines=lines,
        acknowledged_at=notice.acknowledged_at,
        acknowledged_by=notice.acknowledged_by,
    )


def find_notice(session: Session, ref: str) -> Notice:
    """By id, or by its document number (督查〔2017〕3号)."""
    ref = ref.strip()
    notice = session.get(Notice, int(ref)) if ref.isdigit() else None
    if notice is None:
        notice = session.exec(select(Notice).where(Notice.number == ref)).first()
    if notice is None:
        raise NotFoundError(f"no notice {ref!r} (see `tracker notices`)")
    return notice


def list_notices(session: Session, *, unacknowledged: bool = False, ledger_id: int | None = None) -> list[Notice]:
    query = select(Notice).order_by(col(Notice.id))
    if unacknowledged:
        query = query.where(col(Notice.acknowledged_at).is_(None))
    if ledger_id is not None:
        query = query.where(Notice.ledger_id == ledger_id)
    return list(session.exec(query))


def notice_units(session: Session, notice_ids: Sequence[int]) -> dict[int, list[str]]:
    """The units each notice concerns, in ledger order."""
    rows = session.execute(
        select(NoticeItem.notice_id, Unit.name)
        .join(Unit, col(Unit.id) == col(NoticeItem.unit_id))
        .where(col(NoticeItem.notice_id).in_(notice_ids))
        .distinct()
        .order_by(col(NoticeItem.notice_id), col(Unit.name))
    ).all()
    by_notice: dict[int, list[str]] = {}
    for notice_id, unit in rows:
        by_notice.setdefault(notice_id, []).append(unit)
    return by_notice


def acknowledge(session: Session, notice: Notice, *, by: str, now: dt.datetime) -> bool:
    """Record 签收; False when it was acknowledged already (nothing changes then)."""
    if notice.acknowledged_at is not None:
        return False
    notice.acknowledged_at, notice.acknowledged_by = now, by
    session.add(notice)
    audit.record(
        session,
        at=now,
        by=by,
        action="ack",
        ledger_id=notice.ledger_id,
        unit_id=notice.unit_id,
        subject=notice.number,
        after={"acknowledged_by": by},
    )
    return True


def kind_label(kind: str) -> str:
    return LEVEL_LABELS[Level(kind)]
