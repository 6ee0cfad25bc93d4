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
    """Record 签收 of the notice ``ref`` (id or number) by ``signed_by`` (default: the actor).
    The signer is a name: cleaned as names are (tracker.ledger_spec.clean_name), and refused when
    nothing is left, whichever front end typed it."""
    from tracker.errors import InputError
    from tracker.ledger_spec import clean_name
    from tracker.notices import acknowledge, find_notice

    signer = clean_name(actor.name if signed_by is None else signed_by)
    if not signer:
        raise InputError("--by: who signed for the notice needs a name", key="signer_empty")
    with unit_of_work(tracker, actor) as work:
        notice = find_notice(work.session, ref)
        fresh = acknowledge(work.session, notice, by=signer, now=work.now)
        assert notice.id is not None
        return Acknowledged(notice.id, notice.number, notice.acknowledged_by, notice.acknowledged_at, not fresh)
