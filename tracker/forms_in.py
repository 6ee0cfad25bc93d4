"""Filled progress forms read back (``tracker import-progress``): every file validated first, then
all applied in one transaction, or none.

A form is refused, naming the file and the cell, when it is not one of ours, names a ledger or
unit this database does not have (or another unit's rows), carries a status, date or percentage
that cannot be, or changes a row that has changed in the database since the form was made. An
accepted form counts as the unit's progress report for its period: 迟报/漏报 see it arrive.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from sqlmodel import Session, col, select

from tracker import audit
from tracker.deadlines import Absolute, DeadlineError, parse
from tracker.errors import InputError
from tracker.forms_out import (
    COLUMNS,
    EDITABLE,
    FORM_MARK,
    HEADER_ROW,
    META_SHEET,
    ORIGINALS_SHEET,
    SHEET,
    UNIT_STATUSES,
)
from tracker.input_files import open_workbook
from tracker.models import STATUS_BY_LABEL, STATUS_LABELS, Assignment, Ledger, ReportDue, ReportDuty, Status, Task, Unit
from tracker.progress import ProgressUpdate, record_progress

COLUMN = {name: i for i, (name, _) in enumerate(COLUMNS)}


@dataclass
class RowUpdate:
    assignment: Assignment
    version: int
    change: ProgressUpdate
    subject: str


@dataclass
class Form:
    path: Path
    ledger: Ledger
    unit: Unit
    duty: str
    period: dt.date | None
    originals: dict[int, tuple[Any, ...]] | None = None  # None: a form made before they were kept
    rows: int = 0
    updates: list[RowUpdate] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "ledger": self.ledger.title,
            "unit": self.unit.name,
            "rows": self.rows,
            "changed": len(self.updates),
            "period": self.period.isoformat() if self.period else None,
        }


class FormErrors(InputError):
    """Everything wrong with a batch of forms, one line each."""


def import_forms(
    session: Session, paths: list[Path], *, today: dt.date, by: str, now: dt.datetime
) -> list[tuple[Form, ReportDue | None]]:
    """Validate every form, then apply them all; the caller commits (or rolls back for a dry run)."""
    errors: list[str] = []
    forms = []
    for path in paths:
        try:
            forms.append(read_form(session, path, today=today))
        except FormErrors as exc:
            errors.extend(str(exc).splitlines())
    seen: dict[tuple[int | None, int | None], Path] = {}
    for form in forms:
        key = (form.ledger.id, form.unit.id)
        if key in seen:
            errors.append(
                f"{form.path.name}: a second form for {form.unit.name} in this batch (first: {seen[key].name})"
            )
        seen[key] = form.path
    if errors:
        raise FormErrors("\n".join(errors))
    return [(form, apply_form(session, form, today=today, by=by, now=now)) for form in forms]


def read_form(session: Session, path: Path, *, today: dt.date) -> Form:
    where = path.name or str(path)  # "." and "/" have no name
    if not path.exists():
        raise FormErrors(f"{path}: file not found")
    try:
        # Formulas as written, not their cached results: a form reports values, and a formula
        # (whatever it would compute) is refused by the cell that holds it.
        book = open_workbook(path, data_only=False)  # checked against the limits first
    except InputError as exc:
        raise FormErrors(str(exc).replace(str(path), where, 1)) from None
    if META_SHEET not in book.sheetnames or SHEET not in book.sheetnames:
        raise FormErrors(f"{where}: not a progress form made by `tracker forms` (no {SHEET}/{META_SHEET} sheet)")
    meta = {str(k): v for k, v, *_ in book[META_SHEET].iter_rows(max_col=2, values_only=True) if k}
    if meta.get("form") != FORM_MARK:
        raise FormErrors(f"{where}: not a progress form made by `tracker forms`")
    ledger = session.get(Ledger, _meta_id(meta, "ledger_id", where))
    if ledger is None or (ledger.title, ledger.doc_number) != (meta.get("ledger"), meta.get("doc_number") or ""):
        raise FormErrors(f"{where}: the form is for ledger {meta.get('ledger')!r}, which this database does not have")
    unit = session.get(Unit, _meta_id(meta, "unit_id", where))
    if unit is None or unit.ledger_id != ledger.id or unit.name != meta.get("unit"):
        raise FormErrors(f"{where}: the form is for unit {meta.get('unit')!r}, which {ledger.title} does not have")
    period = _meta_date(meta, "period", where)
    form = Form(path, ledger, unit, str(meta.get("duty") or ""), period, _originals(book))
    errors: list[str] = []
    rows_seen: dict[int, int] = {}
    sheet = book[SHEET]
    for number, cells in enumerate(sheet.iter_rows(min_row=HEADER_ROW + 2, values_only=True), start=HEADER_ROW + 2):
        if all(value is None or value == "" for value in cells):
            continue
        form.rows += 1
        aid = _whole(cells[COLUMN["编号"]]) if cells else None
        if isinstance(aid, int) and aid in rows_seen:
            errors.append(f"{where}!{_cell('编号', number)}: the same row as row {rows_seen[aid]} (a copied row?)")
            continue
        if isinstance(aid, int):
            rows_seen[aid] = number
        try:
            update = _read_row(session, form, number, cells, today)
        except InputError as exc:
            errors.append(f"{where}!{exc}")
            continue
        if update is not None:
            form.updates.append(update)
    if errors:
        raise FormErrors("\n".join(errors))
    return form


def _meta_id(meta: dict[str, Any], key: str, where: str) -> int:
    """A record id from the form's meta sheet; anything else there means the sheet was edited."""
    value = meta.get(key)
    number = _whole(value)
    if number is None:
        raise FormErrors(
            f"{where}: {META_SHEET}: {key} {str(value)[:30]!r} was changed; make a new form with `tracker forms`"
        )
    return number


def _meta_date(meta: dict[str, Any], key: str, where: str) -> dt.date | None:
    value = meta.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise FormErrors(
            f"{where}: {META_SHEET}: {key} {str(value)[:30]!r} was changed; make a new form with `tracker forms`"
        ) from None


def _originals(book: Any) -> dict[int, tuple[Any, ...]] | None:
    """Each row's editable cells as the form was made, by assignment id (None for an older form)."""
    if ORIGINALS_SHEET not in book.sheetnames:
        return None
    found = {}
    for cells in book[ORIGINALS_SHEET].iter_rows(min_row=HEADER_ROW + 2, values_only=True):
        aid = _whole(cells[0]) if cells else None
        if aid is not None:
            found[aid] = _reported_cells(cells)
    return found


def _reported_cells(cells: tuple[Any, ...]) -> tuple[Any, ...]:
    """The editable cells of a row of the form (or of its original), as compared."""
    return tuple(_plain(cells[COLUMN[name]] if COLUMN[name] < len(cells) else None) for name in EDITABLE)


def _plain(value: Any) -> Any:
    """A cell's value as compared with the form's original: a spreadsheet program saving the form
    again may write an empty string for a blank, 60.0 for 60 or a date as a datetime."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _whole(value: Any) -> int | None:
    """A positive whole number that a database id can be (a cell may hold 1.0, "1", 1e300 or nan)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and 0 < value < 2**63 else None


def _cell(name: str, row: int) -> str:
    return f"{get_column_letter(COLUMN[name] + 1)}{row}"


def _read_row(session: Session, form: Form, row: int, cells: tuple[Any, ...], today: dt.date) -> RowUpdate | None:
    def value(name: str) -> Any:
        index = COLUMN[name]
        found = cells[index] if index < len(cells) else None
        if isinstance(found, ArrayFormula | DataTableFormula):  # {=…} or a data table: a formula all the same
            found = found.text if isinstance(found, ArrayFormula) and isinstance(found.text, str) else "=…"
            found = found if found.startswith("=") else f"={found}"
            if name not in EDITABLE:
                raise InputError(f"{_cell(name, row)}: {name} holds a formula; the form's own value was replaced")
        if isinstance(found, str) and found.startswith("=") and name in EDITABLE:
            raise InputError(f"{_cell(name, row)}: {name} holds a formula ({found[:30]}); type the value itself")
        return found

    aid, version = _whole(value("编号")), _whole(value("版本"))
    if aid is None or version is None:
        raise InputError(f"{_cell('编号', row)}: a row this form did not come with (no assignment number)")
    assignment = session.get(Assignment, aid)
    task = session.get(Task, assignment.task_id) if assignment else None
    if assignment is None or task is None or task.ledger_id != form.ledger.id or assignment.unit_id != form.unit.id:
        raise InputError(
            f"{_cell('编号', row)}: row {int(aid)} is not one of {form.unit.name}'s in {form.ledger.title}"
        )
    subject = f"任务 {task.seq} / {form.unit.name}"
    if form.originals is not None and form.originals.get(aid) == _reported_cells(cells):
        # Left as the form was made: nothing reported, whatever the database says now. Comparing
        # with the database instead would see the bureau's later change there as the unit's.
        return None
    if assignment.status == Status.TERMINATED:
        return None  # shown locked on the form; nothing for the unit to report
    label = str(value("状态") or "").strip()
    status = STATUS_BY_LABEL.get(label)
    if status not in UNIT_STATUSES:
        allowed = "、".join(STATUS_LABELS[s] for s in UNIT_STATUSES)
        raise InputError(f"{_cell('状态', row)}: 状态 {label!r} is not one of {allowed}")
    completed = _date(value("完成日期"), _cell("完成日期", row))
    if status == Status.DONE:
        if completed is None:
            raise InputError(f"{_cell('完成日期', row)}: {subject} is 已完成 but has no 完成日期")
        if completed > today:
            raise InputError(f"{_cell('完成日期', row)}: 完成日期 {completed} is in the future (today is {today})")
    elif completed is not None:
        raise InputError(f"{_cell('完成日期', row)}: 完成日期 is for 已完成 rows only ({subject} is {label})")
    percent = _percent(value("完成百分比"), _cell("完成百分比", row))
    note = str(value("进展说明") or "").strip()
    evidence = [line.strip() for line in str(value("佐证材料") or "").splitlines() if line.strip()]
    known = json.loads(assignment.evidence)
    new_evidence = tuple(e for e in evidence if e not in known)
    unchanged = (
        status == assignment.status
        and (completed == assignment.completed_on or status != Status.DONE)
        and (percent is None or percent == assignment.percent or status == Status.DONE)
        and note == assignment.note
        and not new_evidence
    )
    if unchanged:
        return None
    if int(version) != assignment.version:
        raise InputError(
            f"{_cell('版本', row)}: {subject} has changed in the database since this form was made "
            f"(version {int(version)}, now {assignment.version}); make a new form with `tracker forms`"
        )
    change = ProgressUpdate(status=status, completed_on=completed, percent=percent, note=note, evidence=new_evidence)
    return RowUpdate(assignment, int(version), change, subject)


def _date(value: Any, cell: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        parsed = parse(str(value).strip())
    except DeadlineError:
        parsed = None
    if not isinstance(parsed, Absolute):
        raise InputError(f"{cell}: 完成日期 {value!r} is not a date (write 2017-03-31 or 2017年3月31日)")
    return parsed.date


def _percent(value: Any, cell: str) -> int | None:
    if value is None or value == "":
        return None
    text = str(value).strip().rstrip("%％")
    try:
        number = float(text)
    except ValueError:
        raise InputError(f"{cell}: 完成百分比 {value!r} is not a number from 0 to 100") from None
    if not number.is_integer() or not 0 <= number <= 100:
        raise InputError(f"{cell}: 完成百分比 {value!r} is not a whole number from 0 to 100")
    return int(number)


def apply_form(session: Session, form: Form, *, today: dt.date, by: str, now: dt.datetime) -> ReportDue | None:
    """Record the form's changes and its arrival as the unit's report for the period."""
    for update in form.updates:
        record_progress(
            session,
            update.assignment,
            update.change,
            audit.Stamp(by, now),
            today=today,
            expected_version=update.version,
            subject=update.subject,
            ledger_id=form.ledger.id,
        )
    report = None
    if form.period is not None:
        report = session.exec(
            select(ReportDue)
            .join(ReportDuty, col(ReportDuty.id) == col(ReportDue.duty_id))
            .where(
                ReportDuty.ledger_id == form.ledger.id,
                ReportDuty.name == form.duty,
                ReportDue.unit_id == form.unit.id,
                ReportDue.due_on == form.period,
            )
        ).first()
        if report is not None and report.received_on is None:
            report.received_on = today
            session.add(report)
    audit.record(
        session,
        at=now,
        by=by,
        action="form-imported",
        ledger_id=form.ledger.id,
        unit_id=form.unit.id,
        subject=f"进度填报表 {form.path.name}",
        after={
            "rows": form.rows,
            "changed": len(form.updates),
            "period": form.period,
            "received_on": report.received_on if report else None,
        },
    )
    return report
