"""CLI commands of the units' side: what a unit owes (`mine`), its own periodic report (`submit-report`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import click

from tracker import output
from tracker.cli.base import DATE, Obj, cli, json_option, pass_obj, wants_json


def _plain(value: Any) -> Any:
    """A use case's answer as JSON takes it: dates and moments as ISO text."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


@cli.command()
@click.option("--unit", help="The unit (staff); a unit account sees its own unit.")
@click.option("--as-of", type=DATE, help="The day to judge on (default: today).")
@json_option
@pass_obj
def mine(obj: Obj, unit: str | None, as_of: dt.date | None, as_json: bool) -> None:
    """What a unit owes across ledgers: tasks, levels, notices to sign, reports due."""
    from tracker.usecases.units import my_work
    from tracker.usecases.work import actor_of

    found = my_work(obj.tracker, actor_of(obj.tracker), unit, as_of=as_of)
    if wants_json(obj, as_json):
        output.emit_json(_plain(found))
        return
    output.unit_work(found)


@cli.command("submit-report")
@click.argument("ledger")
@click.option("--unit", help="The unit (staff); a unit account submits its own unit's.")
@click.option("--report", "duty", help="Which report duty (part of its name), if the ledger has several.")
@click.option("--period", type=DATE, help="The period's due date (default: the earliest not yet received).")
@json_option
@pass_obj
def submit_report(
    obj: Obj, ledger: str, unit: str | None, duty: str | None, period: dt.date | None, as_json: bool
) -> None:
    """Submit a unit's periodic progress report today (counts as received; late ones as 迟报)."""
    from tracker.usecases.changes import submit_report as submit
    from tracker.usecases.work import actor_of

    done = submit(obj.tracker, actor_of(obj.tracker), ledger, unit, duty=duty, period=period)
    if wants_json(obj, as_json):
        output.emit_json(_plain(done))
        return
    late = {"": "", "迟报": "（迟报）", "漏报": "（迟报；已通报漏报，仍计为漏报）"}[done.standing]
    output.done(f"{done.unit}：{done.due_on.isoformat()}期报告已于{done.received_on.isoformat()}报送{late}")
