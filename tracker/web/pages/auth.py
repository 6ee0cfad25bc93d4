"""Logging in and out, changing one's password, choosing the language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tracker.errors import InputError
from tracker.web.guard import LANG_COOKIE, SESSION_COOKIE
from tracker.web.render import done, form, render, tracker_of, visitor, words

if TYPE_CHECKING:
    from tracker.usecases.sessions import LoggedIn


def _field(request: Request, name: str) -> str:
    value = form(request).get(name, "")
    return value if isinstance(value, str) else ""


def _desk(request: Request) -> bool:
    """No account exists yet: the login page says how to make the first admin."""
    from tracker.usecases.links import has_accounts

    return not has_accounts(tracker_of(request))


def login_page(request: Request) -> Response:
    if request.state.visitor is not None:
        return done("/")
    bye = request.query_params.get("bye") == "1"
    return render(request, "login.html", error="", login="", bye=bye, desk=_desk(request))


def login(request: Request) -> Response:
    from tracker.usecases.sessions import log_in

    tracker = tracker_of(request)
    name = _field(request, "login")
    address = request.client.host if request.client else "-"
    try:
        entered = log_in(tracker, name, _field(request, "password"), address=address)
    except InputError as refusal:
        error = words(request).error(refusal)
        return render(request, "login.html", status=401, error=error, login=name, bye=False, desk=_desk(request))
    return entered_page(request, entered)


def entered_page(request: Request, entered: LoggedIn) -> Response:
    """Where a new session goes (the password page first when it must change), its cookie set."""
    response = done("/password" if entered.visitor.must_change_password else "/")
    settings = tracker_of(request).settings.web
    response.set_cookie(
        SESSION_COOKIE,
        entered.token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",  # a link from DingTalk or an SMS opens logged in; a foreign POST carries no cookie
        secure=settings.secure_cookies,
        path="/",
    )
    return response


def logout(request: Request) -> Response:
    from tracker.usecases.sessions import log_out

    log_out(tracker_of(request), request.cookies.get(SESSION_COOKIE, ""))
    response = done("/login?bye=1")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def password_page(request: Request) -> Response:
    return render(request, "password.html", error="", changed=request.query_params.get("changed") == "1")


def change_password(request: Request) -> Response:
    from tracker.refusals import Refusal
    from tracker.usecases.sessions import change_password as change

    new = _field(request, "new")
    try:
        if new != _field(request, "again"):
            raise Refusal("password_mismatch")
        change(
            tracker_of(request),
            visitor(request).actor,
            _field(request, "old"),
            new,
            keep=request.cookies.get(SESSION_COOKIE, ""),
        )
    except InputError as refusal:
        return render(request, "password.html", status=400, error=words(request).error(refusal), changed=False)
    return done("/password?changed=1")


def language(request: Request) -> Response:
    """Switch between Chinese and English (a cookie: the visitor's own choice)."""
    chosen = "en" if words(request).lang == "zh" else "zh"
    back = _field(request, "back")
    local = back.startswith("/") and not back.startswith("//") and "\\" not in back  # a browser reads /\host as //host
    response: Response = RedirectResponse(back if local else "/", 303)
    response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, httponly=True, samesite="lax", path="/")
    return response


ROUTES = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/password", password_page, methods=["GET"]),
    Route("/password", change_password, methods=["POST"]),
    Route("/lang", language, methods=["POST"]),
]
