"""The interview list (约谈名单), printable; the open deadlines' calendar file is under 导出
(tracker/web/pages/exports.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.web.render import render, tracker_of, visitor


def interviews_page(request: Request) -> Response:
    from tracker.usecases.notices import interview_list

    tracker = tracker_of(request)
    rows = interview_list(tracker, actor=visitor(request).actor)
    return render(request, "interviews/list.html", rows=rows, today=tracker.today())


ROUTES = [
    Route("/interviews", interviews_page, methods=["GET"]),
]
