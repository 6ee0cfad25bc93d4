"""The bureau's review queue (复核); its approvals and outbox are tracker/web/pages/approvals.py."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.web.render import render, tracker_of, visitor


def review_page(request: Request) -> Response:
    from tracker.usecases.review import review_queue

    rows = review_queue(tracker_of(request), visitor(request).actor)
    return render(request, "bureau/review.html", rows=rows)


ROUTES = [
    Route("/review", review_page, methods=["GET"]),
]
