"""CLI commands of the mail: the outbox, approving it, sending it."""

from __future__ import annotations

import datetime as dt
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
    """Send the queued digests on every configured channel: email, robots, webhooks (exit 1 while any failed)."""
    from tracker.usecases.sending import send_messages
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    # A person asking to send now means now (failed messages at once); the scheduler waits.
    result = send_messages(tracker, actor_of(tracker), manual=True, as_of=as_of, anyway=right_now, dry_run=dry_run)
    if result.quiet and not wants_json(obj, as_json):
        output.done(
            f"免打扰时段（{tracker.settings.notify.quiet_hours}）：未发送，待发 {result.queued} 条；"
            "tracker notify --now 可立即发送"
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
    """The messages waiting to go out (and, with --all, those sent), their channel, failures and reasons."""
    from tracker.usecases.sending import outbox_messages
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    # Shown as they will be sent: waiting digests rebuilt from the current state first.
    entries = outbox_messages(tracker, actor_of(tracker), include_sent=include_sent, only_id=show_id)
    listed = [entry.as_json() for entry in entries]
    if wants_json(obj, as_json):
        output.emit_json(entries[0].as_json(with_text=True) if show_id is not None else listed)
    elif show_id is not None:
        entry = entries[0]
        to = f"{entry.person} <{entry.to}>" if entry.channel == "email" else f"{entry.channel}: {entry.to}"
        output.done(f"To: {to}\nSubject: {entry.subject}\nStatus: {entry.status}\n\n{entry.text}")
    elif not listed:
        output.done("the outbox is empty")
    else:
        columns = ["id", "channel", "as_of", "to", "subject", "status", "approved", "attempts", "error"]
        output.simple_table("outbox", listed, columns)


@cli.command("approve-outbox")
@click.option("--as-of", type=DATE, help="Approve what was queued up to this day (default: everything waiting).")
@json_option
@pass_obj
def approve_outbox_command(obj: Obj, as_of: dt.date | None, as_json: bool) -> None:
    """Approve the waiting messages (every channel), when [notify] require_approval is set."""
    from tracker.usecases.sending import approve_messages
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    count = approve_messages(tracker, actor_of(tracker), as_of=as_of).count
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
