"""The one middleware every request passes, in this order:

1. security headers on every response, errors included (CSP without inline script or style);
2. the session cookie → the ``Visitor`` (tracker/usecases/sessions.py), or none;
3. every state-changing request (anything but GET/HEAD) carries the CSRF token of its session
   (before login: of the pre-login cookie) in the form field ``csrf`` or the header
   ``X-CSRF-Token``; else 403. The body is read here once (at most ``[web] max_body_mib``: 413
   past it) and the parsed form kept for the handler;
4. pages other than the public ones need a session (else to the login page), and an account
   whose password an admin set goes to the password page first;
5. an unexpected error becomes the 500 page (its traceback in the server log only); the access
   log line names the path without its query, never a cookie or a token.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker.web.render import error_page, words

if TYPE_CHECKING:
    from tracker.app import Tracker

SESSION_COOKIE = "tracker_session"
PRE_LOGIN_COOKIE = "tracker_csrf"  # the CSRF token of the login form, before any session
LANG_COOKIE = "tracker_lang"
PUBLIC = ("/login", "/lang", "/login/link")  # pages open without a session (plus /static/ ...)
PUBLIC_PREFIXES = ("/login/link/",)  # ... and a login link's confirm page (its token in the path)
UNCHANGED_PASSWORD_OK = ("/password", "/logout", "/lang")  # what an account that must change its password may reach
SAFE_METHODS = ("GET", "HEAD")

HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}

log = logging.getLogger("tracker.web")
access = logging.getLogger("tracker.web.access")


class Guard:
    def __init__(self, app: ASGIApp, tracker: Tracker) -> None:
        self.app = app
        self.tracker = tracker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state: dict[str, Any] = scope.setdefault("state", {})
        state.update(visitor=None, form=None, csrf="", lang=self.tracker.settings.language, new_csrf="")
        sent: dict[str, Any] = {"status": 0}

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                if not scope["path"].startswith("/static/"):
                    headers["cache-control"] = "no-store"
                if state["new_csrf"]:
                    headers.append("set-cookie", self._pre_login_cookie(state["new_csrf"]))
                sent["status"] = message["status"]
            await send(message)

        request = Request(scope)
        try:
            answer, receive = await self._gate(request, state, receive)
            if answer is not None:
                await answer(scope, receive, send_guarded)
            else:
                await self.app(scope, receive, send_guarded)
        except Exception:
            log.exception("error on %s %s", scope["method"], shown_path(scope["path"]))
            if not sent["status"]:
                await error_page(request, 500, words(request)("error.500.text"))(scope, receive, send_guarded)
        finally:
            if state["form"] is not None:
                await state["form"].close()
            visitor = state["visitor"]
            client = scope.get("client") or ("-", 0)
            access.info(
                '%s "%s %s" %s %.0fms %s',
                client[0],
                scope["method"],
                shown_path(scope["path"]),  # never the query string, never a login link's token
                sent["status"],
                (time.perf_counter() - started) * 1000,
                visitor.login if visitor else "-",
            )

    async def _gate(self, request: Request, state: dict[str, Any], receive: Receive) -> tuple[Response | None, Receive]:
        """A response that stops the request here, or ``None`` to go on (with the body replayed)."""
        path = request.url.path
        if path.startswith("/static/"):
            return None, receive
        from tracker.usecases.sessions import visitor_of

        lang = request.cookies.get(LANG_COOKIE, "")
        if lang in ("zh", "en"):
            state["lang"] = lang
        token = request.cookies.get(SESSION_COOKIE, "")
        visitor = await run_in_threadpool(visitor_of, self.tracker, token) if token else None
        state["visitor"] = visitor
        pre_login = request.cookies.get(PRE_LOGIN_COOKIE, "")
        if visitor is not None:
            state["csrf"] = visitor.csrf
        elif pre_login:
            state["csrf"] = pre_login
        else:
            state["csrf"] = state["new_csrf"] = secrets.token_urlsafe(32)
        if request.method not in SAFE_METHODS:
            body = await _read_body(receive, self.tracker.settings.web.max_body_mib * 1024 * 1024)
            if body is None:
                return error_page(request, 413), receive
            state["form"] = await Request(request.scope, _replay(body, receive)).form()
            receive = _replay(body, receive)
            given = state["form"].get("csrf") or request.headers.get("x-csrf-token", "")
            expected = visitor.csrf if visitor is not None else pre_login
            if not expected or not isinstance(given, str) or not secrets.compare_digest(given, expected):
                return error_page(request, 403, words(request)("error.403.csrf")), receive
        if visitor is None and path not in PUBLIC and not path.startswith(PUBLIC_PREFIXES):
            return RedirectResponse("/login", status_code=303), receive
        if visitor is not None and visitor.must_change_password and path not in UNCHANGED_PASSWORD_OK:
            return RedirectResponse("/password", status_code=303), receive
        return None, receive

    def _pre_login_cookie(self, value: str) -> str:
        secure = "; Secure" if self.tracker.settings.web.secure_cookies else ""
        return f"{PRE_LOGIN_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict{secure}"


def shown_path(path: str) -> str:
    """``path`` as logs may show it: a login link's token replaced (tracker/login_links.py)."""
    for prefix in PUBLIC_PREFIXES:
        if path.startswith(prefix):
            return prefix + "***"
    return path


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or ``None`` when it is longer than ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, then: Receive) -> Callable[[], Awaitable[Message]]:
    """The body read once, then the connection's own messages (a disconnect, when it comes)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await then()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
