"""CLI commands of completion review (复核 and 销号): `tracker submit`, `tracker review` (the
queue), `tracker review accept ID`, `tracker review return ID --reason TEXT`."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

import click

from tracker import output
from tracker.cli.base import DATE, Obj, cli, json_option, pass_obj, wants_json
from tracker.ids import MAX_ID

if TYPE_CHECKING:
    from tracker.usecases.review import Reviewed


def _json(r: Reviewed) -> dict[str, Any]:
    return {**dataclasses.asdict(r), "evidence": list(r.evidence), "submitted_at": r.submitted_at.isoformat()}


def _emit(obj: Obj, as_json: bool, r: Reviewed, said: str) -> None:
    if wants_json(obj, as_json):
        output.emit_json(_json(r))
    else:
        output.done(said)


@cli.command()
@click.argument("ledger")
@click.argument("task")
@click.argument("unit")
@click.option("--on", "done_on", type=DATE, required=True, help="The day the work was finished (完成日期).")
@click.option("--note", default="", help="What was done (办结说明).")
@click.option("--evidence", multiple=True, help="Evidence file (佐证材料); repeatable.")
@json_option
@pass_obj
def submit(
    obj: Obj, ledger: str, task: str, unit: str, done_on: dt.date, note: str, evidence: tuple[str, ...], as_json: bool
) -> None:
    """Submit UNIT's completion of TASK for review (待复核); the bureau accepts (销号) or returns it."""
    from tracker.usecases.review import submit_completion
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    r = submit_completion(tracker, actor_of(tracker), ledger, task, unit, done_on, note=note, evidence=evidence)
    _emit(obj, as_json, r, f"{r.subject}: 已提交复核（提交编号 {r.id}，完成日期 {r.done_on}），待复核")


@cli.group(invoke_without_command=True)
@json_option
@pass_obj
@click.pass_context
def review(ctx: click.Context, obj: Obj, as_json: bool) -> None:
    """The review queue (待复核): completions waiting to be accepted (销号) or returned (退回)."""
    if ctx.invoked_subcommand is not None:
        return
    from tracker.usecases.review import review_queue
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    waiting = review_queue(tracker, actor_of(tracker))
    if wants_json(obj, as_json):
        output.emit_json([_json(r) for r in waiting])
        return
    rows = [
        {
            "编号": r.id,
            "任务": r.task,
            "单位": r.unit,
            "完成日期": r.done_on,
            "完成时限": r.due_on,
            "是否按期": "按期" if r.on_time else "逾期",
            "提交人": r.submitted_by,
        }
        for r in waiting
    ]
    if not rows:
        output.done("待复核：无")
        return
    output.simple_table("待复核", rows, list(rows[0]))


@review.command("accept")
@click.argument("submission", type=click.IntRange(1, MAX_ID))
@json_option
@pass_obj
def accept(obj: Obj, submission: int, as_json: bool) -> None:
    """Accept SUBMISSION (销号): the assignment is done as of the day submitted."""
    from tracker.usecases.review import accept_completion
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    r = accept_completion(tracker, actor_of(tracker), submission)
    timing = "按期" if r.on_time else "逾期"
    _emit(obj, as_json, r, f"{r.subject}: 已销号（完成日期 {r.done_on}，{timing}办结）")


@review.command("return")
@click.argument("submission", type=click.IntRange(1, MAX_ID))
@click.option("--reason", required=True, help="Why it is returned (退回理由).")
@json_option
@pass_obj
def return_(obj: Obj, submission: int, reason: str, as_json: bool) -> None:
    """Return SUBMISSION with a reason (退回): the assignment is owed again."""
    from tracker.usecases.review import return_completion
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    r = return_completion(tracker, actor_of(tracker), submission, reason)
    _emit(obj, as_json, r, f"{r.subject}: 已退回（{r.reason}），仍按期限 {r.due_on} 督办")
