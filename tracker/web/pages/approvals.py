"""The bureau's decisions: the approval queue (审批: approve or refuse each request's current step,
of every kind: 延期 ``3``, 终止 ``T3``, 更换责任人 ``P3``) and the outbox (批准发送)."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.errors import InputError, NotFoundError
from tracker.permissions import ROLES, PermissionDenied, allowed
from tracker.web.render import done, error_page, field, render, tracker_of, visitor, words

REF = re.compile(r"[TP]?[1-9][0-9]{0,9}")  # how a request is written: 3, T3, P3
RESULTS = ("approved", "refused", "pending")
CONFLICT = ("step_taken", "decided")  # someone else decided first: the queue again, with why


def approvals_page(request: Request) -> Response:
    return _queue(request)


def _queue(request: Request, *, status: int = 200, error: str = "", typed: tuple[str, str] = ("", "")) -> Response:
    """The queue with each request's chain; ``error`` and what was typed (ref, reason) after a
    refused decision."""
    from tracker.usecases.changes import approval_queue

    rows = approval_queue(tracker_of(request), visitor(request).actor, with_steps=True)
    return render(
        request, "approvals/queue.html", status=status, rows=rows, error=error, typed=typed, flash=_flash(request)
    )


def decide(request: Request) -> Response:
    """Approve or refuse the step of the request ``ref`` that the page showed (``step``): when
    someone decided it meanwhile, the queue again with a clear message (409); a refusal without a
    reason (400); a step of another role than the account's, the 403 page."""
    from tracker.usecases.changes import ExtensionDecided, decide_request

    ref = str(request.path_params["ref"])
    if not REF.fullmatch(ref):
        raise NotFoundError(f"no request {ref!r}")
    choice, reason, step = field(request, "decision"), field(request, "reason"), field(request, "step")
    if choice not in ("approve", "refuse") or not step.isdigit():
        return _queue(request, status=400, error=words(request)("approvals.bad_form"), typed=(ref, reason))
    try:
        made = decide_request(
            tracker_of(request),
            visitor(request).actor,
            ref,
            approve=choice == "approve",
            reason=reason,
            seen=int(step),
        )
    except InputError as refusal:
        if isinstance(refusal, (NotFoundError, PermissionDenied)):
            raise  # the 404 page, the 403 page
        if refusal.key == "not_your_step":
            return error_page(request, 403, words(request).error(refusal))
        status = 409 if refusal.key in CONFLICT else 400
        return _queue(request, status=status, error=words(request).error(refusal), typed=(ref, reason))
    shown = str(made.id) if isinstance(made, ExtensionDecided) else made.ref
    query = f"ref={shown}&result={made.status}&step={made.step}"
    return done(f"/approvals?{query}&waits={made.waits_for}" if made.waits_for else f"/approvals?{query}")


def _flash(request: Request) -> dict[str, str] | None:
    """What the decision just made did (its ref, result, step, the role the next step waits for)."""
    q = request.query_params
    ref, result, step, waits = q.get("ref", ""), q.get("result", ""), q.get("step", ""), q.get("waits", "")
    if not REF.fullmatch(ref) or result not in RESULTS or not step.isdigit() or (waits and waits not in ROLES):
        return None
    return {"ref": ref, "result": result, "step": step, "waits": waits}


def outbox_page(request: Request) -> Response:
    from tracker.usecases.sending import outbox_messages

    rows = outbox_messages(tracker_of(request), visitor(request).actor)
    approved = request.query_params.get("approved", "")
    return render(
        request,
        "approvals/outbox.html",
        rows=rows,
        waiting=sum(1 for m in rows if m.awaiting_approval),
        may_approve=allowed(visitor(request).role, "outbox.approve"),
        approved=approved if approved.isdigit() else "",
    )


def approve_outbox(request: Request) -> Response:
    """批准发送: every message waiting for approval, as the outbox shows it now (supervisors and
    admins; anyone else gets the 403 page from the use case)."""
    from tracker.usecases.sending import approve_messages

    made = approve_messages(tracker_of(request), visitor(request).actor)
    return done(f"/outbox?approved={made.count}")


ROUTES = [
    Route("/approvals", approvals_page, methods=["GET"]),
    Route("/approvals/{ref:str}/decide", decide, methods=["POST"]),
    Route("/outbox", outbox_page, methods=["GET"]),
    Route("/outbox/approve", approve_outbox, methods=["POST"]),
]
