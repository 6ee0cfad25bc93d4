"""Pages as HTML: the Jinja2 environment (autoescaped: a name with ``<script>`` shows as text),
what every template gets, and the error pages (Chinese by default, never a stack trace)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tracker.web.i18n import Words

if TYPE_CHECKING:
    from starlette.requests import Request

    from tracker.app import Tracker
    from tracker.usecases.sessions import Visitor

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def tracker_of(request: Request) -> Tracker:
    found: Tracker = request.app.state.tracker
    return found


def visitor(request: Request) -> Visitor:
    """The logged-in account (the guard lets no page without one through but the public ones)."""
    found: Visitor | None = request.state.visitor
    assert found is not None, "a public page asked for the visitor"
    return found


def form(request: Request) -> FormData:
    """The POST's form, read and CSRF-checked by the guard."""
    found: FormData = request.state.form
    return found


def field(request: Request, name: str) -> str:
    """One text field of the POST's form ("" when missing, or when a file was sent instead)."""
    value = form(request).get(name, "")
    return value if isinstance(value, str) else ""


def words(request: Request) -> Words:
    return Words(getattr(request.state, "lang", "zh"))


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """``template`` with ``context`` and what every page uses: ``t`` (the catalogue), ``visitor``
    (or ``None``), ``csrf_field()``, ``when`` (a moment in the configured time zone), ``path`` and
    ``here`` (the path with its query)."""
    t = words(request)
    token = getattr(request.state, "csrf", "")
    zone = zoneinfo.ZoneInfo(tracker_of(request).settings.timezone)

    def when(moment: dt.datetime | None) -> str:
        return "" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    def csrf_field() -> Markup:
        return Markup('<input type="hidden" name="csrf" value="{}">').format(escape(token))

    html = (
        environment()
        .get_template(template)
        .render(
            t=t,
            lang=t.lang,
            visitor=getattr(request.state, "visitor", None),
            csrf_field=csrf_field,
            when=when,
            path=request.url.path,
            here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),  # for the language switch
            **context,
        )
    )
    return HTMLResponse(html, status_code=status)


def done(path: str) -> RedirectResponse:
    """After a POST: see the result with a GET (a reload does not post again)."""
    return RedirectResponse(path, status_code=303)


def attachment(data: bytes, name: str, media_type: str) -> Response:
    """``data`` as a download named ``name`` (never shown inline: ``attachment``, and the guard's
    nosniff): an ASCII name for old clients and the name itself as RFC 5987's ``filename*``."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    plain = re.sub(r"[^A-Za-z0-9._-]+", "", stem).strip("._-") or "download"
    plain += "." + re.sub(r"[^A-Za-z0-9]+", "", suffix) if suffix else ""
    disposition = f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
    return Response(data, media_type=media_type, headers={"content-disposition": disposition})


def pass_on(refusal: Exception) -> None:
    """Raise again what the error pages answer, for a handler that shows other refusals on its
    own form: a permission refusal (the 403 page), a missing row or another unit's (404)."""
    from tracker.errors import NotFoundError
    from tracker.permissions import PermissionDenied

    if isinstance(refusal, PermissionDenied | NotFoundError):
        raise refusal


def error_page(request: Request, status: int, message: str = "") -> Response:
    t = words(request)
    title = t(f"error.{status}") if t.knows(f"error.{status}") else t("error.other")
    return render(request, "error.html", status=status, title=title, message=message)
