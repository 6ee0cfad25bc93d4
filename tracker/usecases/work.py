"""The unit of work every use case runs in, and the identity it acts as.

A use case's writes commit together or not at all: ``unit_of_work`` commits when the block ends
and rolls back when it raises, so a refusal half-way leaves nothing written. Front ends never
open sessions of their own (the import-linter contracts in pyproject.toml hold this).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tracker import audit

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.app import Tracker


@dataclass(frozen=True)
class Actor:
    """Who acts: the name the audit trail records (an account, once accounts exist)."""

    name: str


def actor_of(tracker: Tracker, name: str | None = None) -> Actor:
    """The actor a front end acts as: ``name`` when given (TUI 签收 asks), else the desk's user."""
    return Actor(name or tracker.user)


@dataclass
class Work:
    """One transaction: the session, who acts, and the moment it acts at (read once)."""

    tracker: Tracker
    session: Session
    actor: Actor
    now: dt.datetime

    @property
    def by(self) -> str:
        return self.actor.name

    def today(self) -> dt.date:
        return self.tracker.today()

    @property
    def stamp(self) -> audit.Stamp:
        """This work's actor and moment, for the domain functions that audit what they write."""
        return audit.Stamp(self.by, self.now)

    def audit(self, action: str, *, ledger_id: int | None, **where: Any) -> None:
        """Append one audit row stamped with this work's actor and moment (see ``audit.record``)."""
        self.stamp.record(self.session, action, ledger_id=ledger_id, **where)


@contextmanager
def unit_of_work(tracker: Tracker, actor: Actor, *, dry_run: bool = False) -> Iterator[Work]:
    """Commit what the block wrote when it ends; roll back everything when it raises, and when
    it is a ``dry_run`` (the block runs in full, checks and counts, and leaves nothing)."""
    with tracker.session() as session:
        try:
            yield Work(tracker, session, actor, tracker.now())
            if dry_run:
                session.rollback()
            else:
                session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def reading(tracker: Tracker) -> Iterator[Session]:
    """A session for questions only: whatever it might have written is rolled back."""
    with tracker.session() as session:
        try:
            yield session
        finally:
            session.rollback()
