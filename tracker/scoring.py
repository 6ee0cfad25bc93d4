"""Scoring as data: the bureau's published rules give each unit a score and a rank per ledger.

What counts, and why:

- A task counts as overdue when it is open past its deadline or was completed after it.
- A recurring duty (年度自评价报告, 每年12月31日前) counts once per occurrence. Its assignment carries
  the deadline of its current period (``due_on``), which is what the daily check judges: open past
  it, the occurrence is overdue exactly as the check says. Each earlier period was closed by a
  completion (``progress.record_progress`` moves ``due_on`` on to the next period), so the
  completions recorded in the progress events are the past occurrences, each judged against the
  deadline in force when it was done (the rule's period, or an approved extension of it).
- A terminated (已终止) assignment keeps the lateness it had reached when it was terminated (see
  ``_terminations``): termination never improves a score.
- A periodic report received late is 迟报, unless it stays 漏报: received more than
  ``missing_after_days`` days late, or (that setting unset) named as missing by a criticism
  bulletin (or a higher notice) issued while it was still missing.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.config import Level, ScoringSettings, Settings
from tracker.deadlines import Recurring, parse
from tracker.models import (
    Assignment,
    AuditEntry,
    Extension,
    Ledger,
    Notice,
    NoticeItem,
    ProgressEvent,
    ReportDue,
    ReportDuty,
    Role,
    Status,
    Task,
    Unit,
)

DEFAULT_TIMEZONE: str = Settings.model_fields["timezone"].default
# The notices that publish a unit's missing report: the criticism bulletin (通报批评) and anything above it.
BULLETIN_KINDS = (Level.CRITICISM.value, Level.INTERVIEW.value, Level.ACCOUNTABILITY.value)


@dataclass
class UnitScore:
    unit: str
    tasks: int = 0
    done: int = 0
    done_on_time: int = 0
    overdue_tasks: int = 0  # open past the deadline, completed after it, or terminated after it
    open_overdue: int = 0  # open past the deadline
    terminated_overdue: int = 0  # terminated after the deadline, never completed
    overdue_days: int = 0
    late_reports: int = 0
    missing_reports: int = 0
    submitted: int = 0  # waiting for the bureau's review (待复核)
    returned: int = 0  # returned by the review and still owed (退回)
    score: float = 0.0
    rank: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "score": round(self.score, 2),
            "rank": self.rank,
            "tasks": self.tasks,
            "done": self.done,
            "done_on_time": self.done_on_time,
            "overdue_tasks": self.overdue_tasks,
            "open_overdue": self.open_overdue,
            "terminated_overdue": self.terminated_overdue,
            "overdue_days": self.overdue_days,
            "late_reports": self.late_reports,
            "missing_reports": self.missing_reports,
            "submitted": self.submitted,
            "returned": self.returned,
        }


def scores(
    session: Session, ledger_id: int, as_of: dt.date, rules: ScoringSettings, *, timezone: str = DEFAULT_TIMEZONE
) -> list[UnitScore]:
    """Score = base − (per overdue task + per day late) × role weight − per late/missing report.

    ``timezone`` turns the moment an assignment was terminated into its business day. Ranks are
    shared on equal scores (1, 2, 2, 4).
    """
    units = {
        uid: UnitScore(name)
        for uid, name in session.execute(
            sa.select(col(Unit.id), col(Unit.name)).where(col(Unit.ledger_id) == ledger_id).order_by(col(Unit.position))
        )
    }
    penalty: dict[int, float] = dict.fromkeys(units, 0.0)

    def count(uid: int, role: str, due: dt.date | None, completed: dt.date | None) -> None:
        """One task, or one occurrence of a recurring one, completed on ``completed``."""
        s = units[uid]
        s.tasks += 1
        s.done += 1
        if due is None or completed is None or completed <= due:
            s.done_on_time += 1
        else:
            overdue(uid, role, (completed - due).days)

    def overdue(uid: int, role: str, late: int) -> None:
        s = units[uid]
        s.overdue_tasks += 1
        s.overdue_days += late
        weight = rules.lead_weight if role == Role.LEAD else rules.assist_weight
        penalty[uid] += weight * (rules.overdue_task + rules.overdue_day * late)

    ended = _terminations(session, ledger_id, zoneinfo.ZoneInfo(timezone))
    past = _past_occurrences(session, ledger_id)
    rows = session.execute(
        sa.select(
            col(Assignment.id),
            col(Assignment.unit_id),
            col(Assignment.role),
            col(Assignment.status),
            col(Assignment.due_on),
            col(Assignment.completed_on),
        )
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .where(col(Task.ledger_id) == ledger_id)
        .execution_options(yield_per=5000)  # streamed: a big ledger's rows are never all in memory
    )
    for aid, uid, role, status, due, completed in rows:
        for period_due, period_done in past.get(aid, ()):
            count(uid, role, period_due, period_done)
        s = units[uid]
        if status == Status.DONE:
            count(uid, role, due, completed)
        elif status == Status.TERMINATED:
            # Lateness reached before the termination keeps counting (days late up to the day it
            # was terminated, or the as-of day if earlier), the assignment counted as a task: a unit
            # must not climb to the top of the ranking because its overdue work was ended instead of
            # done. The other way, showing the unit apart and unranked, would hide its record from
            # the ranking a bureau publishes and would not serve a single terminated assignment of
            # an otherwise active unit. Terminated before its deadline, it was not owed: not counted.
            until = min(ended.get(aid, as_of), as_of)
            if due is not None and due < until:
                s.tasks += 1
                s.terminated_overdue += 1
                overdue(uid, role, (until - due).days)
        elif status == Status.SUBMITTED:
            # Waiting for the bureau's review: counted as a task, not as late while it waits (the
            # review's delay is the bureau's); accepted, it counts by the day it was submitted for.
            s.tasks += 1
            s.submitted += 1
        else:
            s.tasks += 1
            s.returned += status == Status.RETURNED
            if due is not None and due < as_of:
                s.open_overdue += 1
                overdue(uid, role, (as_of - due).days)
    reports = session.execute(
        sa.select(col(ReportDue.id), col(ReportDue.unit_id), col(ReportDue.due_on), col(ReportDue.received_on))
        .join(ReportDuty, col(ReportDuty.id) == col(ReportDue.duty_id))
        .where(col(ReportDuty.ledger_id) == ledger_id, col(ReportDue.due_on) < as_of)
    ).all()
    late = [rid for rid, _, due, received in reports if received is not None and due < received <= as_of]
    named = _named_missing(session, late, as_of) if rules.missing_after_days is None else {}
    for rid, uid, due, received in reports:
        if received is None or received > as_of or _still_missing(due, received, named.get(rid), rules):
            units[uid].missing_reports += 1
            penalty[uid] += rules.missing_report
        elif received > due:
            units[uid].late_reports += 1
            penalty[uid] += rules.late_report
    for uid, s in units.items():
        s.score = rules.base - penalty[uid]
    ordered = sorted(units.values(), key=lambda s: -s.score)
    for i, s in enumerate(ordered):
        s.rank = ordered[i - 1].rank if i and ordered[i - 1].score == s.score else i + 1
    return ordered


def received_standing(session: Session, report: ReportDue, rules: ScoringSettings) -> str:
    """How a received report counts: "" on time, "迟报", or "漏报" (still missing, by the rule the
    scores use), as of the day it arrived."""
    if report.received_on is None or report.received_on <= report.due_on:
        return ""
    assert report.id is not None
    named = _named_missing(session, [report.id], report.received_on).get(report.id)
    return "漏报" if _still_missing(report.due_on, report.received_on, named, rules) else "迟报"


def _still_missing(due: dt.date, received: dt.date, named_on: dt.date | None, rules: ScoringSettings) -> bool:
    """A report received late that still counts as 漏报, not 迟报."""
    if received <= due:
        return False
    if rules.missing_after_days is not None:
        return (received - due).days > rules.missing_after_days
    # Named as missing in a bulletin issued before it arrived: the bulletin stands, whatever came after.
    return named_on is not None and named_on < received


def _named_missing(session: Session, report_ids: list[int], as_of: dt.date) -> dict[int, dt.date]:
    """The day of the first bulletin (criticism or above) issued by ``as_of`` naming each of these
    report periods as missing. Asked only for the few received late, through the items' index on
    the report (a bulletin of a first check names thousands of late tasks besides)."""
    named: dict[int, dt.date] = {}
    for i in range(0, len(report_ids), 500):
        query = (
            sa.select(col(NoticeItem.report_id), sa.func.min(col(Notice.as_of)))
            .join(Notice, col(Notice.id) == col(NoticeItem.notice_id))
            .where(
                col(NoticeItem.report_id).in_(report_ids[i : i + 500]),
                col(Notice.kind).in_(BULLETIN_KINDS),
                col(Notice.as_of) <= as_of,
            )
            .group_by(col(NoticeItem.report_id))
        )
        named.update({rid: on for rid, on in session.execute(query)})
    return named


def _terminations(session: Session, ledger_id: int, zone: zoneinfo.ZoneInfo) -> dict[int, dt.date]:
    """The business day each terminated assignment of the ledger was terminated.

    The assignment does not store it; the record of it is the trail of changes: a progress event
    with status 已终止 (``tracker progress … --status terminated``, one assignment) or the audit
    entry of ``tracker terminate`` (every open assignment of a unit). The termination is the first of
    these after the last progress event that left it open (an assignment reopened and terminated
    again counts from the second time). With no record at all, its last change (``updated_at``).
    """
    terminated = (
        sa.select(col(Assignment.id), col(Assignment.unit_id), col(Assignment.updated_at))
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .where(col(Task.ledger_id) == ledger_id, col(Assignment.status) == Status.TERMINATED.value)
    )
    found = {aid: (uid, updated) for aid, uid, updated in session.execute(terminated)}
    if not found:
        return {}
    # (moment recorded, business day ended): `tracker terminate --on DATE` records the day the
    # unit's work ended, which may be before the moment it was typed in.
    units_ended: dict[int, list[tuple[dt.datetime, dt.date]]] = defaultdict(list)
    for uid, at, after in session.execute(
        sa.select(col(AuditEntry.unit_id), col(AuditEntry.at), col(AuditEntry.after)).where(
            col(AuditEntry.ledger_id) == ledger_id, col(AuditEntry.action) == "terminate"
        )
    ):
        on = json.loads(after or "{}").get("on") if (after or "").startswith("{") else None
        units_ended[uid].append((at, dt.date.fromisoformat(on) if on else at.astimezone(zone).date()))
    events: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for aid, at, status in session.execute(
        sa.select(col(ProgressEvent.assignment_id), col(ProgressEvent.at), col(ProgressEvent.status))
        .join(Assignment, col(Assignment.id) == col(ProgressEvent.assignment_id))
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .where(col(Task.ledger_id) == ledger_id, col(Assignment.status) == Status.TERMINATED.value)
    ):
        events[aid].append((at, status))
    days: dict[int, dt.date] = {}
    for aid, (uid, updated) in found.items():
        reopened = max((at for at, status in events[aid] if status != Status.TERMINATED), default=None)
        moments = [(at, at.astimezone(zone).date()) for at, status in events[aid] if status == Status.TERMINATED]
        moments += units_ended[uid]
        after = [(at, day) for at, day in moments if reopened is None or at > reopened]
        days[aid] = min(after, default=(updated, updated.astimezone(zone).date()))[1]
    return days


def _past_occurrences(session: Session, ledger_id: int) -> dict[int, list[tuple[dt.date, dt.date | None]]]:
    """The periods of recurring duties already done, per assignment: (deadline, completed on).

    Each completion of a recurring assignment closed the period whose deadline it then carried and
    moved it on to the next one (``progress.record_progress``); an approved extension replaced the
    deadline in force. Walking those changes back from the deadline it carries now gives each
    completion its deadline: an extension approved since the previous completion, else the rule's
    period before the one that completion moved it to.
    """
    recurring = session.execute(
        sa.select(col(Assignment.id), col(Assignment.due_on), col(Task.deadline_text), col(Task.due_on))
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .where(
            col(Task.ledger_id) == ledger_id,
            col(Task.deadline_kind) == "recurring",
            col(Assignment.due_on).is_not(None),
            col(Assignment.status) != Status.DONE.value,  # done for good: the rule had no period to move on to
        )
    ).all()
    if not recurring:
        return {}
    year = session.execute(sa.select(col(Ledger.year)).where(col(Ledger.id) == ledger_id)).scalar()
    ids = sa.select(col(Assignment.id)).join(Task, col(Task.id) == col(Assignment.task_id))
    ids = ids.where(col(Task.ledger_id) == ledger_id, col(Task.deadline_kind) == "recurring")
    # (moment, kind, completed on | (original, new) deadline): 0 an extension, 1 a completion
    changes: dict[int, list[tuple[dt.datetime, int, Any]]] = defaultdict(list)
    for aid, at, completed in session.execute(
        sa.select(col(ProgressEvent.assignment_id), col(ProgressEvent.at), col(ProgressEvent.completed_on)).where(
            col(ProgressEvent.assignment_id).in_(ids), col(ProgressEvent.status) == Status.DONE.value
        )
    ):
        changes[aid].append((at, 1, completed))
    for aid, at, original, new in session.execute(
        sa.select(
            col(Extension.assignment_id), col(Extension.decided_at), col(Extension.original_due), col(Extension.new_due)
        ).where(col(Extension.assignment_id).in_(ids), col(Extension.status) == "approved")
    ):
        if at is not None:
            changes[aid].append((at, 0, (original, new)))
    rules: dict[str, Recurring | None] = {}
    found: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    for aid, due, text, first in recurring:
        if not changes.get(aid):
            continue
        if text not in rules:
            parsed = parse(text, year)
            rules[text] = parsed if isinstance(parsed, Recurring) else None
        rule = rules[text]
        if rule is None:
            continue
        history = sorted(changes[aid], key=lambda change: (change[0], change[1]))
        periods: list[tuple[dt.date, dt.date | None]] = []
        current: dt.date | None = due
        for i in range(len(history) - 1, -1, -1):
            _, kind, data = history[i]
            if current is None:
                break
            if kind == 0:
                current = data[0]  # before the extension, its original deadline was in force
                continue
            # The latest extension approved since the previous completion is the change just before.
            extended = history[i - 1][2][1] if i and history[i - 1][1] == 0 else None
            previous = extended if extended is not None else _period_before(rule, current)
            if previous is None or (extended is None and first is not None and previous < first):
                break  # a completion the deadlines cannot account for (e.g. the ledger re-dated)
            periods.append((previous, data))
            current = previous
        if periods:
            found[aid] = periods[::-1]
    return found


def _period_before(rule: Recurring, day: dt.date) -> dt.date | None:
    """The rule's latest date before ``day`` (every rule has at least one date a year)."""
    dates = rule.dates(dt.date(day.year - 1, 1, 1), day - dt.timedelta(days=1))
    return dates[-1] if dates else None
