"""Run the portal under uvicorn: loopback by default (nginx in front for TLS, README "网页门户"),
no debug, no server banner, and our own access log (tracker/web/guard.py: no query strings, no
cookies) instead of uvicorn's."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.app import Tracker


def run(tracker: Tracker, *, host: str, port: int) -> None:
    import uvicorn

    from tracker.web.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    uvicorn.run(
        create_app(tracker),
        host=host,
        port=port,
        access_log=False,
        server_header=False,
        proxy_headers=True,  # the client's address from nginx's X-Forwarded-For (throttling counts it) ...
        forwarded_allow_ips="127.0.0.1",  # ... only when nginx on this machine says so
        log_config=None,
    )
