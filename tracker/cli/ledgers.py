"""CLI commands on ledgers: read a deadline, import, list, show, record progress, change a person."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker import output
from tracker.cli.base import (
    DATE,
    STATUS_CHOICES,
    Obj,
    _calendar_and_timezone,
    cli,
    json_option,
    pass_obj,
    wants_json,
)
from tracker.deadlines import parse, resolve_dates
from tracker.errors import InputError
from tracker.ids import MAX_ID
from tracker.statuses import STATUS_BY_LABEL, Status

if TYPE_CHECKING:
    from tracker.ledger_spec import LedgerSpec


@cli.command()
@click.argument("text")
@click.option("--ref", type=DATE, help="Year for a date without one; trigger date for a relative deadline.")
@click.option("--from", "start", type=DATE, help="First day of the range for a recurring deadline.")
@click.option("--until", "end", type=DATE, help="Last day of the range for a recurring deadline.")
@json_option
@pass_obj
def when(obj: Obj, text: str, ref: dt.date | None, start: dt.date | None, end: dt.date | None, as_json: bool) -> None:
    """Show how a deadline as written (2017年3月底完成) is understood."""
    calendar, timezone = _calendar_and_timezone(obj.config)  # no database needed to read a deadline
    deadline = parse(text, ref.year if ref else None)
    if deadline.kind == "recurring" and ref is None and (start is None or end is None):
        from tracker import app as app_factory

        ref = app_factory.today_in(timezone, app_factory.utc_now())  # this year's occurrences
    dates = resolve_dates(deadline, ref=ref, start=start, end=end, calendar=calendar)
    payload = {
        "text": text,
        "kind": deadline.kind,
        "dates": [d.isoformat() for d in dates],
        "explain": deadline.explain(),
    }
    if wants_json(obj, as_json):
        output.emit_json(payload)
        return
    output.when(payload)


def _read_all(files: tuple[Path, ...]) -> list[LedgerSpec]:
    """Every file read; a file that cannot be read at all is reported with every error found in
    the others, not alone."""
    from tracker.errors import raise_all
    from tracker.importing import check_ledgers, read_ledger_file

    specs: list[LedgerSpec] = []
    unreadable: list[InputError] = []
    for path in files:
        try:
            specs.extend(read_ledger_file(path))
        except InputError as exc:
            unreadable.append(exc)
    if unreadable:
        try:
            check_ledgers(specs)
        except InputError as exc:
            unreadable.append(exc)
        raise_all(unreadable)
    return specs


@cli.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and count, write nothing; say what would be deleted.")
@click.option(
    "--allow-removals",
    is_flag=True,
    help="Go ahead when units or tasks that left the file take recorded progress with them.",
)
@json_option
@pass_obj
def import_(obj: Obj, files: tuple[Path, ...], dry_run: bool, allow_removals: bool, as_json: bool) -> None:
    """Import ledgers from TOML or xlsx files, all or nothing.

    A re-import deletes what left the file; when that would lose recorded progress it is refused
    (and the dry run says so) unless --allow-removals is given."""
    from tracker.importing import import_ledgers

    specs = _read_all(files)
    tracker = obj.tracker
    with obj.session() as session:
        summaries = import_ledgers(
            session,
            specs,
            by=tracker.user,
            now=tracker.now(),
            calendar=tracker.calendar,
            allow_removals=allow_removals,
        )
        if dry_run:
            session.rollback()
        else:
            session.commit()
    payload = {"ledgers": [s.as_json() for s in summaries]}
    if dry_run:
        payload["dry_run"] = True  # type: ignore[assignment]
    if wants_json(obj, as_json):
        output.emit_json(payload)
        return
    output.ledgers([s.as_json() for s in summaries], "would import (dry run)" if dry_run else "imported")
    for summary in summaries:
        if summary.removed:
            output.done(f"{summary.title}: {'would delete' if dry_run else 'deleted'} {summary.removed.text()}")


@cli.command()
@json_option
@pass_obj
def ledgers(obj: Obj, as_json: bool) -> None:
    """List the ledgers with their counts."""
    from tracker.importing import summarise

    with obj.session() as session:
        rows = [s.as_json() for s in summarise(session)]
    if wants_json(obj, as_json):
        output.emit_json(rows)
    else:
        output.ledgers(rows, "ledgers")


@cli.command()
@click.argument("ledger")
@click.option("--as-of", type=DATE, help="The day to judge lateness on (default: today).")
@json_option
@pass_obj
def show(obj: Obj, ledger: str, as_of: dt.date | None, as_json: bool) -> None:
    """Show a ledger: every assignment with its status and days late."""
    from tracker.lookup import find_ledger
    from tracker.views import ledger_rows

    tracker = obj.tracker
    day = as_of or tracker.today()
    with obj.session() as session:
        found = find_ledger(session, ledger)
        assert found.id is not None
        rows = ledger_rows(session, found.id, day, tracker.settings.progress.lag_margin)
    if wants_json(obj, as_json):
        output.emit_json(
            {
                "ledger": {"id": found.id, "title": found.title, "doc_number": found.doc_number},
                "as_of": day.isoformat(),
                "rows": [r.as_json() for r in rows],
            }
        )
    else:
        output.ledger_table(found, rows, day)


@cli.command()
@click.argument("ledger")
@click.argument("task")
@click.argument("unit")
@click.option(
    "--status",
    required=True,
    type=click.Choice(STATUS_CHOICES),
    help="todo|doing|done|terminated (or 未开始/进行中/已完成/已终止).",
)
@click.option("--on", "completed_on", type=DATE, help="Completion date (status done; default today).")
@click.option("--percent", type=int, help="Percent complete, 0-100.")
@click.option("--note", help="Progress note (进展说明).")
@click.option("--evidence", multiple=True, help="Evidence file reference (佐证材料); repeatable.")
@click.option(
    "--expect-version",
    type=click.IntRange(1, MAX_ID),
    help="Refuse if the assignment changed since this version.",
)
@json_option
@pass_obj
def progress(
    obj: Obj,
    ledger: str,
    task: str,
    unit: str,
    status: str,
    completed_on: dt.date | None,
    percent: int | None,
    note: str | None,
    evidence: tuple[str, ...],
    expect_version: int | None,
    as_json: bool,
) -> None:
    """Record a unit's progress on a task."""
    from tracker.lookup import find_assignment, find_ledger, find_task, find_unit
    from tracker.progress import ProgressUpdate, record_progress, task_subject

    tracker = obj.tracker
    with obj.session() as session:
        found = find_ledger(session, ledger)
        t = find_task(session, found, task)
        u = find_unit(session, found, unit)
        assignment = find_assignment(session, t, u)
        change = ProgressUpdate(
            status=Status(STATUS_BY_LABEL.get(status, status)),
            completed_on=completed_on,
            percent=percent,
            note=note,
            evidence=evidence,
        )
        record_progress(
            session,
            assignment,
            change,
            by=tracker.user,
            now=tracker.now(),
            today=tracker.today(),
            expected_version=expect_version,
            subject=task_subject(t, u),
            ledger_id=found.id,
        )
        session.commit()
        result = {
            "assignment": assignment.id,
            "ledger": found.title,
            "task": t.seq,
            "unit": u.name,
            "status": assignment.status,
            "completed_on": assignment.completed_on,
            "percent": assignment.percent,
            "version": assignment.version,
        }
    if wants_json(obj, as_json):
        output.emit_json(result)
    else:
        output.done(f"{task_subject(t, u)}: {output.status_text(assignment.status)} (version {assignment.version})")


@cli.command()
@click.argument("ledger")
@click.argument("unit")
@click.option("--name", required=True, help="The responsible person (责任人).")
@click.option("--email", help="Email address.")
@click.option("--phone", help="Phone number.")
@json_option
@pass_obj
def person(obj: Obj, ledger: str, unit: str, name: str, email: str | None, phone: str | None, as_json: bool) -> None:
    """Set a unit's responsible person; a new name is a personnel change, kept in the history."""
    from tracker.lookup import find_ledger, find_unit
    from tracker.progress import set_person

    tracker = obj.tracker
    with obj.session() as session:
        found = find_ledger(session, ledger)
        u = find_unit(session, found, unit)
        p = set_person(session, found, u, name=name, email=email, phone=phone, by=tracker.user, now=tracker.now())
        session.commit()
        result = {"ledger": found.title, "unit": u.name, "person": p.name, "email": p.email, "phone": p.phone}
    if wants_json(obj, as_json):
        output.emit_json(result)
    else:
        output.done(f"{u.name}: 责任人 {p.name}")
