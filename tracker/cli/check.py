"""CLI commands of the check: scan and escalate, notices, interviews, changes, scores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from tracker import output
from tracker.cli.base import DATE, Obj, cli, json_option, pass_obj, wants_json


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
        output.queued_summary(queued.queued, queued.refreshed, queued.unreachable, queued.approval)


@cli.command()
@click.option("--unacknowledged", is_flag=True, help="Only notices not yet acknowledged (未签收).")
@click.option("--ledger", help="Only this ledger's notices.")
@json_option
@pass_obj
def notices(obj: Obj, unacknowledged: bool, ledger: str | None, as_json: bool) -> None:
    """List the notices issued so far."""
    from tracker.usecases.notices import list_notices

    rows = [
        {
            "id": n.id,
            "kind": n.kind,
            "number": n.number,
            "ledger": n.ledger,
            "units": n.units,
            "as_of": n.as_of.isoformat(),
            "acknowledged_by": n.acknowledged_by or None,
            "acknowledged_at": n.acknowledged_at.isoformat() if n.acknowledged_at else None,
            "ack_due": n.ack_due.isoformat() if n.ack_due else None,
            "ack_overdue": n.ack_overdue,
            "chased_on": n.chased_on.isoformat() if n.chased_on else None,
            "receipts": [r.as_json() for r in n.receipts],  # 签收 by each unit addressed
        }
        for n in list_notices(obj.tracker, unacknowledged=unacknowledged, ledger=ledger)
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
    from tracker.render import render_to_file
    from tracker.usecases.notices import notice_document

    settings = obj.tracker.settings.notices
    detail = notice_document(obj.tracker, ref)
    render_to_file(detail, path, settings.templates, settings)
    output.done(f"{detail.number} → {path}")


@notice.command("show")
@click.argument("ref", metavar="ID")
@json_option
@pass_obj
def notice_show(obj: Obj, ref: str, as_json: bool) -> None:
    """Show a notice's text as a person reads it (the terminal's width), and the assignments it covers."""
    import shutil

    from tracker.render import render_text
    from tracker.usecases.notices import notice_document

    detail = notice_document(obj.tracker, ref)
    if wants_json(obj, as_json):
        output.emit_json(detail.as_json())
    else:
        click.echo(
            render_text(detail, obj.tracker.settings.notices.templates, shutil.get_terminal_size().columns), nl=False
        )


@cli.command()
@click.argument("ref", metavar="NOTICE")
@click.option("--by", help="Who signed for it (default: you).")
@click.option("--unit", help="The unit signed for (staff, 代单位签收): needed for a bulletin naming several.")
@json_option
@pass_obj
def ack(obj: Obj, ref: str, by: str | None, unit: str | None, as_json: bool) -> None:
    """Record the acknowledgement (签收) of a notice by one unit it is addressed to: a unit
    account signs for its own unit; staff sign on a unit's behalf."""
    from tracker.usecases.notices import acknowledge_notice
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    done = acknowledge_notice(tracker, actor_of(tracker), ref, signed_by=by, unit=unit)
    payload = {
        "id": done.id,
        "number": done.number,
        "unit": done.unit,
        "acknowledged_by": done.acknowledged_by,
        "acknowledged_at": done.acknowledged_at.isoformat() if done.acknowledged_at else None,
        "already": done.already,
    }
    if wants_json(obj, as_json):
        output.emit_json(payload)
    elif not done.already:
        output.done(f"{done.number}：{done.unit}已签收（{done.acknowledged_by}）")
    else:
        when = ""
        if done.acknowledged_at is not None:
            from zoneinfo import ZoneInfo

            moment = done.acknowledged_at
            moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
            when = f"于 {moment.astimezone(ZoneInfo(tracker.settings.timezone)):%Y-%m-%d %H:%M} "
        output.done(f"{done.number}：{done.unit}已由 {done.acknowledged_by} {when}签收，无需再签")


@cli.command()
@click.option("--ledger", help="Only this ledger.")
@click.option("-o", "--output", "path", type=click.Path(path_type=Path), help="Write the list to FILE.xlsx.")
@json_option
@pass_obj
def interviews(obj: Obj, ledger: str | None, path: Path | None, as_json: bool) -> None:
    """The interview list (约谈名单): units to be interviewed, with the reasons."""
    from tracker.usecases.notices import interview_list

    entries = interview_list(obj.tracker, ledger=ledger)
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
    from tracker.usecases.changes import record_interview_held
    from tracker.usecases.work import actor_of

    held = record_interview_held(obj.tracker, actor_of(obj.tracker), ledger, unit, on=held_on, note=note)
    output.done(f"{held.unit}: 约谈已于 {held.held_on.isoformat()} 进行")


@cli.command("interview-schedule")
@click.argument("notice")
@click.option("--at", "at", help="When: 2017-05-10 09:30, or 2017年5月10日下午3时.")
@click.option("--place", help="Where, e.g. 市政府三楼会议室 (default: [notices] interview_place).")
@json_option
@pass_obj
def interview_schedule(obj: Obj, notice: str, at: str | None, place: str | None, as_json: bool) -> None:
    """Set the time and place an interview notice (约谈通知) gives; until set, it leaves them blank."""
    from tracker.usecases.changes import schedule_interview
    from tracker.usecases.work import actor_of

    done = schedule_interview(obj.tracker, actor_of(obj.tracker), notice, at=at, place=place)
    if wants_json(obj, as_json):
        output.emit_json({"number": done.number, "meeting_at": done.meeting_at, "meeting_place": done.meeting_place})
        return
    output.done(f"{done.number}: 约谈时间 {done.meeting_when or '（待定）'}，地点 {done.meeting_place or '（待定）'}")


@cli.command()
@click.argument("ledger")
@click.argument("task")
@click.option("--on", "on", type=DATE, required=True, help="The day the trigger happened (e.g. a notice arrived).")
@pass_obj
def trigger(obj: Obj, ledger: str, task: str, on: dt.date) -> None:
    """Record a relative deadline's trigger date (接到通知之日); its deadline follows."""
    from tracker.usecases.changes import set_trigger_date
    from tracker.usecases.work import actor_of

    done = set_trigger_date(obj.tracker, actor_of(obj.tracker), ledger, task, on=on)
    output.done(f"任务 {done.seq}: {done.deadline_text} → {done.due_on.isoformat()}")


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
    from tracker.usecases.changes import request_extension
    from tracker.usecases.work import actor_of

    made = request_extension(
        obj.tracker, actor_of(obj.tracker), ledger, task, unit, to=to, reason=reason, late=late, today=as_of
    )
    if wants_json(obj, as_json):
        output.emit_json(
            {"id": made.id, "status": made.status, "from": made.original_due, "to": made.new_due, "late": made.late}
        )
    else:
        after = "（逾期后申请）" if made.late else ""
        output.done(f"延期申请 {made.id}：{made.subject} {made.original_due} → {to}{after}，待审批")


def _decide(obj: Obj, ref: str, approve: bool, reason: str, as_json: bool) -> None:
    import unicodedata

    from tracker.permissions import ROLE_LABELS
    from tracker.usecases.changes import ExtensionDecided, decide_request
    from tracker.usecases.work import actor_of

    # As typed with a Chinese input method: full-width Ｔ３ is T3 (as `review accept ３` takes ３).
    ref = unicodedata.normalize("NFKC", ref).strip()
    done = decide_request(obj.tracker, actor_of(obj.tracker), ref, approve=approve, reason=reason)
    waiting = done.status == "pending"  # a step of its chain decided; the next waits for another role
    extra = {"step": done.step, "waits_for": done.waits_for} if waiting else {}
    if isinstance(done, ExtensionDecided):
        what, shown = "延期申请", str(done.id)
        result: dict[str, object] = {"id": done.id, "status": done.status, "deadline": done.deadline, **extra}
    else:
        what, shown = {"termination": "终止申请", "person_change": "更换责任人申请"}[done.kind], done.ref
        result = {"id": done.ref, "kind": done.kind, "status": done.status, **extra}
    if wants_json(obj, as_json):
        output.emit_json(result)
    elif waiting:
        label = ROLE_LABELS.get(done.waits_for, done.waits_for)
        output.done(f"{what} {shown}：第{done.step}步已批准，等待{label}审批")
    elif isinstance(done, ExtensionDecided):
        if done.status == "approved":
            output.done(f"已批准{what} {shown}：新期限 {done.deadline}")
        else:
            keeps = f"原期限 {done.deadline} 继续计算" if done.deadline else "原期限继续计算"
            output.done(f"已驳回{what} {shown}：{keeps}")
    elif done.status == "approved":
        made = {"termination": "该单位未完成的任务已终止", "person_change": "新责任人已接任"}[done.kind]
        output.done(f"已批准{what} {shown}：{made}")
    else:
        output.done(f"已驳回{what} {shown}：未作任何变更")


@cli.command()
@json_option
@pass_obj
def queue(obj: Obj, as_json: bool) -> None:
    """What waits for my role: requests (延期, 终止, 更换责任人) whose current approval step is my
    role's. REF is what `approve`/`refuse` take: 3 (an extension), T3, P3."""
    from tracker.usecases.changes import approval_queue
    from tracker.usecases.work import actor_of

    rows = approval_queue(obj.tracker, actor_of(obj.tracker))
    if wants_json(obj, as_json):
        output.emit_json(rows)
    elif not rows:
        output.done("待我审批：无")
    else:
        output.simple_table("待我审批", [_queue_row(r) for r in rows], list(QUEUE_COLUMNS.values()))


# The queue's columns as the table heads them (the JSON keeps the keys).
QUEUE_COLUMNS = {
    "ref": "编号",
    "类型": "类型",
    "ledger": "台账",
    "task": "任务",
    "unit": "单位",
    "from": "原",
    "to": "申请",
    "step": "步骤",
    "role": "待审角色",
    "reason": "理由",
}


def _queue_row(row: dict[str, object]) -> dict[str, object]:
    from tracker.permissions import ROLE_LABELS

    shown = {head: row.get(key) for key, head in QUEUE_COLUMNS.items()}
    shown["待审角色"] = ROLE_LABELS.get(str(row.get("role")), row.get("role"))
    return shown


@cli.command()
@click.argument("ref", metavar="ID")
@click.option("--reason", default="", help="A note with the approval.")
@json_option
@pass_obj
def approve(obj: Obj, ref: str, reason: str, as_json: bool) -> None:
    """Approve my step of a request: ID 3 (an extension: the new deadline applies, the original
    stays in the history), T3 (a termination) or P3 (a person change) as `tracker queue` shows it.
    The last step's approval makes the change."""
    _decide(obj, ref, True, reason, as_json)


@cli.command()
@click.argument("ref", metavar="ID")
@click.option("--reason", required=True, help="Why the request is refused.")
@json_option
@pass_obj
def refuse(obj: Obj, ref: str, reason: str, as_json: bool) -> None:
    """Refuse a request (3, T3 or P3): nothing changes; the original deadline keeps running."""
    _decide(obj, ref, False, reason, as_json)


@cli.command()
@click.option("--pending", is_flag=True, help="Only requests awaiting a decision.")
@json_option
@pass_obj
def extensions(obj: Obj, pending: bool, as_json: bool) -> None:
    """List extension requests."""
    from tracker.usecases.changes import list_extensions

    rows = list_extensions(obj.tracker, pending=pending)
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
    """End a unit's open assignments as 已终止; they leave the findings and stay in the history.
    With [approval] termination, a request (T3) waits for its chain instead (`tracker queue`)."""
    from tracker.usecases.changes import terminate as terminate_unit
    from tracker.usecases.work import actor_of

    done = terminate_unit(obj.tracker, actor_of(obj.tracker), ledger, unit, reason=reason, on=on)
    if done.request:
        from tracker.permissions import ROLE_LABELS

        label = ROLE_LABELS.get(done.waits_for, done.waits_for)
        output.done(f"终止申请 {done.request}：{done.unit}，等待{label}审批")
    else:
        output.done(f"{done.unit}: {done.count} assignments terminated")


@cli.command()
@click.argument("ledger")
@click.argument("unit")
@click.option("--on", "on", type=DATE, required=True, help="The day the report arrived.")
@click.option("--report", "duty", help="Which report duty (part of its name), if the ledger has several.")
@click.option("--period", type=DATE, help="The period's due date (default: the earliest not yet received).")
@pass_obj
def received(obj: Obj, ledger: str, unit: str, on: dt.date, duty: str | None, period: dt.date | None) -> None:
    """Record that a unit's periodic progress report arrived (late ones count as 迟报)."""
    from tracker.usecases.changes import record_report_received
    from tracker.usecases.work import actor_of

    done = record_report_received(obj.tracker, actor_of(obj.tracker), ledger, unit, on=on, duty=duty, period=period)
    late = {"": "", "迟报": " (迟报)", "漏报": " (迟报; 已通报漏报, 仍计为漏报)"}[done.standing]
    output.done(f"{done.unit}: report for {done.due_on.isoformat()} received {on.isoformat()}{late}")


@cli.command()
@click.argument("ledger")
@click.argument("task", required=False)
@click.argument("unit", required=False)
@json_option
@pass_obj
def history(obj: Obj, ledger: str, task: str | None, unit: str | None, as_json: bool) -> None:
    """The audit trail of a ledger, a task, or one unit's part in it (use - for any task)."""
    from tracker.usecases.changes import history as audit_history

    found = audit_history(obj.tracker, ledger, task, unit)
    if wants_json(obj, as_json):
        output.emit_json(found.rows)
    else:
        output.simple_table(
            f"{found.ledger}: history", found.rows, ["at", "by", "action", "subject", "before", "after"]
        )


@cli.command()
@click.argument("ledger")
@click.option("--as-of", type=DATE, help="The day to judge on (default: today).")
@json_option
@pass_obj
def scores(obj: Obj, ledger: str, as_of: dt.date | None, as_json: bool) -> None:
    """Each unit's score and rank under the bureau's scoring rules ([scoring] in the config)."""
    from tracker.usecases.scores import ledger_scores

    found = ledger_scores(obj.tracker, ledger, as_of=as_of)
    if wants_json(obj, as_json):
        output.emit_json(found.rows)
    else:
        output.simple_table(
            f"{found.title}: 得分",
            found.rows,
            [
                *("rank", "unit", "score", "tasks", "done", "overdue_tasks", "late_reports", "missing_reports"),
                *("submitted", "returned"),
            ],
        )
