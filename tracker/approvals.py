"""Approval chains (审批链): a request decided step by step by the roles the config names
([approval] in the config), in order. The request is approved when its last step approves and
refused when any step refuses. Each step says who decided it, when, how and why.

Deciding a step is one conditional UPDATE (``WHERE decision = ''``), never read-then-write: when
two people decide the same step at once, one wins and the other is told the step is decided.
A database without accounts (desk mode) decides every step as the desk's user, one at a time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.audit import Stamp
from tracker.config import ApprovalSettings
from tracker.errors import InputError
from tracker.models import ApprovalStep, Assignment, Extension, Task
from tracker.permissions import ROLE_LABELS
from tracker.refusals import Refusal


def chain_of(ledger_chains: str | None, settings: ApprovalSettings, kind: str) -> list[str]:
    """The roles deciding a ``kind`` of request in a ledger, in order: the ledger's own [approval]
    chain when it names one, else the config's."""
    own = json.loads(ledger_chains) if ledger_chains else {}
    roles = own.get(kind, getattr(settings, kind))
    return [str(role) for role in roles]


# A request's kind → what it is called (Chinese, English) and the letter its id is written with
# (an extension's id is a bare number, as before chains of other kinds existed).
KINDS: dict[str, tuple[str, str, str]] = {
    "extension": ("延期", "extension", ""),
    "termination": ("终止", "termination", "T"),
    "person_change": ("更换责任人", "person change", "P"),
}


def ref_of(kind: str, request_id: int) -> str:
    """How a request is named to people: ``3`` (an extension), ``T3``, ``P3``."""
    return f"{KINDS[kind][2]}{request_id}"


def naming(kind: str) -> dict[str, str]:
    """The refusals' words for a request of ``kind``: 延期申请, 终止申请, 更换责任人申请."""
    zh, en, _ = KINDS[kind]
    return {"what": f"{zh}申请", "what_en": f"{en} request"}


def open_chain(session: Session, kind: str, request_id: int, roles: list[str]) -> None:
    """Give a new request its steps, one per role of the chain, all pending."""
    for position, role in enumerate(roles, start=1):
        session.add(ApprovalStep(kind=kind, request_id=request_id, position=position, role=role))
    session.flush()


def steps_of(session: Session, kind: str, request_id: int) -> list[ApprovalStep]:
    return list(
        session.exec(
            select(ApprovalStep)
            .where(ApprovalStep.kind == kind, ApprovalStep.request_id == request_id)
            .order_by(col(ApprovalStep.position))
        )
    )


def step_rows(session: Session, kind: str, request_id: int) -> list[dict[str, object]]:
    """A request's chain as people read it (see ``shown_steps``)."""
    return shown_steps(steps_of(session, kind, request_id))


def shown_steps(chain: list[ApprovalStep]) -> list[dict[str, object]]:
    """Each step's position, role, and who decided it, when (a moment), how (approved / refused,
    or "" while it waits) and why."""
    return [
        {
            "position": s.position,
            "role": s.role,
            "decision": s.decision,
            "decided_by": s.decided_by,
            "decided_at": s.decided_at,
            "reason": s.reason,
        }
        for s in chain
    ]


# A decided request's status as the refusal to decide it again says it.
DECIDED = {"approved": ("已批准", "approved"), "refused": ("已驳回", "refused"), "closed": ("已关闭", "closed")}


def not_pending(kind: str, request_id: int, status: str, why: str = "") -> Refusal:
    """The refusal to decide a request that no longer waits: approved, refused, or closed (its
    unit's work ended first), with why when it was closed."""
    zh, en = DECIDED.get(status, (status, status))
    if status == "closed" and why:
        zh, en = f"{zh}（{why}）", f"{en} ({why})"
    return Refusal("decided", id=ref_of(kind, request_id), status=zh, status_en=en, **naming(kind))


def expect_step(kind: str, request_id: int, step: ApprovalStep | None, seen: int | None) -> None:
    """Refuse deciding a step other than the one the decider saw (``seen``, its position): someone
    decided it meanwhile and the chain moved on (a form's second click, two deciders at once)."""
    if seen is not None and step is not None and step.position != seen:
        raise Refusal("step_taken", id=ref_of(kind, request_id), position=seen, **naming(kind))


def current_step(session: Session, kind: str, request_id: int) -> ApprovalStep | None:
    """The first step not yet decided (None: no chain, or all decided)."""
    return next((step for step in steps_of(session, kind, request_id) if not step.decision), None)


def not_your_step(
    kind: str, request_id: int, position: int, step_role: str, *, actor: str, role: str | None
) -> Refusal:
    """The refusal of an actor whose role is not the one the step waits for."""
    label = ROLE_LABELS.get(role or "", role or "")
    return Refusal(
        "not_your_step",
        id=ref_of(kind, request_id),
        position=position,
        role=ROLE_LABELS.get(step_role, step_role),
        actor=f"{actor}（{label}）" if label else actor,
        **naming(kind),
    )


def may_decide(role: str | None, step_role: str) -> bool:
    """Desk mode (no role) decides every step; an admin any step; others their role's steps."""
    return role is None or role == "admin" or role == step_role


def own_request(requested_by: str, *, actor: str, role: str | None) -> bool:
    """Whether the account ``actor`` asked for the request itself: then it decides none of its
    steps, whatever its role (an admin too). Desk mode (no role) is one person at a desk, who
    asks and decides alike."""
    return role is not None and bool(requested_by) and requested_by == actor


def check_decider(request: Pending, step_role: str, position: int, *, actor: str, role: str | None) -> None:
    """Refuse deciding step ``position`` of ``request`` (waiting for ``step_role``) as ``actor`` in
    ``role``: never one's own request (``own_request``), and only one's role's step (``may_decide``).
    Every decision passes here: ``decide_step``, and an extension made before chains existed."""
    if own_request(request.requested_by, actor=actor, role=role):
        raise Refusal("own_request", id=request.ref, **naming(request.kind))
    if not may_decide(role, step_role):
        raise not_your_step(request.kind, request.id, position, step_role, actor=actor, role=role)


@dataclass(frozen=True)
class Pending:
    """A request as its chain sees it: its kind, id and status, and where its audit rows go."""

    kind: str
    id: int
    status: str
    ledger_id: int | None
    task_id: int | None
    unit_id: int | None
    requested_by: str = ""  # the account that asked (it decides none of the steps)
    decision_reason: str = ""  # once decided (or closed): why

    @property
    def ref(self) -> str:
        return ref_of(self.kind, self.id)


def decide_step(
    session: Session,
    request: Pending,
    step: ApprovalStep | None,
    stamp: Stamp,
    *,
    role: str | None,
    approve: bool,
    reason: str,
) -> bool:
    """Decide ``step`` (the request's current one, read once by the caller) as ``role``; whether
    the request is now decided (the last step approved, or a step refused). Refused when the
    actor asked for the request itself, when its role is not the step's, or when someone else
    decided the step since it was read."""
    words = naming(request.kind)
    if step is None or request.status != "pending":
        raise not_pending(request.kind, request.id, request.status, request.decision_reason)
    check_decider(request, step.role, step.position, actor=stamp.by, role=role)
    if not approve and not reason.strip():
        raise InputError(f"{words['what_en']} {request.ref}: a refusal needs a reason (--reason)", key="reason_needed")
    decision = "approved" if approve else "refused"
    won = session.execute(
        sa.update(ApprovalStep)
        .where(col(ApprovalStep.id) == step.id, col(ApprovalStep.decision) == "")
        .values(decision=decision, decided_by=stamp.by, decided_at=stamp.at, reason=reason.strip())
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        raise Refusal("step_taken", id=request.ref, position=step.position, **words)
    session.expire(step)
    last = step.position == max(s.position for s in steps_of(session, request.kind, request.id))
    stamp.record(
        session,
        f"{request.kind.replace('_', '-')}-step-{decision}",
        ledger_id=request.ledger_id,
        task_id=request.task_id,
        unit_id=request.unit_id,
        subject=f"{words['what']} {request.ref}",
        after={"step": step.position, "role": step.role, "reason": reason.strip()},
    )
    return not approve or last


def extension_pending(session: Session, request: Extension) -> Pending:
    """An extension request as its chain sees it."""
    assert request.id is not None
    assignment = session.get(Assignment, request.assignment_id)
    task = session.get(Task, assignment.task_id) if assignment else None
    return Pending(
        "extension",
        request.id,
        request.status,
        task.ledger_id if task else None,
        task.id if task else None,
        assignment.unit_id if assignment else None,
        request.requested_by,
        request.decision_reason,
    )


def queue_rows(
    session: Session, role: str | None, *, actor: str = "", with_steps: bool = False
) -> list[dict[str, object]]:
    """Requests of every kind whose current step waits for ``role`` (desk mode and admin: all),
    but never the account ``actor``'s own requests (it may not decide them), extensions first,
    each with its step, the step's role and when the step began to wait (``waiting_since``: the
    request, or the step before it decided). An extension made before chains existed waits for a
    supervisor, in one step.
    ``with_steps``: each row's chain too (``steps``, see ``step_rows``)."""
    from tracker.views import change_rows, extension_rows

    waiting = [("extension", row) for row in extension_rows(session, pending_only=True)]
    waiting += [(str(row["kind"]), row) for row in change_rows(session, pending_only=True)]
    chains = _chains(session, {int(str(row["id"])) for _, row in waiting})
    rows: list[dict[str, object]] = []
    for kind, row in waiting:
        request_id = int(str(row["id"]))
        chain = chains.get((kind, request_id), [])
        step = next((s for s in chain if not s.decision), None)
        position, waits_for = (step.position, step.role) if step else (1, "supervisor")
        if may_decide(role, waits_for) and not own_request(str(row["requested_by"]), actor=actor, role=role):
            decided = [s.decided_at for s in chain if s.decision and s.decided_at is not None]
            since = max(decided) if decided else row["requested_at"]
            shown = {"ref": ref_of(kind, request_id), "kind": kind, "类型": KINDS[kind][0]}
            rows.append({**row, **shown, "step": position, "role": waits_for, "waiting_since": since})
            if with_steps:  # the chain read above, not once more per request
                rows[-1]["steps"] = shown_steps(chain)
    return rows


def _chains(session: Session, request_ids: set[int]) -> dict[tuple[str, int], list[ApprovalStep]]:
    """The steps of the requests of any kind with these ids, by (kind, id), in order: one query."""
    chains: dict[tuple[str, int], list[ApprovalStep]] = {}
    if not request_ids:
        return chains
    query = select(ApprovalStep).where(col(ApprovalStep.request_id).in_(sorted(request_ids)))
    for step in session.exec(query.order_by(col(ApprovalStep.position))):
        chains.setdefault((step.kind, step.request_id), []).append(step)
    return chains
