"""签收 on the clock: each unit a notice is addressed to (its receipt, NoticeReceipt) is to sign
within ``[notices] ack_days`` working days of its issue. The daily check chases a unit left
unsigned that long, once: it notes the day on that unit's receipt (``chased_on``, so that a re-run
or the next day's check never chases it again) and hands the (notice, unit) pairs to the digests,
which remind each unit's responsible person. From that day on the unit is 逾期未签收 for the
notice in the bureau's list (`tracker notices`); the units that signed are not chased.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.audit import Stamp
from tracker.ladder import days_back
from tracker.models import Notice, NoticeItem, NoticeReceipt
from tracker.workdays import UnknownYearError, WorkCalendar

Pair = tuple[int, int]  # (notice id, unit id)


def ack_due(issued: dt.date, ack_days: int, calendar: WorkCalendar) -> dt.date | None:
    """The day a notice issued on ``issued`` is chased if still unsigned (None: the calendar does
    not know the years in between, and nothing is guessed)."""
    try:
        return calendar.add_workdays(issued, ack_days)
    except UnknownYearError:
        return None


def ack_state(
    issued: dt.date, signed: bool, as_of: dt.date, ack_days: int, calendar: WorkCalendar
) -> tuple[dt.date | None, bool]:
    """A notice's day to sign by (``ack_due``) and whether it is 逾期未签收 on ``as_of``: unsigned
    and its signing days over."""
    due = ack_due(issued, ack_days, calendar)
    return due, not signed and due is not None and due <= as_of


def chase_unsigned(
    session: Session, *, as_of: dt.date, stamp: Stamp, ack_days: int, calendar: WorkCalendar
) -> set[Pair]:
    """Note each unit's receipt unsigned for ``ack_days`` working days as of ``as_of`` and never
    chased as chased on ``as_of`` (audited, ``notice-chased``, per notice and unit); the (notice,
    unit) pairs whose person is to be reminded (none while the working-day calendar does not know
    ``as_of``'s days). The caller commits."""
    waiting = (
        select(NoticeReceipt, Notice)
        .join(Notice, col(Notice.id) == col(NoticeReceipt.notice_id))
        .where(
            col(NoticeReceipt.acknowledged_at).is_(None),
            col(NoticeReceipt.chased_on).is_(None),
            col(Notice.as_of) <= as_of,
        )
    )
    if session.exec(waiting.limit(1)).first() is None:
        return set()  # nothing unsigned: no calendar asked (a year it does not know is no matter)
    try:
        cutoff = days_back(as_of, ack_days, True, calendar)
    except UnknownYearError:
        # The check goes on (its other work does not depend on it); nothing is chased until the
        # year is in [calendar], and the lists show the notice 未签收 with no date (ack_due None).
        return set()
    chased = list(
        session.exec(waiting.where(col(Notice.as_of) <= cutoff).order_by(col(Notice.id), col(NoticeReceipt.unit_id)))
    )
    for receipt, notice in chased:
        receipt.chased_on = as_of
        session.add(receipt)
        stamp.record(
            session,
            "notice-chased",
            ledger_id=notice.ledger_id,
            unit_id=receipt.unit_id,
            subject=notice.number,
            after={"chased_on": as_of, "issued": notice.as_of, "ack_days": ack_days},
        )
    session.flush()
    return {(receipt.notice_id, receipt.unit_id) for receipt, _ in chased}


def notice_unit_pairs(session: Session, notice_ids: Collection[int]) -> set[Pair]:
    """Each of the notices with each unit it concerns."""
    if not notice_ids:
        return set()
    query = sa.select(col(NoticeItem.notice_id), col(NoticeItem.unit_id)).where(
        col(NoticeItem.notice_id).in_(list(notice_ids))
    )
    return {(int(n), int(u)) for n, u in session.execute(query.distinct())}


def still_unsigned(session: Session, pairs: Collection[Pair]) -> set[Pair]:
    """Those of ``pairs`` whose unit has still not signed the notice: a unit that signed since
    drops out of a digest (the others named in the same bulletin stay)."""
    ids = {n for n, _ in pairs}
    if not ids:
        return set()
    query = sa.select(col(NoticeReceipt.notice_id), col(NoticeReceipt.unit_id)).where(
        col(NoticeReceipt.notice_id).in_(ids), col(NoticeReceipt.acknowledged_at).is_(None)
    )
    unsigned = {(int(n), int(u)) for n, u in session.execute(query)}
    return {pair for pair in pairs if pair in unsigned}
