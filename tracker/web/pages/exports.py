"""The bureau's exports as downloads: the weekly progress table (进度表, xlsx) as of a day, and the
deadline calendar (.ics). The same use cases as `tracker report weekly` and `tracker calendar`
(tracker/usecases/reports.py) write the file; this page hands it over and keeps nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.errors import InputError, NotFoundError
from tracker.web.render import attachment, pass_on, render, tracker_of, visitor, words

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ICS = "text/calendar; charset=utf-8"


def exports_page(request: Request, *, status: int = 200, error: str = "", day: str = "") -> Response:
    """The downloads offered, with the ledgers to choose from (asked of the use case: a unit
    account is refused here as by every download)."""
    from tracker.usecases.reports import ledger_choices

    tracker = tracker_of(request)
    ledgers = ledger_choices(tracker, visitor(request).actor)
    return render(
        request,
        "exports/index.html",
        status=status,
        error=error,
        ledgers=ledgers,
        day=day or tracker.today().isoformat(),
    )


def weekly(request: Request) -> Response:
    """进度表-<day>.xlsx: every ledger's weekly table as of the day asked (default today)."""
    from tracker.typed_dates import typed_date
    from tracker.usecases.reports import export_weekly

    tracker = tracker_of(request)
    day = request.query_params.get("as_of", "")
    ledger = request.query_params.get("ledger", "")
    try:
        as_of = typed_date(day, tracker.today()) if day else tracker.today()
        with tempfile.TemporaryDirectory(prefix="tracker-web-") as folder:
            target = Path(folder) / "weekly.xlsx"
            chosen = [ledger] if ledger else []  # one that is not there: refused, not every ledger instead
            export_weekly(tracker, visitor(request).actor, str(target), ledgers=chosen, as_of=as_of, fmt="xlsx")
            data = target.read_bytes()
    except NotFoundError as missing:  # the bureau's page: say which ledger, not the bare 404 page
        return exports_page(request, status=400, error=words(request).error(missing), day=day)
    except InputError as refusal:
        pass_on(refusal)
        return exports_page(request, status=400, error=words(request).error(refusal), day=day)
    return attachment(data, f"进度表-{as_of.isoformat()}.xlsx", XLSX)


def calendar(request: Request) -> Response:
    """办理时限.ics: every open deadline as an all-day event with its reminders."""
    from tracker.usecases.reports import deadline_calendar_of

    tracker = tracker_of(request)
    made = deadline_calendar_of(tracker, visitor(request).actor)
    return attachment(made.data, f"办理时限-{tracker.today().isoformat()}.ics", ICS)


ROUTES = [
    Route("/exports", exports_page, methods=["GET"]),
    Route("/exports/weekly.xlsx", weekly, methods=["GET"]),
    Route("/exports/deadlines.ics", calendar, methods=["GET"]),
]
