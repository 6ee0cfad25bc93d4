"""Notices: the list the account may see (a unit: its own), and 签收 of one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.web.render import done, render, tracker_of, visitor


def notices_page(request: Request) -> Response:
    from tracker.usecases.notices import notices_for

    rows = notices_for(tracker_of(request), visitor(request).actor)
    return render(request, "notices/list.html", rows=rows, flash=_flash(request))


def acknowledge(request: Request) -> Response:
    """签收 the notice of the path's id as the logged-in account: another unit's notice is
    refused by the use case exactly as a missing one (404), whatever id is posted."""
    from tracker.usecases.notices import acknowledge_notice

    notice_id: int = request.path_params["notice_id"]
    signed = acknowledge_notice(tracker_of(request), visitor(request).actor, str(notice_id))
    return done(f"/notices?{'already' if signed.already else 'signed'}={signed.id}")


def _flash(request: Request) -> tuple[str, str] | None:
    """The message of the POST just done (its key, the notice's id)."""
    for key in ("signed", "already"):
        value = request.query_params.get(key, "")
        if value.isdigit():
            return key, value
    return None


ROUTES = [
    Route("/notices", notices_page, methods=["GET"]),
    Route("/notices/{notice_id:int}/ack", acknowledge, methods=["POST"]),
]
