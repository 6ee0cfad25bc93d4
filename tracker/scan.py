"""The scan: what is due soon, overdue, missing, as of a date. Set-based SQL, one query per question.

An assignment's level is the highest rung of its ledger's ladder any of whose conditions holds
(``ladder.py`` turns the rules into dates). Only open assignments (未开始/进行中) with a deadline
take part: completed and terminated ones leave the findings; a relative deadline waits for its
trigger; a recurring one carries the deadline of its current period.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.config import EscalationRule
from tracker.ladder import LEVEL_OF, NOTICE_MIN_RANK, Ladder, Rung, ladder_for, rank_for
from tracker.models import (
    Assignment,
    Ledger,
    Notice,
    NoticeItem,
    Person,
    ReportDue,
    ReportDuty,
    Task,
    Unit,
)
from tracker.people import current_person_of_unit
from tracker.statuses import OPEN_STATUSES
from tracker.workdays import WorkCalendar


@dataclass(slots=True)  # not frozen: a first check builds hundreds of thousands of these
class Finding:
    """An assignment (or a missed report) at some escalation level."""

    kind: str  # "task" | "report"
    ledger_id: int
    ledger: str
    task_id: int | None
    seq: str
    task: str
    unit_id: int
    unit: str
    person: str
    deadline: dt.date
    days_overdue: int
    rank: int
    item_id: int  # the assignment's id, or the report period's
    notified_level: int
    notified_due: dt.date | None

    @property
    def level(self) -> str:
        return LEVEL_OF[self.rank].value

    @property
    def is_new(self) -> bool:
        """Reached a level above the last one noticed for this deadline."""
        return self.rank > (self.notified_level if self.notified_due == self.deadline else 0)

    def as_json(self) -> dict[str, Any]:
        return {
            "ledger": self.ledger,
            "ledger_id": self.ledger_id,
            "task": self.seq,
            "task_text": self.task,
            "kind": self.kind,
            "unit": self.unit,
            "person": self.person,
            "deadline": self.deadline.isoformat(),
            "days_overdue": self.days_overdue,
            "level": self.level,
        }


def ladders(session: Session, default: list[EscalationRule]) -> dict[str, tuple[Ladder, list[int] | None]]:
    """Ledgers grouped by the ladder that judges them (the config's, or their own). A group that
    holds every ledger says None instead of listing them, so its scan needs no ledger filter."""
    groups: dict[str, tuple[Ladder, list[int]]] = {}
    for ledger_id, title, stored in session.execute(select(Ledger.id, Ledger.title, Ledger.escalation)):
        ladder = ladder_for(stored, default, where=title)
        groups.setdefault(ladder.as_json(), (ladder, []))[1].append(ledger_id)
    if len(groups) == 1:
        return {key: (ladder, None) for key, (ladder, _) in groups.items()}
    return dict(groups)


def criticism_counts(session: Session, as_of: dt.date) -> dict[int, int]:
    """How many checks before ``as_of`` criticised each unit (units belong to one ledger): the
    days on which a bulletin named it, so that two bulletins of one day (a re-run after an import,
    say) count once, and a re-run the same day judges exactly as the first run did. Read once per
    check: as a subquery joined into every scan it cost more than the scan itself."""
    bulletins = select(col(Notice.id)).where(col(Notice.kind) == "criticism", col(Notice.as_of) < as_of)
    # Driven from the few bulletins through the notice_id index: joined the other way round, the
    # planner walked every notice item (0.2 s at a million assignments).
    named = (
        select(col(NoticeItem.unit_id), col(Notice.as_of))
        .join(Notice, col(Notice.id) == col(NoticeItem.notice_id))
        .where(col(NoticeItem.notice_id).in_(bulletins))
        .distinct()
        .subquery()
    )
    rows = session.execute(select(named.c.unit_id, sa.func.count()).group_by(named.c.unit_id))
    return {int(unit): int(n) for unit, n in rows}


def _criticised(unit: Any, criticisms: dict[int, int], at_least: int) -> Any:
    """``unit`` is one named in at least ``at_least`` bulletins (ids inlined: they are ours, and
    a bound parameter each would hit SQLite's parameter limit)."""
    units = sorted(u for u, n in criticisms.items() if n >= at_least)
    return unit.in_([sa.literal_column(str(u)) for u in units]) if units else sa.false()


def _level_case(rungs: Sequence[Rung], due: Any, unit: Any, as_of: dt.date, criticisms: dict[int, int]) -> Any:
    whens = []
    for rung in rungs:
        conditions = []
        if rung.overdue_cutoff is not None:
            conditions.append(due <= rung.overdue_cutoff)
        if rung.remind_until is not None:
            conditions.append(sa.and_(due >= as_of, due <= rung.remind_until))
        if rung.criticisms:
            conditions.append(sa.and_(due < as_of, _criticised(unit, criticisms, rung.criticisms)))
        if conditions:
            whens.append((sa.or_(*conditions), rung.rank))
    return sa.case(*whens, else_=0) if whens else sa.literal(0)


def _horizon(rungs: Sequence[Rung], as_of: dt.date) -> dt.date:
    """No assignment due after this can be at any level."""
    return max([as_of, *(r.remind_until for r in rungs if r.remind_until is not None)])


def task_scan(
    ledger_ids: list[int] | None,
    rungs: Sequence[Rung],
    as_of: dt.date,
    criticisms: dict[int, int],
    *columns: Any,
) -> tuple[Any, Any]:
    """The task scan for one ladder, row by row: ``columns`` plus the level, over open assignments
    at some level."""
    level = _level_case(rungs, col(Assignment.due_on), col(Assignment.unit_id), as_of, criticisms).label("level")
    query = (
        sa.select(*columns, level)
        .select_from(Assignment)
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .where(
            col(Assignment.status).in_(OPEN_STATUSES),
            col(Assignment.due_on) <= _horizon(rungs, as_of),
            level > 0,
        )
    )
    if ledger_ids is not None:
        # A subquery on task ids, not a filter on the joined task: the scan must be driven by the
        # (status, due_on) index on assignments, never by a loop over each task's rows.
        tasks = sa.select(col(Task.id)).where(col(Task.ledger_id).in_(ledger_ids))
        query = query.where(col(Assignment.task_id).in_(tasks))
    return query, level


def is_new(level: Any) -> Any:
    """At a notice level above the one last noticed for this deadline (as ``Finding.is_new``)."""
    return sa.and_(
        level >= NOTICE_MIN_RANK,
        sa.or_(
            col(Assignment.notified_due).is_(None),
            col(Assignment.notified_due) != col(Assignment.due_on),
            level > col(Assignment.notified_level),
        ),
    )


def task_findings(
    session: Session,
    as_of: dt.date,
    default: list[EscalationRule],
    calendar: WorkCalendar,
    most_overdue: int | None = None,
) -> list[Finding]:
    """Open assignments at some level, in ledger order; or only the ``most_overdue`` few."""
    crit = criticism_counts(session, as_of)
    findings: list[Finding] = []
    for ladder, ledger_ids in ladders(session, default).values():
        rungs = ladder.rungs(as_of, calendar)
        query, _ = task_scan(
            ledger_ids,
            rungs,
            as_of,
            crit,
            col(Assignment.id),
            col(Task.ledger_id),
            col(Ledger.title),
            col(Task.id),
            col(Task.seq),
            col(Task.text),
            col(Unit.id),
            col(Unit.name),
            sa.func.coalesce(col(Person.name), ""),
            col(Assignment.due_on),
            col(Assignment.notified_level),
            col(Assignment.notified_due),
        )
        query = (
            query.join(Ledger, col(Ledger.id) == col(Task.ledger_id))
            .join(Unit, col(Unit.id) == col(Assignment.unit_id))
            .outerjoin(Person, current_person_of_unit())
        )
        if most_overdue:
            ids = most_overdue_ids(session, ledger_ids, rungs, as_of, crit, most_overdue)
            queries = [query.where(col(Assignment.id).in_(ids))] if ids else []
        else:
            queries = [query.order_by(col(Task.ledger_id), col(Task.position), col(Unit.position))]
        rows = [row for q in queries for row in session.execute(q)]
        for aid, lid, title, tid, seq, text, uid, unit, person, due, nlevel, ndue, rank in rows:
            findings.append(
                Finding(
                    "task",
                    lid,
                    title,
                    tid,
                    seq,
                    text,
                    uid,
                    unit,
                    person,
                    due,
                    (as_of - due).days,
                    rank,
                    aid,
                    nlevel,
                    ndue,
                )
            )
    if most_overdue:
        findings = sorted(findings, key=lambda f: (f.deadline, f.item_id))[:most_overdue]
    return findings


SCAN_INDEX = "ix_assignment_scan"


def most_overdue_ids(
    session: Session,
    ledger_ids: list[int] | None,
    rungs: Sequence[Rung],
    as_of: dt.date,
    criticisms: dict[int, int],
    limit: int,
) -> list[int]:
    """The ``limit`` open assignments at some level with the earliest deadlines (for one ladder).

    One query per status over the assignments alone, each walking the (status, due_on, …) index
    in deadline order and stopping after a few rows; the names are fetched afterwards for those
    few. Joined to tasks, ledgers and units in one statement, SQLite with statistics
    (``ANALYZE``, ``PRAGMA optimize``) would rather start from ledger × unit and sort every open
    row (4 s at a million instead of a few ms), so the index is named (``INDEXED BY``) and
    nothing else is in the statement to choose: the plan cannot change with the statistics.
    """
    due = col(Assignment.due_on)
    level = _level_case(rungs, due, col(Assignment.unit_id), as_of, criticisms)
    scope: list[Any] = [due <= _horizon(rungs, as_of), level > 0]
    if ledger_ids is not None:
        scope.append(col(Assignment.task_id).in_(sa.select(col(Task.id)).where(col(Task.ledger_id).in_(ledger_ids))))
    found: list[tuple[dt.date, int]] = []
    for status in OPEN_STATUSES:
        query = (
            sa.select(due, col(Assignment.id))
            .where(col(Assignment.status) == status, *scope)
            .order_by(due, col(Assignment.id))
            .limit(limit)
            .with_hint(Assignment, f"INDEXED BY {SCAN_INDEX}", "sqlite")
        )
        found += [(d, int(i)) for d, i in session.execute(query)]
    return [i for _, i in sorted(found)[:limit]]


@dataclass(frozen=True)
class ScanPart:
    """A share of one ladder's open assignments whose level one SQL expression gives: a deadline
    step (the level a constant) over the units not criticised, or the criticised units (the
    level's CASE, row by row)."""

    where: tuple[Any, ...]
    level: Any
    rank: int | None  # the constant level of a step


def scan_parts(
    ledger_ids: list[int] | None, rungs: Sequence[Rung], as_of: dt.date, criticisms: dict[int, int]
) -> list[ScanPart]:
    """Open assignments at some level, split so that most are judged by the deadline alone: apart
    from criticisms a level depends on the deadline only, so each step is one range over the
    covering (status, due_on, notified_…) index, a tenth of the time of a CASE on every row."""
    due, unit = col(Assignment.due_on), col(Assignment.unit_id)
    scope: list[Any] = [col(Assignment.status).in_(OPEN_STATUSES)]
    if ledger_ids is not None:
        scope.append(col(Assignment.task_id).in_(sa.select(col(Task.id)).where(col(Task.ledger_id).in_(ledger_ids))))
    thresholds = [r.criticisms for r in rungs if r.criticisms]
    apart = bool(thresholds) and any(n >= min(thresholds) for n in criticisms.values())
    criticised = _criticised(unit, criticisms, min(thresholds)) if apart else None
    parts = []
    for after, upto, rank in deadline_steps(rungs, as_of):
        in_step = [due <= upto] if after is None else [due > after, due <= upto]
        outside = [sa.not_(criticised)] if criticised is not None else []
        parts.append(ScanPart((*scope, *outside, *in_step), sa.literal(rank), rank))
    if criticised is not None:
        level = _level_case(rungs, due, unit, as_of, criticisms)
        parts.append(ScanPart((*scope, criticised, due <= _horizon(rungs, as_of), level > 0), level, None))
    return parts


def task_level_counts(
    session: Session, as_of: dt.date, default: list[EscalationRule], calendar: WorkCalendar
) -> tuple[dict[str, int], int]:
    """How many open assignments are at each level, and how many of them newly reached a notice
    level: all a steady-state check needs."""
    crit = criticism_counts(session, as_of)
    counts: dict[str, int] = defaultdict(int)
    new = 0
    for ladder, ledger_ids in ladders(session, default).values():
        for part in scan_parts(ledger_ids, ladder.rungs(as_of, calendar), as_of, crit):
            fresh = sa.func.count().filter(is_new(part.level))
            if part.rank is not None:
                rows = [(*session.execute(sa.select(sa.func.count(), fresh).where(*part.where)).one(), part.rank)]
            else:
                level = part.level.label("level")
                query = sa.select(sa.func.count(), fresh, level).where(*part.where).group_by(level)
                rows = [(count, fresh_count, rank) for count, fresh_count, rank in session.execute(query)]
            for count, fresh_count, rank in rows:
                if count:
                    counts[LEVEL_OF[rank].value] += count
                    new += fresh_count or 0
    return dict(counts), new


def deadline_steps(rungs: Sequence[Rung], as_of: dt.date) -> list[tuple[dt.date | None, dt.date, int]]:
    """The level as a step function of the deadline, criticisms aside: ``(after, upto, rank)``
    for deadlines in (after, upto] (``after`` None: unbounded), only the steps at some level.

    Every rule condition is ``due <= date`` or ``due >= as_of``, so the level can only change at
    those dates; it is constant between two of them and can be judged at the upper end.
    """
    cuts = {as_of - dt.timedelta(days=1)}
    for rung in rungs:
        if rung.overdue_cutoff is not None:
            cuts.add(rung.overdue_cutoff)
        if rung.remind_until is not None:
            cuts.add(rung.remind_until)

    steps: list[tuple[dt.date | None, dt.date, int]] = []
    after: dt.date | None = None
    for upto in sorted(cuts):
        rank = rank_for(rungs, upto, as_of)
        if steps and steps[-1][2] == rank:
            steps[-1] = (steps[-1][0], upto, rank)
        else:
            steps.append((after, upto, rank))
        after = upto
    return [step for step in steps if step[2]]


# Report periods are materialised for this many years from a ledger's start at most: a check
# dated beyond is a mistake (a mistyped --as-of), not decades of reports to write row by row.
REPORT_YEARS = 50


def materialize_reports(session: Session, as_of: dt.date, *, asked: dt.date | None = None) -> int:
    """Create the report periods due up to ``as_of`` that do not exist yet; returns how many.

    ``asked`` is the date the user gave (a check's, a form's), when ``as_of`` looks ahead of it
    (the reminders' window, the coming periods): the years kept are judged by it, and a refusal
    names it, not a later day the user never typed."""
    from tracker.deadlines import Recurring, parse
    from tracker.refusals import Refusal

    asked = as_of if asked is None else asked

    created = 0
    duties = list(session.exec(select(ReportDuty)))
    if not duties:
        return 0
    import json

    ledgers = {lg.id: lg for lg in session.exec(select(Ledger))}
    existing = {
        (d, u, due)
        for d, u, due in session.execute(
            sa.select(col(ReportDue.duty_id), col(ReportDue.unit_id), col(ReportDue.due_on))
        )
    }
    for duty in duties:
        ledger = ledgers[duty.ledger_id]
        rule = parse(duty.deadline_text, ledger.year)
        if not isinstance(rule, Recurring):
            continue
        start = ledger.issued_on or dt.date(ledger.year or as_of.year, 1, 1)
        if asked.year - start.year >= REPORT_YEARS:
            raise Refusal(
                "report_years", ledger=ledger.title, duty=duty.name, years=REPORT_YEARS, start=start, day=asked
            )
        kinds = set(json.loads(duty.unit_kinds))
        units = [
            u
            for u in session.exec(select(Unit).where(Unit.ledger_id == duty.ledger_id))
            if not kinds or u.kind in kinds
        ]
        for due in rule.dates(start, as_of):
            for unit in units:
                assert duty.id is not None and unit.id is not None
                if unit.terminated_on is not None and due > unit.terminated_on:
                    continue  # its work ended: nothing owed after that day
                if (duty.id, unit.id, due) not in existing:
                    session.add(ReportDue(duty_id=duty.id, unit_id=unit.id, due_on=due))
                    created += 1
    session.flush()
    return created


def _not_received(as_of: dt.date) -> Any:
    return sa.or_(col(ReportDue.received_on).is_(None), col(ReportDue.received_on) > as_of)


def _missing(as_of: dt.date) -> Any:
    """Report periods not received as of ``as_of`` although due before it (漏报)."""
    return sa.and_(col(ReportDue.due_on) < as_of, _not_received(as_of))


def report_horizon(session: Session, as_of: dt.date, default: list[EscalationRule], calendar: WorkCalendar) -> dt.date:
    """The last deadline any ladder reminds of as of ``as_of``: report periods up to it must exist."""
    groups = ladders(session, default).values()
    return max((_horizon(ladder.rungs(as_of, calendar), as_of) for ladder, _ in groups), default=as_of)


def report_findings(
    session: Session, as_of: dt.date, default: list[EscalationRule], calendar: WorkCalendar
) -> list[Finding]:
    """Missed reports at the level their count reaches (``missed_reports``), and reports not yet
    received in a reminder window, at the reminder's level: a unit hears of a report before it
    is criticised for missing it, as it does of a task."""
    missing_counts = dict(
        session.execute(
            select(col(ReportDue.unit_id), sa.func.count()).where(_missing(as_of)).group_by(col(ReportDue.unit_id))
        ).all()
    )
    findings: list[Finding] = []
    for ladder, ledger_ids in ladders(session, default).values():
        rungs = ladder.rungs(as_of, calendar)
        missed = [r for r in rungs if r.missed_reports]
        reminding = [r for r in rungs if r.remind_until is not None]
        wanted = []
        if missed and missing_counts:
            wanted.append(_missing(as_of))
        if reminding:
            until = max(r.remind_until for r in reminding if r.remind_until is not None)
            wanted.append(sa.and_(col(ReportDue.due_on) >= as_of, col(ReportDue.due_on) <= until, _not_received(as_of)))
        if not wanted:
            continue
        query = (
            sa.select(
                col(ReportDue.id),
                col(ReportDuty.ledger_id),
                col(Ledger.title),
                col(ReportDuty.name),
                col(Unit.id),
                col(Unit.name),
                sa.func.coalesce(col(Person.name), ""),
                col(ReportDue.due_on),
                col(ReportDue.notified_level),
            )
            .join(ReportDuty, col(ReportDuty.id) == col(ReportDue.duty_id))
            .join(Ledger, col(Ledger.id) == col(ReportDuty.ledger_id))
            .join(Unit, col(Unit.id) == col(ReportDue.unit_id))
            .outerjoin(Person, current_person_of_unit())
            .where(
                sa.or_(*wanted),
                # A terminated unit leaves the findings from the day its work ended, as its
                # terminated assignments do.
                sa.or_(col(Unit.terminated_on).is_(None), col(Unit.terminated_on) > as_of),
            )
            .order_by(col(ReportDuty.ledger_id), col(ReportDue.due_on), col(Unit.position))
        )
        if ledger_ids is not None:
            query = query.where(col(ReportDuty.ledger_id).in_(ledger_ids))
        for rid, lid, title, name, uid, unit, person, due, nlevel in session.execute(query):
            if due < as_of:
                count = missing_counts.get(uid, 0)
                rank = max((r.rank for r in missed if count >= (r.missed_reports or 0)), default=0)
            else:
                rank = max((r.rank for r in reminding if due <= (r.remind_until or due)), default=0)
            if rank:
                findings.append(
                    Finding(
                        "report",
                        lid,
                        title,
                        None,
                        name,
                        f"{name}（{due.isoformat()}）",
                        uid,
                        unit,
                        person,
                        due,
                        (as_of - due).days,
                        rank,
                        rid,
                        nlevel,
                        due,
                    )
                )
    return findings


def level_counts(findings: Sequence[Finding]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for finding in findings:
        counts[finding.level] += 1
    return dict(counts)
