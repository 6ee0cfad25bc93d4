"""The weekly progress table's content as of a date (督查进度周报).

Per ledger: every assignment with its escalation level and traffic light, the units' summary with
scores and ranks, and what changed since the previous week's as-of date. The writers
(``report_xlsx``, ``report_files``) only lay this out; the content is decided here, once.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.config import Level, Settings
from tracker.ladder import LEVEL_LABELS, LEVEL_OF, RANK, Rung, ladder_for, rank_for
from tracker.models import Assignment, AuditEntry, Ledger, Notice, NoticeItem, Status, Task, Unit
from tracker.scan import criticism_counts
from tracker.scoring import scores
from tracker.statuses import OPEN_STATUSES
from tracker.views import Row, iter_ledger_rows
from tracker.workdays import WorkCalendar

# The traffic lights: what each colour means, and its fill (Excel's own "good/neutral/bad" tints).
LIGHTS: dict[str, tuple[str, str]] = {
    "red": ("逾期未完成", "#FFC7CE"),
    "yellow": ("临近时限或滞后于序时进度", "#FFEB9C"),
    "green": ("按期完成", "#C6EFCE"),
    "orange": ("逾期完成", "#F8CBAD"),
    "grey": ("已终止", "#D9D9D9"),
    # Completion review (README "Review"): submitted and waiting for the bureau; returned and
    # still within its deadline (a returned one past it is red, as any overdue one).
    "blue": ("已提交、待复核", "#BDD7EE"),
    "purple": ("复核退回、仍须办理", "#E4DFEC"),
}


def legend(lag_margin: int) -> dict[str, str]:
    """What each colour means, in full, for the legend (图例) of the xlsx and html tables. Yellow
    is spelled out: the reader must see that a task not yet started is not behind by itself."""
    meanings = {key: label for key, (label, _) in LIGHTS.items()}
    meanings["yellow"] = (
        f"临近时限（已发提醒）；或进度落后序时进度超过{lag_margin}个百分点；"
        f"或尚未开始、时间已过{lag_margin}%且从未报送进展"
    )
    return meanings


@dataclass(frozen=True, slots=True)
class ReportRow:
    row: Row
    rank: int  # the escalation level reached as of the report date (0: none)
    light: str  # a key of LIGHTS, or "" for an open assignment with nothing to flag

    @property
    def level(self) -> str:
        return LEVEL_LABELS[LEVEL_OF[self.rank]] if self.rank else ""

    @property
    def days_late(self) -> int | None:
        """Days past the deadline, only when late (the table shows no negative counts)."""
        late = self.row.days_overdue
        return late if late is not None and late > 0 else None


@dataclass(frozen=True)
class UnitLine:
    unit: str
    tasks: int
    done: int
    on_time: int
    overdue: int  # past the deadline and not completed as of the report date: open, or terminated after it
    late_reports: int
    missing_reports: int
    score: float
    rank: int

    @property
    def rate(self) -> float:
        """完成率: done over tasks (0 when the unit owes none)."""
        return self.done / self.tasks if self.tasks else 0.0


@dataclass(frozen=True)
class Change:
    kind: str  # 新完成 / 新逾期 / 督办通知 … / 延期获批 / 责任人变更 / 终止
    task: str
    unit: str
    detail: str
    on: dt.date | None


@dataclass
class LedgerSection:
    """One ledger's part of the report. Its rows are streamed from the database when a writer
    asks for them (a hundred thousand rows are never all in memory), so the session that built
    the report must stay open while it is written."""

    ledger_id: int
    title: str
    doc_number: str
    issuer: str
    count: int = 0  # assignments, that is rows
    runs: list[int] = field(default_factory=list)  # how many rows each run of one phase covers
    units: list[UnitLine] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    stream: Callable[[], Iterator[ReportRow]] = field(default=lambda: iter(()), repr=False)

    def rows(self) -> Iterator[ReportRow]:
        return self.stream()

    def rows_with_spans(self) -> Iterator[tuple[ReportRow, int]]:
        """Each row with how many rows its 阶段 cell spans: the run's length on its first row, 0 on
        the rows it covers (a ledger lists a phase's tasks together, and the table merges them)."""
        runs, left = iter(self.runs), 0
        for item in self.rows():
            span = 0
            if left == 0:
                span = left = max(1, next(runs, 1))
            left -= 1
            yield item, span


@dataclass
class WeeklyReport:
    as_of: dt.date
    sections: list[LedgerSection]
    lag_margin: int = 10  # [progress] lag_margin: the legend says what yellow means with it

    @property
    def legend(self) -> dict[str, str]:
        return legend(self.lag_margin)

    @property
    def since(self) -> dt.date:
        """The previous week's as-of date: changes after it and up to ``as_of`` are this week's."""
        return self.as_of - dt.timedelta(days=7)

    @property
    def week(self) -> str:
        first = self.since + dt.timedelta(days=1)
        year, number, _ = self.as_of.isocalendar()
        return f"{year}年第{number}周（{first.month}月{first.day}日—{self.as_of.month}月{self.as_of.day}日）"

    @property
    def title(self) -> str:
        return self.sections[0].title if len(self.sections) == 1 else "督查工作进展情况"

    @property
    def rows(self) -> int:
        return sum(s.count for s in self.sections)


def light_of(row: Row, rank: int) -> str:
    return light_for(row.status, row.days_overdue, rank, row.lagging)


def light_for(status: str, days_overdue: int | None, rank: int, lagging: bool) -> str:
    """The traffic light of an assignment (a key of LIGHTS, or "" for nothing to flag)."""
    if status == Status.TERMINATED:
        return "grey"
    if status == Status.DONE:
        return "orange" if days_overdue is not None and days_overdue > 0 else "green"
    if status == Status.SUBMITTED:
        return "blue"
    if days_overdue is not None and days_overdue > 0:
        return "red"
    if status == Status.RETURNED:
        return "purple"
    if rank == RANK[Level.REMINDER] or lagging:
        return "yellow"
    return ""


def weekly_report(
    session: Session,
    *,
    as_of: dt.date,
    settings: Settings,
    calendar: WorkCalendar,
    ledger_ids: list[int] | None = None,
) -> WeeklyReport:
    """The report over ``ledger_ids`` (default: every ledger), judged as of ``as_of``."""
    query = select(Ledger).order_by(col(Ledger.id))
    if ledger_ids is not None:
        query = query.where(col(Ledger.id).in_(ledger_ids))
    criticisms = criticism_counts(session, as_of)
    report = WeeklyReport(as_of, [], settings.progress.lag_margin)
    for ledger in list(session.exec(query)):
        assert ledger.id is not None
        rungs = ladder_for(ledger.escalation, settings.escalation, where=ledger.title).rungs(as_of, calendar)
        section = LedgerSection(ledger.id, ledger.title, ledger.doc_number, ledger.issuer)
        section.runs = phase_runs(session, ledger.id)
        section.count = sum(section.runs)
        section.stream = functools.partial(
            _report_rows, session, ledger.id, as_of, rungs, criticisms, settings.progress.lag_margin
        )
        section.units = [
            UnitLine(
                s.unit,
                s.tasks,
                s.done,
                s.done_on_time,
                s.open_overdue + s.terminated_overdue,
                s.late_reports,
                s.missing_reports,
                s.score,
                s.rank,
            )
            for s in scores(session, ledger.id, as_of, settings.scoring, timezone=settings.timezone)
        ]
        section.changes = week_changes(session, ledger.id, report.since, as_of, settings.timezone)
        report.sections.append(section)
    return report


def _report_rows(
    session: Session, ledger_id: int, as_of: dt.date, rungs: list[Rung], criticisms: dict[int, int], margin: int
) -> Iterator[ReportRow]:
    unit_ids: dict[str, int] = {
        name: uid
        for name, uid in session.execute(
            sa.select(col(Unit.name), col(Unit.id)).where(col(Unit.ledger_id) == ledger_id)
        )
    }
    ranks: dict[tuple[dt.date, int], int] = {}  # a task's units share its deadline: judge it once
    for row in iter_ledger_rows(session, ledger_id, as_of, margin):
        rank = 0
        if row.status in OPEN_STATUSES and row.due_on is not None:
            key = (row.due_on, criticisms.get(unit_ids[row.unit], 0))
            rank = ranks.get(key, -1)
            if rank < 0:
                rank = ranks[key] = rank_for(rungs, key[0], as_of, key[1])
        yield ReportRow(row, rank, light_of(row, rank))


def phase_runs(session: Session, ledger_id: int) -> list[int]:
    """How many rows (assignments, in ledger order) each run of tasks of one phase covers."""
    tasks = session.execute(
        sa.select(col(Task.phase_id), sa.func.count(col(Assignment.id)))
        .join(Assignment, col(Assignment.task_id) == col(Task.id))
        .where(col(Task.ledger_id) == ledger_id)
        .group_by(col(Task.id), col(Task.position), col(Task.phase_id))
        .order_by(col(Task.position))
    )
    runs: list[int] = []
    previous: object = object()
    for phase, count in tasks:
        if runs and phase == previous:
            runs[-1] += count
        else:
            runs.append(count)
        previous = phase
    return runs


def week_changes(session: Session, ledger_id: int, since: dt.date, as_of: dt.date, timezone: str) -> list[Change]:
    """What happened in (``since``, ``as_of``]: completions and lateness by their business dates,
    escalations by their notices' dates, and extensions, personnel changes and terminations from
    the audit trail (by the local day they were recorded)."""
    changes: list[Change] = []
    base = (
        sa.select(col(Task.seq), col(Unit.name), col(Assignment.due_on), col(Assignment.completed_on))
        .select_from(Assignment)
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(col(Task.ledger_id) == ledger_id)
        .order_by(col(Task.position), col(Unit.position))
    )
    completed = base.where(
        col(Assignment.status) == Status.DONE.value,
        col(Assignment.completed_on) > since,
        col(Assignment.completed_on) <= as_of,
    )
    for seq, unit, due, done_on in session.execute(completed):
        late = f"，逾期{(done_on - due).days}天" if due is not None and done_on > due else ""
        changes.append(Change("新完成", seq, unit, f"{done_on:%Y-%m-%d}完成{late}", done_on))
    overdue = base.where(
        col(Assignment.status).in_(OPEN_STATUSES), col(Assignment.due_on) >= since, col(Assignment.due_on) < as_of
    )
    for seq, unit, due, _ in session.execute(overdue):
        changes.append(Change("新逾期", seq, unit, f"完成时限{due:%Y-%m-%d}已过，尚未完成", due))
    notices = session.execute(
        sa.select(col(Notice.kind), col(Notice.number), col(Notice.as_of), col(Unit.name), col(Task.seq))
        .join(NoticeItem, col(NoticeItem.notice_id) == col(Notice.id))
        .join(Unit, col(Unit.id) == col(NoticeItem.unit_id))
        .outerjoin(Assignment, col(Assignment.id) == col(NoticeItem.assignment_id))
        .outerjoin(Task, col(Task.id) == col(Assignment.task_id))
        .where(col(Notice.ledger_id) == ledger_id, col(Notice.as_of) > since, col(Notice.as_of) <= as_of)
        .order_by(col(Notice.id), col(Unit.position), col(Task.position))
        .execution_options(yield_per=2000)  # a first check's notices cover a third of a big ledger
    )
    grouped: dict[tuple[str, str, dt.date, str], list[str]] = {}
    for kind, number, on, unit, seq in notices:
        grouped.setdefault((kind, number, on, unit), []).append(seq or "进度报告")
    for (kind, number, on, unit), seqs in grouped.items():
        label = LEVEL_LABELS[Level(kind)]
        changes.append(Change(label, "、".join(dict.fromkeys(seqs)), unit, f"{label} {number}", on))
    changes.extend(_audited_changes(session, ledger_id, since, as_of, timezone))
    return changes


_AUDITED = {"extension-approved": "延期获批", "person": "责任人变更", "terminate": "终止"}


def _audited_changes(session: Session, ledger_id: int, since: dt.date, as_of: dt.date, timezone: str) -> list[Change]:
    zone = zoneinfo.ZoneInfo(timezone)

    def start_of(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)

    entries = session.execute(
        sa.select(AuditEntry, col(Task.seq), col(Unit.name))
        .outerjoin(Task, col(Task.id) == col(AuditEntry.task_id))
        .outerjoin(Unit, col(Unit.id) == col(AuditEntry.unit_id))
        .where(
            col(AuditEntry.ledger_id) == ledger_id,
            col(AuditEntry.action).in_(list(_AUDITED)),
            col(AuditEntry.at) >= start_of(since + dt.timedelta(days=1)),
            col(AuditEntry.at) < start_of(as_of + dt.timedelta(days=1)),
        )
        .order_by(col(AuditEntry.id))
    )
    changes = []
    for entry, seq, unit in entries:
        before = json.loads(entry.before) if entry.before else {}
        after = json.loads(entry.after) if entry.after else {}
        if entry.action == "extension-approved":
            detail = f"完成时限由{before.get('due_on')}延至{after.get('due_on')}"
        elif entry.action == "person":
            detail = f"责任人由{before.get('name') or '（无）'}变更为{after.get('name')}"
        else:
            detail = f"终止：{after.get('reason', '')}"
        day = entry.at.astimezone(zone).date()
        changes.append(Change(_AUDITED[entry.action], seq or "", unit or "", detail, day))
    return changes
