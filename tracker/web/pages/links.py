"""One-time login links (tracker/login_links.py): GET /login/link/TOKEN only shows whose link it
is and a button (a mail scanner that opens the link uses nothing up); the button's POST (CSRF,
the token in the form, not the path) uses the link and opens a session. A wrong link, for
whatever reason, shows the same refusal; the logs show the path without its token
(tracker/web/guard.py ``shown_path``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.errors import InputError
from tracker.web.guard import SESSION_COOKIE
from tracker.web.pages.auth import entered_page
from tracker.web.render import form, render, tracker_of, words


def _address(request: Request) -> str:
    return request.client.host if request.client else "-"


def _refused(request: Request, refusal: InputError) -> Response:
    status = 429 if getattr(refusal, "key", "") == "login_locked" else 400
    return render(request, "link.html", status=status, error=words(request).error(refusal), shown=None, token="")


def link_page(request: Request) -> Response:
    from tracker.usecases.links import show_link

    token = str(request.path_params["token"])
    try:
        shown = show_link(tracker_of(request), token, address=_address(request))
    except InputError as refusal:
        return _refused(request, refusal)
    return render(request, "link.html", error="", shown=shown, token=token)


def use(request: Request) -> Response:
    from tracker.usecases.links import use_link
    from tracker.usecases.sessions import log_out

    token = form(request).get("token", "")
    tracker = tracker_of(request)
    try:
        entered = use_link(tracker, token if isinstance(token, str) else "", address=_address(request))
    except InputError as refusal:
        return _refused(request, refusal)
    before = request.cookies.get(SESSION_COOKIE, "")
    if before:  # whoever was logged in in this browser is logged out: the link's account takes over
        log_out(tracker, before)
    return entered_page(request, entered)


ROUTES = [
    Route("/login/link/{token}", link_page, methods=["GET"]),
    Route("/login/link", use, methods=["POST"]),
]
