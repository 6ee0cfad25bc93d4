"""The bureau's lists to take away: the interview list (约谈名单, printable) and the open
deadlines as a calendar file (.ics) to import into a phone's or Outlook's calendar."""

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


def calendar_file(request: Request) -> Response:
    """Every open deadline as an all-day event (tracker/calendar_export.py), as a download."""
    from tracker.usecases.reports import deadline_calendar_of

    tracker = tracker_of(request)
    made = deadline_calendar_of(tracker, visitor(request).actor)
    name = f"tracker-deadlines-{tracker.today().isoformat()}.ics"
    return Response(
        made.data,
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


ROUTES = [
    Route("/interviews", interviews_page, methods=["GET"]),
    Route("/calendar.ics", calendar_file, methods=["GET"]),
]
