"""Approval chains (审批链): a request decided step by step by the roles the config names
([approval] in the config), in order. The request is approved when its last step approves and
refused when any step refuses. Each step says who decided it, when, how and why.

Deciding a step is one conditional UPDATE (``WHERE decision = ''``), never read-then-write: when
two people decide the same step at once, one wins and the other is told the step is decided.
A database without accounts (desk mode) decides every step as the desk's user, one at a time.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.audit import Stamp
from tracker.config import ApprovalSettings
from tracker.errors import InputError
from tracker.models import Assignment, Extension, ExtensionStep, Task
from tracker.permissions import ROLE_LABELS
from tracker.refusals import Refusal


def chain_of(ledger_chains: str | None, settings: ApprovalSettings, kind: str) -> list[str]:
    """The roles deciding a ``kind`` of request in a ledger, in order: the ledger's own [approval]
    chain when it names one, else the config's."""
    own = json.loads(ledger_chains) if ledger_chains else {}
    roles = own.get(kind, getattr(settings, kind))
    return [str(role) for role in roles]


def open_chain(session: Session, request: Extension, roles: list[str]) -> None:
    """Give a new request its steps, one per role of the chain, all pending."""
    assert request.id is not None
    for position, role in enumerate(roles, start=1):
        session.add(ExtensionStep(extension_id=request.id, position=position, role=role))
    session.flush()


def steps_of(session: Session, request_id: int) -> list[ExtensionStep]:
    return list(
        session.exec(
            select(ExtensionStep).where(ExtensionStep.extension_id == request_id).order_by(col(ExtensionStep.position))
        )
    )


def current_step(session: Session, request_id: int) -> ExtensionStep | None:
    """The first step not yet decided (None: no chain, or all decided)."""
    return next((step for step in steps_of(session, request_id) if not step.decision), None)


def not_your_step(request_id: int, position: int, step_role: str, *, actor: str, role: str | None) -> Refusal:
    """The refusal of an actor whose role is not the one the step waits for."""
    label = ROLE_LABELS.get(role or "", role or "")
    return Refusal(
        "not_your_step",
        id=request_id,
        position=position,
        role=ROLE_LABELS.get(step_role, step_role),
        actor=f"{actor}（{label}）" if label else actor,
    )


def may_decide(role: str | None, step_role: str) -> bool:
    """Desk mode (no role) decides every step; an admin any step; others their role's steps."""
    return role is None or role == "admin" or role == step_role


def decide_step(
    session: Session,
    request: Extension,
    step: ExtensionStep | None,
    stamp: Stamp,
    *,
    role: str | None,
    approve: bool,
    reason: str,
) -> bool:
    """Decide ``step`` (the request's current one, read once by the caller) as ``role``; whether
    the request is now decided (the last step approved, or a step refused). Refused when the
    actor's role is not the step's, or when someone else decided the step since it was read."""
    assert request.id is not None
    if step is None or request.status != "pending":
        raise InputError(
            f"extension request {request.id} is not pending (it was {request.status})", key="decided", id=request.id
        )
    if not may_decide(role, step.role):
        raise not_your_step(request.id, step.position, step.role, actor=stamp.by, role=role)
    if not approve and not reason.strip():
        raise InputError(f"extension request {request.id}: a refusal needs a reason (--reason)", key="reason_needed")
    decision = "approved" if approve else "refused"
    won = session.execute(
        sa.update(ExtensionStep)
        .where(col(ExtensionStep.id) == step.id, col(ExtensionStep.decision) == "")
        .values(decision=decision, decided_by=stamp.by, decided_at=stamp.at, reason=reason.strip())
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        raise Refusal("step_taken", id=request.id, position=step.position)
    session.expire(step)
    last = step.position == max(s.position for s in steps_of(session, request.id))
    assignment = session.get(Assignment, request.assignment_id)
    task = session.get(Task, assignment.task_id) if assignment else None
    stamp.record(
        session,
        f"extension-step-{decision}",
        ledger_id=task.ledger_id if task else None,
        task_id=task.id if task else None,
        unit_id=assignment.unit_id if assignment else None,
        subject=f"延期申请 {request.id}",
        after={"step": step.position, "role": step.role, "reason": reason.strip()},
    )
    return not approve or last


def queue_rows(session: Session, role: str | None) -> list[dict[str, object]]:
    """Extension requests whose current step waits for ``role`` (desk mode and admin: all). One
    made before chains existed waits for a supervisor, in one step."""
    from tracker.views import extension_rows

    rows = []
    for row in extension_rows(session, pending_only=True):
        step = current_step(session, int(str(row["id"])))
        position, waits_for = (step.position, step.role) if step else (1, "supervisor")
        if may_decide(role, waits_for):
            rows.append({**row, "step": position, "role": waits_for})
    return rows
