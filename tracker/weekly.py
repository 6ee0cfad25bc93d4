"""The weekly email to the leaders: the weekly progress table (xlsx) attached, and a short text
summary of each ledger (assignments, done, done on time, overdue, terminated) in the body.

The table is written to the reports folder when the email is queued and attached from there
when it is sent, so a resend after a crash carries the same file, and the bureau keeps a copy
of every table that went out."""

from __future__ import annotations

import datetime as dt
import html
import json
import uuid
from pathlib import Path

import sqlalchemy as sa
from platformdirs import user_data_dir
from sqlmodel import Session, col, select

from tracker.config import Settings
from tracker.models import Assignment, Ledger, OutboxMessage, Status, Task
from tracker.statuses import OPEN_STATUSES
from tracker.workdays import WorkCalendar


def weekly_rows(session: Session, as_of: dt.date) -> list[dict[str, object]]:
    """Per ledger: assignments, done, done on time, open and overdue, terminated."""
    done = Status.DONE.value
    due, completed, status = col(Assignment.due_on), col(Assignment.completed_on), col(Assignment.status)
    query = (
        sa.select(
            col(Ledger.title),
            sa.func.count(),
            sa.func.count().filter(status == done),
            sa.func.count().filter(status == done, sa.or_(due.is_(None), completed <= due)),
            sa.func.count().filter(status.in_(OPEN_STATUSES), due < as_of),
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


def reports_folder(settings: Settings) -> Path:
    if settings.schedule.reports_dir:
        return Path(settings.schedule.reports_dir).expanduser()
    return Path(user_data_dir("tracker", appauthor=False)) / "reports"


def write_weekly_table(session: Session, *, as_of: dt.date, settings: Settings, calendar: WorkCalendar) -> Path:
    """The weekly table of every ledger as of ``as_of``, in the reports folder."""
    from tracker.report import weekly_report
    from tracker.report_files import write_xlsx

    path = reports_folder(settings) / f"督查进度周报-{as_of.isoformat()}.xlsx"
    write_xlsx(path, weekly_report(session, as_of=as_of, settings=settings, calendar=calendar))
    return path


def queue_weekly(
    session: Session, *, as_of: dt.date, now: dt.datetime, settings: Settings, calendar: WorkCalendar
) -> int:
    """One weekly email per leader for ``as_of``, the table attached; the caller commits. Queued
    once per date."""
    rows = weekly_rows(session, as_of)
    lines = [f"截至{as_of.year}年{as_of.month}月{as_of.day}日，各台账进展情况：", ""]
    for r in rows:
        lines.append(
            f"{r['ledger']}：共{r['assignments']}项，已完成{r['done']}项（按期{r['on_time']}项），"
            f"逾期未完成{r['overdue']}项，已终止{r['terminated']}项"
        )
    lines += ["", "详见附件《督查进度周报》（进度表、单位汇总、本周变化）。"]
    text = "\n".join(lines) + f"\n\n{settings.notices.issuer}\n"
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)
    subject = f"【督查周报】{as_of.isoformat()}：{sum(int(str(r['overdue'])) for r in rows)}项逾期未完成"
    sender = settings.smtp.user if settings.smtp else ""
    domain = sender.partition("@")[2] or "tracker.invalid"
    keys = {address: f"weekly:{as_of.isoformat()}:{address.lower()}" for address in settings.schedule.weekly_to}
    done = set(session.exec(select(OutboxMessage.key).where(col(OutboxMessage.key).in_(list(keys.values())))))
    waiting = [address for address, key in keys.items() if key not in done]
    if not waiting or not rows:
        return 0
    table = write_weekly_table(session, as_of=as_of, settings=settings, calendar=calendar)
    for address in waiting:
        session.add(
            OutboxMessage(
                key=keys[address],
                kind="weekly",
                as_of=as_of,
                person="",
                to_addr=address,
                cc=json.dumps([]),
                subject=subject,
                text=text,
                html=f"<html><body>{body}<p>{html.escape(settings.notices.issuer)}</p></body></html>",
                files=json.dumps([str(table)], ensure_ascii=False),
                message_id=f"<tracker.{uuid.uuid4().hex}@{domain}>",
                created_at=now,
            )
        )
    session.flush()
    return len(waiting)
