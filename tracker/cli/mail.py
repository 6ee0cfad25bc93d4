"""CLI commands of the mail: the outbox, approving it, sending it."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from tracker import output
from tracker.cli.base import DATE, MOMENT, Obj, cli, json_option, pass_obj, wants_json
from tracker.errors import InputError
from tracker.ids import MAX_ID


@cli.command()
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing.")
@click.option("--as-of", type=DATE, help="Send what was queued up to this day (default: today).")
@click.option("--now", "right_now", is_flag=True, help="Send even in the configured quiet hours.")
@json_option
@pass_obj
def notify(obj: Obj, dry_run: bool, as_of: dt.date | None, right_now: bool, as_json: bool) -> None:
    """Send the queued digests through the configured SMTP server (exit 1 while any failed)."""
    from tracker.outbox import deliver

    tracker = obj.tracker
    # A person asking to send now means now (failed messages at once); the scheduler waits.
    result = deliver(tracker, manual=True, as_of=as_of, anyway=right_now, dry_run=dry_run)
    if result.quiet and not wants_json(obj, as_json):
        output.done(
            f"quiet hours ({tracker.settings.notify.quiet_hours}): nothing sent, {result.queued} waiting; "
            "`tracker notify --now` sends anyway"
        )
    elif wants_json(obj, as_json):
        output.emit_json(result.as_json())
    else:
        output.notify_summary(result, dry_run)
    if result.failed or result.problems:
        sys.exit(1)


@cli.command()
@click.option("--all", "include_sent", is_flag=True, help="Sent messages too.")
@click.option("--show", "show_id", type=click.IntRange(1, MAX_ID), help="Print one message as it will be sent.")
@json_option
@pass_obj
def outbox(obj: Obj, include_sent: bool, show_id: int | None, as_json: bool) -> None:
    """The emails waiting to go out (and, with --all, those sent), with failures and reasons."""
    from tracker.digests import refresh_digests
    from tracker.models import OutboxMessage
    from tracker.outbox import outbox_rows

    tracker = obj.tracker
    with obj.session() as session:
        # Shown as they will be sent: waiting digests rebuilt from the current state first.
        refresh_digests(session, now=tracker.now(), settings=tracker.settings, calendar=tracker.calendar)
        session.commit()
        if show_id is not None:
            row = session.get(OutboxMessage, show_id)
            if row is None:
                raise InputError(f"no outbox message {show_id} (see `tracker outbox --all`)")
            rows = [row]
        else:
            rows = outbox_rows(session, include_sent=include_sent)
    listed = [
        {
            "id": r.id,
            "as_of": r.as_of.isoformat(),
            "to": r.to_addr,
            "person": r.person,
            "cc": json.loads(r.cc),
            "subject": r.subject,
            "status": r.status,
            "attempts": r.attempts,
            "error": r.last_error,
            "approved": r.approved_at is not None,
            "notices": json.loads(r.notice_ids),
        }
        for r in rows
    ]
    if wants_json(obj, as_json):
        if show_id is not None:
            listed[0]["text"] = rows[0].text
        output.emit_json(listed[0] if show_id is not None else listed)
    elif show_id is not None:
        row = rows[0]
        output.done(f"To: {row.person} <{row.to_addr}>\nSubject: {row.subject}\nStatus: {row.status}\n\n{row.text}")
    elif not listed:
        output.done("the outbox is empty")
    else:
        columns = ["id", "as_of", "to", "subject", "status", "approved", "attempts", "error"]
        output.simple_table("outbox", listed, columns)


@cli.command("approve-outbox")
@click.option("--as-of", type=DATE, help="Approve what was queued up to this day (default: everything waiting).")
@json_option
@pass_obj
def approve_outbox_command(obj: Obj, as_of: dt.date | None, as_json: bool) -> None:
    """Approve the waiting emails, when [notify] require_approval is set."""
    from tracker.outbox import approve_outbox

    tracker = obj.tracker
    with obj.session() as session:
        count = approve_outbox(
            session,
            now=tracker.now(),
            by=tracker.user,
            settings=tracker.settings,
            calendar=tracker.calendar,
            as_of=as_of,
        )
        session.commit()
    if wants_json(obj, as_json):
        output.emit_json({"approved": count})
    else:
        output.done(f"{count} message(s) approved" + ("" if count else ": nothing was waiting"))


@cli.command()
@click.option("--once", is_flag=True, help="Run what is due now, send the outbox, and exit (for cron or systemd).")
@click.option(
    "--at",
    "at",
    type=MOMENT,
    help="With --once: pretend it is this local moment (to try a schedule).",
)
@click.option("--log-file", type=click.Path(path_type=Path), help="Default: tracker.log in your log folder.")
@pass_obj
def run(obj: Obj, once: bool, at: dt.datetime | None, log_file: Path | None) -> None:
    """The scheduler: the daily check and digests, the weekly report, retries (SIGTERM stops it)."""
    from platformdirs import user_log_dir

    from tracker.runner import holder_name, run_forever, run_once, setup_logging
    from tracker.schedule import acquire_lease, release_lease

    if at is not None and not once:
        raise InputError("--at goes with --once")
    tracker = obj.tracker
    setup_logging(log_file or Path(user_log_dir("tracker", appauthor=False)) / "tracker.log")
    holder = holder_name()
    if not once:
        run_forever(tracker, holder)
        return
    now = tracker.now() if at is None else at.replace(tzinfo=ZoneInfo(tracker.settings.timezone)).astimezone(dt.UTC)
    taken = acquire_lease(tracker.engine, holder, tracker.now())
    if taken is not None:
        click.echo(f"tracker: another scheduler holds this database: {taken}; nothing done", err=True)
        sys.exit(1)
    try:
        run_once(tracker, now, holder)
    finally:
        release_lease(tracker.engine, holder)
