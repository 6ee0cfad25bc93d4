"""Notices: issued from a scan's new escalations, numbered like official documents, acknowledged.

A warning notice (督办通知), interview notice (约谈通知) or accountability referral (问责建议)
concerns one unit and covers all of its assignments that newly reached that level; a criticism
bulletin (通报) is one per ledger and run and names every newly criticised unit. An assignment
yields the notice of the highest level it reached, once per level and deadline.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker import audit
from tracker.config import EscalationRule, Level, NoticeSettings
from tracker.deadlines import cn_date
from tracker.errors import InputError, NotFoundError
from tracker.ladder import LEVEL_LABELS, LEVEL_OF, NOTICE_MIN_RANK, RANK
from tracker.models import (
    Assignment,
    Extension,
    Ledger,
    Notice,
    NoticeCounter,
    NoticeItem,
    NoticeReceipt,
    Person,
    ReportDue,
    Task,
    Unit,
    table_of,
)
from tracker.scan import Finding
from tracker.workdays import WorkCalendar

NOTICE_TITLES = {
    Level.WARNING: "督办通知",
    Level.CRITICISM: "通报",
    Level.INTERVIEW: "约谈通知",
    Level.ACCOUNTABILITY: "问责建议",
}


def reserve_numbers(session: Session, year: int, count: int) -> int:
    """Reserve ``count`` serials of ``year``; returns the first. The UPDATE takes the write lock
    before anything is read, so two processes never get the same serial, and a serial once
    reserved is never handed out again."""
    connection = session.connection()
    counter = table_of(NoticeCounter)
    bumped = connection.execute(sa.update(counter).where(counter.c.year == year).values(last=counter.c.last + count))
    if bumped.rowcount == 0:
        connection.execute(sa.insert(counter).values(year=year, last=count))
    last = connection.execute(sa.select(counter.c.last).where(counter.c.year == year)).scalar_one()
    return int(last) - count + 1


GroupKey = tuple[int, int, int]  # (ledger, level rank, unit; 0 for a ledger's criticism bulletin)


def _group_key(ledger_id: int, rank: int, unit_id: int) -> GroupKey:
    return ledger_id, rank, 0 if rank == RANK[Level.CRITICISM] else unit_id


def _create_notices(
    session: Session,
    groups: Sequence[tuple[GroupKey, int]],
    *,
    as_of: dt.date,
    now: dt.datetime,
    by: str,
    settings: NoticeSettings,
) -> dict[GroupKey, int]:
    """One notice per group (with its item count for the audit trail); returns their ids."""
    connection = session.connection()
    first = reserve_numbers(session, as_of.year, len(groups))
    fix_by = as_of + dt.timedelta(days=settings.fix_days)
    rows: list[dict[str, Any]] = []
    audits: list[dict[str, Any]] = []
    for i, ((ledger_id, rank, unit_key), count) in enumerate(groups):
        kind = LEVEL_OF[rank].value
        number = settings.number_format.format(year=as_of.year, serial=first + i)
        rows.append(
            {
                "kind": kind,
                "ledger_id": ledger_id,
                "unit_id": unit_key or None,
                "number": number,
                "year": as_of.year,
                "serial": first + i,
                "as_of": as_of,
                "fix_by": fix_by,
                "created_at": now,
                "created_by": by,
                "meeting_at": "",
                "meeting_place": settings.interview_place if rank == RANK[Level.INTERVIEW] else "",
            }
        )
        audits.append(
            audit.entry(
                at=now,
                by=by,
                action=f"notice-{kind}",
                ledger_id=ledger_id,
                unit_id=unit_key or None,
                subject=number,
                after={"kind": kind, "items": count, "as_of": as_of},
            )
        )
    notice = table_of(Notice)
    connection.execute(sa.insert(notice), rows)
    audit.record_many(session, audits)
    serials: dict[int, int] = dict(
        connection.execute(
            sa.select(notice.c.serial, notice.c.id).where(
                notice.c.year == as_of.year, notice.c.serial >= first, notice.c.serial < first + len(rows)
            )
        ).all()
    )
    return {key: serials[first + i] for i, (key, _) in enumerate(groups)}


def _report_groups(new: Sequence[Finding]) -> dict[GroupKey, list[Finding]]:
    """Newly escalated missed reports by the notice they go into."""
    groups: dict[GroupKey, list[Finding]] = {}
    for f in new:
        if f.rank >= NOTICE_MIN_RANK:
            groups.setdefault(_group_key(f.ledger_id, f.rank, f.unit_id), []).append(f)
    return groups


def _write_report_items(session: Session, groups: dict[GroupKey, list[Finding]], ids: dict[GroupKey, int]) -> None:
    """The missed reports' notice items, and their report periods marked as noticed."""
    items: list[dict[str, Any]] = []
    marks: list[dict[str, Any]] = []
    for key, findings in sorted(groups.items()):
        for f in findings:
            items.append(
                {
                    "notice_id": ids[key],
                    "unit_id": f.unit_id,
                    "assignment_id": None,
                    "report_id": f.item_id,
                    "level": key[1],
                    "deadline": f.deadline,
                    "days_overdue": f.days_overdue,
                }
            )
            marks.append({"b_id": f.item_id, "b_level": key[1]})
    if not items:
        return
    connection = session.connection()
    connection.execute(sa.insert(table_of(NoticeItem)), items)
    report = table_of(ReportDue)
    connection.execute(
        sa.update(report).where(report.c.id == sa.bindparam("b_id")).values(notified_level=sa.bindparam("b_level")),
        marks,
    )


def _scratch_tables() -> tuple[sa.Table, sa.Table]:
    """Two temporary tables for one escalation: the newly escalated assignments, and which
    notice each (ledger, level, unit) group went into. Keys on both make every join an index
    lookup: joining the scan itself to the notices made SQLite re-run the scan per notice."""
    meta = sa.MetaData()
    escalated = sa.Table(
        "escalated",
        meta,
        sa.Column("assignment_id", sa.Integer, primary_key=True),
        sa.Column("ledger_id", sa.Integer, nullable=False),
        sa.Column("unit_id", sa.Integer, nullable=False),
        sa.Column("unit_key", sa.Integer, nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("days_overdue", sa.Integer, nullable=False),
        prefixes=["TEMPORARY"],
    )
    grouped = sa.Table(
        "escalated_notice",
        meta,
        sa.Column("ledger_id", sa.Integer, primary_key=True),
        sa.Column("level", sa.Integer, primary_key=True),
        sa.Column("unit_key", sa.Integer, primary_key=True),
        sa.Column("notice_id", sa.Integer, nullable=False),
        prefixes=["TEMPORARY"],
    )
    return escalated, grouped


def escalate_tasks(
    session: Session,
    *,
    as_of: dt.date,
    now: dt.datetime,
    by: str,
    settings: NoticeSettings,
    rules: list[EscalationRule],
    calendar: WorkCalendar,
    reports: Sequence[Finding] = (),
) -> list[int]:
    """Notices for every assignment that newly reached a notice level and for the newly escalated
    missed ``reports``, all numbered and grouped together: one bulletin per ledger and run names
    every newly criticised unit, whether for its tasks or its reports, and a unit's notice of a
    level covers both.

    Set-based for the assignments: the scan's new escalations are written once to a temporary
    table, then grouped into notices, copied into notice items and marked as noticed by single
    statements, never loaded into Python (a first check may escalate 400,000 of them)."""
    connection = session.connection()
    escalated, grouped = _scratch_tables()
    escalated.create(connection)
    grouped.create(connection)
    # No try/finally: after an error the transaction rolls back, and the tables with it.
    ids = _escalate_into(
        session,
        escalated,
        grouped,
        as_of=as_of,
        now=now,
        by=by,
        settings=settings,
        rules=rules,
        calendar=calendar,
        reports=_report_groups(reports),
    )
    grouped.drop(connection)
    escalated.drop(connection)
    return sorted(ids)


def _escalate_into(
    session: Session,
    escalated: sa.Table,
    grouped: sa.Table,
    *,
    as_of: dt.date,
    now: dt.datetime,
    by: str,
    settings: NoticeSettings,
    rules: list[EscalationRule],
    calendar: WorkCalendar,
    reports: dict[GroupKey, list[Finding]],
) -> list[int]:
    from tracker.scan import criticism_counts, is_new, ladders, scan_parts

    connection = session.connection()
    crit = criticism_counts(session, as_of)
    columns = ["assignment_id", "ledger_id", "unit_id", "due_on", "days_overdue", "level", "unit_key"]
    for ladder, ledger_ids in ladders(session, rules).values():
        for part in scan_parts(ledger_ids, ladder.rungs(as_of, calendar), as_of, crit):
            if part.rank is not None and part.rank < NOTICE_MIN_RANK:
                continue
            # A bulletin is per ledger (unit key 0), every other notice per unit.
            unit_key = sa.case((part.level == RANK[Level.CRITICISM], 0), else_=col(Assignment.unit_id))
            scan = (
                sa.select(
                    col(Assignment.id),
                    col(Task.ledger_id),
                    col(Assignment.unit_id),
                    col(Assignment.due_on),
                    _days_between(connection.dialect.name, col(Assignment.due_on), as_of),
                    part.level,
                    unit_key,
                )
                .join(Task, col(Task.id) == col(Assignment.task_id))
                .where(*part.where, is_new(part.level))
            )
            connection.execute(sa.insert(escalated).from_select(columns, scan))
    e = escalated.c
    counted = connection.execute(
        sa.select(e.ledger_id, e.level, e.unit_key, sa.func.count()).group_by(e.ledger_id, e.level, e.unit_key)
    ).all()
    sizes: dict[GroupKey, int] = {(int(lid), int(rank), int(unit)): int(n) for lid, rank, unit, n in counted}
    for key, found in reports.items():
        sizes[key] = sizes.get(key, 0) + len(found)
    if not sizes:
        return []
    ids = _create_notices(session, sorted(sizes.items()), as_of=as_of, now=now, by=by, settings=settings)
    _write_report_items(session, reports, ids)
    if not counted:
        _create_receipts(session, list(ids.values()))
        return list(ids.values())
    connection.execute(
        sa.insert(grouped),
        [{"ledger_id": k[0], "level": k[1], "unit_key": k[2], "notice_id": i} for k, i in ids.items()],
    )
    assignment = table_of(Assignment)
    connection.execute(
        sa.update(assignment)
        .where(assignment.c.id == e.assignment_id)
        .values(notified_level=e.level, notified_due=e.due_on)
    )
    g = grouped.c
    connection.execute(
        sa.insert(table_of(NoticeItem)).from_select(
            ["notice_id", "unit_id", "assignment_id", "level", "deadline", "days_overdue"],
            sa.select(g.notice_id, e.unit_id, e.assignment_id, e.level, e.due_on, e.days_overdue).join(
                grouped, sa.and_(g.ledger_id == e.ledger_id, g.level == e.level, g.unit_key == e.unit_key)
            ),
        )
    )
    _create_receipts(session, list(ids.values()))
    return list(ids.values())


def _create_receipts(session: Session, notice_ids: list[int]) -> None:
    """A receipt, unsigned, for each unit each new notice is addressed to: a unit's notice its
    unit, a bulletin every unit it names (its items' units, the unit's notice's too)."""
    if not notice_ids:
        return
    item = table_of(NoticeItem)
    session.connection().execute(
        sa.insert(table_of(NoticeReceipt)).from_select(
            ["notice_id", "unit_id", "acknowledged_by"],
            sa.select(item.c.notice_id, item.c.unit_id, sa.literal(""))
            .where(item.c.notice_id.in_(notice_ids))
            .distinct(),
        )
    )


def _days_between(dialect: str, due_on: Any, as_of: dt.date) -> Any:
    """``as_of - due_on`` in calendar days, in SQL."""
    if dialect == "sqlite":
        return sa.cast(sa.func.julianday(as_of.isoformat()) - sa.func.julianday(due_on), sa.Integer)
    return sa.literal(as_of, sa.Date) - due_on


@dataclass(frozen=True)
class NoticeLine:
    unit: str
    person: str
    seq: str
    task: str
    deadline_text: str
    deadline: dt.date | None
    days_overdue: int


LIST_APART_OVER = 30  # items; more, in a notice to several units, and they go into an attachment


@dataclass(frozen=True)
class UnitCount:
    unit: str
    tasks: int
    reports: int
    longest: int  # days overdue, the most of any of its items


@dataclass(frozen=True)
class Receipt:
    """签收 of a notice by one unit it is addressed to."""

    notice_id: int
    unit_id: int
    unit: str  # by name
    acknowledged_at: dt.datetime | None
    acknowledged_by: str
    chased_on: dt.date | None  # the day the check reminded the unit to sign

    @property
    def signed(self) -> bool:
        return self.acknowledged_at is not None

    def as_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "acknowledged_by": self.acknowledged_by or None,
            "acknowledged_at": self.acknowledged_at.isoformat() if self.acknowledged_at else None,
            "chased_on": self.chased_on.isoformat() if self.chased_on else None,
        }


def receipts_of(session: Session, notice_ids: Sequence[int]) -> dict[int, list[Receipt]]:
    """Each notice's receipts, by unit name."""
    if not notice_ids:
        return {}
    rows = session.execute(
        sa.select(
            col(NoticeReceipt.notice_id),
            col(NoticeReceipt.unit_id),
            col(Unit.name),
            col(NoticeReceipt.acknowledged_at),
            col(NoticeReceipt.acknowledged_by),
            col(NoticeReceipt.chased_on),
        )
        .join(Unit, col(Unit.id) == col(NoticeReceipt.unit_id))
        .where(col(NoticeReceipt.notice_id).in_(list(notice_ids)))
        .order_by(col(NoticeReceipt.notice_id), col(Unit.name))
    )
    found: dict[int, list[Receipt]] = {}
    for row in rows:
        found.setdefault(int(row[0]), []).append(Receipt(*row))
    return found


@dataclass(frozen=True)
class EarlierNotice:
    """A notice issued before this one about the same assignments or reports."""

    number: str
    kind: str
    as_of: dt.date


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
    # 签收 per unit addressed (one for a unit's notice, one per unit a bulletin names).
    receipts: list[Receipt] = field(default_factory=list)
    # What was issued before about these very assignments (or reports), oldest first: what an
    # interview notice or a referral may say happened, and all it may say.
    earlier: list[EarlierNotice] = field(default_factory=list)
    meeting_at: str = ""  # an interview's time, "YYYY-MM-DD HH:MM" local; empty: to be filled in
    meeting_place: str = ""
    issued_at: dt.datetime | None = None  # when the notice was created: the document's own date

    @property
    def listed_apart(self) -> bool:
        """Whether the items go into an attachment (附件) and the body counts them by unit: a
        bulletin naming hundreds of missed reports would otherwise fill dozens of pages."""
        return len(self.units) > 1 and len(self.lines) > LIST_APART_OVER

    @property
    def unit_counts(self) -> list[UnitCount]:
        """Per unit, in the notice's order: its overdue tasks, its missed reports, the longest delay."""
        counts: dict[str, UnitCount] = {}
        for line in self.lines:
            was = counts.get(line.unit, UnitCount(line.unit, 0, 0, 0))
            missed = line.seq == ""  # a report line has no task number
            counts[line.unit] = UnitCount(
                line.unit,
                was.tasks + (not missed),
                was.reports + missed,
                max(was.longest, line.days_overdue),
            )
        return list(counts.values())

    @property
    def meeting_when(self) -> str:
        """The interview's time as a notice writes it: 2017年5月10日（星期三）9时30分; empty if unset."""
        if not self.meeting_at:
            return ""
        when = dt.datetime.fromisoformat(self.meeting_at)
        minutes = f"{when.minute}分" if when.minute else ""
        return f"{cn_date(when.date())}（星期{'一二三四五六日'[when.weekday()]}）{when.hour}时{minutes}"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "number": self.number,
            "ledger": self.ledger,
            "units": self.units,
            "as_of": self.as_of.isoformat(),
            "fix_by": self.fix_by.isoformat() if self.fix_by else None,
            "receipts": [r.as_json() for r in self.receipts],
            "earlier": [{"number": e.number, "kind": e.kind, "as_of": e.as_of.isoformat()} for e in self.earlier],
            "meeting_at": self.meeting_at or None,
            "meeting_place": self.meeting_place or None,
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


def _person_then() -> Any:
    """The unit's person when the notice was issued (the ``issued`` parameter): an issued notice
    names whom it named, even after a personnel change."""
    issued = sa.bindparam("issued", type_=table_of(Person).c.since.type)
    return sa.and_(
        col(Person.unit_id) == col(Unit.id),
        col(Person.since) <= issued,
        sa.or_(col(Person.until).is_(None), col(Person.until) > issued),
    )


def _deadline_as_noticed(text: str, kind: str, written: dt.date | None, noticed: dt.date | None, extended: bool) -> str:
    """The deadline as the notice gives it: as written when that is the date judged; with the
    extended date when an approved extension moved it (原定 stays in the words); with the date
    of the period or of the trigger for a recurring or relative deadline."""
    if noticed is None or (kind == "absolute" and written == noticed):
        return text
    if extended:
        return f"{text}（已延期至{cn_date(noticed)}）"
    return f"{text}（{cn_date(noticed)}）"


def _words_as_issued(session: Session, notice: Notice, task_ids: set[int]) -> dict[tuple[int, str], str]:
    """A task's text and deadline as they were written when the notice was issued, where a
    re-import changed them since: the first change after the notice keeps the words before it."""
    if not task_ids:
        return {}
    rows = session.connection().execute(_words_statement(), {"task_ids": sorted(task_ids), "issued": notice.created_at})
    words: dict[tuple[int, str], str] = {}
    for task_id, before in rows:
        for name, value in json.loads(before or "{}").items():
            words.setdefault((int(task_id), name), str(value))
    return words


# The statements that read a notice back, built once per process with the notice as parameters
# and run on the session's connection (they select columns, no ORM objects): building a
# SQLAlchemy statement and the ORM's handling of it cost more than running it, and
# ``tracker notify`` reads a thousand notices back to attach them.


@functools.cache
def _task_rows_statement() -> Any:
    extended = (
        sa.select(sa.literal(1))
        .where(
            col(Extension.assignment_id) == col(NoticeItem.assignment_id),
            col(Extension.status) == "approved",
            col(Extension.new_due) == col(NoticeItem.deadline),
        )
        .exists()
    )
    return (
        sa.select(
            col(Unit.name),
            sa.func.coalesce(col(Person.name), ""),
            col(Task.seq),
            col(Task.text),
            col(Task.deadline_text),
            col(NoticeItem.deadline),
            col(NoticeItem.days_overdue),
            col(Task.deadline_kind),
            col(Task.due_on),
            extended,
            col(Task.id),
        )
        .join(Assignment, col(Assignment.id) == col(NoticeItem.assignment_id))
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .join(Unit, col(Unit.id) == col(NoticeItem.unit_id))
        .outerjoin(Person, _person_then())
        .where(col(NoticeItem.notice_id) == sa.bindparam("notice_id"))
        .order_by(col(Unit.position), col(Task.position))
    )


@functools.cache
def _report_rows_statement() -> Any:
    from tracker.models import ReportDuty

    return (
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
        .outerjoin(Person, _person_then())
        .where(col(NoticeItem.notice_id) == sa.bindparam("notice_id"))
        .order_by(col(Unit.position), col(NoticeItem.deadline))
    )


@functools.cache
def _words_statement() -> Any:
    from tracker.models import AuditEntry

    return (
        sa.select(col(AuditEntry.task_id), col(AuditEntry.before))
        .where(
            col(AuditEntry.task_id).in_(sa.bindparam("task_ids", expanding=True)),
            col(AuditEntry.action).in_(("task-text", "deadline")),
            col(AuditEntry.at) > sa.bindparam("issued", type_=table_of(AuditEntry).c.at.type),
        )
        .order_by(col(AuditEntry.id))
    )


@functools.cache
def _earlier_statement(*, to_one_unit: bool) -> Any:
    """Notices before ``notice_id`` sharing an assignment or a report with it; ``to_one_unit``:
    also the bulletins in ``ledger_id`` that criticised ``unit_id``."""
    mine = (
        sa.select(col(NoticeItem.assignment_id), col(NoticeItem.report_id))
        .where(col(NoticeItem.notice_id) == sa.bindparam("notice_id"))
        .subquery()
    )
    covered: list[Any] = [
        col(NoticeItem.assignment_id).in_(sa.select(mine.c.assignment_id).where(mine.c.assignment_id.isnot(None))),
        col(NoticeItem.report_id).in_(sa.select(mine.c.report_id).where(mine.c.report_id.isnot(None))),
    ]
    if to_one_unit:
        covered.append(
            sa.and_(
                col(Notice.kind) == Level.CRITICISM.value,
                col(Notice.ledger_id) == sa.bindparam("ledger_id"),
                col(NoticeItem.unit_id) == sa.bindparam("unit_id"),
            )
        )
    return (
        sa.select(col(Notice.id), col(Notice.number), col(Notice.kind), col(Notice.as_of))
        .join(NoticeItem, col(NoticeItem.notice_id) == col(Notice.id))
        .where(col(Notice.id) < sa.bindparam("notice_id"), sa.or_(*covered))
        .distinct()
        .order_by(col(Notice.id))
    )


def notice_detail(session: Session, notice: Notice, issuer: str) -> NoticeDetail:
    ledger = session.get(Ledger, notice.ledger_id)
    assert ledger is not None and notice.id is not None
    values = {"notice_id": notice.id, "issued": notice.created_at}
    task_rows = session.connection().execute(_task_rows_statement(), values).all()
    report_rows = session.connection().execute(_report_rows_statement(), values).all()
    issued = _words_as_issued(session, notice, {row[-1] for row in task_rows})
    lines = [
        NoticeLine(
            u,
            p,
            s,
            issued.get((tid, "text"), t),
            _deadline_as_noticed(issued.get((tid, "deadline"), dtext), kind, written, d, bool(ext)),
            d,
            n,
        )
        for u, p, s, t, dtext, d, n, kind, written, ext, tid in task_rows
    ]
    lines += [
        NoticeLine(u, p, "", f"{name}（漏报）", _deadline_as_noticed(dtext, "recurring", None, d, False), d, n)
        for u, p, name, dtext, d, n in report_rows
    ]
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
        receipts=receipts_of(session, [notice.id]).get(notice.id, []),
        earlier=earlier_notices(session, notice),
        meeting_at=notice.meeting_at,
        meeting_place=notice.meeting_place,
        issued_at=notice.created_at,
    )


def earlier_notices(session: Session, notice: Notice) -> list[EarlierNotice]:
    """The notices issued before ``notice`` that covered any of its assignments or reports; for
    a notice to one unit, also every bulletin that criticised the unit in the ledger (the
    ``criticisms`` an interview may rest on, whatever they were for)."""
    values = {"notice_id": notice.id, "ledger_id": notice.ledger_id, "unit_id": notice.unit_id}
    rows = session.connection().execute(_earlier_statement(to_one_unit=notice.unit_id is not None), values)
    return [EarlierNotice(number, kind, as_of) for _, number, kind, as_of in rows]


def find_notice(session: Session, ref: str) -> Notice:
    """By id, or by its document number (督查〔2017〕3号)."""
    from tracker.lookup import record_id

    ref = ref.strip()
    number = record_id(ref, "notice")
    notice = session.get(Notice, number) if number is not None else None
    if notice is None:
        notice = session.exec(select(Notice).where(Notice.number == ref)).first()
    if notice is None:
        raise NotFoundError(f"no notice {ref!r} (see `tracker notices`)")
    return notice


def list_notices(session: Session, *, unacknowledged: bool = False, ledger_id: int | None = None) -> list[Notice]:
    query = select(Notice).order_by(col(Notice.id))
    if unacknowledged:  # any unit addressed has not signed yet
        unsigned = sa.select(col(NoticeReceipt.notice_id)).where(col(NoticeReceipt.acknowledged_at).is_(None))
        query = query.where(col(Notice.id).in_(unsigned))
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


def acknowledge(
    session: Session, notice: Notice, unit_id: int, *, by: str, now: dt.datetime
) -> tuple[NoticeReceipt, bool]:
    """Record 签收 of ``notice`` by its unit ``unit_id`` (one it is addressed to): the unit's
    receipt, and False when that unit had signed already (nothing changes then)."""
    receipt = session.exec(
        select(NoticeReceipt).where(NoticeReceipt.notice_id == notice.id, NoticeReceipt.unit_id == unit_id)
    ).one()
    if receipt.acknowledged_at is not None:
        return receipt, False
    receipt.acknowledged_at, receipt.acknowledged_by = now, by
    session.add(receipt)
    audit.record(
        session,
        at=now,
        by=by,
        action="ack",
        ledger_id=notice.ledger_id,
        unit_id=unit_id,
        subject=notice.number,
        after={"acknowledged_by": by},
    )
    return receipt, True


def parse_meeting_time(text: str) -> str:
    """An interview's time as typed (2017-05-10 09:30, 2017/5/10 9:30, 2017年5月10日 9:30 or
    9时30分) as stored: "YYYY-MM-DD HH:MM"."""
    import re

    from tracker.deadlines import Absolute, DeadlineError, parse

    found = re.fullmatch(r"\s*(.*?日|\S+)\s*(上午|下午)?\s*(\d{1,2})\s*[:：时点]\s*(\d{1,2})?\s*分?\s*", text)
    if found is None:
        raise InputError(f"--at: {text!r} is not a date and time (e.g. 2017-05-10 09:30)")
    try:
        day = parse(found.group(1))
    except DeadlineError as exc:
        raise InputError(f"--at: {exc}") from None
    hour, minute = int(found.group(3)), int(found.group(4) or 0)
    if found.group(2) == "上午" and hour >= 12:
        raise InputError(f"--at: {text!r}: 上午 and {hour}时 do not go together")
    if found.group(2) == "下午" and hour < 12:
        hour += 12
    if not isinstance(day, Absolute) or hour > 23 or minute > 59:
        raise InputError(f"--at: {text!r} is not a date and time (e.g. 2017-05-10 09:30)")
    return f"{day.date.isoformat()} {hour:02d}:{minute:02d}"


def schedule_interview(
    session: Session, notice: Notice, stamp: audit.Stamp, *, at: str | None, place: str | None
) -> Notice:
    """Set an interview notice's time and/or place (audited)."""
    if notice.kind != Level.INTERVIEW.value:
        raise InputError(f"{notice.number} is a {LEVEL_LABELS[Level(notice.kind)]}, not an interview notice (约谈通知)")
    if at is None and place is None:
        raise InputError("give --at, --place or both")
    before = {"meeting_at": notice.meeting_at, "meeting_place": notice.meeting_place}
    if at is not None:
        meeting_at = parse_meeting_time(at)
        if dt.date.fromisoformat(meeting_at[:10]) < notice.as_of:
            raise InputError(
                f"--at: {meeting_at} is before the notice itself ({notice.number}, {notice.as_of.isoformat()})"
            )
        notice.meeting_at = meeting_at
    if place is not None:
        if not place.strip():
            raise InputError("--place: empty")
        notice.meeting_place = place.strip()
    session.add(notice)
    stamp.record(
        session,
        "interview-schedule",
        ledger_id=notice.ledger_id,
        unit_id=notice.unit_id,
        subject=notice.number,
        before=before,
        after={"meeting_at": notice.meeting_at, "meeting_place": notice.meeting_place},
    )
    return notice


def kind_label(kind: str) -> str:
    return LEVEL_LABELS[Level(kind)]


@dataclass(frozen=True)
class CoveringNotice:
    """A notice that named an assignment, as its history shows it."""

    number: str
    kind: str
    as_of: dt.date
    issued_at: dt.datetime
    issued_by: str
    acknowledged_at: dt.datetime | None  # by the assignment's unit
    acknowledged_by: str


def assignment_notices(session: Session, assignment_id: int) -> list[CoveringNotice]:
    """The notices that covered an assignment, oldest first."""
    rows = session.execute(
        sa.select(
            col(Notice.number),
            col(Notice.kind),
            col(Notice.as_of),
            col(Notice.created_at),
            col(Notice.created_by),
            col(NoticeReceipt.acknowledged_at),
            col(NoticeReceipt.acknowledged_by),
        )
        .join(NoticeItem, col(NoticeItem.notice_id) == col(Notice.id))
        .join(
            NoticeReceipt,
            sa.and_(
                col(NoticeReceipt.notice_id) == col(Notice.id), col(NoticeReceipt.unit_id) == col(NoticeItem.unit_id)
            ),
        )
        .where(col(NoticeItem.assignment_id) == assignment_id)
        .order_by(col(Notice.id))
    )
    return [CoveringNotice(*row) for row in rows]
