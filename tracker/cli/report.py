"""CLI commands that write files for people outside the bureau's database: the weekly progress
table, units' progress forms (and reading them back), and the deadline calendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from tracker import output
from tracker.cli.base import DATE, Obj, cli, json_option, pass_obj, wants_json


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
    from tracker.usecases.reports import export_weekly
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    done = export_weekly(tracker, actor_of(tracker), target, ledgers=ledgers, as_of=as_of, fmt=fmt, encoding=encoding)
    payload = {
        "as_of": done.as_of.isoformat(),
        "format": done.format,
        "files": [str(f) for f in done.files],
        "ledgers": [{"id": s.id, "title": s.title, "rows": s.rows} for s in done.ledgers],
    }
    if wants_json(obj, as_json):
        output.emit_json(payload)
    else:
        for f, n in zip(done.files, done.rows, strict=True):
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
    from tracker.usecases.reports import write_unit_forms
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    done = write_unit_forms(tracker, actor_of(tracker), ledger, folder, as_of=as_of)
    if wants_json(obj, as_json):
        output.emit_json({"ledger": done.ledger, "files": [str(f) for f in done.files]})
    else:
        output.done(f"{len(done.files)} forms → {folder}")


@cli.command("import-progress")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every form, change nothing.")
@click.option("--as-of", type=DATE, help="The day the forms arrived (default: today).")
@json_option
@pass_obj
def import_progress(obj: Obj, files: tuple[Path, ...], dry_run: bool, as_of: dt.date | None, as_json: bool) -> None:
    """Read filled progress forms back (files, or folders: every .xlsx in one): all validated, then
    all applied, or nothing."""
    from tracker.usecases.reports import read_unit_forms
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    done = read_unit_forms(tracker, actor_of(tracker), files, dry_run=dry_run, as_of=as_of)
    if wants_json(obj, as_json):
        output.emit_json({"forms": [form.as_json() for form in done.forms], "dry_run": dry_run})
        return
    verb = "would apply" if dry_run else "applied"
    for form in done.forms:
        output.done(f"{form.file.name}: {form.unit}, {form.changed} of {form.rows} rows changed ({verb})")


@cli.command("calendar")
@click.option("-o", "--output", "path", required=True, type=click.Path(path_type=Path), help="FILE.ics to write.")
@click.option("--ledger", help="Only this ledger.")
@click.option("--unit", help="Only this unit (by name).")
@json_option
@pass_obj
def calendar_(obj: Obj, path: Path, ledger: str | None, unit: str | None, as_json: bool) -> None:
    """Open deadlines as an iCalendar file: an all-day event each, with reminders; re-import updates."""
    from tracker.usecases.reports import export_calendar
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    done = export_calendar(tracker, actor_of(tracker), path, ledger=ledger, unit=unit)
    if wants_json(obj, as_json):
        output.emit_json({"file": str(done.path), "events": done.events})
    else:
        output.done(f"{done.events} deadlines → {done.path}")
