"""A unit's extension request (延期申请) on its own assignment: the deadline in force, the form
(before the deadline only, a reason and a new date required), and each request's state and
approval steps afterwards. Another unit's assignment is the 404 page (the use case's reach)."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.errors import InputError, NotFoundError
from tracker.permissions import PermissionDenied, allowed
from tracker.web.render import done, field, render, tracker_of, visitor, words


def extension_page(request: Request) -> Response:
    return _page(request)


def _page(request: Request, *, status: int = 200, error: str = "", typed: tuple[str, str] = ("", "")) -> Response:
    from tracker.usecases.changes import extensions_on

    assignment_id: int = request.path_params["assignment_id"]
    found = extensions_on(tracker_of(request), visitor(request).actor, assignment_id)
    return render(
        request,
        "extension/page.html",
        status=status,
        a=found,
        may_request=allowed(visitor(request).role, "extension.request"),
        error=error,
        typed=typed,
        sent=request.query_params.get("sent", "").isdigit(),
    )


def request_extension(request: Request) -> Response:
    """Ask for the new date with a reason, as the logged-in account, before the deadline (never a
    late request: that is the bureau's decision, at its desk)."""
    from tracker.usecases.progress import request_extension_on

    assignment_id: int = request.path_params["assignment_id"]
    to_text, reason = field(request, "to").strip(), field(request, "reason")
    t = words(request)
    try:
        to = dt.date.fromisoformat(to_text)
    except ValueError:
        message = t("extension.no_date") if not to_text else t("extension.bad_date", text=to_text)
        return _page(request, status=400, error=message, typed=(to_text, reason))
    tracker = tracker_of(request)
    try:
        made = request_extension_on(
            tracker, visitor(request).actor, assignment_id, to=to, reason=reason, late=False, as_of=tracker.today()
        )
    except InputError as refusal:
        if isinstance(refusal, (NotFoundError, PermissionDenied)):
            raise  # the 404 page, the 403 page
        return _page(request, status=400, error=t.error(refusal), typed=(to_text, reason))
    return done(f"/assignments/{assignment_id}/extension?sent={made.id}")


ROUTES = [
    Route("/assignments/{assignment_id:int}/extension", extension_page, methods=["GET"]),
    Route("/assignments/{assignment_id:int}/extension", request_extension, methods=["POST"]),
]
