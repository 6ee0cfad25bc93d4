"""The daily check: scan, escalate, issue notices. Running it twice creates nothing twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session

from tracker.config import Settings
from tracker.models import Notice
from tracker.scan import (
    Finding,
    level_counts,
    materialize_reports,
    report_findings,
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
    from tracker.notices import issue_notices

    materialize_reports(session, as_of)
    rules = settings.escalation
    new = task_findings(session, as_of, rules, calendar, only_new=True)
    new += report_findings(session, as_of, rules, calendar, only_new=True)
    notices = issue_notices(session, new, as_of=as_of, now=now, by=by, settings=settings.notices)
    result = CheckResult(as_of=as_of, notices=notices)
    reports = report_findings(session, as_of, rules, calendar)
    if with_findings:
        result.findings = task_findings(session, as_of, rules, calendar) + reports
        result.counts = level_counts(result.findings)
    else:
        result.findings = task_findings(session, as_of, rules, calendar, most_overdue=10)
        result.counts = task_level_counts(session, as_of, rules, calendar)
        for level, count in level_counts(reports).items():
            result.counts[level] = result.counts.get(level, 0) + count
    return result
