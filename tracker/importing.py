"""Import ledgers: all files in one transaction, re-imports updated in place.

A ledger is the same ledger when its title and document number are the same. On re-import,
tasks are matched on 序号 + text + deadline (then on less of that key, see ``match_tasks``) and
units by name, so the progress recorded on tasks and units that remain is kept; what left the
file is removed, and the audit trail says so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from tracker import audit
from tracker.bulk import IDS_PER_QUERY, ROWS_PER_BATCH, Inserter, chunks, update_many
from tracker.config import EscalationRule, describe_validation
from tracker.deadlines import Absolute, Holiday, Recurring, Relative, parse
from tracker.errors import InputError, raise_all
from tracker.ledger_spec import CheckedTask, LedgerSpec, check_spec, clean_name
from tracker.models import (
    Assignment,
    ChangeRequest,
    Evidence,
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
    table_of,
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


def _approval_json(spec: LedgerSpec) -> str | None:
    """The ledger's [approval] chains as stored: only those it names override the config's."""
    from tracker.config import ApprovalSettings

    if spec.approval is None:
        return None
    try:
        chains = ApprovalSettings.model_validate(spec.approval)
    except ValidationError as exc:
        raise InputError(describe_validation(exc, f"{spec.at}: approval")) from None
    return json.dumps(chains.model_dump(mode="json", exclude_unset=True), ensure_ascii=False)


@dataclass(frozen=True)
class CheckedLedger:
    """A ledger read and checked: its tasks understood, its escalation rules as stored."""

    spec: LedgerSpec
    tasks: list[CheckedTask]
    escalation: str | None
    approval: str | None = None


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
        approval = None
        try:
            escalation = _escalation_json(spec)
            approval = _approval_json(spec)
        except InputError as exc:
            errors.append(exc)
        checked.append(CheckedLedger(spec, tasks, escalation, approval))
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


@dataclass(slots=True)
class _OldTask:
    """A task on record as a re-import compares it: a plain row (an ORM object per task cost more
    than the rest of the import). The fields are the task table's columns of the same names."""

    id: int
    seq: str
    text: str
    deadline_text: str
    deadline_kind: str
    position: int
    phase_id: int | None
    start_on: dt.date | None
    due_on: dt.date | None
    trigger_on: dt.date | None


# The task columns an import writes, in the order ``tasks`` lists them.
_TASK_VALUES = ("position", "seq", "text", "deadline_text", "deadline_kind", "phase_id", "start_on", "due_on")


@dataclass(slots=True)
class _Planned:
    """A task of the file as written: its id (None until inserted), its due date before and after."""

    task_id: int | None
    item: CheckedTask
    old_due: dt.date | None
    due: dt.date | None


def _batches(plan: list[_Planned]) -> Iterator[list[_Planned]]:
    """Consecutive tasks owing about ``ROWS_PER_BATCH`` assignments together (and at most
    ``IDS_PER_QUERY`` tasks): their assignments on record are read in one query."""
    batch: list[_Planned] = []
    weight = 0
    for planned in plan:
        batch.append(planned)
        weight += len(planned.item.owners)
        if weight >= ROWS_PER_BATCH or len(batch) >= IDS_PER_QUERY:
            yield batch
            batch, weight = [], 0
    if batch:
        yield batch


def _id(row: Ledger | Task | Unit | _OldTask) -> int:
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
        # The audit rows of the ledger being written, in the order of the changes: written in one
        # statement at the end (one ORM object per row cost more than the import's own writes).
        self.audits: list[dict[str, Any]] = []

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
        self.audits.append(
            audit.entry(
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
        )

    def ledger(self, spec: LedgerSpec, escalation: str | None, approval: str | None = None) -> Ledger:
        found = self.session.exec(
            select(Ledger).where(Ledger.title == spec.title, Ledger.doc_number == spec.doc_number)
        ).first()
        ledger = found or Ledger(title=spec.title, doc_number=spec.doc_number, created_at=self.now, updated_at=self.now)
        ledger.issuer = spec.issuer
        ledger.issued_on = spec.issued_on
        ledger.year = spec.year
        ledger.source = spec.source
        ledger.escalation = escalation
        ledger.review_required = spec.review_required
        ledger.approval = approval
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
        requests = count(sa.select(func.count()).where(col(ChangeRequest.unit_id) == unit)) if unit is not None else 0
        if requests:  # a termination or person change asked for, decided or not
            found.append(f"{requests} change request{'s' if requests > 1 else ''}")
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
            units[unit.name] = unit
        self.session.flush()  # one flush for all: the ids, for the persons and assignments
        # The ledger's persons, looked up once: the current one per unit, and the names replaced.
        of_ledger = sa.select(col(Unit.id)).where(col(Unit.ledger_id) == ledger.id)
        current: dict[int, Person] = {}
        replaced: set[tuple[int, str]] = set()
        for person in self.session.exec(select(Person).where(col(Person.unit_id).in_(of_ledger))):
            if person.until is None:
                current.setdefault(person.unit_id, person)
            else:
                replaced.add((person.unit_id, person.name))
        for unit_spec in spec.units:
            unit = units[unit_spec.name]
            found = current.get(_id(unit))
            self.person(
                ledger, unit, found, replaced, unit_spec.person, unit_spec.email, unit_spec.phone, unit_spec.reach()
            )
        for gone in existing.values():
            self.remove_unit(ledger, spec, gone)
        return units

    def person(
        self,
        ledger: Ledger,
        unit: Unit,
        current: Person | None,
        replaced: set[tuple[int, str]],
        name: str,
        email: str,
        phone: str,
        reach: dict[str, str] | None = None,
    ) -> None:
        """``current``: the unit's person on record; ``replaced``: (unit, name) of the persons a
        recorded personnel change replaced."""
        if current is not None and current.name == name:
            current.email = email or current.email
            current.phone = phone or current.phone
            for field_name, value in (reach or {}).items():
                if value:
                    setattr(current, field_name, value)
            self.session.add(current)
            return
        if not name:  # a file without a person keeps the one on record
            return
        if current is not None and (_id(unit), name) in replaced:
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
            person = Person(unit_id=_id(unit), name=name, email=email, phone=phone, since=self.now)
            for field_name, value in (reach or {}).items():
                setattr(person, field_name, value)
            self.session.add(person)

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
        for part in chunks(ids):
            events = sa.select(func.count()).where(col(ProgressEvent.assignment_id).in_(part))
            touched = sa.select(func.count()).where(
                col(Assignment.id).in_(part),
                sa.or_(
                    col(Assignment.status) != Status.TODO.value,
                    col(Assignment.percent) != 0,
                    col(Assignment.note) != "",
                    sa.exists().where(col(ProgressEvent.assignment_id) == col(Assignment.id)),
                    sa.exists().where(col(Evidence.assignment_id) == col(Assignment.id)),
                ),
            )
            self.removed.assignments += len(part)
            self.removed.progress += int(self.session.execute(events).scalar_one())
            self.removed.with_progress += int(self.session.execute(touched).scalar_one())
            self.session.execute(delete(ProgressEvent).where(col(ProgressEvent.assignment_id).in_(part)))
            # The stored files stay in the store: another row may share one, and an unreferenced one is harmless.
            self.session.execute(delete(Evidence).where(col(Evidence.assignment_id).in_(part)))
            self.session.execute(delete(Assignment).where(col(Assignment.id).in_(part)))

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

    def match_tasks(
        self, spec: LedgerSpec, existing: list[_OldTask], checked: list[CheckedTask]
    ) -> dict[int, _OldTask]:
        """Pair the file's tasks (by index) with the tasks on record, one to one, on the most
        stable key first: 序号 + text + deadline, then text + deadline, then 序号 + text, then the
        text alone when only one task on each side has it, then 序号 alone (the text reworded).
        Tasks sharing a text (the same report owed at two deadlines) are told apart by the rest
        of the key; when they cannot be, and progress was recorded on them, the import is refused
        rather than giving one task's progress to another or dropping it."""
        free = {_id(t): t for t in existing}
        matched: dict[int, _OldTask] = {}
        self.unsure_tasks = set()
        if not free:  # a new ledger: nothing to pair
            return matched
        # Each text cleaned once (at 100,000 tasks, cleaning it in every pass cost seconds).
        new_text = [clean_name(c.spec.text) for c in checked]
        old_text = {_id(t): clean_name(t.text) for t in existing}

        def key_pass(key_new: Any, key_old: Any) -> None:
            old_by: dict[object, list[_OldTask]] = {}
            for task in free.values():
                old_by.setdefault(key_old(task), []).append(task)
            new_by: dict[object, list[int]] = {}
            for i, item in enumerate(checked):
                if i not in matched:
                    new_by.setdefault(key_new(i, item), []).append(i)
            for key, indexes in new_by.items():
                olds = old_by.get(key, [])
                if len(indexes) == 1 and len(olds) == 1:
                    matched[indexes[0]] = olds[0]
                    del free[_id(olds[0])]

        key_pass(
            lambda i, c: (c.seq, new_text[i], c.spec.deadline_text),
            lambda t: (t.seq, old_text[t.id], t.deadline_text),
        )
        key_pass(lambda i, c: (new_text[i], c.spec.deadline_text), lambda t: (old_text[t.id], t.deadline_text))
        key_pass(lambda i, c: (c.seq, new_text[i]), lambda t: (t.seq, old_text[t.id]))
        key_pass(lambda i, c: new_text[i], lambda t: old_text[t.id])
        # Still unmatched and sharing a text on both sides: which is which cannot be told.
        olds_by_text: dict[str, list[_OldTask]] = {}
        for task in free.values():
            olds_by_text.setdefault(old_text[task.id], []).append(task)
        news_by_text: dict[str, list[int]] = {}
        for i in range(len(checked)):
            if i not in matched:
                news_by_text.setdefault(new_text[i], []).append(i)
        unsure: set[int] = set()
        for text, olds in olds_by_text.items():
            news = news_by_text.get(text, [])
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
        # The texts of the file's tasks not yet paired, counted: kept as pairs are made.
        unpaired = Counter(new_text[j] for j in range(len(checked)) if j not in matched)
        for i, item in enumerate(checked):
            # The text was reworded; a task whose text is still in the file is not taken.
            old = by_seq.pop(item.seq, None) if i not in matched else None
            if old is not None and not unpaired[old_text[old.id]]:
                matched[i] = old
                del free[_id(old)]
                unpaired[new_text[i]] -= 1
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
        """Tasks and assignments in bulk: what is on record is read once per ledger, and only what
        changed is written, by executemany (a re-import that changes nothing writes nothing here)."""
        self.session.flush()  # the units, phases and persons: what follows bypasses the ORM
        tasks = table_of(Task)
        existing = [
            _OldTask(*row)
            for row in self.session.execute(
                sa.select(*(tasks.c[name] for name in _OldTask.__slots__)).where(tasks.c.ledger_id == ledger.id)
            )
        ]
        matched = self.match_tasks(spec, existing, checked)
        start = ledger_start(ledger.issued_on, ledger.year)
        kept = {old.id: checked[i].seq for i, old in matched.items()}
        # Free the 序号 of tasks that move or go, so the unique (ledger, seq) index never trips; then
        # new tasks are written as they come (no list of them kept: at 100,000 it weighed megabytes).
        update_many(self.session, tasks, [{"id": t.id, "seq": f"~{t.id}"} for t in existing if kept.get(t.id) != t.seq])
        inserts = Inserter(self.session, tasks, {"ledger_id": _id(ledger), "trigger_on": None}, _TASK_VALUES)
        changed: list[dict[str, Any]] = []
        plan: list[_Planned] = []
        for position, item in enumerate(checked, start=1):
            task_spec = item.spec
            old = matched.get(position - 1)
            values: dict[str, Any] = {
                "position": position,
                "seq": item.seq,
                "text": task_spec.text,
                "deadline_text": task_spec.deadline_text,
                "deadline_kind": item.deadline.kind,
                "phase_id": phases[task_spec.phase].id if task_spec.phase else None,
                "start_on": task_spec.start_on,
                "due_on": _due_on(item, old.trigger_on if old else None, start, self.calendar),
            }
            plan.append(_Planned(old.id if old else None, item, old.due_on if old else None, values["due_on"]))
            if old is None:
                inserts.add(*(values[name] for name in _TASK_VALUES))
                continue
            if old.deadline_text != task_spec.deadline_text:
                self.audit(
                    ledger.id,
                    "deadline",
                    f"任务 {item.seq}",
                    before={"deadline": old.deadline_text},
                    after={"deadline": task_spec.deadline_text},
                    task_id=old.id,
                )
            if old.text != task_spec.text:
                # Kept so that a notice issued before still reads as issued (``notices.py``).
                self.audit(
                    ledger.id,
                    "task-text",
                    f"任务 {item.seq}",
                    before={"text": old.text},
                    after={"text": task_spec.text},
                    task_id=old.id,
                )
            if any(getattr(old, name) != value for name, value in values.items()):
                changed.append({"id": old.id, **values})
        inserts.flush()
        update_many(self.session, tasks, changed)
        new_tasks: set[int] = set()
        if any(planned.task_id is None for planned in plan):
            query = sa.select(tasks.c.seq, tasks.c.id).where(tasks.c.ledger_id == ledger.id)
            id_of = {seq: task_id for seq, task_id in self.session.execute(query)}  # not dict(): a Result has keys()
            for planned in plan:
                if planned.task_id is None:
                    planned.task_id = id_of[planned.item.seq]
                    new_tasks.add(planned.task_id)
            del id_of
        self.assignments(spec, plan, units, new_tasks)
        gone: list[int] = []
        for task in existing:
            if task.id in kept or task.id in self.unsure_tasks:
                continue
            ids = [i for i in self.session.exec(select(Assignment.id).where(Assignment.task_id == task.id)) if i]
            refs = self.history(assignments=ids)
            if refs:
                self.block(spec, f"task {task.seq} ({task.text})", refs)
                continue
            self.remove_assignments(ids)
            self.removed.tasks.append(f"{task.seq} ({task.text})")
            self.audit(ledger.id, "remove-task", task.text, before={"task": task.text, "deadline": task.deadline_text})
            gone.append(task.id)
        for part in chunks(gone):
            self.session.execute(sa.delete(tasks).where(tasks.c.id.in_(part)))

    def assignments(self, spec: LedgerSpec, plan: list[_Planned], units: dict[str, Unit], new_tasks: set[int]) -> None:
        """Each task's owners as assignments: new ones inserted, a kept one's role and deadline
        updated when they changed (its deadline follows the task's unless it has an extension of
        its own), and those of units no longer owing the task removed. The assignments on record
        are read a batch of tasks at a time, never all at once (a million rows)."""
        table = table_of(Assignment)
        unit_ids = {name: _id(unit) for name, unit in units.items()}
        blank = Assignment(task_id=0, unit_id=0, updated_at=self.now)
        varying = ("task_id", "unit_id", "role", "due_on")
        constants = {c.name: getattr(blank, c.name) for c in table.columns if c.name not in ("id", *varying)}
        inserts = Inserter(self.session, table, constants, varying)
        updates: list[dict[str, Any]] = []
        leftover: list[tuple[str, int, int]] = []  # (序号, unit, assignment) no longer owed
        for batch in _batches(plan):
            on_record: dict[int, dict[int, tuple[int, dt.date | None, str]]] = {}
            asked = [p.task_id for p in batch if p.task_id is not None and p.task_id not in new_tasks]
            if asked:
                query = sa.select(table.c.id, table.c.task_id, table.c.unit_id, table.c.due_on, table.c.role)
                for a_id, task_id, unit_id, due_on, role in self.session.execute(
                    query.where(table.c.task_id.in_(asked))
                ):
                    on_record.setdefault(task_id, {})[unit_id] = (a_id, due_on, role)
            for p in batch:
                assert p.task_id is not None, "every task was written"
                existing = on_record.pop(p.task_id, {})
                for name, role in p.item.owners:
                    unit_id = unit_ids[name]
                    found = existing.pop(unit_id, None)
                    if found is None:
                        inserts.add(p.task_id, unit_id, role.value, p.due)
                        continue
                    a_id, due_on, old_role = found
                    new_due = p.due if due_on == p.old_due else due_on  # no extension of its own: follows the task
                    if new_due != due_on or old_role != role.value:
                        updates.append({"id": a_id, "role": role.value, "due_on": new_due})
                leftover += [(p.item.seq, u, a_id) for u, (a_id, _, _) in existing.items() if u not in self.kept_units]
            if len(updates) >= ROWS_PER_BATCH:
                update_many(self.session, table, updates)
        inserts.flush()
        update_many(self.session, table, updates)
        referenced = self.referenced([a_id for _, _, a_id in leftover])
        removed = []
        for seq, unit_id, a_id in leftover:
            refs = self.history(assignments=[a_id]) if a_id in referenced else []
            if refs:
                unit = self.session.get(Unit, unit_id)
                self.block(spec, f"task {seq} of {unit.name if unit else unit_id}", refs)
            else:
                removed.append(a_id)
        self.remove_assignments(removed)

    def referenced(self, ids: Sequence[int]) -> set[int]:
        """Which of these assignments a notice or an extension request refers to (``history``
        says how, for those few)."""
        found: set[int] = set()
        for part in chunks(ids):
            for model in (NoticeItem, Extension):
                column = table_of(model).c.assignment_id
                found.update(i for i in self.session.execute(sa.select(column).where(column.in_(part))).scalars() if i)
        return found

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
        self.blocked, self.kept_units, self.removed, self.audits = [], set(), Removals(), []
        ledger = self.ledger(spec, checked.escalation, checked.approval)
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
        audit.record_many(self.session, self.audits)
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


IMPORT_CACHE_KIB = 8192


@contextlib.contextmanager
def _small_cache(session: Session) -> Iterator[None]:
    """SQLite's page cache kept to ``IMPORT_CACHE_KIB`` while an import writes, then set back.

    A bulk insert writes pages once and reads few back: the connection's usual 64 MiB cache
    (``db._sqlite_pragmas``) only filled with pages written, a third of the peak memory of a
    100,000-row import, for no gain in time (benchmarks/RESULTS.md). The setting is the
    connection's, which goes back to the pool: hence set back."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    usual = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    connection.exec_driver_sql(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={usual}")


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
    with _small_cache(session):
        for ledger_checked in check_ledgers(specs):
            ledger = importer.run(ledger_checked)
            assert ledger.id is not None
            ids.append(ledger.id)
        summaries = sorted(summarise(session, ids), key=lambda s: ids.index(s.id))
    return [replace(s, removed=importer.removed_by_ledger.get(s.id)) for s in summaries]
