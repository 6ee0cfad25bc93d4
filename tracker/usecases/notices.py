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
    from tracker.notices import NoticeDetail, Receipt


@dataclass(frozen=True)
class Acknowledged:
    id: int
    number: str
    unit: str  # the unit signed for
    acknowledged_by: str
    acknowledged_at: dt.datetime | None
    already: bool  # that unit had signed before; nothing changed


def acknowledge_notice(
    tracker: Tracker, actor: Actor, ref: str, *, signed_by: str | None = None, unit: str | None = None
) -> Acknowledged:
    """Record 签收 of the notice ``ref`` (id or number) for one unit it is addressed to, by
    ``signed_by`` (default: the actor). A unit account signs for its own unit; the bureau's staff
    sign on a unit's behalf (代单位签收) and name the unit (``unit``) when the notice is addressed
    to several (a bulletin): refused otherwise, naming them. The signer is a name: cleaned as names
    are (tracker.ledger_spec.clean_name), and refused when nothing is left, whichever front end
    typed it."""
    from tracker.errors import InputError, NotFoundError
    from tracker.ledger_spec import clean_name
    from tracker.notices import acknowledge, find_notice, receipts_of

    signer = clean_name(actor.name if signed_by is None else signed_by)
    if not signer:
        raise InputError("--by: who signed for the notice needs a name", key="signer_empty")
    with unit_of_work(tracker, actor, action="notice.acknowledge") as work:
        notice = find_notice(work.session, ref)
        assert notice.id is not None
        receipts = receipts_of(work.session, [notice.id]).get(notice.id, [])
        names = [r.unit for r in receipts]
        work.reach(names, NotFoundError(f"no notice {ref.strip()!r} (see `tracker notices`)"))
        wanted = clean_name(unit) if unit else None
        if work.actor.role == "unit":
            if wanted is not None and wanted != work.actor.unit:
                raise InputError(
                    f"--unit：单位账号只为本单位（{work.actor.unit}）签收", key="ack_own_unit", unit=work.actor.unit
                )
            wanted = work.actor.unit
        elif wanted is None:
            if len(receipts) != 1:
                raise InputError(
                    f"{notice.number} 发往 {len(receipts)} 个单位（{'、'.join(names)}），各单位分别签收："
                    "代单位签收请用 --unit 指明单位",
                    key="ack_unit_needed",
                    number=notice.number,
                    count=len(receipts),
                    units="、".join(names),
                )
            wanted = names[0]
        chosen = [r for r in receipts if r.unit == wanted]
        if not chosen:
            raise InputError(
                f"--unit：{notice.number} 未发往 {wanted}（发往：{'、'.join(names)}）",
                key="ack_not_addressed",
                number=notice.number,
                unit=wanted,
                units="、".join(names),
            )
        receipt, fresh = acknowledge(work.session, notice, chosen[0].unit_id, by=signer, now=work.now)
        return Acknowledged(
            notice.id, notice.number, chosen[0].unit, receipt.acknowledged_by, receipt.acknowledged_at, not fresh
        )


@dataclass(frozen=True)
class NoticeRow:
    """A notice as the lists show it: its 签收 by each unit addressed (``receipts``) and, over
    them, whether every one has signed."""

    id: int
    kind: str
    number: str
    ledger: str  # its title
    units: list[str]  # the units it concerns, by name
    as_of: dt.date
    acknowledged_by: str  # every unit signed: who signed (several: joined by 、); else empty
    acknowledged_at: dt.datetime | None  # every unit signed: when the last did; else None
    ack_due: dt.date | None = None  # signed by then, or chased ([notices] ack_days; None: calendar unknown)
    ack_overdue: bool = False  # 逾期未签收: a unit unsigned past ack_due
    chased_on: dt.date | None = None  # the day an unsigned unit was first reminded to sign
    receipts: tuple[Receipt, ...] = ()

    @property
    def signed(self) -> int:
        """How many of the units addressed have signed."""
        return sum(r.signed for r in self.receipts)

    def overdue_units(self) -> list[str]:
        """The units 逾期未签收."""
        return [r.unit for r in self.receipts if self.ack_overdue and not r.signed]


def list_notices(
    tracker: Tracker, *, unacknowledged: bool = False, ledger: str | None = None, as_of: dt.date | None = None
) -> list[NoticeRow]:
    """The notices issued so far (only those some unit has not signed, only one ledger's), oldest
    first, each with its 签收 deadline and whether it is 逾期未签收 on ``as_of`` (default today)."""
    from tracker.lookup import find_ledger, ledger_titles
    from tracker.notices import list_notices as notices
    from tracker.notices import notice_units, receipts_of

    day = as_of or tracker.today()
    with reading(tracker) as session:
        ledger_id = find_ledger(session, ledger).id if ledger else None
        found = notices(session, unacknowledged=unacknowledged, ledger_id=ledger_id)
        ids = [n.id for n in found if n.id is not None]
        units, receipts = notice_units(session, ids), receipts_of(session, ids)
        return _rows(found, units, receipts, ledger_titles(session), day, tracker)


def notices_for(tracker: Tracker, actor: Actor) -> list[NoticeRow]:
    """The notices ``actor`` may see, oldest first: a unit account those concerning its unit, each
    with its own unit's 签收 alone; the bureau's accounts every one, with every unit's (the web
    portal's lists)."""
    from tracker.accounts import resolve
    from tracker.lookup import ledger_titles
    from tracker.notices import list_notices as notices
    from tracker.notices import notice_units, receipts_of
    from tracker.permissions import sees_unit

    with reading(tracker, actor, action="notice.list") as session:
        acting = resolve(session, actor)
        found = notices(session, unacknowledged=False, ledger_id=None)
        ids = [n.id for n in found if n.id is not None]
        units, receipts = notice_units(session, ids), receipts_of(session, ids)
        mine = [n for n in found if any(sees_unit(acting, unit) for unit in units.get(n.id or 0, []))]
        theirs = {nid: [r for r in rs if sees_unit(acting, r.unit)] for nid, rs in receipts.items()}
        return _rows(mine, units, theirs, ledger_titles(session), tracker.today(), tracker)


def _rows(
    found: list[Notice],
    units: dict[int, list[str]],
    receipts: dict[int, list[Receipt]],
    titles: dict[int, str],
    day: dt.date,
    tracker: Tracker,
) -> list[NoticeRow]:
    """The rows shown, each with its 签收 deadline and whether it is 逾期未签收 on ``day``."""
    from tracker.acks import ack_state

    days, calendar = tracker.settings.notices.ack_days, tracker.calendar
    rows = []
    for n in found:
        theirs = tuple(receipts.get(n.id or 0, []))
        every = bool(theirs) and all(r.signed for r in theirs)
        signers = list(dict.fromkeys(r.acknowledged_by for r in theirs if r.signed))
        chased = [r.chased_on for r in theirs if r.chased_on is not None and not r.signed]
        rows.append(
            NoticeRow(
                n.id or 0,
                n.kind,
                n.number,
                titles.get(n.ledger_id, ""),
                units.get(n.id or 0, []),
                n.as_of,
                "、".join(signers) if every else "",
                max(r.acknowledged_at for r in theirs if r.acknowledged_at) if every else None,
                *ack_state(n.as_of, every, day, days, calendar),
                min(chased) if chased else None,
                theirs,
            )
        )
    return rows


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
