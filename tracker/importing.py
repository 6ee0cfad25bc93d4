"""Import ledgers: all files in one transaction, re-imports updated in place.

A ledger is the same ledger when its title and document number are the same. On re-import,
tasks are matched on 序号 + text + deadline (then on less of that key, see ``match_tasks``) and
units by name, so the progress recorded on tasks and units that remain is kept; what left the
file is removed, and the audit trail says so.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from tracker import audit
from tracker.config import EscalationRule, describe_validation
from tracker.deadlines import Absolute, Holiday, Recurring, Relative, parse
from tracker.errors import InputError, raise_all
from tracker.ledger_spec import CheckedTask, LedgerSpec, check_spec, clean_name
from tracker.models import (
    Assignment,
    Extension,
    Interview,
    Ledger,
    Notice,
    NoticeItem,
    Person,
    Phase,
    ProgressEvent,
    ReportDue,
    ReportDuty,
    Status,
    Task,
    Unit,
    ledger_start,
)
from tracker.workdays import WorkCalendar


@dataclass
class Removals:
    """What a re-import deletes because it left the file. Notices are never among it: a unit,
    task or report that a notice refers to cannot leave the file (see ``_Importer.history``)."""

    units: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    assignments: int = 0  # with the units and tasks, or a unit no longer owing a task
    progress: int = 0  # progress records (ProgressEvent rows) deleted with them
    with_progress: int = 0  # assignments among them that had progress (a status, percent, note or record)

    def __bool__(self) -> bool:
        return bool(self.units or self.tasks or self.reports or self.assignments)

    def as_json(self) -> dict[str, object]:
        return {
            "units": self.units,
            "tasks": self.tasks,
            "reports": self.reports,
            "assignments": self.assignments,
            "progress_records": self.progress,
            "assignments_with_progress": self.with_progress,
        }

    def text(self) -> str:
        parts = [f"unit {name}" for name in self.units] + [f"task {name}" for name in self.tasks]
        parts += [f"report {name}" for name in self.reports]
        parts.append(f"{self.assignments} assignment{'s' if self.assignments != 1 else ''}")
        parts.append(f"{self.progress} progress record{'s' if self.progress != 1 else ''}")
        return ", ".join(parts)


@dataclass(frozen=True)
class LedgerSummary:
    id: int
    title: str
    tasks: int
    units: int
    assignments: int
    removed: Removals | None = None  # an import's: what it deleted (a dry run's: would delete)

    def as_json(self) -> dict[str, object]:
        found: dict[str, object] = {
            "id": self.id,
            "title": self.title,
            "tasks": self.tasks,
            "units": self.units,
            "assignments": self.assignments,
        }
        if self.removed is not None:
            found["removed"] = self.removed.as_json()
        return found


def read_ledger_file(path: Path) -> list[LedgerSpec]:
    """Read one file by its suffix; every reading error names the file.

    Only a file that cannot be read at all raises here; a bad value is kept in the ledger's
    ``problems``, which ``import_ledgers`` raises with everything else wrong in every file."""
    from tracker.input_files import regular_file

    regular_file(path)  # exists, a regular file (a FIFO would hang the reader), within the size limit
    suffix = path.suffix.lower()
    if suffix == ".toml":
        from tracker.toml_ledger import read_toml_ledger

        return [read_toml_ledger(path, keep_going=True)]
    if suffix in (".xlsx", ".xlsm"):
        from tracker.xlsx_ledger import read_xlsx_ledger

        return [read_xlsx_ledger(path, keep_going=True)]
    raise InputError(f"{path}: unknown kind of file (expected .toml or .xlsx)", key="file_kind", where=path)


def _escalation_json(spec: LedgerSpec) -> str | None:
    if spec.escalation is None:
        return None
    try:
        rules = [EscalationRule.model_validate(rule) for rule in spec.escalation]
    except ValidationError as exc:
        raise InputError(describe_validation(exc, f"{spec.at}: escalation")) from None
    return json.dumps([rule.model_dump(mode="json", exclude_defaults=True) for rule in rules], ensure_ascii=False)


@dataclass(frozen=True)
class CheckedLedger:
    """A ledger read and checked: its tasks understood, its escalation rules as stored."""

    spec: LedgerSpec
    tasks: list[CheckedTask]
    escalation: str | None


def check_ledgers(specs: Sequence[LedgerSpec]) -> list[CheckedLedger]:
    """Check every ledger before anything is written; raise every problem of every file at once."""
    errors: list[InputError] = []
    checked: list[CheckedLedger] = []
    seen: dict[tuple[str, str], str] = {}
    for spec in specs:
        key = (spec.title, spec.doc_number)
        if key in seen:
            errors.append(InputError(f"{spec.at}: the same ledger as {seen[key]} ({spec.title})"))
        seen[key] = spec.at
        tasks: list[CheckedTask] = []
        escalation = None
        try:
            tasks = check_spec(spec)
        except InputError as exc:
            errors.append(exc)
        try:
            escalation = _escalation_json(spec)
        except InputError as exc:
            errors.append(exc)
        checked.append(CheckedLedger(spec, tasks, escalation))
    raise_all(errors)
    return checked


def _due_on(
    task: CheckedTask, trigger_on: dt.date | None, start: dt.date | None, calendar: WorkCalendar
) -> dt.date | None:
    """Absolute: its date. Relative: counted from the trigger, once recorded. Recurring: the first
    period on or after the ledger's start (later periods follow as each one is done)."""
    if isinstance(task.deadline, Absolute):
        return task.deadline.date
    if isinstance(task.deadline, Holiday):
        return task.deadline.resolve(calendar)
    if isinstance(task.deadline, Relative) and trigger_on is not None:
        return task.deadline.resolve(trigger_on, calendar)
    if isinstance(task.deadline, Recurring) and start is not None:
        return task.deadline.next_on_or_after(start)
    return None


def _id(row: Ledger | Task) -> int:
    assert row.id is not None, "flushed rows have ids"
    return row.id


class _Importer:
    """Writes checked ledgers, updating a ledger already there in place.

    What left the file is removed, unless the records refer to it (notices issued, extension
    requests, reports received, interviews held): those are kept, so the import is refused and
    says what refers to what, rather than losing them."""

    def __init__(
        self, session: Session, by: str, now: dt.datetime, calendar: WorkCalendar, allow_removals: bool = False
    ) -> None:
        self.session = session
        self.allow_removals = allow_removals
        self.removed = Removals()
        self.removed_by_ledger: dict[int, Removals] = {}
        self.by = by
        self.now = now
        self.calendar = calendar
        self.blocked: list[InputError] = []
        self.kept_units: set[int] = set()
        self._stale_phases: list[Phase] = []
        self.unsure_tasks: set[int] = set()

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

    def ledger(self, spec: LedgerSpec, escalation: str | None) -> Ledger:
        found = self.session.exec(
            select(Ledger).where(Ledger.title == spec.title, Ledger.doc_number == spec.doc_number)
        ).first()
        ledger = found or Ledger(title=spec.title, doc_number=spec.doc_number, created_at=self.now, updated_at=self.now)
        ledger.issuer = spec.issuer
        ledger.issued_on = spec.issued_on
        ledger.year = spec.year
        ledger.source = spec.source
        ledger.escalation = escalation
        ledger.updated_at = self.now
        self.session.add(ledger)
        self.session.flush()
        assert ledger.id is not None
        self.audit(ledger.id, "reimport" if found else "import", spec.title, after={"source": spec.source})
        return ledger

    # --- what refers to a row that left the file ------------------------------------------

    def history(
        self, *, assignments: Sequence[int] = (), reports: Sequence[int] = (), unit: int | None = None
    ) -> list[str]:
        """The records that refer to these assignments, report periods or unit, in words."""
        session = self.session
        item_of: list[sa.ColumnElement[bool]] = []
        if assignments:
            item_of.append(col(NoticeItem.assignment_id).in_(assignments))
        if reports:
            item_of.append(col(NoticeItem.report_id).in_(reports))
        if unit is not None:
            item_of.append(col(NoticeItem.unit_id) == unit)
        notices: dict[int, str] = {}
        if item_of:
            notices.update(
                session.execute(
                    sa.select(col(Notice.id), col(Notice.number))
                    .join(NoticeItem, col(NoticeItem.notice_id) == col(Notice.id))
                    .where(sa.or_(*item_of))
                ).all()
            )
        if unit is not None:
            notices.update(
                session.execute(sa.select(col(Notice.id), col(Notice.number)).where(col(Notice.unit_id) == unit)).all()
            )
        found = []
        if notices:
            numbers = [notices[i] for i in sorted(notices)]
            more = f" and {len(numbers) - 5} more" if len(numbers) > 5 else ""
            found.append(f"notice{'s' if len(numbers) > 1 else ''} " + "、".join(numbers[:5]) + more)

        def count(query: Any) -> int:
            return int(session.execute(query).scalar_one())

        extensions = (
            count(sa.select(func.count()).where(col(Extension.assignment_id).in_(assignments))) if assignments else 0
        )
        if extensions:
            found.append(f"{extensions} extension request{'s' if extensions > 1 else ''}")
        received_of: list[sa.ColumnElement[bool]] = []
        if reports:
            received_of.append(col(ReportDue.id).in_(reports))
        if unit is not None:
            received_of.append(col(ReportDue.unit_id) == unit)
        received = (
            count(sa.select(func.count()).where(sa.or_(*received_of), col(ReportDue.received_on).is_not(None)))
            if received_of
            else 0
        )
        if received:
            found.append(f"{received} received report{'s' if received > 1 else ''}")
        interviews = count(sa.select(func.count()).where(col(Interview.unit_id) == unit)) if unit is not None else 0
        if interviews:
            found.append(f"{interviews} interview{'s' if interviews > 1 else ''}")
        return found

    def block(self, spec: LedgerSpec, what: str, refs: list[str], end_it: bool = True) -> None:
        how = "keep it in the file" + (", and mark it 已终止 to end it" if end_it else "")
        self.blocked.append(
            InputError(
                f"{spec.at}: {what} is no longer in the file, but {', '.join(refs)} refer to it: "
                f"the records keep it, so it cannot be removed ({how})",
                key="kept_by_records",
                where=spec.at,
                what=what,
                refs=", ".join(refs),
            )
        )

    # --- units and persons ----------------------------------------------------------------

    def units(self, ledger: Ledger, spec: LedgerSpec) -> dict[str, Unit]:
        # Matched as names are now cleaned (``clean_name``): a name stored before that keeps its unit.
        existing = {clean_name(u.name): u for u in self.session.exec(select(Unit).where(Unit.ledger_id == ledger.id))}
        units: dict[str, Unit] = {}
        for position, unit_spec in enumerate(spec.units, start=1):
            unit = existing.pop(unit_spec.name, None) or Unit(
                ledger_id=_id(ledger), position=position, name=unit_spec.name
            )
            unit.position, unit.kind, unit.group_name = position, unit_spec.kind, unit_spec.group
            unit.name = unit_spec.name
            self.session.add(unit)
            self.session.flush()
            self.person(ledger, unit, unit_spec.person, unit_spec.email, unit_spec.phone)
            units[unit.name] = unit
        for gone in existing.values():
            self.remove_unit(ledger, spec, gone)
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
        if (
            current is not None
            and self.session.exec(
                select(Person.id).where(Person.unit_id == unit.id, Person.name == name, col(Person.until).is_not(None))
            ).first()
        ):
            # The file names someone a recorded personnel change has replaced already: the file is
            # older than the change, which stands (name a third person in the file to change again).
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

    def remove_unit(self, ledger: Ledger, spec: LedgerSpec, unit: Unit) -> None:
        assert unit.id is not None
        ids = [i for i in self.session.exec(select(Assignment.id).where(Assignment.unit_id == unit.id)) if i]
        refs = self.history(assignments=ids, unit=unit.id)
        if refs:
            self.kept_units.add(unit.id)
            self.block(spec, f"unit {unit.name}", refs)
            return
        self.remove_assignments(ids)
        self.removed.units.append(unit.name)
        self.session.execute(delete(ReportDue).where(col(ReportDue.unit_id) == unit.id))
        self.session.execute(delete(Person).where(col(Person.unit_id) == unit.id))
        self.audit(ledger.id, "remove-unit", unit.name, before={"unit": unit.name})
        self.session.delete(unit)

    def remove_assignments(self, ids: Sequence[int]) -> None:
        """Remove assignments nothing but their own progress refers to (see ``history``), and
        count what goes (``removed``): the import refuses to lose progress unless allowed."""
        if ids:
            events = sa.select(func.count()).where(col(ProgressEvent.assignment_id).in_(ids))
            touched = sa.select(func.count()).where(
                col(Assignment.id).in_(ids),
                sa.or_(
                    col(Assignment.status) != Status.TODO.value,
                    col(Assignment.percent) != 0,
                    col(Assignment.note) != "",
                    sa.exists().where(col(ProgressEvent.assignment_id) == col(Assignment.id)),
                ),
            )
            self.removed.assignments += len(ids)
            self.removed.progress += int(self.session.execute(events).scalar_one())
            self.removed.with_progress += int(self.session.execute(touched).scalar_one())
            self.session.execute(delete(ProgressEvent).where(col(ProgressEvent.assignment_id).in_(ids)))
            self.session.execute(delete(Assignment).where(col(Assignment.id).in_(ids)))

    # --- phases, tasks and assignments ----------------------------------------------------

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

    def match_tasks(self, spec: LedgerSpec, existing: list[Task], checked: list[CheckedTask]) -> dict[int, Task]:
        """Pair the file's tasks (by index) with the tasks on record, one to one, on the most
        stable key first: 序号 + text + deadline, then text + deadline, then 序号 + text, then the
        text alone when only one task on each side has it, then 序号 alone (the text reworded).
        Tasks sharing a text (the same report owed at two deadlines) are told apart by the rest
        of the key; when they cannot be, and progress was recorded on them, the import is refused
        rather than giving one task's progress to another or dropping it."""
        free = {_id(t): t for t in existing}
        matched: dict[int, Task] = {}

        def key_pass(key_new: Any, key_old: Any) -> None:
            old_by: dict[object, list[Task]] = {}
            for task in free.values():
                old_by.setdefault(key_old(task), []).append(task)
            new_by: dict[object, list[int]] = {}
            for i, item in enumerate(checked):
                if i not in matched:
                    new_by.setdefault(key_new(item), []).append(i)
            for key, indexes in new_by.items():
                olds = old_by.get(key, [])
                if len(indexes) == 1 and len(olds) == 1:
                    matched[indexes[0]] = olds[0]
                    del free[_id(olds[0])]

        key_pass(
            lambda c: (c.seq, clean_name(c.spec.text), c.spec.deadline_text),
            lambda t: (t.seq, clean_name(t.text), t.deadline_text),
        )
        key_pass(
            lambda c: (clean_name(c.spec.text), c.spec.deadline_text), lambda t: (clean_name(t.text), t.deadline_text)
        )
        key_pass(lambda c: (c.seq, clean_name(c.spec.text)), lambda t: (t.seq, clean_name(t.text)))
        key_pass(lambda c: clean_name(c.spec.text), lambda t: clean_name(t.text))
        # Still unmatched and sharing a text on both sides: which is which cannot be told.
        olds_by_text: dict[str, list[Task]] = {}
        for task in free.values():
            olds_by_text.setdefault(clean_name(task.text), []).append(task)
        unsure: set[int] = set()
        for text, olds in olds_by_text.items():
            news = [i for i, c in enumerate(checked) if i not in matched and clean_name(c.spec.text) == text]
            if not news:
                continue
            recorded = [t for t in olds if self.has_progress(_id(t))]
            if recorded:
                self.blocked.append(
                    InputError(
                        f"{checked[news[0]].spec.where}: task {checked[news[0]].spec.text!r} is in the file "
                        f"{len(news)} times and on record {len(olds)} times with other 序号 and deadlines, "
                        f"and progress is recorded on task {'、'.join(t.seq for t in recorded)}: "
                        "which is which cannot be told (keep their 序号 or deadlines as they were)",
                        key="ambiguous_task",
                        where=checked[news[0]].spec.where,
                        text=checked[news[0]].spec.text,
                    )
                )
                unsure.update(_id(t) for t in olds)
            else:  # nothing recorded on them to lose: pair them in the file's order
                for i, task in zip(news, sorted(olds, key=lambda t: t.position), strict=False):
                    matched[i] = task
                    del free[_id(task)]
        for task_id in unsure:
            free.pop(task_id, None)  # kept as they are; the import is refused anyway
        by_seq = {t.seq: t for t in free.values()}
        for i, item in enumerate(checked):
            if i not in matched and (old := by_seq.pop(item.seq, None)) is not None:
                # The text was reworded; a task whose text is still in the file is not taken.
                texts = {clean_name(c.spec.text) for j, c in enumerate(checked) if j not in matched}
                if clean_name(old.text) not in texts:
                    matched[i] = old
                    del free[_id(old)]
        self.unsure_tasks = unsure
        return matched

    def has_progress(self, task_id: int) -> bool:
        """Whether progress was recorded on any of the task's assignments."""
        of_task = sa.select(col(Assignment.id)).where(col(Assignment.task_id) == task_id)
        changed = of_task.where(col(Assignment.status) != Status.TODO.value)
        events = sa.select(col(ProgressEvent.id)).where(col(ProgressEvent.assignment_id).in_(of_task))
        return any(self.session.execute(query.limit(1)).first() is not None for query in (changed, events))

    def tasks(
        self,
        ledger: Ledger,
        spec: LedgerSpec,
        checked: list[CheckedTask],
        phases: dict[str, Phase],
        units: dict[str, Unit],
    ) -> None:
        existing = list(self.session.exec(select(Task).where(Task.ledger_id == ledger.id)))
        matched = self.match_tasks(spec, existing, checked)
        kept: set[int] = set()
        seqs = {t.id: t.seq for t in existing}
        # Free the 序号 of tasks that will move, so the unique (ledger, seq) index never trips.
        for task in existing:
            task.seq = f"~{task.id}"
            self.session.add(task)
        self.session.flush()
        for position, item in enumerate(checked, start=1):
            task_spec = item.spec
            found = matched.get(position - 1)
            if found is None:
                task = Task(
                    ledger_id=_id(ledger),
                    position=position,
                    seq=item.seq,
                    text=task_spec.text,
                    deadline_text=task_spec.deadline_text,
                    deadline_kind=item.deadline.kind,
                )
            else:
                task = found
            if task.id is not None and task.deadline_text != task_spec.deadline_text:
                self.audit(
                    ledger.id,
                    "deadline",
                    f"任务 {item.seq}",
                    before={"deadline": task.deadline_text},
                    after={"deadline": task_spec.deadline_text},
                    task_id=task.id,
                )
            if task.id is not None and task.text != task_spec.text:
                # Kept so that a notice issued before still reads as issued (``notices.py``).
                self.audit(
                    ledger.id,
                    "task-text",
                    f"任务 {item.seq}",
                    before={"text": task.text},
                    after={"text": task_spec.text},
                    task_id=task.id,
                )
            old_due = task.due_on
            task.position, task.seq, task.text = position, item.seq, task_spec.text
            task.deadline_text, task.deadline_kind = task_spec.deadline_text, item.deadline.kind
            task.phase_id = phases[task_spec.phase].id if task_spec.phase else None
            task.start_on = task_spec.start_on
            task.due_on = _due_on(item, task.trigger_on, ledger_start(ledger.issued_on, ledger.year), self.calendar)
            self.session.add(task)
            self.session.flush()
            assert task.id is not None
            kept.add(task.id)
            self.assignments(spec, task, item, units, old_due)
        for task in existing:
            if task.id in kept or task.id in self.unsure_tasks:
                continue
            ids = [i for i in self.session.exec(select(Assignment.id).where(Assignment.task_id == task.id)) if i]
            refs = self.history(assignments=ids)
            if refs:
                self.block(spec, f"task {seqs[task.id]} ({task.text})", refs)
                continue
            self.remove_assignments(ids)
            self.removed.tasks.append(f"{seqs[task.id]} ({task.text})")
            self.audit(ledger.id, "remove-task", task.text, before={"task": task.text, "deadline": task.deadline_text})
            self.session.delete(task)
        self.session.flush()

    def assignments(
        self, spec: LedgerSpec, task: Task, item: CheckedTask, units: dict[str, Unit], old_due: dt.date | None
    ) -> None:
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
        removed = []
        for unit_id, assignment in existing.items():
            if unit_id in self.kept_units or assignment.id is None:
                continue  # the unit itself is kept, and said so
            refs = self.history(assignments=[assignment.id])
            if refs:
                unit_name = self.session.get(Unit, unit_id)
                owner = unit_name.name if unit_name else str(unit_id)
                self.block(spec, f"task {task.seq} of {owner}", refs)
            else:
                removed.append(assignment.id)
        self.remove_assignments(removed)

    # --- periodic reports -----------------------------------------------------------------

    def reports(self, ledger: Ledger, spec: LedgerSpec) -> None:
        """Report duties are updated in place (matched by name, then by deadline): the periods
        owed, received and noticed stay theirs."""
        existing = list(self.session.exec(select(ReportDuty).where(ReportDuty.ledger_id == ledger.id)))
        matched: dict[int, ReportDuty] = {}
        free = list(existing)
        for i, report in enumerate(spec.reports):
            duty = next((d for d in free if d.name == report.name), None)
            if duty is not None:
                matched[i] = duty
                free.remove(duty)
        for i, report in enumerate(spec.reports):
            if i not in matched and (duty := next((d for d in free if d.deadline_text == report.deadline_text), None)):
                matched[i] = duty
                free.remove(duty)
        for i, report in enumerate(spec.reports):
            kinds = json.dumps(report.unit_kinds, ensure_ascii=False)
            duty = matched.get(i) or ReportDuty(
                ledger_id=_id(ledger), name=report.name, deadline_text=report.deadline_text, unit_kinds=kinds
            )
            before = {"name": duty.name, "deadline": duty.deadline_text, "unit_kinds": json.loads(duty.unit_kinds)}
            after = {"name": report.name, "deadline": report.deadline_text, "unit_kinds": report.unit_kinds}
            if duty.id is not None and before != after:
                self.audit(ledger.id, "report-duty", report.name, before=before, after=after)
            duty.name, duty.deadline_text, duty.unit_kinds = report.name, report.deadline_text, kinds
            self.session.add(duty)
            self.session.flush()
            self.prune_periods(ledger, duty)
        for duty in free:
            ids = [i for i in self.session.exec(select(ReportDue.id).where(ReportDue.duty_id == duty.id)) if i]
            refs = self.history(reports=ids)
            if refs:
                self.block(spec, f"report {duty.name}", refs, end_it=False)
                continue
            self.session.execute(delete(ReportDue).where(col(ReportDue.duty_id) == duty.id))
            self.removed.reports.append(duty.name)
            self.audit(
                ledger.id, "remove-report", duty.name, before={"name": duty.name, "deadline": duty.deadline_text}
            )
            self.session.delete(duty)

    def prune_periods(self, ledger: Ledger, duty: ReportDuty) -> None:
        """Remove the periods a changed duty no longer asks for (another deadline, a unit of
        another kind), unless received or noticed: those stay as they were."""
        rows = list(
            self.session.execute(
                sa.select(col(ReportDue.id), col(ReportDue.due_on), col(Unit.kind))
                .join(Unit, col(Unit.id) == col(ReportDue.unit_id))
                .where(col(ReportDue.duty_id) == duty.id, col(ReportDue.received_on).is_(None))
                .where(~sa.exists().where(col(NoticeItem.report_id) == col(ReportDue.id)))
            )
        )
        if not rows:
            return
        rule = parse(duty.deadline_text, ledger.year)
        assert isinstance(rule, Recurring), "checked: a report duty's deadline recurs"
        last = max(due for _, due, _ in rows)
        start = ledger.issued_on or dt.date(ledger.year or min(due for _, due, _ in rows).year, 1, 1)
        owed = set(rule.dates(start, last))
        kinds = set(json.loads(duty.unit_kinds))
        stale = [i for i, due, kind in rows if due not in owed or (kinds and kind not in kinds)]
        if stale:
            self.session.execute(delete(ReportDue).where(col(ReportDue.id).in_(stale)))

    def run(self, checked: CheckedLedger) -> Ledger:
        spec = checked.spec
        self.blocked, self.kept_units, self.removed = [], set(), Removals()
        ledger = self.ledger(spec, checked.escalation)
        units = self.units(ledger, spec)
        phases = self.phases(ledger, spec)
        self.tasks(ledger, spec, checked.tasks, phases, units)
        self.reports(ledger, spec)
        removed = self.removed
        if removed.with_progress and not self.allow_removals:
            self.blocked.append(
                InputError(
                    f"{spec.at}: this import would delete {removed.text()}, losing the progress recorded on "
                    f"{removed.with_progress} assignment{'s' if removed.with_progress > 1 else ''} "
                    "(a unit renamed in the file is one removed and one new): import with --allow-removals "
                    "to delete them, or keep them in the file",
                    key="removals_lose_progress",
                    where=spec.at,
                    what=removed.text(),
                    count=removed.with_progress,
                )
            )
        self.removed_by_ledger[_id(ledger)] = removed
        raise_all(self.blocked)  # the caller's transaction is rolled back: nothing is written
        for phase in self._stale_phases:
            self.session.delete(phase)
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
    allow_removals: bool = False,
) -> list[LedgerSummary]:
    """Write the ledgers in the caller's transaction; the caller commits (or not, for a dry run).

    Every file is checked first, and every error found is raised (``InputErrors`` for several)
    before anything is written. What a re-import deletes is in each summary's ``removed``; when
    that loses recorded progress the import is refused unless ``allow_removals``."""
    from tracker.locks import hold

    # A check and an import at once would each judge the other's half-written state: each
    # waits for the other (the check's lock, taken before this transaction reads anything).
    hold(session, "check")
    importer = _Importer(session, by, now, calendar, allow_removals)
    ids = []
    for ledger_checked in check_ledgers(specs):
        ledger = importer.run(ledger_checked)
        assert ledger.id is not None
        ids.append(ledger.id)
    summaries = sorted(summarise(session, ids), key=lambda s: ids.index(s.id))
    return [replace(s, removed=importer.removed_by_ledger.get(s.id)) for s in summaries]
