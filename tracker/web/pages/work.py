"""The units' working pages: what a unit owes across ledgers (我的任务: a unit account's home, and
/units/{name} for the bureau), one assignment with its progress form and evidence upload (the
download is pages/review.py's /evidence/ID), and submitting a periodic report. Every check is the
use cases': a unit account naming another unit's assignment or name gets the 404 page."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.errors import InputError, NotFoundError, StaleEditError
from tracker.permissions import PermissionDenied
from tracker.web.render import done, form, render, tracker_of, visitor, words

SHOWN_STATUSES = ("todo", "doing", "done")  # what a report may say; 待复核/退回 come from the review


def work_page(request: Request, unit: str | None = None) -> Response:
    """What the unit owes (a unit account: its own; staff: the unit of the path)."""
    from tracker.usecases.units import my_work

    found = my_work(tracker_of(request), visitor(request).actor, unit)
    return render(request, "work/mine.html", work=found, flash=_flash(request))


def unit_page(request: Request) -> Response:
    return work_page(request, request.path_params["name"])


def assignment_page(request: Request) -> Response:
    return _assignment(request, saved=request.query_params.get("saved") == "1")


def _assignment(
    request: Request, *, saved: bool = False, error: str = "", given: dict[str, str] | None = None, status: int = 200
) -> Response:
    from tracker.usecases.units import unit_assignment

    assignment_id: int = request.path_params["assignment_id"]
    found = unit_assignment(tracker_of(request), visitor(request).actor, assignment_id)
    limit = tracker_of(request).settings.evidence.max_mib
    shown = found.task.status if found.task.status in ("doing", "done") else "doing"  # a report: under way
    typed = {"status": shown, "percent": str(found.task.percent), "note": "", "completed_on": "", "version": ""}
    typed |= given or {}
    typed["version"] = typed["version"] or str(found.version)
    return render(
        request,
        "work/assignment.html",
        status=status,
        a=found,
        saved=saved,
        error=error,
        given=typed,
        statuses=SHOWN_STATUSES,
        max_mib=limit,
        max_body_mib=tracker_of(request).settings.web.max_body_mib,
    )


def report_progress(request: Request) -> Response:
    """Status, percent, note and files in one report: all written, or (refused) nothing, the
    form shown again with the reason and what was typed."""
    from tracker.usecases.progress import Progress, Upload, record_progress_on

    t = words(request)
    data = form(request)
    given = {key: _text(data.get(key)) for key in ("status", "percent", "note", "completed_on", "version")}
    assignment_id: int = request.path_params["assignment_id"]
    try:
        progress = Progress(
            status=_status(given["status"]),
            completed_on=_day(given["completed_on"]) if given["status"] == "done" else None,
            percent=_percent(given["percent"]),
            note=given["note"],
        )
        uploads = [
            Upload(item.filename or "", item.file.read())
            for item in data.getlist("evidence")
            if isinstance(item, UploadFile) and (item.filename or item.size)
        ]
        record_progress_on(
            tracker_of(request),
            visitor(request).actor,
            assignment_id,
            progress,
            expected_version=int(given["version"]) if given["version"].isdigit() else None,
            uploads=uploads,
        )
    except StaleEditError:
        given["version"] = ""  # the form again, on the version now stored
        return _assignment(request, error=t("work.stale"), given=given, status=409)
    except (NotFoundError, PermissionDenied):
        raise  # missing or another unit's: the 404 page; not the account's to do: the 403 page
    except InputError as refusal:
        return _assignment(request, error=t.error(refusal), given=given, status=400)
    return done(f"/assignments/{assignment_id}?saved=1")


def submit_report(request: Request) -> Response:
    """A periodic report submitted today (迟报 when late), from the home page."""
    from tracker.usecases.changes import submit_report as submit

    data = form(request)
    unit = _text(data.get("unit")) or None
    period = _day(_text(data.get("period")))
    sent = submit(
        tracker_of(request),
        visitor(request).actor,
        _text(data.get("ledger")),
        unit,
        duty=_text(data.get("report")) or None,
        period=period,
    )
    back = "/" if visitor(request).role == "unit" else f"/units/{quote(sent.unit)}"
    late = "1" if sent.standing else "0"
    return done(f"{back}?reported={sent.due_on.isoformat()}&late={late}")


def _flash(request: Request) -> tuple[str, bool] | None:
    day = request.query_params.get("reported", "")
    try:
        return dt.date.fromisoformat(day).isoformat(), request.query_params.get("late") == "1"
    except ValueError:
        return None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _status(value: str) -> str:
    if value not in SHOWN_STATUSES:
        raise InputError(f"status: {value!r}", key="web_status", value=value)
    return value


def _percent(value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 0 <= int(value) <= 100:
        raise InputError(f"percent: {value!r}", key="percent", value=value)
    return int(value)


def _day(value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"date: {value!r}", key="web_date", value=value) from None


ROUTES = [
    Route("/units/{name}", unit_page, methods=["GET"]),
    Route("/assignments/{assignment_id:int}", assignment_page, methods=["GET"]),
    Route("/assignments/{assignment_id:int}/progress", report_progress, methods=["POST"]),
    Route("/reports/submit", submit_report, methods=["POST"]),
]
