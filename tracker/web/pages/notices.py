"""Notices: the list the account may see (a unit: its own), and 签收 of one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.web.render import done, field, render, tracker_of, visitor

PAGE_SIZE = 50
SHOWS = ("all", "unsigned", "overdue")  # every notice, those not signed, those 逾期未签收


def notices_page(request: Request) -> Response:
    """The notices, newest first, a page of ``PAGE_SIZE`` at a time (``?page=2``), all or only the
    unsigned or the 逾期未签收 ones (``?show=``), each with its 签收 state."""
    from tracker.usecases.notices import notices_for

    every = notices_for(tracker_of(request), visitor(request).actor)
    show = request.query_params.get("show", "all")
    show = show if show in SHOWS else "all"
    chosen = [
        n
        for n in reversed(every)
        if show == "all" or (n.acknowledged_at is None and (show == "unsigned" or n.ack_overdue))
    ]
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    asked = request.query_params.get("page", "1")
    page = min(max(int(asked), 1), pages) if asked.isdigit() else 1
    return render(
        request,
        "notices/list.html",
        rows=chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        every=every,
        total=len(chosen),
        show=show,
        page=page,
        pages=pages,
        flash=_flash(request),
    )


def acknowledge(request: Request) -> Response:
    """签收 the notice of the path's id as the logged-in account: a unit account for its own unit
    (another unit's notice is refused by the use case exactly as a missing one, 404, whatever id
    is posted); the bureau's staff on behalf of the unit the form names (代单位签收, ``unit``)."""
    from tracker.usecases.notices import acknowledge_notice

    notice_id: int = request.path_params["notice_id"]
    unit = field(request, "unit").strip() or None
    signed = acknowledge_notice(tracker_of(request), visitor(request).actor, str(notice_id), unit=unit)
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
