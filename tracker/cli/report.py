"""CLI commands that write files for people outside the bureau's database: the weekly progress
table, units' progress forms (and reading them back), and the deadline calendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker import output
from tracker.cli.base import DATE, Obj, cli, json_option, pass_obj, wants_json

if TYPE_CHECKING:
    from sqlmodel import Session


def ledger_id(session: Session, ref: str) -> int:
    from tracker.lookup import find_ledger

    found = find_ledger(session, ref).id
    assert found is not None
    return found


@cli.group()
def report() -> None:
    """Reports for the leaders (the weekly progress table)."""


@report.command("weekly")
@click.option("--ledger", "ledgers", multiple=True, help="Only this ledger (repeatable; default: every ledger).")
@click.option("--as-of", type=DATE, help="The report date (default: today).")
@click.option(
    "-o",
    "--output",
    "target",
    required=True,
    metavar="PATH",
    help="FILE.xlsx, FILE.csv or FILE.html; or a folder ending in / for one file per ledger.",
)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "html"]), help="The format (default: from -o).")
@click.option(
    "--encoding",
    type=click.Choice(["utf-8", "gbk", "gb18030"]),
    help="csv only: utf-8 with a BOM (default; Excel and WPS read it), gb18030, or gbk (refused, naming "
    "the cell, when a character is outside GBK).",
)
@json_option
@pass_obj
def report_weekly(
    obj: Obj,
    ledgers: tuple[str, ...],
    as_of: dt.date | None,
    target: str,
    fmt: str | None,
    encoding: str | None,
    as_json: bool,
) -> None:
    """The weekly progress table (进度表, 单位汇总, 本周变化) as xlsx, csv or html."""
    from tracker.errors import InputError
    from tracker.report import weekly_report
    from tracker.report_files import format_of, write_each, write_report

    tracker = obj.tracker
    day = as_of or tracker.today()
    path = Path(target)  # a Path drops the trailing "/" that asks for one file per ledger
    each = target.endswith(("/", "\\")) or path.is_dir()
    fmt = (fmt or "xlsx") if each else format_of(path, fmt)
    if encoding and fmt != "csv":
        raise InputError(f"--encoding {encoding}: only a .csv file has an encoding to choose", key="csv_only")
    with obj.session() as session:  # open while writing: the rows stream from the database
        ids = [ledger_id(session, ref) for ref in ledgers] or None
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
    payload = {
        "as_of": day.isoformat(),
        "format": fmt,
        "files": [str(f) for f in files],
        "ledgers": [{"id": s.ledger_id, "title": s.title, "rows": s.count} for s in result.sections],
    }
    if wants_json(obj, as_json):
        output.emit_json(payload)
    else:
        for f, n in zip(files, counts, strict=True):
            output.done(f"{n} rows → {f}")


@cli.command()
@click.argument("ledger")
@click.option(
    "-o", "--output", "folder", required=True, type=click.Path(path_type=Path), help="The folder to write to."
)
@click.option("--as-of", type=DATE, help="The form's date (default: today); its period is the next report due.")
@json_option
@pass_obj
def forms(obj: Obj, ledger: str, folder: Path, as_of: dt.date | None, as_json: bool) -> None:
    """Write one progress form (进度填报表, xlsx) per unit of LEDGER, to be filled in and imported back."""
    from tracker.forms_out import write_forms
    from tracker.lookup import find_ledger

    tracker = obj.tracker
    with obj.session() as session:
        found = find_ledger(session, ledger)
        files = write_forms(session, found, folder, as_of=as_of or tracker.today(), now=tracker.now())
        session.commit()  # the report periods the forms name now exist
    if wants_json(obj, as_json):
        output.emit_json({"ledger": found.title, "files": [str(f) for f in files]})
    else:
        output.done(f"{len(files)} forms → {folder}")


@cli.command("import-progress")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every form, change nothing.")
@click.option("--as-of", type=DATE, help="The day the forms arrived (default: today).")
@json_option
@pass_obj
def import_progress(obj: Obj, files: tuple[Path, ...], dry_run: bool, as_of: dt.date | None, as_json: bool) -> None:
    """Read filled progress forms back: all validated, then all applied, or nothing."""
    from tracker.forms_in import import_forms

    tracker = obj.tracker
    with obj.session() as session:
        results = import_forms(session, list(files), today=as_of or tracker.today(), by=tracker.user, now=tracker.now())
        payload: dict[str, object] = {
            "forms": [
                {
                    **form.as_json(),
                    "report": None
                    if report is None
                    else {
                        "due_on": report.due_on.isoformat(),
                        "received_on": report.received_on.isoformat() if report.received_on else None,
                        "late": bool(report.received_on and report.received_on > report.due_on),
                    },
                }
                for form, report in results
            ],
            "dry_run": dry_run,
        }
        verb = "would apply" if dry_run else "applied"
        lines = [
            f"{f.path.name}: {f.unit.name}, {len(f.updates)} of {f.rows} rows changed ({verb})" for f, _ in results
        ]
        if dry_run:
            session.rollback()
        else:
            session.commit()
    if wants_json(obj, as_json):
        output.emit_json(payload)
    else:
        for line in lines:
            output.done(line)


@cli.command("calendar")
@click.option("-o", "--output", "path", required=True, type=click.Path(path_type=Path), help="FILE.ics to write.")
@click.option("--ledger", help="Only this ledger.")
@click.option("--unit", help="Only this unit (by name).")
@json_option
@pass_obj
def calendar_(obj: Obj, path: Path, ledger: str | None, unit: str | None, as_json: bool) -> None:
    """Open deadlines as an iCalendar file: an all-day event each, with reminders; re-import updates."""
    from sqlmodel import select

    from tracker.calendar_export import deadline_calendar
    from tracker.errors import InputError, NotFoundError
    from tracker.files import written_atomically
    from tracker.lookup import find_ledger, find_unit
    from tracker.models import Unit

    if path.suffix.lower() != ".ics":
        raise InputError(f"-o {path}: write an .ics file")
    tracker = obj.tracker
    with obj.session() as session:
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
    with written_atomically(path) as temporary:
        temporary.write_bytes(data)
    if wants_json(obj, as_json):
        output.emit_json({"file": str(path), "events": count})
    else:
        output.done(f"{count} deadlines → {path}")
