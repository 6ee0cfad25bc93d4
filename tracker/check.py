"""The daily check: scan, escalate, issue notices. Running it twice creates nothing twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session

from tracker.config import Settings
from tracker.models import Notice
from tracker.scan import Finding, materialize_reports, report_findings, task_findings
from tracker.workdays import WorkCalendar


@dataclass
class CheckResult:
    as_of: dt.date
    notices: list[Notice] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


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

    ``with_findings`` also lists every current finding (the JSON contract wants them); without
    it, a steady-state check touches only what is new.
    """
    from tracker.notices import issue_notices

    materialize_reports(session, as_of)
    rules = settings.escalation
    new = task_findings(session, as_of, rules, calendar, only_new=True)
    new += report_findings(session, as_of, rules, calendar, only_new=True)
    notices = issue_notices(session, new, as_of=as_of, now=now, by=by, settings=settings.notices)
    result = CheckResult(as_of=as_of, notices=notices)
    if with_findings:
        result.findings = task_findings(session, as_of, rules, calendar)
        result.findings += report_findings(session, as_of, rules, calendar)
    return result
