"""The bureau's queues, read-only for now: approvals (审批), the outbox. (Review, 复核: pages/review.py.)"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.web.render import render, tracker_of, visitor


def approvals_page(request: Request) -> Response:
    from tracker.usecases.changes import approval_queue

    rows = approval_queue(tracker_of(request), visitor(request).actor)
    return render(request, "bureau/approvals.html", rows=rows)


def outbox_page(request: Request) -> Response:
    from tracker.usecases.sending import outbox_messages

    rows = outbox_messages(tracker_of(request), visitor(request).actor)
    return render(request, "bureau/outbox.html", rows=rows)


ROUTES = [
    Route("/approvals", approvals_page, methods=["GET"]),
    Route("/outbox", outbox_page, methods=["GET"]),
]
