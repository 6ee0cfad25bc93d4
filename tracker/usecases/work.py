"""The unit of work every use case runs in, the identity it acts as, and the one place where
what it may do is checked (tracker/permissions.py's table).

A use case's writes commit together or not at all: ``unit_of_work`` commits when the block ends
and rolls back when it raises, so a refusal half-way leaves nothing written. Front ends never
open sessions of their own (the import-linter contracts in pyproject.toml hold this).

Each use case names its action (``unit_of_work(tracker, actor, action="progress.record")``);
the questions the lists ask read as ``reading(tracker)`` (action "read", as the desk's user).
The actor is resolved against the accounts there (tracker/accounts.py: desk mode, or an enabled
account), then ``require``d; a refusal raises ``PermissionDenied`` (exit 2) after writing its own
committed audit row, action "refused".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tracker import audit
from tracker.permissions import Actor, OutOfScope, PermissionDenied, sees_unit

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.app import Tracker

__all__ = ["Actor", "Work", "actor_of", "permit", "reading", "unit_of_work"]


def actor_of(tracker: Tracker, name: str | None = None) -> Actor:
    """The actor a front end acts as: ``name`` when given, else the desk's user (``--as``, else
    the OS user). Its account (role, unit) is looked up when it acts, in the unit of work.

    On PostgreSQL a person connects as their own database role: unless the connection is the
    tables' owner (or a superuser), the actor is the role connected (``current_user``), and
    naming someone else is refused (and audited): the database, not ``--as``, says who acts."""
    claimed = name or tracker.user
    if tracker.engine.dialect.name != "postgresql":
        return Actor(claimed)
    from tracker.ledger_spec import clean_name
    from tracker.pg_roles import connected_as

    role, owner = connected_as(tracker.engine)
    if owner:
        return Actor(claimed)
    if (name is not None or tracker.named) and clean_name(claimed) != role:
        refusal = PermissionDenied("identity_not_yours", name=claimed, role=role)
        _audit_refusal(tracker, Actor(role), "as", refusal)
        raise refusal
    return Actor(role)


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

    def reach(self, unit_names: Iterable[str], missing: Exception) -> None:
        """Refuse a unit account reaching a row of other units (those named) as ``missing`` (the
        error the row's absence raises), so that ids of other units' rows tell it nothing."""
        if not any(sees_unit(self.actor, name) for name in unit_names):
            raise OutOfScope(str(missing), key=getattr(missing, "key", None), **getattr(missing, "params", {}))

    def today(self) -> dt.date:
        return self.tracker.today()

    @property
    def stamp(self) -> audit.Stamp:
        """This work's actor and moment, for the domain functions that audit what they write."""
        return audit.Stamp(self.by, self.now)

    def audit(self, action: str, *, ledger_id: int | None, **where: Any) -> None:
        """Append one audit row stamped with this work's actor and moment (see ``audit.record``)."""
        self.stamp.record(self.session, action, ledger_id=ledger_id, **where)


def _allowed(tracker: Tracker, session: Session, actor: Actor, action: str) -> Actor:
    """The actor as its account says, allowed to do ``action``; refused (and audited) otherwise."""
    from tracker.accounts import resolve
    from tracker.permissions import require

    try:
        acting = resolve(session, actor)
        require(acting, action)
    except PermissionDenied as refusal:
        session.rollback()
        _audit_refusal(tracker, actor, action, refusal)
        raise
    return acting


def _audit_refusal(tracker: Tracker, actor: Actor, action: str, refusal: Exception) -> None:
    """The refusal's own audit row, committed whatever the refused work would have written."""
    with tracker.session() as session:
        audit.record(
            session,
            at=tracker.now(),
            by=actor.name,
            action="refused",
            ledger_id=None,
            subject=action,
            after={"reason": getattr(refusal, "key", None) or type(refusal).__name__},
        )
        session.commit()


@contextmanager
def unit_of_work(tracker: Tracker, actor: Actor, *, action: str, dry_run: bool = False) -> Iterator[Work]:
    """Check ``actor`` may do ``action``, then commit what the block wrote when it ends; roll
    back everything when it raises, and when it is a ``dry_run`` (the block runs in full, checks
    and counts, and leaves nothing)."""
    with tracker.session() as session:
        acting = _allowed(tracker, session, actor, action)
        try:
            yield Work(tracker, session, acting, tracker.now())
            if dry_run:
                session.rollback()
            else:
                session.commit()
        except OutOfScope as refusal:
            session.rollback()
            _audit_refusal(tracker, acting, action, refusal)
            raise
        except BaseException:
            session.rollback()
            raise


def permit(tracker: Tracker, actor: Actor, action: str) -> Actor:
    """Check ``actor`` may do ``action`` for a use case whose writes are not one unit of work
    (sending: each message is its own committed claim); refused and audited as the others."""
    with tracker.session() as session:
        try:
            return _allowed(tracker, session, actor, action)
        finally:
            session.rollback()


@contextmanager
def reading(tracker: Tracker, actor: Actor | None = None, *, action: str = "read") -> Iterator[Session]:
    """A session for questions only, once ``actor`` (default: the desk's user) may ask them:
    whatever it might have written is rolled back."""
    with tracker.session() as session:
        _allowed(tracker, session, actor or actor_of(tracker), action)
        try:
            yield session
        finally:
            session.rollback()
