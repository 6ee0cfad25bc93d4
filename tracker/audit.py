"""The append-only audit trail: every change says who, what, when, before → after."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models import AuditEntry, table_of


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "unknown"


@dataclass(frozen=True)
class Stamp:
    """Who makes a change and when: what every audit row of one change shares, given once to
    the domain function that writes it (a use case's ``Work.stamp``)."""

    by: str
    at: dt.datetime

    def record(self, session: Session, action: str, *, ledger_id: int | None, **where: Any) -> None:
        """Append one audit row stamped with this actor and moment; ``where`` as ``record`` takes
        it (task_id, unit_id, subject, before, after)."""
        record(session, at=self.at, by=self.by, action=action, ledger_id=ledger_id, **where)


def _json(value: Any) -> str:
    if value in (None, "", {}):
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(
    session: Session,
    *,
    at: dt.datetime,
    by: str,
    action: str,
    ledger_id: int | None,
    task_id: int | None = None,
    unit_id: int | None = None,
    subject: str = "",
    before: Any = None,
    after: Any = None,
) -> None:
    session.add(
        AuditEntry(
            **entry(
                at=at,
                by=by,
                action=action,
                ledger_id=ledger_id,
                task_id=task_id,
                unit_id=unit_id,
                subject=subject,
                before=before,
                after=after,
            )
        )
    )


def entry(
    *,
    at: dt.datetime,
    by: str,
    action: str,
    ledger_id: int | None,
    task_id: int | None = None,
    unit_id: int | None = None,
    subject: str = "",
    before: Any = None,
    after: Any = None,
) -> dict[str, Any]:
    """An audit row as a plain dict, for ``record_many``."""
    return {
        "at": at,
        "by": by,
        "action": action,
        "ledger_id": ledger_id,
        "task_id": task_id,
        "unit_id": unit_id,
        "subject": subject,
        "before": _json(before),
        "after": _json(after),
    }


def record_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Append many audit rows in one statement."""
    if rows:
        session.connection().execute(sa.insert(table_of(AuditEntry)), rows)
