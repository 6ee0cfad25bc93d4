"""The leader's dashboard as data: completion and on-time completion (按期办结率) week by week,
rebuilt from the history; overdue by escalation level; one unit's record across ledgers.

Each week's figures are those the history gives for the end of that week, read with the rules the
scores use (tracker/scoring.py), so the dashboard and the ranking never disagree on what counts:

- An assignment is done at a week's end when the last progress recorded on it, among the records
  in force by then, says done. A completion is in force from its completion date (the day a unit
  finished, not the day it was typed in), anything else from the day it was recorded. A completion
  dated later does not count earlier; a submission accepted later counts from the day it was
  submitted for (the accepted completion carries that date: review rules). So a past week's figure
  may rise when a completion is recorded or accepted afterwards for a day in that week: the
  history, as now known.
- The deadline in force at a week's end is the one then: an extension approved later did not yet
  apply.
- A terminated (已终止) assignment counts as before until its termination; from then on it is
  left out, unless it was already past its deadline (then it stays, not done: termination never
  improves a record, as in the scores).
- A recurring duty counts once per period: each period done (scoring's past occurrences) from the
  day the period before it was done, then the period it owes now.
- A completion waiting for review (待复核) is open but not late, from the day it was submitted
  until accepted or returned (the check does not escalate it either).
- Completion rate: done ÷ assignments counted. 按期办结率: done by the deadline ÷ those due by
  then or done (应办结). None when there is nothing to divide by.
- Overdue by level: open past the deadline in force at the last week's end, at the highest level
  a notice issued by then gave it for that deadline (未发通知 when none).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.ladder import LEVEL_LABELS, LEVEL_OF
from tracker.models import (
    Assignment,
    Extension,
    Ledger,
    Notice,
    NoticeItem,
    NoticeReceipt,
    ProgressEvent,
    Status,
    Submission,
    Task,
    Unit,
)
from tracker.scoring import _past_occurrences, _terminations
from tracker.workdays import WorkCalendar

NOT_NOTIFIED = "未发通知"
_DONE, _TERMINATED, _TODO = Status.DONE.value, Status.TERMINATED.value, Status.TODO.value
_SUBMITTED, _RETURNED = Status.SUBMITTED.value, Status.RETURNED.value
DEFAULT_WEEKS = 12


@dataclass(frozen=True)
class Point:
    """One week's end: how many assignments counted, done, done on time, and due (应办结)."""

    week_end: dt.date
    assignments: int
    done: int
    on_time: int
    due: int

    @property
    def completion(self) -> float | None:
        return self.done / self.assignments if self.assignments else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    def as_json(self) -> dict[str, object]:
        return {
            "week_end": self.week_end.isoformat(),
            "assignments": self.assignments,
            "done": self.done,
            "on_time": self.on_time,
            "due": self.due,
            "completion": _rounded(self.completion),
            "on_time_rate": _rounded(self.on_time_rate),
        }


def _rounded(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


@dataclass(frozen=True)
class Series:
    name: str  # the ledger's title, or the unit's name
    points: tuple[Point, ...]
    # Open past the deadline at the last week's end, by the highest level notified (lowest first).
    overdue_by_level: tuple[tuple[str, int], ...] = ()

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "points": [p.as_json() for p in self.points],
            "overdue_by_level": dict(self.overdue_by_level),
        }


@dataclass(frozen=True)
class LedgerTrend:
    id: int
    title: str
    overall: Series
    units: tuple[Series, ...]  # in the ledger's order
    # Open past the deadline at the last week's end, by the highest level a notice issued by then gave it.
    overdue_by_level: tuple[tuple[str, int], ...]

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "overall": self.overall.as_json(),
            "units": [u.as_json() for u in self.units],
            "overdue_by_level": dict(self.overdue_by_level),
        }


@dataclass(frozen=True)
class _Item:
    """One thing owed (an assignment, or one period of a recurring one), as its history says."""

    assignment_id: int
    unit_id: int
    appears: dt.date | None  # counted from this day (a later period of a recurring duty)
    due_now: dt.date | None
    extensions: tuple[tuple[dt.date, dt.date | None], ...]  # (approved on, deadline before), by day
    events: tuple[tuple[dt.date, str, dt.date | None], ...]  # (in force from, status, completed on), as recorded
    terminated: dt.date | None

    @property
    def plain(self) -> bool:
        """No history: open from the start, under the deadline it has now."""
        return not self.events and not self.extensions and self.terminated is None and self.appears is None

    def due_at(self, day: dt.date) -> dt.date | None:
        for approved, before in self.extensions:
            if approved > day:
                return before
        return self.due_now

    def standing(self, day: dt.date) -> tuple[str, dt.date | None, dt.date | None]:
        """(status, completed on, in force since) at the end of ``day``: the last record, in the
        order recorded, of those in force by then."""
        status, completed, since = _TODO, None, None
        for on, recorded, completed_on in self.events:
            if on <= day:
                status, completed, since = recorded, completed_on, on
        if self.terminated is not None and self.terminated <= day:
            status, since = _TERMINATED, self.terminated
        return status, completed, since

    def state(self, day: dt.date) -> tuple[bool, bool, bool, bool]:
        """(counted, done, on time, due) at the end of ``day``."""
        if self.appears is not None and self.appears > day:
            return False, False, False, False
        due = self.due_at(day)
        status, completed, since = self.standing(day)
        if status == _TERMINATED:
            if since is not None and due is not None and due < since:
                return True, False, False, True
            return False, False, False, False
        if status == _DONE:
            return True, True, due is None or completed is None or completed <= due, True
        return True, False, False, due is not None and due <= day


def _overdue(item: _Item, day: dt.date) -> dt.date | None:
    """The deadline ``item`` is open past at the end of ``day`` (not waiting for review), if any."""
    if item.appears is not None and item.appears > day:
        return None
    status, _, _ = item.standing(day)
    due = item.due_at(day)
    if status in (_DONE, _TERMINATED, _SUBMITTED) or due is None or due >= day:
        return None
    return due


def week_ends(as_of: dt.date, weeks: int) -> list[dt.date]:
    """``weeks`` week ends, a week apart, the last one ``as_of``."""
    return [as_of - dt.timedelta(days=7 * i) for i in range(weeks - 1, -1, -1)]


def ledger_trend(session: Session, ledger: Ledger, ends: Sequence[dt.date], *, timezone: str) -> LedgerTrend:
    """The weekly series of ``ledger`` (overall and per unit) at ``ends``, and what was overdue
    at the last one, by level."""
    assert ledger.id is not None
    zone = zoneinfo.ZoneInfo(timezone)
    units = list(
        session.execute(
            sa.select(col(Unit.id), col(Unit.name)).where(col(Unit.ledger_id) == ledger.id).order_by(col(Unit.position))
        )
    )
    per_unit, unit_levels = _tally(_items(session, ledger.id, zone), ends, _notified(session, ledger.id, ends[-1]))
    levels = merge_levels(_labelled(found) for found in unit_levels.values())
    blank = [Point(day, 0, 0, 0, 0) for day in ends]
    overall = [
        Point(day, *(sum(getattr(points[i], f) for points in per_unit.values()) for f in _FIGURES))
        for i, day in enumerate(ends)
    ]
    return LedgerTrend(
        id=ledger.id,
        title=ledger.title,
        overall=Series(ledger.title, tuple(overall), levels),
        units=tuple(
            Series(name, tuple(per_unit.get(uid, blank)), _labelled(unit_levels.get(uid, {}))) for uid, name in units
        ),
        overdue_by_level=levels,
    )


def _labelled(levels: dict[int, int]) -> tuple[tuple[str, int], ...]:
    """Counts by level rank as (label, count), lowest level first."""
    return tuple((level_label(rank), levels[rank]) for rank in sorted(levels))


_FIGURES = ("assignments", "done", "on_time", "due")


def _tally(
    items: Iterable[_Item], ends: Sequence[dt.date], notified: dict[tuple[int, dt.date], int] | None = None
) -> tuple[dict[int, list[Point]], dict[int, dict[int, int]]]:
    """Each unit's figures at each of ``ends``, and each unit's open past its deadline at the
    last one by the level ``notified`` for that deadline (unit → rank → count; rank 0 none). What has no history (no
    progress, extension or termination: most of a big ledger) depends on its deadline alone, so
    it is counted by (unit, deadline) and judged once per deadline."""
    totals: dict[int, list[list[int]]] = defaultdict(lambda: [[0, 0, 0, 0] for _ in ends])
    plain: dict[tuple[int, dt.date | None], int] = defaultdict(int)
    levels: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    last, notified = ends[-1], notified or {}
    for item in items:
        if (overdue := _overdue(item, last)) is not None:
            levels[item.unit_id][notified.get((item.assignment_id, overdue), 0)] += 1
        if item.plain:
            plain[item.unit_id, item.due_now] += 1
            continue
        weeks = totals[item.unit_id]
        for week, day in zip(weeks, ends, strict=True):
            counted, done, on_time, due = item.state(day)
            if counted:
                week[0] += 1
                week[1] += done
                week[2] += on_time
                week[3] += due
    for (uid, due_on), n in plain.items():
        for week, day in zip(totals[uid], ends, strict=True):
            week[0] += n
            if due_on is not None and due_on <= day:
                week[3] += n
    figures = {uid: [Point(day, *week) for week, day in zip(weeks, ends, strict=True)] for uid, weeks in totals.items()}
    return figures, {uid: dict(found) for uid, found in levels.items()}


def _items(session: Session, ledger_id: int, zone: zoneinfo.ZoneInfo, unit_id: int | None = None) -> Iterable[_Item]:
    """What the ledger's units (or the unit ``unit_id``) owe, each with its history."""
    where = [col(Task.ledger_id) == ledger_id]
    if unit_id is not None:
        where.append(col(Assignment.unit_id) == unit_id)
    in_ledger = sa.select(col(Assignment.id)).join(Task, col(Task.id) == col(Assignment.task_id)).where(*where)
    moments: dict[int, list[tuple[dt.datetime, dt.date, str, dt.date | None]]] = defaultdict(list)
    for aid, at, status, completed in session.execute(
        sa.select(
            col(ProgressEvent.assignment_id),
            col(ProgressEvent.at),
            col(ProgressEvent.status),
            col(ProgressEvent.completed_on),
        )
        .where(col(ProgressEvent.assignment_id).in_(in_ledger))
        .order_by(col(ProgressEvent.at), col(ProgressEvent.id))
    ):
        recorded_on = at.astimezone(zone).date()
        on = completed if status == Status.DONE and completed is not None else recorded_on
        moments[aid].append((at, on, status, completed))
    # Waiting for review (待复核) from the day submitted, and owed again (退回) from the day
    # returned: neither late while it waits, as the check judges. Accepted, the completion event
    # (dated the day submitted for) says done.
    for aid, submitted, decision, decided in session.execute(
        sa.select(
            col(Submission.assignment_id),
            col(Submission.submitted_at),
            col(Submission.decision),
            col(Submission.decided_at),
        ).where(col(Submission.assignment_id).in_(in_ledger))
    ):
        moments[aid].append((submitted, submitted.astimezone(zone).date(), _SUBMITTED, None))
        if decision == "returned" and decided is not None:
            moments[aid].append((decided, decided.astimezone(zone).date(), _RETURNED, None))
    events = {
        aid: [(on, status, completed) for _, on, status, completed in sorted(found, key=lambda e: e[0])]
        for aid, found in moments.items()
    }
    extensions: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for aid, decided, original in session.execute(
        sa.select(col(Extension.assignment_id), col(Extension.decided_at), col(Extension.original_due))
        .where(
            col(Extension.assignment_id).in_(in_ledger),
            col(Extension.status) == "approved",
            col(Extension.decided_at).is_not(None),
        )
        .order_by(col(Extension.decided_at))
    ):
        extensions[aid].append((decided.astimezone(zone).date(), original))
    ended = _terminations(session, ledger_id, zone)
    past = _past_occurrences(session, ledger_id)
    rows = session.execute(
        sa.select(
            col(Assignment.id),
            col(Assignment.unit_id),
            col(Assignment.due_on),
            col(Assignment.status),
            col(Assignment.completed_on),
        )
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .where(*where)
        .execution_options(yield_per=5000)
    )
    undated = dict(  # done without a completion date (rare): their last change dates them
        session.execute(
            sa.select(col(Assignment.id), col(Assignment.updated_at)).where(
                col(Assignment.id).in_(in_ledger),
                col(Assignment.status) == _DONE,
                col(Assignment.completed_on).is_(None),
            )
        ).all()
    )
    for aid, uid, due, status, completed in rows:
        stretch = tuple(extensions.get(aid, ()))
        periods = past.get(aid)
        if not periods:
            history = events.get(aid, [])
            if status == Status.DONE and (not history or history[-1][1] != Status.DONE):
                # Done with no completion on record (imported as done, or written before progress
                # was recorded as events): done on its completion date, else on its last change.
                on = completed or undated[aid].astimezone(zone).date()
                history = [*history, (on, status, completed)]
            yield _Item(aid, uid, None, due, stretch, tuple(history), ended.get(aid))
            continue
        # A recurring duty: each period done counts from the day the one before it was done.
        appears: dt.date | None = None
        for period_due, done_on in periods:
            done = ((done_on, Status.DONE.value, done_on),) if done_on is not None else ()
            yield _Item(aid, uid, appears, period_due, (), done, None)
            appears = done_on
        # The period owed now: its own progress only (not the completions of the periods before).
        own = tuple(e for e in events.get(aid, ()) if e[1] != Status.DONE and (appears is None or e[0] >= appears))
        yield _Item(aid, uid, appears, due, stretch, own, ended.get(aid))


class _Workdays:
    """``WorkCalendar.workdays_between`` for many pairs of days: each day asked about once."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self.start: dt.date | None = None
        self.before: list[int] = [0]  # working days in (start, start + i]

    def __call__(self, start: dt.date, end: dt.date) -> int:
        if end < start:
            return -self(end, start)
        self._cover(start, end)
        assert self.start is not None
        return self.before[(end - self.start).days] - self.before[(start - self.start).days]

    def _cover(self, start: dt.date, end: dt.date) -> None:
        if self.start is not None and start >= self.start:
            self._extend(end)
            return
        if self.start is not None:  # starts earlier than counted so far: count again from there
            end = max(end, self._last())
        self.start, self.before = start, [0]
        self._extend(end)

    def _last(self) -> dt.date:
        assert self.start is not None
        return self.start + dt.timedelta(days=len(self.before) - 1)

    def _extend(self, end: dt.date) -> None:
        day = self._last()
        while day < end:
            day += dt.timedelta(days=1)
            self.before.append(self.before[-1] + self.calendar.is_workday(day))


def _notified(session: Session, ledger_id: int, as_of: dt.date) -> dict[tuple[int, dt.date], int]:
    """The highest level a notice issued by ``as_of`` gave each (assignment, deadline)."""
    return {
        (aid, deadline): level
        for aid, deadline, level in session.execute(
            sa.select(col(NoticeItem.assignment_id), col(NoticeItem.deadline), sa.func.max(col(NoticeItem.level)))
            .join(Notice, col(Notice.id) == col(NoticeItem.notice_id))
            .where(
                col(Notice.ledger_id) == ledger_id,
                col(Notice.as_of) <= as_of,
                col(NoticeItem.assignment_id).is_not(None),
            )
            .group_by(col(NoticeItem.assignment_id), col(NoticeItem.deadline))
        )
    }


def merge_levels(counts: Iterable[tuple[tuple[str, int], ...]]) -> tuple[tuple[str, int], ...]:
    """Several ledgers' overdue by level, added up, lowest level first."""
    order = [NOT_NOTIFIED, *(level_label(rank) for rank in sorted(LEVEL_OF))]
    total: dict[str, int] = defaultdict(int)
    for found in counts:
        for label, n in found:
            total[label] += n
    return tuple((label, total[label]) for label in order if label in total)


def level_label(rank: int) -> str:
    return LEVEL_LABELS[LEVEL_OF[rank]] if rank in LEVEL_OF else NOT_NOTIFIED


@dataclass(frozen=True)
class UnitProfile:
    """One unit (by name, in every ledger that has it) as of a day."""

    unit: str
    as_of: dt.date
    ledgers: tuple[str, ...]
    assignments: int
    done: int
    done_late: int  # completed after the deadline
    open_overdue: int  # open past the deadline
    terminated_overdue: int  # terminated after the deadline, never completed
    late_workdays: int  # working days late, summed over the three above
    notices: tuple[tuple[str, int], ...]  # by kind (its label), lowest level first
    unacknowledged: int  # the unit's receipts not signed (bulletins too)
    reviews_submitted: int
    reviews_returned: int
    reviews_accepted: int
    extensions_requested: int
    extensions_approved: int
    extensions_refused: int
    series: tuple[Series, ...]  # the unit's weekly series, one per ledger

    @property
    def overdue(self) -> int:
        return self.done_late + self.open_overdue + self.terminated_overdue

    def as_json(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "as_of": self.as_of.isoformat(),
            "ledgers": list(self.ledgers),
            "assignments": self.assignments,
            "done": self.done,
            "overdue": self.overdue,
            "done_late": self.done_late,
            "open_overdue": self.open_overdue,
            "terminated_overdue": self.terminated_overdue,
            "late_workdays": self.late_workdays,
            "notices": dict(self.notices),
            "unacknowledged": self.unacknowledged,
            "reviews": {
                "submitted": self.reviews_submitted,
                "returned": self.reviews_returned,
                "accepted": self.reviews_accepted,
            },
            "extensions": {
                "requested": self.extensions_requested,
                "approved": self.extensions_approved,
                "refused": self.extensions_refused,
            },
            "series": [s.as_json() for s in self.series],
        }


def unit_profile(
    session: Session,
    name: str,
    units: Sequence[tuple[int, Ledger]],
    ends: Sequence[dt.date],
    *,
    calendar: WorkCalendar,
    timezone: str,
) -> UnitProfile:
    """The record of the unit ``name``: ``units`` are its rows (unit id, ledger), ``ends`` the week ends."""
    as_of = ends[-1]
    zone = zoneinfo.ZoneInfo(timezone)
    ids = [uid for uid, _ in units]
    counts = {"assignments": 0, "done": 0, "late": 0, "open": 0, "ended": 0, "days": 0}
    workdays = _Workdays(calendar)
    series: list[Series] = []
    for uid, ledger in units:
        assert ledger.id is not None
        items = list(_items(session, ledger.id, zone, uid))
        figures, levels = _tally(items, ends, _notified(session, ledger.id, as_of))
        points = figures.get(uid, [Point(day, 0, 0, 0, 0) for day in ends])
        series.append(Series(ledger.title, tuple(points), _labelled(levels.get(uid, {}))))
        for item in items:
            counted, done, on_time, _ = item.state(as_of)
            if not counted:
                continue
            counts["assignments"] += 1
            due = item.due_at(as_of)
            status, completed, since = item.standing(as_of)
            if done:
                counts["done"] += 1
                if not on_time and due is not None and completed is not None:
                    counts["late"] += 1
                    counts["days"] += workdays(due, completed)
            elif status == _TERMINATED and since is not None and due is not None:  # counted: it was late
                counts["ended"] += 1
                counts["days"] += workdays(due, since)
            elif (late := _overdue(item, as_of)) is not None:
                counts["open"] += 1
                counts["days"] += workdays(late, as_of)
    addressed = sa.select(col(Notice.id)).where(col(Notice.unit_id).in_(ids))
    named = sa.select(col(NoticeItem.notice_id)).where(col(NoticeItem.unit_id).in_(ids))
    notices: dict[str, int] = defaultdict(int)
    for kind, n in session.execute(
        sa.select(col(Notice.kind), sa.func.count())
        .where(sa.or_(col(Notice.id).in_(addressed), col(Notice.id).in_(named)), col(Notice.as_of) <= as_of)
        .group_by(col(Notice.kind))
    ):
        notices[kind] += n
    # 签收 is the unit's own (a bulletin too: each unit it names signs for itself).
    unacknowledged = session.execute(
        sa.select(sa.func.count())
        .select_from(NoticeReceipt)
        .join(Notice, col(Notice.id) == col(NoticeReceipt.notice_id))
        .where(
            col(NoticeReceipt.unit_id).in_(ids),
            col(NoticeReceipt.acknowledged_at).is_(None),
            col(Notice.as_of) <= as_of,
        )
    ).scalar_one()
    ranks = {level.value: rank for rank, level in LEVEL_OF.items()}
    theirs = sa.select(col(Assignment.id)).where(col(Assignment.unit_id).in_(ids))
    decisions = dict(
        session.execute(
            sa.select(col(Submission.decision), sa.func.count())
            .where(col(Submission.assignment_id).in_(theirs))
            .group_by(col(Submission.decision))
        ).all()
    )
    requests = dict(
        session.execute(
            sa.select(col(Extension.status), sa.func.count())
            .where(col(Extension.assignment_id).in_(theirs))
            .group_by(col(Extension.status))
        ).all()
    )
    return UnitProfile(
        unit=name,
        as_of=as_of,
        ledgers=tuple(ledger.title for _, ledger in units),
        assignments=counts["assignments"],
        done=counts["done"],
        done_late=counts["late"],
        open_overdue=counts["open"],
        terminated_overdue=counts["ended"],
        late_workdays=counts["days"],
        notices=tuple(
            (level_label(ranks.get(kind, 0)), n)
            for kind, n in sorted(notices.items(), key=lambda k: ranks.get(k[0], 0))
        ),
        unacknowledged=unacknowledged,
        reviews_submitted=sum(int(n) for n in decisions.values()),
        reviews_returned=int(decisions.get("returned", 0)),
        reviews_accepted=int(decisions.get("accepted", 0)),
        extensions_requested=sum(int(n) for n in requests.values()),
        extensions_approved=int(requests.get("approved", 0)),
        extensions_refused=int(requests.get("refused", 0)),
        series=tuple(series),
    )
