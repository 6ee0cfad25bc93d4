"""The escalation ladder turned into dates, so that a scan is one SQL expression.

Each ``overdue_days`` threshold becomes a cutoff date: an assignment due on or before it is at
least that late, in calendar or working days as the rule says. The reminder window becomes a
date range. Nothing here reads the clock: ``as_of`` comes from the caller.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from tracker.config import DEFAULT_ESCALATION, EscalationRule, Level, describe_validation
from tracker.errors import InputError
from tracker.workdays import WorkCalendar

LEVELS = [Level.REMINDER, Level.WARNING, Level.CRITICISM, Level.INTERVIEW, Level.ACCOUNTABILITY]
RANK = {level: i for i, level in enumerate(LEVELS, start=1)}
LEVEL_OF = {i: level for level, i in RANK.items()}
NOTICE_MIN_RANK = RANK[Level.WARNING]  # reminders are emails, not notices
LEVEL_LABELS = {
    Level.REMINDER: "提醒",
    Level.WARNING: "督办通知",
    Level.CRITICISM: "通报批评",
    Level.INTERVIEW: "约谈",
    Level.ACCOUNTABILITY: "问责",
}


def days_back(as_of: dt.date, days: int, working: bool, calendar: WorkCalendar) -> dt.date:
    """The latest date that is at least ``days`` (working) days before ``as_of``."""
    if not working:
        return as_of - dt.timedelta(days=days)
    day, counted = as_of, 0
    while counted < days:
        if calendar.is_workday(day):
            counted += 1
        day -= dt.timedelta(days=1)
    return day


def days_ahead(as_of: dt.date, days: int, working: bool, calendar: WorkCalendar) -> dt.date:
    """The date ``days`` (working) days after ``as_of``."""
    return calendar.add_workdays(as_of, days) if working else as_of + dt.timedelta(days=days)


@dataclass(frozen=True)
class Rung:
    """One rule with its thresholds resolved for a given day."""

    rank: int
    overdue_cutoff: dt.date | None  # due on or before this: the rule holds
    remind_until: dt.date | None  # open and due in [as_of, remind_until]: the rule holds
    remind_days: tuple[dt.date, ...]  # the days on which a reminder is sent, as deadlines
    missed_reports: int | None
    criticisms: int | None

    def holds(self, due: dt.date, as_of: dt.date, criticisms: int = 0) -> bool:
        """The rule holds for an open assignment due on ``due`` whose unit was criticised
        ``criticisms`` times (the scan's SQL CASE says the same, row by row)."""
        return (
            (self.overdue_cutoff is not None and due <= self.overdue_cutoff)
            or (self.remind_until is not None and as_of <= due <= self.remind_until)
            or (bool(self.criticisms) and due < as_of and criticisms >= (self.criticisms or 0))
        )


def rank_for(rungs: Sequence[Rung], due: dt.date, as_of: dt.date, criticisms: int = 0) -> int:
    """The level (rank; 0 for none) of an open assignment due on ``due``."""
    return max((r.rank for r in rungs if r.holds(due, as_of, criticisms)), default=0)


@dataclass(frozen=True)
class Ladder:
    rules: tuple[EscalationRule, ...]

    def rungs(self, as_of: dt.date, calendar: WorkCalendar) -> list[Rung]:
        """Highest level first, as the scan's CASE expression wants them."""
        rungs = []
        for rule in self.rules:
            working = rule.working_days
            cutoff = None if rule.overdue_days is None else days_back(as_of, rule.overdue_days, working, calendar)
            ahead = [days_ahead(as_of, d, working, calendar) for d in rule.before_days]
            rungs.append(
                Rung(
                    rank=RANK[rule.level],
                    overdue_cutoff=cutoff,
                    remind_until=max(ahead) if ahead else None,
                    remind_days=tuple(sorted(ahead)),
                    missed_reports=rule.missed_reports,
                    criticisms=rule.criticisms,
                )
            )
        return sorted(rungs, key=lambda r: -r.rank)

    def as_json(self) -> str:
        return json.dumps([r.model_dump(mode="json", exclude_defaults=True) for r in self.rules], ensure_ascii=False)


def ladder_for(stored: str | None, default: list[EscalationRule], where: str = "ledger") -> Ladder:
    """The ledger's own ladder if it has one, else the config's."""
    if not stored:
        return Ladder(tuple(default or DEFAULT_ESCALATION))
    try:
        return Ladder(tuple(EscalationRule.model_validate(rule) for rule in json.loads(stored)))
    except ValidationError as exc:
        raise InputError(describe_validation(exc, f"{where}: escalation")) from None
