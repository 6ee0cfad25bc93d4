"""The portal's application: every page module's routes, the static files, the error pages, and
the guard around them all (tracker/web/guard.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from tracker.errors import InputError, NotFoundError
from tracker.permissions import PermissionDenied
from tracker.web.guard import Guard
from tracker.web.pages import (
    approvals,
    auth,
    dashboard,
    exports,
    extension,
    home,
    interviews,
    links,
    notices,
    review,
    work,
)
from tracker.web.render import error_page, words

if TYPE_CHECKING:
    from tracker.app import Tracker

# each has ROUTES (see tracker/web/__init__.py)
PAGES = (auth, home, notices, work, review, approvals, extension, interviews, exports, dashboard, links)
STATIC = Path(__file__).parent / "static"


def create_app(tracker: Tracker) -> Starlette:
    routes: list[BaseRoute] = [route for module in PAGES for route in module.ROUTES]
    routes.append(Mount("/static", StaticFiles(directory=STATIC), name="static"))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # The pages' handlers are synchronous and run in threads. With anyio's default of 40
        # threads, 50 requests at once all run together and fight for the GIL: each one finishes
        # late and the process answers fewer. A few at a time, the rest waiting in order, answered
        # 1.3-1.6 times as many per second with a shorter tail (benchmarks/RESULTS.md, the portal).
        anyio.to_thread.current_default_thread_limiter().total_tokens = tracker.settings.web.threads
        yield

    app = Starlette(
        debug=False,
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(Guard, tracker=tracker)],
        exception_handlers={
            HTTPException: _http_error,
            PermissionDenied: _refused,
            NotFoundError: _missing,
            InputError: _bad_input,
        },
    )
    app.state.tracker = tracker
    return app


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_page(request, exc.status_code)


async def _refused(request: Request, exc: Exception) -> Response:
    """A use case refused the account (tracker/permissions.py): the 403 page says why."""
    return error_page(request, 403, words(request).error(exc))


async def _missing(request: Request, exc: Exception) -> Response:
    """A missing row, or another unit's (``OutOfScope``): the same 404 page, nothing told."""
    return error_page(request, 404)


async def _bad_input(request: Request, exc: Exception) -> Response:
    return error_page(request, 400, words(request).error(exc))
