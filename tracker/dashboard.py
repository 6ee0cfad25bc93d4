"""The day at a glance, for the UI's dashboard: per ledger completion, lateness, what is due
within a week and the notices issued by level; the outbox awaiting approval; unacknowledged
notices; the scheduler's last runs and next ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.config import WEEKDAYS, Settings, parse_clock
from tracker.models import Assignment, JobRun, Ledger, Notice, NoticeReceipt, OutboxMessage, OutboxStatus, Status, Task
from tracker.statuses import OPEN_STATUSES


@dataclass
class LedgerLine:
    id: int
    title: str
    assignments: int
    done: int
    overdue: int
    due_soon: int  # open, due within the next 7 days
    notices: dict[str, int] = field(default_factory=dict)  # by kind

    @property
    def completion(self) -> float:
        return self.done / self.assignments if self.assignments else 0.0


@dataclass
class Dashboard:
    as_of: dt.date
    ledgers: list[LedgerLine]
    outbox_waiting: int  # queued and not yet approved (when approval is required) or not yet sent
    outbox_failed: int
    unacknowledged: int
    last_runs: dict[str, tuple[dt.date, str]]  # job → (for date, status)
    next_runs: dict[str, dt.datetime]  # job → local time


def dashboard(session: Session, *, as_of: dt.date, now: dt.datetime, settings: Settings) -> Dashboard:
    status, due = col(Assignment.status), col(Assignment.due_on)
    soon = as_of + dt.timedelta(days=7)
    counts = session.execute(
        sa.select(
            col(Ledger.id),
            col(Ledger.title),
            sa.func.count(col(Assignment.id)),
            sa.func.count().filter(status == Status.DONE.value),
            sa.func.count().filter(status.in_(OPEN_STATUSES), due < as_of),
            sa.func.count().filter(status.in_(OPEN_STATUSES), due >= as_of, due <= soon),
        )
        .select_from(Ledger)
        .outerjoin(Task, col(Task.ledger_id) == col(Ledger.id))
        .outerjoin(Assignment, col(Assignment.task_id) == col(Task.id))
        .group_by(col(Ledger.id), col(Ledger.title))
        .order_by(col(Ledger.id))
    )
    lines = {lid: LedgerLine(lid, title, n, done, late, near) for lid, title, n, done, late, near in counts}
    notices = session.execute(
        sa.select(col(Notice.ledger_id), col(Notice.kind), sa.func.count()).group_by(
            col(Notice.ledger_id), col(Notice.kind)
        )
    )
    for lid, kind, n in notices:
        if lid in lines:
            lines[lid].notices[kind] = n
    outbox = dict(
        session.execute(sa.select(col(OutboxMessage.status), sa.func.count()).group_by(col(OutboxMessage.status))).all()
    )
    unacknowledged = session.execute(
        # Notices some unit addressed has not signed yet (签收 is per unit: NoticeReceipt).
        sa.select(sa.func.count(sa.distinct(col(NoticeReceipt.notice_id)))).where(
            col(NoticeReceipt.acknowledged_at).is_(None)
        )
    ).scalar_one()
    last: dict[str, tuple[dt.date, str]] = {}
    for job, for_date, state in session.execute(
        sa.select(col(JobRun.job), col(JobRun.for_date), col(JobRun.status)).order_by(col(JobRun.for_date))
    ):
        last[job] = (for_date, state)
    return Dashboard(
        as_of=as_of,
        ledgers=list(lines.values()),
        outbox_waiting=int(outbox.get(OutboxStatus.QUEUED.value, 0)),
        outbox_failed=int(outbox.get(OutboxStatus.FAILED.value, 0)),
        unacknowledged=int(unacknowledged),
        last_runs=last,
        next_runs=next_runs(settings, now),
    )


def next_runs(settings: Settings, now: dt.datetime) -> dict[str, dt.datetime]:
    """When `tracker run` next does its daily and weekly work, in local time."""
    local = now.astimezone(ZoneInfo(settings.timezone))

    def upcoming(at: str, weekday: int | None) -> dt.datetime:
        clock = parse_clock(at)
        day = local.date()
        while True:
            moment = dt.datetime.combine(day, clock, local.tzinfo)
            if moment > local and (weekday is None or day.weekday() == weekday):
                return moment
            day += dt.timedelta(days=1)

    schedule = settings.schedule
    found = {"daily": upcoming(schedule.daily_at, None)}
    if schedule.weekly_to:
        found["weekly"] = upcoming(schedule.weekly_at, WEEKDAYS.index(schedule.weekly_day))
    return found
