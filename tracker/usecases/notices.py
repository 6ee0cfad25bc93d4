"""Use cases on notices: acknowledge (签收)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracker.usecases.work import Actor, unit_of_work

if TYPE_CHECKING:
    from tracker.app import Tracker


@dataclass(frozen=True)
class Acknowledged:
    id: int
    number: str
    acknowledged_by: str
    acknowledged_at: dt.datetime | None
    already: bool  # it had been acknowledged before; nothing changed


def acknowledge_notice(tracker: Tracker, actor: Actor, ref: str, *, signed_by: str | None = None) -> Acknowledged:
    """Record 签收 of the notice ``ref`` (id or number) by ``signed_by`` (default: the actor)."""
    from tracker.notices import acknowledge, find_notice

    with unit_of_work(tracker, actor) as work:
        notice = find_notice(work.session, ref)
        fresh = acknowledge(work.session, notice, by=signed_by or actor.name, now=work.now)
        assert notice.id is not None
        return Acknowledged(notice.id, notice.number, notice.acknowledged_by, notice.acknowledged_at, not fresh)
