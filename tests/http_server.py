"""A real HTTP server on 127.0.0.1 standing in for DingTalk, WeCom or a webhook: it answers each
POST as a test says and records what arrived (the ``service`` fixture in conftest.py)."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Arrived:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


Reply = tuple[int, dict[str, str], bytes]


@dataclass
class FakeService:
    """Answers each POST with ``answer(arrived)``; records every request."""

    answer: Callable[[Arrived], Reply]
    arrived: list[Arrived] = field(default_factory=list)
    url: str = ""


def ok(errcode: int = 0, errmsg: str = "ok") -> Reply:
    return 200, {}, json.dumps({"errcode": errcode, "errmsg": errmsg}).encode()


@contextmanager
def running_service() -> Iterator[FakeService]:
    fake = FakeService(answer=lambda _: ok())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            arrived = Arrived(
                parsed.path,
                dict(urllib.parse.parse_qsl(parsed.query)),
                {k.lower(): v for k, v in self.headers.items()},
                json.loads(raw.decode("utf-8")),
            )
            fake.arrived.append(arrived)
            status, headers, body = fake.answer(arrived)
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up waiting (the timeout test)
                pass

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
