"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, recording what it accepts.

It can refuse chosen recipients (550), drop the connection in the middle of DATA, demand a login,
speak implicit TLS or STARTTLS with a certificate made by the test's own CA (trustme), and be slow
(``delay`` seconds before each 250, other connections served meanwhile).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Handler:
    refuse: dict[str, str] = field(default_factory=dict)  # address → reply
    drop_in_data: int = 0  # drop the connection in the next N DATA commands
    delay: float = 0.0  # seconds before each DATA's answer: a slow server
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.drop_in_data:
                self.drop_in_data -= 1
                server.transport.abort()  # gone before the 250: the client cannot know
                return "421 dropped"
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [str(r.message["Message-ID"]) for r in self.received]


class Server:
    """A running server; ``stop()`` makes it a server that is down."""

    def __init__(
        self,
        *,
        tls: ssl.SSLContext | None = None,
        starttls: ssl.SSLContext | None = None,
        password: str | None = None,
        delay: float = 0.0,
    ) -> None:
        self.handler = Handler(delay=delay)
        self.port = free_port()
        kwargs: dict[str, Any] = {}
        if starttls is not None:
            kwargs.update(tls_context=starttls, require_starttls=True)
        if password is not None:
            kwargs.update(
                authenticator=_authenticator(password), auth_required=True, auth_require_tls=starttls is not None
            )
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, ssl_context=tls, server_hostname="localhost", **kwargs
        )
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        return self.handler.received


def _authenticator(password: str) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password.decode() == password
        return AuthResult(success=ok, handled=False)

    return check


@dataclass
class Certificates:
    """A CA made for the test, a server context signed by it, and the CA file clients trust."""

    server_context: ssl.SSLContext
    ca_file: Path


def make_certificates(folder: Path) -> Certificates:
    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return Certificates(context, ca_file)


def smtp_config(port: int, *, extra: str = "", smtp: str = "", login: bool = False) -> str:
    """A config file's text pointing at the test server (no login, plain SMTP unless told)."""
    return f"""
[smtp]
host = "127.0.0.1"
port = {port}
user = "duban@example.gov.cn"
ssl = false
starttls = false
login = {"true" if login else "false"}
timeout = 5
{smtp}
{extra}
"""
