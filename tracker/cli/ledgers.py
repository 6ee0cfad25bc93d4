"""CLI commands on ledgers: read a deadline, import, list, show, record progress, change a person."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

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
from tracker.ids import MAX_ID


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
    from tracker.usecases.ledgers import import_ledgers
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    imported = import_ledgers(tracker, actor_of(tracker), files, dry_run=dry_run, allow_removals=allow_removals)
    summaries = imported.ledgers
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
    from tracker.usecases.ledgers import ledger_summaries

    rows = [s.as_json() for s in ledger_summaries(obj.tracker)]
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
    from tracker.usecases.ledgers import ledger_rows

    found = ledger_rows(obj.tracker, ledger, as_of)
    if wants_json(obj, as_json):
        output.emit_json(
            {
                "ledger": {"id": found.id, "title": found.title, "doc_number": found.doc_number},
                "as_of": found.as_of.isoformat(),
                "rows": [r.as_json() for r in found.rows],
            }
        )
    else:
        output.ledger_table(found, found.rows, found.as_of)


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
    from tracker.usecases.progress import Progress, record_progress
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    done = record_progress(
        tracker,
        actor_of(tracker),
        ledger,
        task,
        unit,
        Progress(status, completed_on, percent, note, evidence),
        expected_version=expect_version,
    )
    result = {
        "assignment": done.assignment,
        "ledger": done.ledger,
        "task": done.task,
        "unit": done.unit,
        "status": done.status,
        "completed_on": done.completed_on,
        "percent": done.percent,
        "version": done.version,
    }
    if wants_json(obj, as_json):
        output.emit_json(result)
    else:
        said = f"{done.subject}: {output.status_text(done.status)} (version {done.version})"
        if done.status == "submitted":  # a unit's done on a ledger whose completions are reviewed
            said += "：本台账办结须复核，已提交督查室复核，销号后为已完成"
        output.done(said)


@cli.command()
@click.argument("ledger")
@click.argument("unit")
@click.option("--name", required=True, help="The responsible person (责任人).")
@click.option("--email", help="Email address.")
@click.option("--phone", help="Phone number.")
@click.option("--mobile", help="Mobile number (DingTalk robots @ the person by it).")
@click.option("--dingtalk-id", help="DingTalk user id.")
@click.option("--wecom-id", help="WeCom (企业微信) user id.")
@json_option
@pass_obj
def person(obj: Obj, /, ledger: str, unit: str, name: str, as_json: bool, **reach: str | None) -> None:
    """Set a unit's responsible person; a new name is a personnel change, kept in the history.
    An option left out keeps what was there; an empty value ("") clears it. With [approval]
    person_change, a new name waits for its chain as a request (P3, `tracker queue`)."""
    from tracker.usecases.progress import Reach, change_person
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    p = change_person(tracker, actor_of(tracker), ledger, unit, name=name, reach=Reach(**reach))
    result = {
        "ledger": p.ledger,
        "unit": p.unit,
        "person": p.name,
        "email": p.email,
        "phone": p.phone,
        "mobile": p.mobile,
        "dingtalk_id": p.dingtalk_id,
        "wecom_id": p.wecom_id,
    }
    if p.request:  # a new person waiting for [approval] person_change
        result.update(request=p.request, status="pending", waits_for=p.waits_for)
    if wants_json(obj, as_json):
        output.emit_json(result)
    elif p.request:
        from tracker.permissions import ROLE_LABELS

        label = ROLE_LABELS.get(p.waits_for, p.waits_for)
        output.done(f"更换责任人申请 {p.request}：{p.unit} 责任人 {p.name}，等待{label}审批")
    else:
        output.done(f"{p.unit}: 责任人 {p.name}")
