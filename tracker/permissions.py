"""Who may do what: the permission table, and the one check every use case passes through.

``require`` is called in one place only: ``tracker.usecases.work`` (``unit_of_work`` for what
writes, ``reading`` for the questions the lists ask). A use case names its action there; nothing
else checks roles. README.md lays the table out for people ("Accounts and permissions").

Roles: viewer 查看, clerk 督查员, supervisor 科长/分管领导, admin 管理员, unit 单位 (a unit's
own people: their unit's assignments only), and system (the scheduler, never an account).
A database without accounts is in desk mode (role ``None``): everything is allowed, as before
accounts existed.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.errors import NotFoundError
from tracker.refusals import Refusal

ROLES = ("viewer", "clerk", "supervisor", "admin", "unit")
ROLE_LABELS = {"viewer": "查看", "clerk": "督查员", "supervisor": "科长/分管领导", "admin": "管理员", "unit": "单位"}
SYSTEM = "system"  # the scheduler's role: what it runs unattended, nothing else

_STAFF = frozenset({"clerk", "supervisor", "admin"})
_DECIDERS = frozenset({"supervisor", "admin"})

# action → the roles allowed to do it. Every use case's action is here (a test holds this).
TABLE: dict[str, frozenset[str]] = {
    "read": frozenset({"viewer", SYSTEM}) | _STAFF,  # the bureau-wide lists, tables and exports
    "check.run": _STAFF | {SYSTEM},
    "report.queue": _STAFF | {SYSTEM},
    "outbox.list": frozenset({"viewer"}) | _STAFF,
    "outbox.send": _STAFF | {SYSTEM},
    "outbox.approve": _DECIDERS,
    "progress.record": _STAFF | {"unit"},
    "extension.request": _STAFF | {"unit"},
    "extension.decide": _STAFF,  # each step of the chain by its own role ([approval] in the config)
    "change.decide": _STAFF,  # a termination's or person change's chain, each step by its own role
    "approval.queue": _STAFF,
    "notice.acknowledge": _STAFF | {"unit"},
    "evidence.add": _STAFF | {"unit"},  # a unit's own assignments only (the use case's reach)
    "evidence.get": frozenset({"viewer", "unit"}) | _STAFF,  # likewise; copying out is audited
    "review.submit": _STAFF | {"unit"},  # a unit's own assignments only (the use case's reach)
    "review.decide": _STAFF,  # accept (销号) or return (退回): the bureau's clerks and deciders
    "review.queue": frozenset({"viewer"}) | _STAFF,
    "task.trigger": _STAFF,
    "report.received": _STAFF,
    "report.submit": _STAFF | {"unit"},  # a unit's own report, received today (the use case's reach)
    "work.mine": frozenset({"viewer", "unit"}) | _STAFF,  # what a unit owes: a unit account its own unit's only
    "interview.record": _STAFF,
    "interview.schedule": _STAFF,
    "unit.person": _STAFF,
    "unit.terminate": _DECIDERS,
    "forms.write": _STAFF,
    "forms.read": _STAFF,
    "ledger.import": frozenset({"admin"}),
    "account.manage": frozenset({"admin"}),
    "account.whoami": frozenset({"viewer", "unit"}) | _STAFF,  # who acts: the front ends' header
    "account.password": frozenset(ROLES),  # one's own password, knowing the current one
    "session.open": frozenset({SYSTEM}),  # the web portal logs in, looks up and ends sessions
    "notice.list": frozenset({"viewer", "unit"}) | _STAFF,  # a unit account: its own notices only
}


@dataclass(frozen=True)
class Actor:
    """Who acts. ``role`` is the account's (``None`` in desk mode, before it is resolved against
    the accounts, or for no account at all); ``unit`` a unit account's unit name."""

    name: str
    role: str | None = None
    unit: str = ""
    display: str = ""

    @property
    def desk(self) -> bool:
        return self.role is None

    @classmethod
    def system(cls, name: str = "scheduler") -> Actor:
        """The scheduler: it acts without an account, on its own jobs only."""
        return cls(name, SYSTEM)


class PermissionDenied(Refusal):
    """The actor may not do this (exit 2); audited as ``refused`` by the unit of work."""


class OutOfScope(NotFoundError):
    """A unit account named another unit's row: refused as if the row did not exist (the message
    is the missing row's), and audited as ``refused``."""


def allowed(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action``; desk mode (``None``) may do everything."""
    return role is None or role in TABLE[action]


def require(actor: Actor, action: str) -> None:
    """Refuse ``actor`` doing ``action`` unless the table allows it."""
    if action not in TABLE:
        raise ValueError(f"unknown action {action!r}: add it to tracker.permissions.TABLE")
    if not allowed(actor.role, action):
        role = ROLE_LABELS.get(actor.role or "", actor.role or "")
        raise PermissionDenied("permission_denied", permission=action, name=actor.name, role=role)


def sees_unit(actor: Actor, unit_name: str) -> bool:
    """Whether ``actor`` may reach a row of the unit named ``unit_name``: staff every unit, a unit
    account only its own (the same name in every ledger)."""
    return actor.role != "unit" or unit_name == actor.unit
