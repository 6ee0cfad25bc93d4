"""Open deadlines as an iCalendar file (RFC 5545, the icalendar package) for Outlook, WPS or a phone.

One all-day event per open assignment, with an alarm on each reminder day of the ladder. An
event's UID is derived from what identifies the assignment to people (ledger title and document
number, task number, unit name), not from database ids, so importing a newer file updates the
events (SEQUENCE grows with each change) instead of duplicating them, even from another database.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from icalendar import Alarm, Calendar, Event
from sqlmodel import Session, col

from tracker.config import EscalationRule, Level
from tracker.models import Assignment, Ledger, Person, Task, Unit
from tracker.people import current_person_of_unit
from tracker.statuses import OPEN_STATUSES

NAMESPACE = uuid.UUID("5f0d3c1e-8a4b-4c36-9d0e-2b7a61c4e915")  # ours; never change it: UIDs hang on it


def event_uid(ledger: str, doc_number: str, seq: str, unit: str) -> str:
    return f"{uuid.uuid5(NAMESPACE, '|'.join((ledger, doc_number, seq, unit)))}@tracker"


def reminder_days(rules: list[EscalationRule]) -> list[int]:
    """Days before a deadline to be reminded: the reminder rule's, else the day before."""
    days = sorted({d for r in rules if r.level == Level.REMINDER for d in r.before_days}, reverse=True)
    return days or [1]


def deadline_calendar(
    session: Session,
    *,
    now: dt.datetime,
    rules: list[EscalationRule],
    timezone: str,
    ledger_id: int | None = None,
    unit: str | None = None,
) -> tuple[bytes, int]:
    """The calendar and how many events it holds."""
    query: Any = (
        sa.select(
            col(Ledger.title),
            col(Ledger.doc_number),
            col(Task.seq),
            col(Task.text),
            col(Task.deadline_text),
            col(Unit.name),
            sa.func.coalesce(col(Person.name), ""),
            col(Assignment.due_on),
            col(Assignment.version),
            col(Assignment.updated_at),
        )
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .join(Ledger, col(Ledger.id) == col(Task.ledger_id))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .outerjoin(Person, current_person_of_unit())
        .where(col(Assignment.status).in_(OPEN_STATUSES), col(Assignment.due_on).is_not(None))
        .order_by(col(Assignment.due_on), col(Ledger.id), col(Task.position), col(Unit.position))
    )
    if ledger_id is not None:
        query = query.where(col(Ledger.id) == ledger_id)
    if unit is not None:
        query = query.where(col(Unit.name) == unit)
    calendar = Calendar()
    calendar.add("prodid", "-//督查台账//tracker//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "督查台账：完成时限")
    calendar.add("x-wr-timezone", timezone)
    alarms = reminder_days(rules)
    count = 0
    for title, doc, seq, text, written, unit_name, person, due, version, updated in session.execute(query):
        event = Event()
        event.add("uid", event_uid(title, doc, seq, unit_name))
        event.add("dtstamp", now)
        event.add("last-modified", updated)
        event.add("sequence", version)
        event.add("summary", f"【完成时限】{unit_name}：任务{seq} {text[:40]}")
        event.add("dtstart", due)
        event.add("dtend", due + dt.timedelta(days=1))  # all-day: the end date is exclusive
        event.add("transp", "TRANSPARENT")
        details = [text, f"完成时限：{written}（{due.isoformat()}）", f"责任单位：{unit_name}"]
        if person:
            details.append(f"责任人：{person}")
        details.append(f"台账：{title}{f'（{doc}）' if doc else ''}")
        event.add("description", "\n".join(details))
        event.add("categories", [title[:30]])
        for days in alarms:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{days}天后到期：{unit_name} 任务{seq}")
            alarm.add("trigger", dt.timedelta(days=-days, hours=9))  # at 9:00 that day
            event.add_component(alarm)
        calendar.add_component(event)
        count += 1
    return calendar.to_ical(), count
