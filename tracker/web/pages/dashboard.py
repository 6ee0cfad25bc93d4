"""The leader's dashboard (领导驾驶舱) for the bureau's accounts (a unit account: 403, the use
cases' ``read``): each ledger's weekly 完成率 and 按期办结率 as inline SVG charts, a table per unit
with its overdue by level, and one unit's profile. Printable (site.css' print rules: A4, no nav).

The charts come from tracker/svg_charts.py, whose every text is XML-escaped and which writes no
style or script attribute: they are the one markup a template marks safe (``Markup``), never a
name typed by a person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.errors import InputError
from tracker.web.render import error_page, render, tracker_of, visitor, words

if TYPE_CHECKING:
    from tracker.trend import UnitProfile
    from tracker.usecases.dashboard import ChartWords

DEFAULT_WEEKS = 12


@dataclass(frozen=True)
class Chosen:
    """The page's parameters as typed (kept in the form) and as understood."""

    ledger: str
    as_of: str
    weeks: str
    ledger_id: int | None
    day: dt.date | None
    week_count: int


def _choose(request: Request, ledgers: list[tuple[int, str]] | None) -> tuple[Chosen, list[str]]:
    """The query's ``ledger`` (an id among ``ledgers``; empty: all), ``as_of`` (a date as the CLI
    reads it; empty: today) and ``weeks`` (1 to MAX_WEEKS), and a message for each one wrong."""
    from tracker.typed_dates import typed_date
    from tracker.usecases.dashboard import MAX_WEEKS

    t = words(request)
    query = request.query_params
    ledger, as_of, weeks = (query.get(name, "").strip() for name in ("ledger", "as_of", "weeks"))
    errors: list[str] = []
    ledger_id: int | None = None
    if ledger and ledgers is not None:
        ids = {str(number): number for number, _ in ledgers}
        if ledger not in ids:
            errors.append(t("dash.bad_ledger", ledger=ledger))
        else:
            ledger_id = ids[ledger]
    day: dt.date | None = None
    if as_of:
        try:
            day = typed_date(as_of, tracker_of(request).today())
        except InputError as exc:
            errors.append(t("dash.bad_as_of", error=t.error(exc)))
    count = DEFAULT_WEEKS
    if weeks:
        if weeks.isascii() and weeks.isdigit() and 1 <= int(weeks) <= MAX_WEEKS:
            count = int(weeks)
        else:
            errors.append(t("dash.bad_weeks", weeks=weeks, most=MAX_WEEKS))
    return Chosen(ledger, as_of, weeks, ledger_id, day, count), errors


def _keep(as_of: dt.date, weeks: int) -> str:
    """The query that keeps the day and the weeks from the dashboard to a unit's page and back."""
    from urllib.parse import urlencode

    return urlencode({"as_of": as_of.isoformat(), "weeks": weeks})


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


RECORD = (  # the profile's figures in its table's order; None: the notices received, by kind
    *("assignments", "done", "overdue", "done_late", "open_overdue", "terminated_overdue", "late_workdays"),
    None,
    *("unacknowledged", "reviews_submitted", "reviews_returned", "reviews_accepted"),
    *("extensions_requested", "extensions_approved", "extensions_refused"),
)


def level_namer(request: Request) -> Callable[[str], str]:
    """The core's level labels (通报批评, 未发通知, …: the tables' columns, the notices' kinds) in
    the page's language; a label it does not know as it is."""
    from tracker.ladder import LEVEL_LABELS
    from tracker.trend import NOT_NOTIFIED

    t = words(request)
    keys = {label: f"level.{level.value}" for level, label in LEVEL_LABELS.items()} | {NOT_NOTIFIED: "level.none"}
    return lambda label: t(keys[label]) if label in keys else label


def _record(request: Request, profile: UnitProfile) -> list[tuple[str, int]]:
    """A unit's record as (what, how many), in the order the profile's table shows it."""
    t, level = words(request), level_namer(request)
    rows: list[tuple[str, int]] = []
    for key in RECORD:
        if key is None:
            rows += [(t("dash.unit.notices", kind=level(kind)), n) for kind, n in profile.notices]
        else:
            rows.append((t(f"dash.unit.{key}"), getattr(profile, key)))
    return rows


def dashboard_page(request: Request) -> Response:
    from tracker.usecases.dashboard import dashboard_ledgers, dashboard_trends, trend_charts

    tracker, who = tracker_of(request), visitor(request)
    ledgers = dashboard_ledgers(tracker, who.actor)  # a unit account is refused here (403)
    chosen, errors = _choose(request, ledgers)
    common: dict[str, Any] = {
        "ledgers": ledgers,
        "chosen": chosen,
        "errors": errors,
        "percent": percent,
        "level": level_namer(request),
    }
    if errors:
        return render(request, "dashboard/index.html", status=400, trends=None, charts={}, keep="", **common)
    ledger = str(chosen.ledger_id) if chosen.ledger_id is not None else None
    trends = dashboard_trends(tracker, who.actor, ledger=ledger, as_of=chosen.day, weeks=chosen.week_count)
    made = trend_charts(trends, chart_words(request))
    charts = {name: Markup(svg) for name, svg in made.items()}  # escaped by svg_charts
    keep = _keep(trends.as_of, chosen.week_count)
    return render(request, "dashboard/index.html", trends=trends, charts=charts, keep=keep, **common)


def unit_page(request: Request) -> Response:
    from tracker.usecases.dashboard import profile_charts, unit_profile

    tracker, who = tracker_of(request), visitor(request)
    name: str = request.path_params["name"]
    chosen, errors = _choose(request, None)
    common: dict[str, Any] = {
        "chosen": chosen,
        "errors": errors,
        "name": name,
        "percent": percent,
        "level": level_namer(request),
    }
    if errors:
        # Asked first, so that a unit account learns nothing from a bad parameter either.
        from tracker.usecases.dashboard import dashboard_ledgers

        dashboard_ledgers(tracker, who.actor)
        return render(request, "dashboard/unit.html", status=400, profile=None, charts={}, keep="", record=[], **common)
    try:
        profile = unit_profile(tracker, name, who.actor, as_of=chosen.day, weeks=chosen.week_count)
    except InputError as exc:
        if getattr(exc, "key", "") == "dashboard_unit_unknown":
            return error_page(request, 404, words(request).error(exc))
        raise
    made = profile_charts(profile, chart_words(request))
    charts = {key: Markup(svg) for key, svg in made.items()}  # escaped by svg_charts
    keep = _keep(profile.as_of, chosen.week_count)
    record = _record(request, profile)
    return render(request, "dashboard/unit.html", profile=profile, charts=charts, keep=keep, record=record, **common)


def chart_words(request: Request) -> ChartWords:
    """The charts in the page's language (their ledgers and units keep their own names)."""
    from tracker.usecases.dashboard import EN, ZH

    return EN if words(request).lang == "en" else ZH


ROUTES = [
    Route("/dashboard", dashboard_page, methods=["GET"]),
    Route("/dashboard/units/{name:path}", unit_page, methods=["GET"]),
]
