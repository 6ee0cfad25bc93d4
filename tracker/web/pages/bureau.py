"""The bureau's queues, read-only for now: review (复核), approvals (审批), the outbox."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.web.render import render, tracker_of, visitor


def review_page(request: Request) -> Response:
    from tracker.usecases.review import review_queue

    rows = review_queue(tracker_of(request), visitor(request).actor)
    return render(request, "bureau/review.html", rows=rows)


def approvals_page(request: Request) -> Response:
    from tracker.usecases.changes import approval_queue

    rows = approval_queue(tracker_of(request), visitor(request).actor)
    return render(request, "bureau/approvals.html", rows=rows)


def outbox_page(request: Request) -> Response:
    from tracker.usecases.sending import outbox_messages

    rows = outbox_messages(tracker_of(request), visitor(request).actor)
    return render(request, "bureau/outbox.html", rows=rows)


ROUTES = [
    Route("/review", review_page, methods=["GET"]),
    Route("/approvals", approvals_page, methods=["GET"]),
    Route("/outbox", outbox_page, methods=["GET"]),
]
