"""Use cases that write files for people outside the bureau's database, and read them back: the
weekly progress table, the units' progress forms (进度填报表) and the deadline calendar (.ics).

Every refusal (a file name of the wrong kind, a form that is not ours, a bad cell) is an
``InputError`` naming the file and the cell, raised before anything is written or recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.errors import InputError
from tracker.usecases.work import Actor, reading, unit_of_work

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.app import Tracker
    from tracker.forms_in import Form
    from tracker.models import ReportDue


def ledger_choices(tracker: Tracker, actor: Actor | None = None) -> list[tuple[int, str]]:
    """Every ledger as (id, title), in id order: what a front end offers to choose from (the
    bureau's: ``actor``, default the desk's user, may read the bureau-wide tables)."""
    from tracker.lookup import ledger_titles

    with reading(tracker, actor) as session:
        return sorted(ledger_titles(session).items())


@dataclass(frozen=True)
class LedgerRows:
    id: int
    title: str
    rows: int


@dataclass(frozen=True)
class WeeklyExported:
    as_of: dt.date
    format: str
    files: tuple[Path, ...]
    rows: tuple[int, ...]  # per file: a ledger's rows, or every ledger's in one file
    ledgers: tuple[LedgerRows, ...]


def export_weekly(
    tracker: Tracker,
    actor: Actor,
    target: str,
    *,
    ledgers: Sequence[str] = (),
    as_of: dt.date | None = None,
    fmt: str | None = None,
    encoding: str | None = None,
) -> WeeklyExported:
    """The weekly progress table (进度表, 单位汇总, 本周变化) over ``ledgers`` (default: every one)
    to ``target``: a file whose name gives the format (unless ``fmt`` does), or a folder (ending
    in / or existing) for one file per ledger."""
    from tracker.report import weekly_report
    from tracker.report_files import format_of, write_each, write_report

    day = as_of or tracker.today()
    path = Path(target)  # a Path drops the trailing "/" that asks for one file per ledger
    each = target.endswith(("/", "\\")) or path.is_dir()
    fmt = (fmt or "xlsx") if each else format_of(path, fmt)
    if encoding and fmt != "csv":
        raise InputError(f"--encoding {encoding}: only a .csv file has an encoding to choose", key="csv_only")
    with reading(tracker, actor) as session:  # open while writing: the rows stream from the database
        ids = [_ledger_id(session, ref) for ref in ledgers] or None
        result = weekly_report(session, as_of=day, settings=tracker.settings, calendar=tracker.calendar, ledger_ids=ids)
        if not result.sections:
            raise InputError("no ledgers to report on (import one with `tracker import`)")
        templates = tracker.settings.notices.templates
        if each:
            files = write_each(path, result, fmt, templates, encoding or "utf-8")
            counts = [s.count for s in result.sections]
        else:
            write_report(path, result, fmt, templates, encoding or "utf-8")
            files, counts = [path], [result.rows]
    return WeeklyExported(
        day,
        fmt,
        tuple(files),
        tuple(counts),
        tuple(LedgerRows(s.ledger_id, s.title, s.count) for s in result.sections),
    )


def _ledger_id(session: Session, ref: str) -> int:
    from tracker.lookup import find_ledger

    found = find_ledger(session, ref).id
    assert found is not None
    return found


@dataclass(frozen=True)
class FormsWritten:
    ledger: str
    folder: Path
    files: tuple[Path, ...]


def write_unit_forms(
    tracker: Tracker, actor: Actor, ledger: str, folder: Path, *, as_of: dt.date | None = None
) -> FormsWritten:
    """One progress form (进度填报表, xlsx) per unit of ``ledger`` in ``folder``, to be filled in
    and read back; the report periods the forms name are recorded with them."""
    from tracker.forms_out import write_forms
    from tracker.lookup import find_ledger

    with unit_of_work(tracker, actor, action="forms.write") as work:
        found = find_ledger(work.session, ledger)
        files = write_forms(work.session, found, folder, as_of=as_of or work.today(), now=work.now)
    return FormsWritten(found.title, folder, tuple(files))


@dataclass(frozen=True)
class FormRead:
    """One form read back: the unit's changed rows and the report period it counts for."""

    file: Path
    ledger: str
    unit: str
    rows: int
    changed: int
    period: dt.date | None
    report_due: dt.date | None  # the period's report the form counts as (None: no such period)
    received_on: dt.date | None

    def as_json(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "ledger": self.ledger,
            "unit": self.unit,
            "rows": self.rows,
            "changed": self.changed,
            "period": self.period.isoformat() if self.period else None,
            "report": None
            if self.report_due is None
            else {
                "due_on": self.report_due.isoformat(),
                "received_on": self.received_on.isoformat() if self.received_on else None,
                "late": bool(self.received_on and self.received_on > self.report_due),
            },
        }


@dataclass(frozen=True)
class FormsRead:
    forms: tuple[FormRead, ...]
    dry_run: bool


def form_files(path: Path) -> list[Path]:
    """The forms ``path`` names: the file itself, or a folder's .xlsx files in name order (not
    the lock files Excel and WPS leave beside an open workbook)."""
    if not path.is_dir():
        return [path]
    found = sorted(p for p in path.glob("*.xlsx") if not p.name.startswith(("~$", ".~")) and p.is_file())
    if not found:
        raise InputError(f"{path}: no .xlsx forms in this folder", key="no_forms", path=path)
    return found


def read_unit_forms(
    tracker: Tracker, actor: Actor, files: Sequence[Path], *, dry_run: bool = False, as_of: dt.date | None = None
) -> FormsRead:
    """Read filled progress forms back: every one validated first, then all applied, or none.
    ``files`` may name folders: each stands for its forms (``form_files``), and a form named twice
    (a folder and a file in it) is read once. ``dry_run`` checks them all and records nothing.
    ``as_of``: the day they arrived (today)."""
    from tracker.forms_in import import_forms

    paths: dict[Path, Path] = {}
    for named in files:
        for path in form_files(named):
            paths.setdefault(path.resolve(), path)
    with unit_of_work(
        tracker, actor, dry_run=dry_run, action="forms.read"
    ) as work:  # a dry run applies, looks, rolls back
        results = import_forms(
            work.session, list(paths.values()), today=as_of or work.today(), by=work.by, now=work.now
        )
        return FormsRead(tuple(_form_read(f, r) for f, r in results), dry_run)


def _form_read(form: Form, report: ReportDue | None) -> FormRead:
    return FormRead(
        form.path,
        form.ledger.title,
        form.unit.name,
        form.rows,
        len(form.updates),
        form.period,
        report.due_on if report is not None else None,
        report.received_on if report is not None else None,
    )


@dataclass(frozen=True)
class CalendarExported:
    path: Path
    events: int


@dataclass(frozen=True)
class CalendarData:
    data: bytes  # the iCalendar text, UTF-8
    events: int


def export_calendar(
    tracker: Tracker, actor: Actor, path: Path, *, ledger: str | None = None, unit: str | None = None
) -> CalendarExported:
    """Open deadlines as an iCalendar file (an all-day event each, with reminders), over every
    ledger or ``ledger``, every unit or the unit named ``unit``."""
    from tracker.files import written_atomically

    if path.suffix.lower() != ".ics":
        raise InputError(f"-o {path}: write an .ics file", key="calendar_kind", path=path)
    made = deadline_calendar_of(tracker, actor, ledger=ledger, unit=unit)
    with written_atomically(path) as temporary:
        temporary.write_bytes(made.data)
    return CalendarExported(path, made.events)


def deadline_calendar_of(
    tracker: Tracker, actor: Actor, *, ledger: str | None = None, unit: str | None = None
) -> CalendarData:
    """The open deadlines' iCalendar (what `tracker calendar` writes, the web portal's download)."""
    from sqlmodel import select

    from tracker.calendar_export import deadline_calendar
    from tracker.errors import NotFoundError
    from tracker.lookup import find_ledger, find_unit
    from tracker.models import Unit

    with reading(tracker, actor) as session:
        found = find_ledger(session, ledger) if ledger else None
        if found is not None and unit is not None:
            unit = find_unit(session, found, unit).name
        elif unit is not None and session.exec(select(Unit).where(Unit.name == unit)).first() is None:
            raise NotFoundError(f"--unit {unit!r}: no ledger has a unit of that name")
        data, count = deadline_calendar(
            session,
            now=tracker.now(),
            rules=tracker.settings.escalation,
            timezone=tracker.settings.timezone,
            ledger_id=found.id if found else None,
            unit=unit,
        )
    return CalendarData(data, count)
