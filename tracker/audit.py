"""The append-only audit trail: every change says who, what, when, before → after."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models import AuditEntry, table_of


class Trail(Protocol):
    """What a change needs to write itself and its audit row: the session, the moment and who acts.
    A use case's ``Work`` is one; ``Stamp`` is one outside a use case (the demo's seed). The domain's
    changes take it so that each audit row's who and when are stamped once, not passed along."""

    @property
    def session(self) -> Session: ...

    @property
    def now(self) -> dt.datetime: ...

    @property
    def by(self) -> str: ...

    def audit(self, action: str, *, ledger_id: int | None, **fields: Any) -> None:
        """Append one audit row stamped with the session, moment and actor: ``fields`` are
        ``record``'s (task_id, unit_id, subject, before, after)."""


@dataclass(frozen=True)
class Stamp:
    """A ``Trail`` for writes made outside a use case: rows recorded by ``by`` at ``now``."""

    session: Session
    now: dt.datetime
    by: str

    def audit(self, action: str, *, ledger_id: int | None, **fields: Any) -> None:
        record(self.session, at=self.now, by=self.by, action=action, ledger_id=ledger_id, **fields)


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "unknown"


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
