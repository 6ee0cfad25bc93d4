"""The weekly email to the leaders: until the weekly progress table lands, a text summary of
each ledger (assignments, done, done on time, overdue, terminated) as of the report date."""

from __future__ import annotations

import datetime as dt
import html
import json
import uuid

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.config import Settings
from tracker.models import Assignment, Ledger, OutboxMessage, Status, Task


def weekly_rows(session: Session, as_of: dt.date) -> list[dict[str, object]]:
    """Per ledger: assignments, done, done on time, open and overdue, terminated."""
    done = Status.DONE.value
    open_ = (Status.TODO.value, Status.DOING.value)
    due, completed, status = col(Assignment.due_on), col(Assignment.completed_on), col(Assignment.status)
    query = (
        sa.select(
            col(Ledger.title),
            sa.func.count(),
            sa.func.count().filter(status == done),
            sa.func.count().filter(status == done, sa.or_(due.is_(None), completed <= due)),
            sa.func.count().filter(status.in_(open_), due < as_of),
            sa.func.count().filter(status == Status.TERMINATED.value),
        )
        .select_from(Assignment)
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .join(Ledger, col(Ledger.id) == col(Task.ledger_id))
        .group_by(col(Ledger.id), col(Ledger.title))
        .order_by(col(Ledger.id))
    )
    return [
        {"ledger": t, "assignments": n, "done": d, "on_time": ok, "overdue": late, "terminated": ended}
        for t, n, d, ok, late, ended in session.execute(query)
    ]


def queue_weekly(session: Session, *, as_of: dt.date, now: dt.datetime, settings: Settings) -> int:
    """One weekly email per leader for ``as_of``; the caller commits. Queued once per date."""
    rows = weekly_rows(session, as_of)
    lines = [f"截至{as_of.year}年{as_of.month}月{as_of.day}日，各台账进展情况：", ""]
    for r in rows:
        lines.append(
            f"{r['ledger']}：共{r['assignments']}项，已完成{r['done']}项（按期{r['on_time']}项），"
            f"逾期未完成{r['overdue']}项，已终止{r['terminated']}项"
        )
    text = "\n".join(lines) + f"\n\n{settings.notices.issuer}\n"
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)
    subject = f"【督查周报】{as_of.isoformat()}：{sum(int(str(r['overdue'])) for r in rows)}项逾期未完成"
    sender = settings.smtp.user if settings.smtp else ""
    domain = sender.partition("@")[2] or "tracker.invalid"
    queued = 0
    for address in settings.schedule.weekly_to:
        key = f"weekly:{as_of.isoformat()}:{address.lower()}"
        if session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).first() is not None:
            continue
        session.add(
            OutboxMessage(
                key=key,
                kind="weekly",
                as_of=as_of,
                person="",
                to_addr=address,
                cc=json.dumps([]),
                subject=subject,
                text=text,
                html=f"<html><body>{body}<p>{html.escape(settings.notices.issuer)}</p></body></html>",
                message_id=f"<tracker.{uuid.uuid4().hex}@{domain}>",
                created_at=now,
            )
        )
        queued += 1
    session.flush()
    return queued
