"""CLI commands of the check: scan and escalate, notices, interviews, changes, scores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from tracker import output
from tracker.cli.base import DATE, Obj, cli, json_option, pass_obj, wants_json
from tracker.errors import InputError


@cli.command()
@click.option("--as-of", type=DATE, help="The day to judge on (default: today in the configured time zone).")
@json_option
@pass_obj
def check(obj: Obj, as_of: dt.date | None, as_json: bool) -> None:
    """Scan every ledger: due soon, overdue, missing reports; escalate and issue notices."""
    from tracker.usecases.check import run_daily_check
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    done = run_daily_check(tracker, actor_of(tracker), as_of=as_of, with_findings=wants_json(obj, as_json))
    notices = [n.as_json() for n in done.notices]
    queued = done.outbox
    if wants_json(obj, as_json):
        payload: dict[str, object] = {
            "as_of": done.as_of.isoformat(),
            "findings": [f.as_json() for f in done.findings],
            "notices": notices,
            "lagging": list(done.lagging),
        }
        if queued is not None:
            payload["outbox"] = {
                "queued": queued.queued,
                "refreshed": queued.refreshed,
                "no_address": [{"ledger": lg, "unit": u, "person": p} for lg, u, p in queued.unreachable],
            }
        output.emit_json(payload)
        return
    output.check_summary(done.as_of, done.counts, done.findings, notices)
    if queued is not None:
        output.queued_summary(queued.queued, queued.refreshed, queued.unreachable)


@cli.command()
@click.option("--unacknowledged", is_flag=True, help="Only notices not yet acknowledged (未签收).")
@click.option("--ledger", help="Only this ledger's notices.")
@json_option
@pass_obj
def notices(obj: Obj, unacknowledged: bool, ledger: str | None, as_json: bool) -> None:
    """List the notices issued so far."""
    from tracker.lookup import find_ledger
    from tracker.notices import list_notices, notice_units

    with obj.session() as session:
        ledger_id = find_ledger(session, ledger).id if ledger else None
        found = list_notices(session, unacknowledged=unacknowledged, ledger_id=ledger_id)
        units = notice_units(session, [n.id for n in found if n.id is not None])
        titles = {lg_id: find_ledger(session, str(lg_id)).title for lg_id in {n.ledger_id for n in found}}
    rows = [
        {
            "id": n.id,
            "kind": n.kind,
            "number": n.number,
            "ledger": titles[n.ledger_id],
            "units": units.get(n.id or 0, []),
            "as_of": n.as_of.isoformat(),
            "acknowledged_by": n.acknowledged_by or None,
            "acknowledged_at": n.acknowledged_at.isoformat() if n.acknowledged_at else None,
        }
        for n in found
    ]
    if wants_json(obj, as_json):
        output.emit_json(rows)
    else:
        output.notices_table(rows)


@cli.group()
def notice() -> None:
    """Look at one notice or render it as a document."""


@notice.command("render")
@click.argument("ref", metavar="ID")
@click.option(
    "-o",
    "--output",
    "path",
    required=True,
    type=click.Path(path_type=Path),
    help="FILE.docx (official layout) or FILE.md (email body).",
)
@pass_obj
def notice_render(obj: Obj, ref: str, path: Path) -> None:
    """Render a notice (by id or number) to .docx or .md."""
    from tracker.notices import find_notice, notice_detail
    from tracker.render import render_to_file

    settings = obj.tracker.settings.notices
    with obj.session() as session:
        detail = notice_detail(session, find_notice(session, ref), settings.issuer)
    render_to_file(detail, path, settings.templates, settings)
    output.done(f"{detail.number} → {path}")


@notice.command("show")
@click.argument("ref", metavar="ID")
@json_option
@pass_obj
def notice_show(obj: Obj, ref: str, as_json: bool) -> None:
    """Show a notice's text as a person reads it (the terminal's width), and the assignments it covers."""
    import shutil

    from tracker.notices import find_notice, notice_detail
    from tracker.render import render_text

    settings = obj.tracker.settings.notices
    with obj.session() as session:
        detail = notice_detail(session, find_notice(session, ref), settings.issuer)
    if wants_json(obj, as_json):
        output.emit_json(detail.as_json())
    else:
        click.echo(render_text(detail, settings.templates, shutil.get_terminal_size().columns), nl=False)


@cli.command()
@click.argument("ref", metavar="NOTICE")
@click.option("--by", help="Who signed for it (default: you).")
@json_option
@pass_obj
def ack(obj: Obj, ref: str, by: str | None, as_json: bool) -> None:
    """Record the acknowledgement (签收) of a notice."""
    from tracker.usecases.notices import acknowledge_notice
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    done = acknowledge_notice(tracker, actor_of(tracker), ref, signed_by=by)
    payload = {
        "id": done.id,
        "number": done.number,
        "acknowledged_by": done.acknowledged_by,
        "acknowledged_at": done.acknowledged_at.isoformat() if done.acknowledged_at else None,
        "already": done.already,
    }
    if wants_json(obj, as_json):
        output.emit_json(payload)
    elif not done.already:
        output.done(f"{done.number}: 已签收 ({done.acknowledged_by})")
    else:
        output.done(f"{done.number}: already acknowledged by {done.acknowledged_by} at {done.acknowledged_at}")


@cli.command()
@click.option("--ledger", help="Only this ledger.")
@click.option("-o", "--output", "path", type=click.Path(path_type=Path), help="Write the list to FILE.xlsx.")
@json_option
@pass_obj
def interviews(obj: Obj, ledger: str | None, path: Path | None, as_json: bool) -> None:
    """The interview list (约谈名单): units to be interviewed, with the reasons."""
    from tracker.interviews import open_interviews
    from tracker.lookup import find_ledger

    with obj.session() as session:
        ledger_id = find_ledger(session, ledger).id if ledger else None
        entries = open_interviews(session, ledger_id)
    if path is not None:
        from tracker.spreadsheets import write_interviews

        write_interviews(path, entries)
    if wants_json(obj, as_json):
        output.emit_json([e.as_json() for e in entries])
    elif path is not None:
        output.done(f"{len(entries)} entries → {path}")
    else:
        output.interviews_table([e.as_json() for e in entries])


@cli.command()
@click.argument("ledger")
@click.argument("unit")
@click.option("--on", "held_on", type=DATE, required=True, help="The day the interview was held.")
@click.option("--note", default="", help="What was agreed.")
@pass_obj
def interviewed(obj: Obj, ledger: str, unit: str, held_on: dt.date, note: str) -> None:
    """Mark a unit's interview as held; it leaves the open interview list."""
    from tracker.changes import record_interview
    from tracker.lookup import find_ledger, find_unit
    from tracker.progress import current_person

    tracker = obj.tracker
    with obj.session() as session:
        found = find_ledger(session, ledger)
        u = find_unit(session, found, unit)
        person = current_person(session, u)
        record_interview(
            session,
            found,
            u,
            on=held_on,
            note=note,
            person=person.name if person else "",
            by=tracker.user,
            now=tracker.now(),
        )
        session.commit()
    output.done(f"{u.name}: 约谈已于 {held_on.isoformat()} 进行")


@cli.command("interview-schedule")
@click.argument("notice")
@click.option("--at", "at", help="When: 2017-05-10 09:30, or 2017年5月10日下午3时.")
@click.option("--place", help="Where, e.g. 市政府三楼会议室 (default: [notices] interview_place).")
@json_option
@pass_obj
def interview_schedule(obj: Obj, notice: str, at: str | None, place: str | None, as_json: bool) -> None:
    """Set the time and place an interview notice (约谈通知) gives; until set, it leaves them blank."""
    from tracker.notices import find_notice, notice_detail, schedule_interview

    tracker = obj.tracker
    with obj.session() as session:
        found = schedule_interview(
            session, find_notice(session, notice), at=at, place=place, by=tracker.user, now=tracker.now()
        )
        session.commit()
        detail = notice_detail(session, found, tracker.settings.notices.issuer)
    if wants_json(obj, as_json):
        output.emit_json(
            {"number": detail.number, "meeting_at": detail.meeting_at, "meeting_place": detail.meeting_place}
        )
        return
    output.done(
        f"{detail.number}: 约谈时间 {detail.meeting_when or '（待定）'}，地点 {detail.meeting_place or '（待定）'}"
    )


@cli.command()
@click.argument("ledger")
@click.argument("task")
@click.option("--on", "on", type=DATE, required=True, help="The day the trigger happened (e.g. a notice arrived).")
@pass_obj
def trigger(obj: Obj, ledger: str, task: str, on: dt.date) -> None:
    """Record a relative deadline's trigger date (接到通知之日); its deadline follows."""
    from tracker.changes import set_trigger
    from tracker.lookup import find_ledger, find_task

    tracker = obj.tracker
    with obj.session() as session:
        found = find_ledger(session, ledger)
        t = find_task(session, found, task)
        due = set_trigger(session, found, t, on, calendar=tracker.calendar, by=tracker.user, now=tracker.now())
        session.commit()
    output.done(f"任务 {t.seq}: {t.deadline_text} → {due.isoformat()}")


@cli.command()
@click.argument("ledger")
@click.argument("task")
@click.argument("unit")
@click.option("--to", "to", type=DATE, required=True, help="The new deadline asked for.")
@click.option("--reason", required=True, help="Why (recorded with the request).")
@click.option("--late", is_flag=True, help="Allow a request after the deadline (a supervisor's decision).")
@click.option("--as-of", type=DATE, help="The day of the request (default: today).")
@json_option
@pass_obj
def extend(
    obj: Obj,
    ledger: str,
    task: str,
    unit: str,
    to: dt.date,
    reason: str,
    late: bool,
    as_of: dt.date | None,
    as_json: bool,
) -> None:
    """Request an extension (延期申请) of a unit's deadline for a task."""
    from tracker.changes import request_extension
    from tracker.lookup import find_assignment, find_ledger, find_task, find_unit
    from tracker.progress import task_subject

    tracker = obj.tracker
    with obj.session() as session:
        found = find_ledger(session, ledger)
        t, u = find_task(session, found, task), find_unit(session, found, unit)
        request = request_extension(
            session,
            find_assignment(session, t, u),
            to=to,
            reason=reason,
            late=late,
            today=as_of or tracker.today(),
            by=tracker.user,
            now=tracker.now(),
            subject=task_subject(t, u),
        )
        session.commit()
    if wants_json(obj, as_json):
        output.emit_json(
            {
                "id": request.id,
                "status": request.status,
                "from": request.original_due,
                "to": request.new_due,
                "late": request.late,
            }
        )
    else:
        output.done(f"延期申请 {request.id}: {task_subject(t, u)} {request.original_due} → {to} (pending)")


def _decide(obj: Obj, ref: str, approve: bool, reason: str, as_json: bool) -> None:
    from tracker.changes import decide_extension, find_extension

    tracker = obj.tracker
    with obj.session() as session:
        request = decide_extension(
            session, find_extension(session, ref), approve=approve, reason=reason, by=tracker.user, now=tracker.now()
        )
        session.commit()
    if wants_json(obj, as_json):
        output.emit_json(
            {
                "id": request.id,
                "status": request.status,
                "deadline": request.new_due if approve else request.original_due,
            }
        )
    else:
        output.done(f"延期申请 {request.id}: {'approved' if approve else 'refused'}")


@cli.command()
@click.argument("ref", metavar="ID")
@click.option("--reason", default="", help="A note with the approval.")
@json_option
@pass_obj
def approve(obj: Obj, ref: str, reason: str, as_json: bool) -> None:
    """Approve an extension request: the new deadline applies, the original stays in the history."""
    _decide(obj, ref, True, reason, as_json)


@cli.command()
@click.argument("ref", metavar="ID")
@click.option("--reason", required=True, help="Why the request is refused.")
@json_option
@pass_obj
def refuse(obj: Obj, ref: str, reason: str, as_json: bool) -> None:
    """Refuse an extension request: the original deadline keeps running."""
    _decide(obj, ref, False, reason, as_json)


@cli.command()
@click.option("--pending", is_flag=True, help="Only requests awaiting a decision.")
@json_option
@pass_obj
def extensions(obj: Obj, pending: bool, as_json: bool) -> None:
    """List extension requests."""
    from tracker.views import extension_rows

    with obj.session() as session:
        rows = extension_rows(session, pending_only=pending)
    if wants_json(obj, as_json):
        output.emit_json(rows)
    else:
        output.simple_table(
            "延期申请", rows, ["id", "ledger", "task", "unit", "from", "to", "status", "late", "reason"]
        )


@cli.command()
@click.argument("ledger")
@click.argument("unit")
@click.option("--reason", required=True, help="Why the unit's work ends (e.g. 试点终止).")
@click.option("--on", "on", type=DATE, help="The day its work ended (default: today).")
@pass_obj
def terminate(obj: Obj, ledger: str, unit: str, reason: str, on: dt.date | None) -> None:
    """End a unit's open assignments as 已终止; they leave the findings and stay in the history."""
    from tracker.changes import terminate_unit
    from tracker.lookup import find_ledger, find_unit

    tracker = obj.tracker
    with obj.session() as session:
        found = find_ledger(session, ledger)
        u = find_unit(session, found, unit)
        if on is not None and on > tracker.today():
            raise InputError(f"--on: {on.isoformat()} is in the future; record a termination when it happens")
        count = terminate_unit(
            session, found, u, reason=reason, on=on or tracker.today(), by=tracker.user, now=tracker.now()
        )
        session.commit()
    output.done(f"{u.name}: {count} assignments terminated")


@cli.command()
@click.argument("ledger")
@click.argument("unit")
@click.option("--on", "on", type=DATE, required=True, help="The day the report arrived.")
@click.option("--report", "duty", help="Which report duty (part of its name), if the ledger has several.")
@click.option("--period", type=DATE, help="The period's due date (default: the earliest not yet received).")
@pass_obj
def received(obj: Obj, ledger: str, unit: str, on: dt.date, duty: str | None, period: dt.date | None) -> None:
    """Record that a unit's periodic progress report arrived (late ones count as 迟报)."""
    from tracker.changes import receive_report
    from tracker.lookup import find_ledger, find_unit

    tracker = obj.tracker
    if on > tracker.today():
        raise InputError(f"--on {on}: a report cannot arrive in the future")
    with obj.session() as session:
        found = find_ledger(session, ledger)
        u = find_unit(session, found, unit)
        report = receive_report(
            session, found, u, duty_name=duty, on=on, period=period, by=tracker.user, now=tracker.now()
        )
        session.commit()
        from tracker.scoring import received_standing

        standing = received_standing(session, report, tracker.settings.scoring)
    late = {"": "", "迟报": " (迟报)", "漏报": " (迟报; 已通报漏报, 仍计为漏报)"}[standing]
    output.done(f"{u.name}: report for {report.due_on.isoformat()} received {on.isoformat()}{late}")


@cli.command()
@click.argument("ledger")
@click.argument("task", required=False)
@click.argument("unit", required=False)
@json_option
@pass_obj
def history(obj: Obj, ledger: str, task: str | None, unit: str | None, as_json: bool) -> None:
    """The audit trail of a ledger, a task, or one unit's part in it (use - for any task)."""
    from tracker.changes import history as audit_history
    from tracker.lookup import find_ledger, find_task, find_unit

    with obj.session() as session:
        found = find_ledger(session, ledger)
        t = find_task(session, found, task) if task and task != "-" else None
        u = find_unit(session, found, unit) if unit else None
        rows = audit_history(session, found, t, u)
    if wants_json(obj, as_json):
        output.emit_json(rows)
    else:
        output.simple_table(f"{found.title}: history", rows, ["at", "by", "action", "subject", "before", "after"])


@cli.command()
@click.argument("ledger")
@click.option("--as-of", type=DATE, help="The day to judge on (default: today).")
@json_option
@pass_obj
def scores(obj: Obj, ledger: str, as_of: dt.date | None, as_json: bool) -> None:
    """Each unit's score and rank under the bureau's scoring rules ([scoring] in the config)."""
    from tracker.lookup import find_ledger
    from tracker.scoring import scores as unit_scores

    tracker = obj.tracker
    with obj.session() as session:
        found = find_ledger(session, ledger)
        assert found.id is not None
        result = [
            s.as_json()
            for s in unit_scores(
                session,
                found.id,
                as_of or tracker.today(),
                tracker.settings.scoring,
                timezone=tracker.settings.timezone,
            )
        ]
    if wants_json(obj, as_json):
        output.emit_json(result)
    else:
        output.simple_table(
            f"{found.title}: 得分",
            result,
            ["rank", "unit", "score", "tasks", "done", "overdue_tasks", "late_reports", "missing_reports"],
        )
