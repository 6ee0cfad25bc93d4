"""Import ledgers: all files in one transaction, re-imports updated in place.

A ledger is the same ledger when its title and document number are the same. On re-import,
tasks are matched by their text (then by 序号) and units by name, so the progress recorded on
tasks and units that remain is kept; what left the file is removed, and the audit trail says so.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from tracker import audit
from tracker.config import EscalationRule, describe_validation
from tracker.deadlines import Absolute, Recurring, Relative
from tracker.errors import InputError
from tracker.ledger_spec import CheckedTask, LedgerSpec, check_spec, clean_name
from tracker.models import Assignment, Ledger, Person, Phase, ProgressEvent, ReportDuty, Task, Unit, ledger_start
from tracker.workdays import WorkCalendar


@dataclass(frozen=True)
class LedgerSummary:
    id: int
    title: str
    tasks: int
    units: int
    assignments: int

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "tasks": self.tasks,
            "units": self.units,
            "assignments": self.assignments,
        }


def read_ledger_file(path: Path) -> list[LedgerSpec]:
    """Read one file by its suffix; every reading error names the file."""
    if not path.exists():
        raise InputError(f"{path}: no such file", key="no_file", where=path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a ledger file", key="folder", where=path)
    suffix = path.suffix.lower()
    if suffix == ".toml":
        from tracker.toml_ledger import read_toml_ledger

        return [read_toml_ledger(path)]
    if suffix in (".xlsx", ".xlsm"):
        from tracker.xlsx_ledger import read_xlsx_ledger

        return [read_xlsx_ledger(path)]
    raise InputError(f"{path}: unknown kind of file (expected .toml or .xlsx)", key="file_kind", where=path)


def _escalation_json(spec: LedgerSpec) -> str | None:
    if spec.escalation is None:
        return None
    try:
        rules = [EscalationRule.model_validate(rule) for rule in spec.escalation]
    except ValidationError as exc:
        raise InputError(describe_validation(exc, f"{spec.source}: escalation")) from None
    return json.dumps([rule.model_dump(mode="json", exclude_defaults=True) for rule in rules], ensure_ascii=False)


def _due_on(
    task: CheckedTask, trigger_on: dt.date | None, start: dt.date | None, calendar: WorkCalendar
) -> dt.date | None:
    """Absolute: its date. Relative: counted from the trigger, once recorded. Recurring: the first
    period on or after the ledger's start (later periods follow as each one is done)."""
    if isinstance(task.deadline, Absolute):
        return task.deadline.date
    if isinstance(task.deadline, Relative) and trigger_on is not None:
        return task.deadline.resolve(trigger_on, calendar)
    if isinstance(task.deadline, Recurring) and start is not None:
        return task.deadline.next_on_or_after(start)
    return None


def _id(row: Ledger | Task) -> int:
    assert row.id is not None, "flushed rows have ids"
    return row.id


class _Importer:
    def __init__(self, session: Session, by: str, now: dt.datetime, calendar: WorkCalendar) -> None:
        self.session = session
        self.by = by
        self.now = now
        self.calendar = calendar

    def audit(
        self,
        ledger_id: int | None,
        action: str,
        subject: str,
        before: object = None,
        after: object = None,
        task_id: int | None = None,
        unit_id: int | None = None,
    ) -> None:
        audit.record(
            self.session,
            at=self.now,
            by=self.by,
            action=action,
            ledger_id=ledger_id,
            task_id=task_id,
            unit_id=unit_id,
            subject=subject,
            before=before,
            after=after,
        )

    def ledger(self, spec: LedgerSpec) -> Ledger:
        found = self.session.exec(
            select(Ledger).where(Ledger.title == spec.title, Ledger.doc_number == spec.doc_number)
        ).first()
        ledger = found or Ledger(title=spec.title, doc_number=spec.doc_number, created_at=self.now, updated_at=self.now)
        ledger.issuer = spec.issuer
        ledger.issued_on = spec.issued_on
        ledger.year = spec.year
        ledger.source = spec.source
        ledger.escalation = _escalation_json(spec)
        ledger.updated_at = self.now
        self.session.add(ledger)
        self.session.flush()
        assert ledger.id is not None
        self.audit(ledger.id, "reimport" if found else "import", spec.title, after={"source": spec.source})
        return ledger

    def units(self, ledger: Ledger, spec: LedgerSpec) -> dict[str, Unit]:
        existing = {u.name: u for u in self.session.exec(select(Unit).where(Unit.ledger_id == ledger.id))}
        units: dict[str, Unit] = {}
        for position, unit_spec in enumerate(spec.units, start=1):
            unit = existing.pop(unit_spec.name, None) or Unit(
                ledger_id=_id(ledger), position=position, name=unit_spec.name
            )
            unit.position, unit.kind, unit.group_name = position, unit_spec.kind, unit_spec.group
            self.session.add(unit)
            self.session.flush()
            self.person(ledger, unit, unit_spec.person, unit_spec.email, unit_spec.phone)
            units[unit.name] = unit
        for gone in existing.values():
            self.remove_unit(ledger, gone)
        return units

    def person(self, ledger: Ledger, unit: Unit, name: str, email: str, phone: str) -> None:
        current = self.session.exec(
            select(Person).where(Person.unit_id == unit.id, col(Person.until).is_(None))
        ).first()
        if current is not None and current.name == name:
            current.email = email or current.email
            current.phone = phone or current.phone
            self.session.add(current)
            return
        if not name:  # a file without a person keeps the one on record
            return
        if current is not None:
            current.until = self.now
            self.session.add(current)
            self.audit(
                ledger.id, "person", unit.name, before={"person": current.name}, after={"person": name}, unit_id=unit.id
            )
        if name:
            assert unit.id is not None
            self.session.add(Person(unit_id=unit.id, name=name, email=email, phone=phone, since=self.now))

    def remove_unit(self, ledger: Ledger, unit: Unit) -> None:
        ids = list(self.session.exec(select(Assignment.id).where(Assignment.unit_id == unit.id)))
        self.remove_assignments([i for i in ids if i is not None])
        self.session.execute(delete(Person).where(col(Person.unit_id) == unit.id))
        self.audit(ledger.id, "remove-unit", unit.name, before={"unit": unit.name})
        self.session.delete(unit)

    def remove_assignments(self, ids: Sequence[int]) -> None:
        if ids:
            self.session.execute(delete(ProgressEvent).where(col(ProgressEvent.assignment_id).in_(ids)))
            self.session.execute(delete(Assignment).where(col(Assignment.id).in_(ids)))

    def phases(self, ledger: Ledger, spec: LedgerSpec) -> dict[str, Phase]:
        existing = {p.name: p for p in self.session.exec(select(Phase).where(Phase.ledger_id == ledger.id))}
        phases: dict[str, Phase] = {}
        for position, name in enumerate(spec.phases, start=1):
            phase = existing.pop(name, None) or Phase(ledger_id=_id(ledger), position=position, name=name)
            phase.position = position
            self.session.add(phase)
            phases[name] = phase
        self.session.flush()
        self._stale_phases = list(existing.values())
        return phases

    def tasks(
        self, ledger: Ledger, checked: list[CheckedTask], phases: dict[str, Phase], units: dict[str, Unit]
    ) -> None:
        existing = list(self.session.exec(select(Task).where(Task.ledger_id == ledger.id)))
        by_text = {clean_name(t.text): t for t in existing}
        by_seq = {t.seq: t for t in existing}
        kept: set[int] = set()
        # Free the 序号 of tasks that will move, so the unique (ledger, seq) index never trips.
        for task in existing:
            task.seq = f"~{task.id}"
            self.session.add(task)
        self.session.flush()
        for position, item in enumerate(checked, start=1):
            spec = item.spec
            found = by_text.get(clean_name(spec.text)) or by_seq.get(item.seq)
            if found is None or found.id in kept:
                task = Task(
                    ledger_id=_id(ledger),
                    position=position,
                    seq=item.seq,
                    text=spec.text,
                    deadline_text=spec.deadline_text,
                    deadline_kind=item.deadline.kind,
                )
            else:
                task = found
            if task.id is not None and task.deadline_text != spec.deadline_text:
                self.audit(
                    ledger.id,
                    "deadline",
                    f"任务 {item.seq}",
                    before={"deadline": task.deadline_text},
                    after={"deadline": spec.deadline_text},
                    task_id=task.id,
                )
            old_due = task.due_on
            task.position, task.seq, task.text = position, item.seq, spec.text
            task.deadline_text, task.deadline_kind = spec.deadline_text, item.deadline.kind
            task.phase_id = phases[spec.phase].id if spec.phase else None
            task.start_on = spec.start_on
            task.due_on = _due_on(item, task.trigger_on, ledger_start(ledger.issued_on, ledger.year), self.calendar)
            self.session.add(task)
            self.session.flush()
            assert task.id is not None
            kept.add(task.id)
            self.assignments(task, item, units, old_due)
        for task in existing:
            if task.id not in kept:
                ids = list(self.session.exec(select(Assignment.id).where(Assignment.task_id == task.id)))
                self.remove_assignments([i for i in ids if i is not None])
                self.audit(
                    ledger.id, "remove-task", task.text, before={"task": task.text, "deadline": task.deadline_text}
                )
                self.session.delete(task)
        self.session.flush()
        for phase in self._stale_phases:
            self.session.delete(phase)

    def assignments(self, task: Task, item: CheckedTask, units: dict[str, Unit], old_due: dt.date | None) -> None:
        existing = {a.unit_id: a for a in self.session.exec(select(Assignment).where(Assignment.task_id == task.id))}
        for name, role in item.owners:
            unit = units[name]
            assert unit.id is not None
            assignment = existing.pop(unit.id, None)
            if assignment is None:
                assignment = Assignment(task_id=_id(task), unit_id=unit.id, updated_at=self.now, due_on=task.due_on)
            elif assignment.due_on == old_due:  # no extension of its own: follows the task
                assignment.due_on = task.due_on
            assignment.role = role.value
            self.session.add(assignment)
        self.remove_assignments([a.id for a in existing.values() if a.id is not None])

    def reports(self, ledger: Ledger, spec: LedgerSpec) -> None:
        self.session.execute(delete(ReportDuty).where(col(ReportDuty.ledger_id) == ledger.id))
        for report in spec.reports:
            assert ledger.id is not None
            self.session.add(
                ReportDuty(
                    ledger_id=ledger.id,
                    name=report.name,
                    deadline_text=report.deadline_text,
                    unit_kinds=json.dumps(report.unit_kinds, ensure_ascii=False),
                )
            )

    def run(self, spec: LedgerSpec) -> Ledger:
        checked = check_spec(spec)
        ledger = self.ledger(spec)
        units = self.units(ledger, spec)
        phases = self.phases(ledger, spec)
        self.tasks(ledger, checked, phases, units)
        self.reports(ledger, spec)
        self.session.flush()
        return ledger


def summarise(session: Session, ledger_ids: Sequence[int] | None = None) -> list[LedgerSummary]:
    """Counts per ledger, in one query each (never loading the rows)."""
    query = select(Ledger.id, Ledger.title).order_by(col(Ledger.id))
    if ledger_ids is not None:
        query = query.where(col(Ledger.id).in_(ledger_ids))
    ledgers = list(session.exec(query))
    tasks = dict(session.exec(select(Task.ledger_id, func.count()).group_by(col(Task.ledger_id))).all())
    units = dict(session.exec(select(Unit.ledger_id, func.count()).group_by(col(Unit.ledger_id))).all())
    assignments = dict(
        session.exec(
            select(Task.ledger_id, func.count())
            .join(Assignment, col(Assignment.task_id) == col(Task.id))
            .group_by(col(Task.ledger_id))
        ).all()
    )
    return [
        LedgerSummary(
            id=i, title=title, tasks=tasks.get(i, 0), units=units.get(i, 0), assignments=assignments.get(i, 0)
        )
        for i, title in ledgers
        if i is not None
    ]


def import_ledgers(
    session: Session,
    specs: Sequence[LedgerSpec],
    *,
    by: str,
    now: dt.datetime,
    calendar: WorkCalendar,
) -> list[LedgerSummary]:
    """Write the ledgers in the caller's transaction; the caller commits (or not, for a dry run)."""
    seen: dict[tuple[str, str], str] = {}
    for spec in specs:
        key = (spec.title, spec.doc_number)
        if key in seen:
            raise InputError(f"{spec.source}: the same ledger as {seen[key]} ({spec.title})")
        seen[key] = spec.source
    importer = _Importer(session, by, now, calendar)
    ids = []
    for spec in specs:
        ledger = importer.run(spec)
        assert ledger.id is not None
        ids.append(ledger.id)
    return sorted(summarise(session, ids), key=lambda s: ids.index(s.id))
