"""The daily check: scan, escalate, issue notices. Running it twice creates nothing twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from tracker.config import Settings
from tracker.digests import QueueResult
from tracker.ladder import NOTICE_MIN_RANK
from tracker.models import Notice
from tracker.scan import (
    Finding,
    level_counts,
    materialize_reports,
    report_findings,
    report_horizon,
    task_findings,
    task_level_counts,
)
from tracker.workdays import WorkCalendar


@dataclass
class CheckResult:
    as_of: dt.date
    notices: list[Notice] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # findings per level
    lagging: list[dict[str, object]] = field(default_factory=list)  # 序时进度 flags (with findings only)
    outbox: QueueResult | None = None  # the digests queued, when a channel is configured
    chased: set[tuple[int, int]] = field(default_factory=set)  # (notice, unit) reminded to sign


def run_check(
    session: Session,
    *,
    as_of: dt.date,
    now: dt.datetime,
    by: str,
    settings: Settings,
    calendar: WorkCalendar,
    with_findings: bool = True,
) -> CheckResult:
    """Escalate what newly reached a level and issue its notices; the caller commits.

    ``with_findings`` lists every current finding (the JSON contract wants them); without it the
    findings are counted in the database and only the ten most overdue are loaded, so a
    steady-state check over a million assignments loads almost nothing.
    """
    from tracker.locks import hold
    from tracker.notices import escalate_tasks

    # Two checks at once would both judge the same things new: the second waits for the first,
    # then sees what it committed.
    hold(session, "check")
    rules = settings.escalation
    materialize_reports(session, report_horizon(session, as_of, rules, calendar), asked=as_of)
    reports = report_findings(session, as_of, rules, calendar)
    new_reports = [f for f in reports if f.rank >= NOTICE_MIN_RANK and f.is_new]

    def escalate() -> list[int]:
        return escalate_tasks(
            session,
            as_of=as_of,
            now=now,
            by=by,
            settings=settings.notices,
            rules=rules,
            calendar=calendar,
            reports=new_reports,
        )

    if with_findings:
        ids = escalate()
        findings = task_findings(session, as_of, rules, calendar) + reports
        counts = level_counts(findings)
        lagging = lagging_rows(session, as_of, settings.progress.lag_margin)
    else:
        # Levels do not depend on what this run notices (criticisms count from earlier days), so
        # counting first lets a steady-state run skip the escalation scan altogether.
        counts, new = task_level_counts(session, as_of, rules, calendar)
        ids = escalate() if new or new_reports else []
        for level, count in level_counts(reports).items():
            counts[level] = counts.get(level, 0) + count
        findings = task_findings(session, as_of, rules, calendar, most_overdue=10)
        lagging = []
    session.flush()
    notices = list(session.exec(select(Notice).where(col(Notice.id).in_(ids)).order_by(col(Notice.id))))
    from tracker.acks import chase_unsigned
    from tracker.audit import Stamp

    # 签收 on the clock: notices unsigned for [notices] ack_days working days are chased, once.
    chased = chase_unsigned(
        session, as_of=as_of, stamp=Stamp(by, now), ack_days=settings.notices.ack_days, calendar=calendar
    )
    queued = None
    if settings.active_channels():
        # With a channel configured (a mail server, a robot), every check leaves one digest per
        # recipient and channel in the outbox.
        from tracker.digests import queue_digests

        queued = queue_digests(
            session, as_of=as_of, now=now, settings=settings, calendar=calendar, notice_ids=ids, chased=chased
        )
    return CheckResult(
        as_of=as_of,
        notices=notices,
        findings=findings,
        counts=counts,
        lagging=lagging,
        outbox=queued,
        chased=chased,
    )


def lagging_rows(session: Session, as_of: dt.date, margin: int) -> list[dict[str, object]]:
    """Open assignments whose reported percent lags the time elapsed (序时进度), every ledger."""
    from tracker.models import Ledger
    from tracker.views import ledger_rows

    found: list[dict[str, object]] = []
    for ledger_id, title in session.execute(select(Ledger.id, Ledger.title)):
        for row in ledger_rows(session, ledger_id, as_of, margin):
            if row.lagging:
                found.append(
                    {
                        "ledger": title,
                        "task": row.seq,
                        "unit": row.unit,
                        "person": row.person,
                        "deadline": row.due_on.isoformat() if row.due_on else None,
                        "percent": row.percent,
                        "expected_percent": row.expected_percent,
                    }
                )
    return found
