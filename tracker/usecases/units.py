"""The units' side: what a unit owes across ledgers (`tracker mine`, the portal's first page).

A unit account asks for its own unit (``unit`` left out, or its own name); another unit's name is
refused exactly as a unit that does not exist (and audited). Staff, and viewers, name the unit.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tracker.unit_work import OwedReport, OwedTask, ReceivedNotice, UnitWork
from tracker.usecases.work import Actor, unit_of_work

if TYPE_CHECKING:
    from tracker.app import Tracker

__all__ = ["OwedReport", "OwedTask", "ReceivedNotice", "UnitWork", "my_work"]


def my_work(tracker: Tracker, actor: Actor, unit: str | None = None, *, as_of: dt.date | None = None) -> UnitWork:
    """What the unit (a unit account's own by default) owes on ``as_of`` (default today): each
    assignment with its deadline as written and as understood, days (and working days) left or
    late, level, status and percent; the notices it received with their 签收 state; the periodic
    reports it owes."""
    from tracker.errors import InputError, NotFoundError
    from tracker.ledger_spec import clean_name
    from tracker.unit_work import unit_exists, unit_work

    with unit_of_work(tracker, actor, action="work.mine") as work:
        name = clean_name(unit) if unit is not None else work.actor.unit
        if not name:
            raise InputError("--unit: name the unit (as the ledgers name it)", key="unit_needed")
        missing = NotFoundError(f"no unit {name!r} in any ledger", key="unit_unknown", unit=name)
        work.reach([name], missing)
        if not unit_exists(work.session, name):
            raise missing
        day = as_of or tracker.today()
        return unit_work(work.session, name, as_of=day, settings=tracker.settings, calendar=tracker.calendar)
