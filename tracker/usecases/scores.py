"""Use case: each unit's score and rank in a ledger under the bureau's rules ([scoring])."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tracker.usecases.work import reading

if TYPE_CHECKING:
    from tracker.app import Tracker


@dataclass(frozen=True)
class Scores:
    ledger_id: int
    title: str
    as_of: dt.date
    rows: list[dict[str, Any]]  # UnitScore.as_json(), best first (rank, unit, score, tasks, …)


def ledger_scores(tracker: Tracker, ledger: str | None = None, *, as_of: dt.date | None = None) -> Scores:
    """The scores of ``ledger`` (as typed; None: the first one) judged on ``as_of`` (default today).
    With no ledger at all, an empty table."""
    from sqlmodel import col, select

    from tracker.lookup import find_ledger
    from tracker.models import Ledger
    from tracker.scoring import scores

    day = as_of or tracker.today()
    with reading(tracker) as session:
        if ledger is None:
            first = session.exec(select(Ledger.id).order_by(col(Ledger.id))).first()
            if first is None:
                return Scores(0, "", day, [])
            ledger = str(first)
        found = find_ledger(session, ledger)
        assert found.id is not None
        rows = scores(session, found.id, day, tracker.settings.scoring, timezone=tracker.settings.timezone)
        return Scores(found.id, found.title, day, [s.as_json() for s in rows])
