"""One digest per person per day: everything a responsible person owes, in one email.

A check's findings and the notices it issued are grouped by the person's address (a person
answering for units in several ledgers gets one email), then by ledger: new notices (attached as
.docx when sent), overdue assignments, reminders on the days the ladder names, and missing
progress reports. The digest is written to the outbox; ``outbox.py`` sends it.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.config import Settings
from tracker.ladder import LEVEL_LABELS, LEVEL_OF, ladder_for
from tracker.models import Ledger, Notice, NoticeItem, OutboxMessage, OutboxStatus, Person, Unit
from tracker.scan import Finding, report_findings, task_findings
from tracker.workdays import WorkCalendar

KIND_LABELS = {"warning": "督办通知", "criticism": "通报", "interview": "约谈通知", "accountability": "问责建议"}


@dataclass(frozen=True)
class DigestItem:
    seq: str
    text: str
    unit: str
    deadline: dt.date
    days: int  # days late, or days left for a reminder
    level: str  # 督办通知, 通报批评, …


@dataclass(frozen=True)
class DigestNotice:
    id: int
    kind: str
    number: str


@dataclass
class DigestLedger:
    title: str
    notices: list[DigestNotice] = field(default_factory=list)
    overdue: list[DigestItem] = field(default_factory=list)
    reminders: list[DigestItem] = field(default_factory=list)
    missing: list[DigestItem] = field(default_factory=list)


@dataclass
class Digest:
    address: str
    name: str
    as_of: dt.date
    ledgers: dict[int, DigestLedger] = field(default_factory=dict)

    @property
    def notice_ids(self) -> list[int]:
        return sorted(n.id for ledger in self.ledgers.values() for n in ledger.notices)

    def subject(self) -> str:
        """E.g. 【督办提醒】南乐县老旧小区改造：2项任务逾期."""
        sections = list(self.ledgers.values())
        overdue = sum(len(s.overdue) for s in sections)
        soon = sum(len(s.reminders) for s in sections)
        missing = sum(len(s.missing) for s in sections)
        notices = sum(len(s.notices) for s in sections)
        tag = "督办通知" if notices else "督办提醒" if overdue or missing else "到期提醒"
        parts = [
            f"{n}{what}"
            for n, what in (
                (notices, "份通知"),
                (overdue, "项任务逾期"),
                (missing, "份报告未报"),
                (soon, "项任务即将到期"),
            )
            if n
        ]
        where = sections[0].title if len(sections) == 1 else f"{len(sections)}个台账"
        return f"【{tag}】{where}：{'、'.join(parts)}"


def build_digests(
    session: Session,
    *,
    as_of: dt.date,
    settings: Settings,
    calendar: WorkCalendar,
    notice_ids: list[int],
) -> tuple[list[Digest], list[tuple[str, str, str]]]:
    """The digests of a day, and the (ledger, unit, person) nobody could be written to (no address)."""
    rules = settings.escalation
    remind_days: dict[int, set[dt.date]] = {}
    for ledger_id, stored, title in session.execute(select(Ledger.id, Ledger.escalation, Ledger.title)):
        rungs = ladder_for(stored, rules, where=title).rungs(as_of, calendar)
        remind_days[int(ledger_id)] = {day for rung in rungs for day in rung.remind_days}
    contacts = {
        int(unit_id): (name, email)
        for unit_id, name, email in session.execute(
            select(Person.unit_id, Person.name, Person.email).where(col(Person.until).is_(None))
        )
    }
    digests: dict[str, Digest] = {}
    unreachable: set[tuple[str, str, str]] = set()

    def section(ledger_id: int, title: str, unit_id: int, unit: str) -> DigestLedger | None:
        name, email = contacts.get(unit_id, ("", ""))
        if not email:
            unreachable.add((title, unit, name))
            return None
        digest = digests.setdefault(email.lower(), Digest(email, name, as_of))
        return digest.ledgers.setdefault(ledger_id, DigestLedger(title))

    def item(f: Finding, days: int) -> DigestItem:
        return DigestItem(f.seq, f.task, f.unit, f.deadline, days, LEVEL_LABELS[LEVEL_OF[f.rank]])

    findings = task_findings(session, as_of, rules, calendar) + report_findings(session, as_of, rules, calendar)
    for f in findings:
        if f.days_overdue > 0:
            target = section(f.ledger_id, f.ledger, f.unit_id, f.unit)
            if target is not None:
                (target.overdue if f.kind == "task" else target.missing).append(item(f, f.days_overdue))
        elif f.deadline in remind_days.get(f.ledger_id, set()):
            target = section(f.ledger_id, f.ledger, f.unit_id, f.unit)
            if target is not None:
                target.reminders.append(item(f, -f.days_overdue))
    if notice_ids:
        rows = session.execute(
            sa.select(col(Notice.id), col(Notice.kind), col(Notice.number), col(Ledger.id), col(Ledger.title))
            .add_columns(col(Unit.id), col(Unit.name))
            .join(Ledger, col(Ledger.id) == col(Notice.ledger_id))
            .join(NoticeItem, col(NoticeItem.notice_id) == col(Notice.id))
            .join(Unit, col(Unit.id) == col(NoticeItem.unit_id))
            .where(col(Notice.id).in_(notice_ids))
            .distinct()
            .order_by(col(Notice.id))
        )
        for nid, kind, number, ledger_id, title, unit_id, unit in rows:
            target = section(ledger_id, title, unit_id, unit)
            if target is not None and all(n.id != nid for n in target.notices):
                target.notices.append(DigestNotice(nid, kind, number))
    for digest in digests.values():
        for ledger in digest.ledgers.values():
            ledger.overdue.sort(key=lambda i: (-i.days, i.seq, i.unit))
            ledger.reminders.sort(key=lambda i: (i.days, i.seq, i.unit))
    return sorted(digests.values(), key=lambda d: d.address), sorted(unreachable)


@dataclass
class QueueResult:
    queued: int = 0
    refreshed: int = 0
    unreachable: list[tuple[str, str, str]] = field(default_factory=list)


def queue_digests(
    session: Session,
    *,
    as_of: dt.date,
    now: dt.datetime,
    settings: Settings,
    calendar: WorkCalendar,
    notice_ids: list[int],
) -> QueueResult:
    """Write the day's digests to the outbox; the caller commits. One row per person and day: a
    second check the same day refreshes a digest not yet sent, and follows a sent one up only
    when it issued new notices."""
    from tracker.render import render_digest

    digests, unreachable = build_digests(
        session, as_of=as_of, settings=settings, calendar=calendar, notice_ids=notice_ids
    )
    result = QueueResult(unreachable=unreachable)
    sender = settings.smtp.user if settings.smtp else ""
    domain = sender.partition("@")[2] or "tracker.invalid"
    for digest in digests:
        text, html = render_digest(digest, settings.notices.templates, settings.notices.issuer)
        base = f"digest:{as_of.isoformat()}:{digest.address.lower()}"
        rows = list(session.exec(select(OutboxMessage).where(col(OutboxMessage.key).startswith(base))))
        waiting = [r for r in rows if r.status in (OutboxStatus.QUEUED.value, OutboxStatus.FAILED.value)]
        if waiting:
            row = waiting[-1]
            already = json.loads(row.notice_ids)
            row.subject, row.text, row.html = digest.subject(), text, html
            row.notice_ids = json.dumps(sorted(set(already) | set(digest.notice_ids)))
            result.refreshed += 1
            continue
        if rows:
            noticed = {n for r in rows for n in json.loads(r.notice_ids)}
            if not set(digest.notice_ids) - noticed:
                continue  # sent (or being sent) today already, and nothing new to say
        session.add(
            OutboxMessage(
                key=base if not rows else f"{base}:{len(rows) + 1}",
                kind="digest",
                as_of=as_of,
                person=digest.name,
                to_addr=digest.address,
                cc=json.dumps(settings.notify.cc),
                subject=digest.subject(),
                text=text,
                html=html,
                notice_ids=json.dumps(digest.notice_ids),
                message_id=f"<tracker.{uuid.uuid4().hex}@{domain}>",
                created_at=now,
            )
        )
        result.queued += 1
    session.flush()
    return result
