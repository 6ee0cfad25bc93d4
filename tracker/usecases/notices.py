"""Use cases on notices: acknowledge (签收); the questions the lists and previews ask (notices,
one notice's text, the interview list)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tracker.usecases.work import Actor, reading, unit_of_work

if TYPE_CHECKING:
    from tracker.app import Tracker
    from tracker.interviews import InterviewEntry
    from tracker.models import Notice
    from tracker.notices import NoticeDetail


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
    from tracker.errors import InputError, NotFoundError
    from tracker.ledger_spec import clean_name
    from tracker.notices import acknowledge, find_notice, notice_units

    signer = clean_name(actor.name if signed_by is None else signed_by)
    if not signer:
        raise InputError("--by: who signed for the notice needs a name", key="signer_empty")
    with unit_of_work(tracker, actor, action="notice.acknowledge") as work:
        notice = find_notice(work.session, ref)
        assert notice.id is not None
        units = notice_units(work.session, [notice.id]).get(notice.id, [])
        work.reach(units, NotFoundError(f"no notice {ref.strip()!r} (see `tracker notices`)"))
        fresh = acknowledge(work.session, notice, by=signer, now=work.now)
        assert notice.id is not None
        return Acknowledged(notice.id, notice.number, notice.acknowledged_by, notice.acknowledged_at, not fresh)


@dataclass(frozen=True)
class NoticeRow:
    """A notice as the lists show it."""

    id: int
    kind: str
    number: str
    ledger: str  # its title
    units: list[str]  # the units it concerns, by name
    as_of: dt.date
    acknowledged_by: str
    acknowledged_at: dt.datetime | None
    ack_due: dt.date | None = None  # signed by then, or chased ([notices] ack_days; None: calendar unknown)
    ack_overdue: bool = False  # 逾期未签收: unsigned past ack_due
    chased_on: dt.date | None = None  # the day its unit was reminded to sign


def list_notices(
    tracker: Tracker, *, unacknowledged: bool = False, ledger: str | None = None, as_of: dt.date | None = None
) -> list[NoticeRow]:
    """The notices issued so far (only those not acknowledged, only one ledger's), oldest first,
    each with its 签收 deadline and whether it is 逾期未签收 on ``as_of`` (default today)."""
    from tracker.lookup import find_ledger, ledger_titles
    from tracker.notices import list_notices as notices
    from tracker.notices import notice_units

    day = as_of or tracker.today()
    with reading(tracker) as session:
        ledger_id = find_ledger(session, ledger).id if ledger else None
        found = notices(session, unacknowledged=unacknowledged, ledger_id=ledger_id)
        units = notice_units(session, [n.id for n in found if n.id is not None])
        return _rows(found, units, ledger_titles(session), day, tracker)


def notices_for(tracker: Tracker, actor: Actor) -> list[NoticeRow]:
    """The notices ``actor`` may see, oldest first: a unit account those concerning its unit, the
    bureau's accounts every one (the web portal's lists)."""
    from tracker.accounts import resolve
    from tracker.lookup import ledger_titles
    from tracker.notices import list_notices as notices
    from tracker.notices import notice_units
    from tracker.permissions import sees_unit

    with reading(tracker, actor, action="notice.list") as session:
        acting = resolve(session, actor)
        found = notices(session, unacknowledged=False, ledger_id=None)
        units = notice_units(session, [n.id for n in found if n.id is not None])
        mine = [n for n in found if any(sees_unit(acting, unit) for unit in units.get(n.id or 0, []))]
        return _rows(mine, units, ledger_titles(session), tracker.today(), tracker)


def _rows(
    found: list[Notice], units: dict[int, list[str]], titles: dict[int, str], day: dt.date, tracker: Tracker
) -> list[NoticeRow]:
    """The rows shown, each with its 签收 deadline and whether it is 逾期未签收 on ``day``."""
    from tracker.acks import ack_state

    days, calendar = tracker.settings.notices.ack_days, tracker.calendar
    return [
        NoticeRow(
            n.id or 0,
            n.kind,
            n.number,
            titles.get(n.ledger_id, ""),
            units.get(n.id or 0, []),
            n.as_of,
            n.acknowledged_by,
            n.acknowledged_at,
            *ack_state(n.as_of, n.acknowledged_at is not None, day, days, calendar),
            n.chased_on,
        )
        for n in found
    ]


def notice_document(tracker: Tracker, ref: str) -> NoticeDetail:
    """What the notice ``ref`` (id or number) says, as its documents and its preview lay it out."""
    from tracker.notices import find_notice, notice_detail

    with reading(tracker) as session:
        return notice_detail(session, find_notice(session, ref), tracker.settings.notices.issuer)


def interview_list(tracker: Tracker, *, ledger: str | None = None, actor: Actor | None = None) -> list[InterviewEntry]:
    """The interview list (约谈名单): units to be interviewed, with the reasons; as ``actor``
    (default: the desk's user) when the bureau-wide lists are its to read."""
    from tracker.interviews import open_interviews
    from tracker.lookup import find_ledger

    with reading(tracker, actor) as session:
        return open_interviews(session, find_ledger(session, ledger).id if ledger else None)


def interviews_held(tracker: Tracker) -> list[dict[str, Any]]:
    """Interviews held, newest first: ledger, unit, person, held_on, note."""
    from tracker.interviews import held_interviews

    with reading(tracker) as session:
        return held_interviews(session)
