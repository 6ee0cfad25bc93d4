"""Run the portal under uvicorn: loopback by default (nginx in front for TLS, README "网页门户"),
no debug, no server banner, and our own access log (tracker/web/guard.py: no query strings, no
cookies) instead of uvicorn's.

With ``workers`` above 1, uvicorn starts that many processes that each build the application
themselves (``worker_app``: its own Tracker and connection pool from the same database URL,
config file and name the command was given, handed over in the environment). Sessions live in
the database, so any process may answer any request."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from starlette.applications import Starlette

    from tracker.app import Tracker

# what a worker process builds its Tracker from (set by ``run`` for its workers)
DB_VARIABLE = "TRACKER_SERVE_DB"
CONFIG_VARIABLE = "TRACKER_SERVE_CONFIG"
USER_VARIABLE = "TRACKER_SERVE_USER"


def run(
    tracker: Tracker,
    *,
    host: str,
    port: int,
    workers: int = 1,
    db: str | None = None,
    config: Path | None = None,
    user: str | None = None,
) -> None:
    """Serve ``tracker``'s database; with ``workers`` > 1, in that many processes, each building
    its own Tracker from ``db``, ``config`` and ``user`` (what ``tracker`` was built from: the
    database is already brought up to date by it, and a bad config refused, before any worker
    starts)."""
    import uvicorn

    from tracker.web.app import create_app

    _logging()
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "access_log": False,
        "server_header": False,
        "proxy_headers": True,  # the client's address from nginx's X-Forwarded-For (throttling counts it) ...
        "forwarded_allow_ips": "127.0.0.1",  # ... only when nginx on this machine says so
        "log_config": None,
    }
    if workers <= 1:
        uvicorn.run(create_app(tracker), **options)
        return
    tracker.engine.dispose()  # the workers open their own connections
    os.environ[DB_VARIABLE] = db or ""  # none: the default database, found again the same way
    os.environ[CONFIG_VARIABLE] = str(config.resolve()) if config is not None else ""
    os.environ[USER_VARIABLE] = user or ""
    uvicorn.run("tracker.web.server:worker_app", factory=True, workers=workers, **options)


def worker_app() -> Starlette:
    """One worker process's application (uvicorn calls this in each process it starts)."""
    from pathlib import Path

    from tracker.app import build
    from tracker.web.app import create_app

    _logging()
    config = os.environ.get(CONFIG_VARIABLE, "")
    db, user = os.environ.get(DB_VARIABLE) or None, os.environ.get(USER_VARIABLE) or None
    tracker = build(db, Path(config) if config else None, user)
    return create_app(tracker)


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(process)d] %(name)s %(levelname)s %(message)s")
