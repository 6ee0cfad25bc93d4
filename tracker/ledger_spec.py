"""A ledger as read from a file, before it touches the database.

Both readers (TOML and spreadsheets) produce a ``LedgerSpec``; ``check_spec`` validates it in one
place (deadlines understood, units known, no duplicates), with errors that name the file and the
line or cell each value came from.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from tracker.addresses import looks_like_email
from tracker.deadlines import Absolute, Deadline, DeadlineError, parse
from tracker.errors import InputError
from tracker.models import Role


def clean_name(text: str) -> str:
    """Names padded for typesetting ("范  县政府", "刘  兵") lose their inner spaces."""
    return re.sub(r"\s+", "", text)


@dataclass
class UnitSpec:
    name: str
    person: str = ""
    email: str = ""
    phone: str = ""
    kind: str = ""
    group: str = ""
    where: str = ""


@dataclass
class TaskSpec:
    text: str
    deadline_text: str
    phase: str | None = None
    seq: str = ""
    units: list[str] | None = None  # None: every unit (or every unit of unit_kinds)
    unit_kinds: list[str] = field(default_factory=list)
    assist: list[str] = field(default_factory=list)  # units in the 协办 role; the rest lead
    start_on: dt.date | None = None
    due_date: dt.date | None = None  # a real date cell: no parsing needed
    where: str = ""
    deadline_where: str = ""


@dataclass
class ReportSpec:
    name: str
    deadline_text: str
    unit_kinds: list[str] = field(default_factory=list)
    where: str = ""


@dataclass
class LedgerSpec:
    title: str
    source: str
    doc_number: str = ""
    issuer: str = ""
    issued_on: dt.date | None = None
    year: int | None = None
    units: list[UnitSpec] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    tasks: list[TaskSpec] = field(default_factory=list)
    reports: list[ReportSpec] = field(default_factory=list)
    escalation: list[dict[str, object]] | None = None


@dataclass(frozen=True)
class CheckedTask:
    spec: TaskSpec
    seq: str
    deadline: Deadline
    owners: list[tuple[str, Role]]


def _owners(task: TaskSpec, units: dict[str, UnitSpec]) -> list[tuple[str, Role]]:
    if task.units is not None:
        names = [clean_name(n) for n in task.units]
        for name in names:
            if name not in units:
                raise InputError(
                    f"{task.where}: unit {name!r} is not among the ledger's units",
                    key="unknown_unit",
                    where=task.where,
                    name=name,
                )
    else:
        kinds = set(task.unit_kinds)
        names = [u.name for u in units.values() if not kinds or u.kind in kinds]
        if kinds and not names:
            raise InputError(f"{task.where}: no unit is of kind {', '.join(sorted(kinds))}")
    if len(set(names)) != len(names):
        raise InputError(f"{task.where}: a unit is named twice", key="unit_twice_in_task", where=task.where)
    assist = {clean_name(n) for n in task.assist}
    unknown = assist - set(names)
    if unknown:
        raise InputError(f"{task.where}: assisting unit {sorted(unknown)[0]!r} does not owe this task")
    if not names:
        raise InputError(f"{task.where}: no responsible unit", key="no_unit_for_task", where=task.where)
    return [(name, Role.ASSIST if name in assist else Role.LEAD) for name in names]


def check_spec(spec: LedgerSpec) -> list[CheckedTask]:
    """Validate a ledger; return its tasks with deadlines understood and owners resolved."""
    if not spec.title.strip():
        raise InputError(f"{spec.source}: the ledger has no title", key="no_title", where=spec.source)
    units: dict[str, UnitSpec] = {}
    for unit in spec.units:
        unit.name = clean_name(unit.name)
        unit.person = clean_name(unit.person)
        if not unit.name:
            raise InputError(f"{unit.where}: a unit has no name", key="unit_no_name", where=unit.where)
        if unit.name in units:
            raise InputError(
                f"{unit.where}: unit {unit.name!r} is listed twice", key="unit_twice", where=unit.where, name=unit.name
            )
        if unit.email and not looks_like_email(unit.email):
            raise InputError(
                f"{unit.where}: {unit.email!r} is not an email address",
                key="unit_email",
                where=unit.where,
                value=unit.email,
            )
        if "\n" in unit.phone or "\r" in unit.phone:
            raise InputError(f"{unit.where}: the phone number has a line break")
        units[unit.name] = unit
    if not units:
        raise InputError(f"{spec.source}: the ledger has no responsible units", key="no_units", where=spec.source)
    checked: list[CheckedTask] = []
    seqs: set[str] = set()
    for position, task in enumerate(spec.tasks, start=1):
        if not task.text.strip():
            raise InputError(f"{task.where}: a task has no text", key="task_no_text", where=task.where)
        seq = task.seq.strip() or str(position)
        if seq in seqs:
            raise InputError(f"{task.where}: 序号 {seq} is used twice", key="seq_twice", where=task.where, seq=seq)
        seqs.add(seq)
        deadline: Deadline
        if task.due_date is not None:
            deadline = Absolute(task.due_date)
        else:
            try:
                deadline = parse(task.deadline_text, spec.year)
            except DeadlineError as exc:
                raise InputError(
                    f"{task.deadline_where or task.where}: {exc}",
                    key="bad_deadline",
                    where=task.deadline_where or task.where,
                    text=task.deadline_text,
                ) from None
        checked.append(CheckedTask(task, seq, deadline, _owners(task, units)))
    if not checked:
        raise InputError(f"{spec.source}: the ledger has no tasks", key="no_tasks", where=spec.source)
    for report in spec.reports:
        try:
            parsed = parse(report.deadline_text, spec.year)
        except DeadlineError as exc:
            raise InputError(f"{report.where}: {exc}") from None
        if parsed.kind != "recurring":
            raise InputError(f"{report.where}: a progress report needs a recurring deadline (e.g. 每月25日前)")
        kinds = set(report.unit_kinds)
        if kinds and not any(u.kind in kinds for u in units.values()):
            raise InputError(f"{report.where}: no unit is of kind {', '.join(sorted(kinds))}")
    return checked
