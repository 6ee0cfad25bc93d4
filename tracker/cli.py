"""The `tracker` command: a thin layer over the services in tracker/.

Exit status: 0 success, 2 bad input (the message names what and where), 1 anything else.

Start-up is kept short: this module and the command modules it registers import only what the
options and `--help` need (click, the deadline parser, the statuses). Each command imports its
services (SQLModel, the tables, the database) when it runs, so `tracker --help` and `tracker when`
never load the database layer (tests/test_startup.py holds this).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from tracker import output
from tracker.deadlines import DeadlineError, check_date, parse, resolve_dates
from tracker.errors import BusyError, InputError
from tracker.ids import MAX_ID
from tracker.statuses import STATUS_BY_LABEL, Status
from tracker.typed_dates import typed_date
from tracker.workdays import DEFAULT_TIMEZONE, WorkCalendar

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker import app as app_factory
    from tracker.ledger_spec import LedgerSpec


class DateParam(click.ParamType[dt.date]):
    """A date as people type it: 2017-03-31, 2017/3/31, 2017.3.31, 20170331, 2017年3月31日, 17年3月31日,
    3月31日 (this year), 今天, 昨天, 前天, 明天 (see tracker.typed_dates)."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        try:
            if isinstance(value, dt.date):
                return check_date(value, str(value))
        except InputError as exc:
            self.fail(str(exc), param, ctx)
        today = _today(ctx)  # a bad config file is its own error, not this option's
        try:
            return typed_date(str(value), today)  # the supported years are checked there
        except InputError as exc:
            self.fail(str(exc), param, ctx)


def _today(ctx: click.Context | None) -> dt.date:
    """Today in the configured time zone: the app's when it is built, else from the settings alone
    (reading a date opens no database)."""
    obj = ctx.find_object(Obj) if ctx is not None else None
    return (obj or Obj(None, None, None, False)).today()


class MomentParam(click.DateTime):
    """A local moment (2017-05-10 09:30), its year within the supported years."""

    def __init__(self) -> None:
        super().__init__(["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        moment = super().convert(value, param, ctx)
        try:
            check_date(moment.date(), str(value))
        except DeadlineError as exc:
            self.fail(str(exc), param, ctx)
        return moment


DATE = DateParam()
MOMENT = MomentParam()
STATUS_CHOICES = [s.value for s in Status] + list(STATUS_BY_LABEL)


class Obj:
    """Global options, and the app built from them on first use."""

    def __init__(self, db: str | None, config: Path | None, user: str | None, as_json: bool) -> None:
        self.db, self.config, self.user, self.as_json = db, config, user, as_json
        self._tracker: app_factory.Tracker | None = None

    def today(self) -> dt.date:
        """Today in the configured time zone, without opening the database when not yet open."""
        if self._tracker is not None:
            return self._tracker.today()
        from tracker import app as app_factory
        from tracker.config import load_settings

        return app_factory.today_in(load_settings(self.config).timezone, app_factory.utc_now())

    @property
    def tracker(self) -> app_factory.Tracker:
        if self._tracker is None:
            from tracker import app as app_factory

            self._tracker = app_factory.build(self.db, self.config, self.user)
        return self._tracker

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.tracker.session() as session:
            yield session


def _calendar_and_timezone(config: Path | None) -> tuple[WorkCalendar, str]:
    """The working-day calendar and the time zone, all that reading a deadline needs of the settings.

    Without a config file both are the defaults, known without building the settings: pydantic's
    models take longer to build than the rest of `tracker when` (tests/unit/test_config.py checks
    that these are the defaults Settings has)."""
    if config is None:
        return WorkCalendar(), DEFAULT_TIMEZONE
    from tracker.config import load_settings

    settings = load_settings(config)
    return settings.work_calendar(), settings.timezone


pass_obj = click.make_pass_decorator(Obj)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (the documented contract).")


def wants_json(obj: Obj, as_json: bool) -> bool:
    return obj.as_json or as_json


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="TRACKER_DB", help="Database URL (default: a SQLite file in your data folder).")
@click.option(
    "--config", "config", envvar="TRACKER_CONFIG", type=click.Path(path_type=Path), help="Config file (TOML)."
)
@click.option("--as", "user", help="Your name in the audit trail (default: the OS user).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON from every command that reports.")
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    help="Language of the messages that refuse a deadline or a date (default: the config's, else zh).",
)
@click.version_option(package_name="tracker")
@click.pass_context
def cli(
    ctx: click.Context, db: str | None, config: Path | None, user: str | None, as_json: bool, lang: str | None
) -> None:
    """督查台账 — supervision ledgers: deadlines, progress, escalation."""
    ctx.obj = Obj(db, config, user, as_json)
    _use_language(ctx, lang or _configured_language(config))


def _configured_language(config: Path | None) -> str:
    """The config's ``language``; zh without a config, or with one that cannot be read (the
    command that reads it reports that itself)."""
    if config is None:
        return "zh"
    from tracker.config import load_settings

    try:
        return load_settings(config).language
    except InputError:
        return "zh"


def _use_language(ctx: click.Context, language: str) -> None:
    """Word refusals in ``language`` for this run; the previous choice is back when it ends (a
    test runs many commands in one process)."""
    from tracker import refusals

    previous = refusals.language()
    refusals.set_language(language)
    ctx.call_on_close(lambda: refusals.set_language(previous))


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


# The check's and the mail's commands live in their own modules; importing registers them on `cli`.
import tracker.cli_check  # noqa: E402
import tracker.cli_mail  # noqa: E402
import tracker.cli_report  # noqa: E402, F401


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"tracker: {message}", err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: turns every error into a message and an exit status, never a traceback."""
    run: Callable[..., Any] = cli.main
    try:
        run(args=argv, prog_name="tracker", standalone_mode=False)
    except InputError as exc:
        _fail(str(exc), 2)
    except BusyError as exc:
        _fail(str(exc), 1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        _fail("aborted", 1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError | click.BadParameter | click.FileError) else exc.exit_code)
    except BrokenPipeError:
        sys.exit(1)
    except Exception as exc:  # a fault of ours: say so plainly, keep the traceback for debugging
        if os.environ.get("TRACKER_DEBUG"):
            raise
        _fail(f"internal error: {exc.__class__.__name__}: {exc} (run with TRACKER_DEBUG=1 for details)", 1)
