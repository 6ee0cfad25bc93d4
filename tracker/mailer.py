"""The one place that talks SMTP.

yagmail (the product's mail library) opens the connection: implicit TLS or STARTTLS, login or
none. Its quirks are turned into explicit results here: it returns ``{}`` on success and a dict
(no exception) when some recipients are refused, raises a bare ``ConnectionRefusedError`` when the
server is down, retries a dropped connection for 9 s and then returns ``False``, and prompts on
the terminal when it has no password. So we never let it prompt (the password is resolved before,
or login is off), and we hand the prepared message to its connection ourselves: one attempt, one
result. The message is built with the standard library's ``email`` package, not yagmail's
builder, which makes the plain part out of the HTML, does not escape it, and attaches any body
string that happens to name a file.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import io
import re
import secrets
import smtplib
import ssl
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.generator import BytesGenerator
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import Compat32
from email.utils import encode_rfc2231, format_datetime, formataddr
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from tracker.config import SmtpSettings
from tracker.errors import InputError
from tracker.secret_store import KEYRING_SERVICE, from_env_or_keyring

ATTACHMENT_HEADERS = ("Content-Type", "Content-Disposition")


class Outcome(StrEnum):
    SENT = "sent"
    REFUSED = "refused"  # the server refused one or more recipients (a 5xx per address)
    SERVER_DOWN = "server down"  # no connection at all
    DROPPED = "dropped"  # the connection broke mid-conversation: delivery unknown
    FAILED = "failed"  # anything else the server said no to (login, TLS, message)


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    mime: str = "application/octet-stream"


def one_line(text: str) -> str:
    """Header text on one line: a name with a line break can never inject a header."""
    return " ".join(text.split())


def encoded_words(text: str) -> list[str]:
    """``text`` as RFC 2047 encoded-words (UTF-8, base64), split between characters, each short
    enough to stand on a folded line of its own after ``filename="``."""
    chunks, chunk = [], b""
    for char in text:
        data = char.encode("utf-8")
        if chunk and len(chunk) + len(data) > 39:  # 39 bytes: 52 base64 characters, 64 in all
            chunks.append(chunk)
            chunk = b""
        chunk += data
    chunks.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(c).decode('ascii')}?=" for c in chunks]


def attachment_headers(name: str, mime: str) -> tuple[str, str]:
    """The Content-Type and Content-Disposition of an attachment called ``name``.

    A name that is not plain ASCII gets both RFC 2231's ``filename*`` (Thunderbird, Apple Mail,
    Foxmail, WPS) and the RFC 2047 ``name=``/``filename=`` that Outlook over POP/IMAP and QQ
    Mail read instead: against the letter of RFC 2047, which keeps encoded-words out of quoted
    strings, but what the common mail programs write. Those two are folded here, one parameter
    (or encoded-word) per line, as those programs fold them.
    """
    name = one_line(name)
    if name.isascii():
        quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{mime}; name={quoted}", f"attachment; filename={quoted}"
    legacy = '"' + "\n ".join(encoded_words(name)) + '"'
    return (
        f"{mime};\n name={legacy}",
        f"attachment;\n filename={legacy};\n filename*={encode_rfc2231(name, 'utf-8')}",
    )


class _Wire(Compat32):
    """compat32 with CRLF line ends (smtplib sends bytes as they are), writing the attachment
    headers we fold ourselves as folded (its own folder would move a long MIME type to a line of
    its own)."""

    def _ours(self, name: str, value: Any) -> bool:
        return name in ATTACHMENT_HEADERS and isinstance(value, str) and "\n" in value and value.isascii()

    def fold(self, name: str, value: Any) -> str:
        if self._ours(name, value):
            return f"{name}: " + self.linesep.join(value.split("\n")) + self.linesep
        return str(super().fold(name, value))

    def fold_binary(self, name: str, value: Any) -> bytes:
        if self._ours(name, value):
            return self.fold(name, value).encode("ascii")
        if isinstance(value, str) and value.isascii() and len(name) + len(value) < 76 and "\n" not in value:
            # A short plain header (the MIME parts' own, an encoded From): compat32 would write it
            # as it is, after building a Header object for it: a third of a digest's cost.
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return bytes(super().fold_binary(name, value))


WIRE = _Wire(linesep="\r\n")


class _WireGenerator(BytesGenerator):
    """The bytes ``Message.as_bytes`` writes, a body in one write: the standard generator writes
    a base64 body a line at a time (two writes and encodes each of a .docx's 700 lines)."""

    def _write_lines(self, lines: str) -> None:
        # What the standard one writes: each line break as the policy's, in one go (with no "\r",
        # as in base64, every break is a "\n": a plain replace, ten times the regex's speed).
        if "\r" not in lines:
            self.write(lines.replace("\n", self._NL))  # type: ignore[attr-defined]
        elif lines:
            self.write(_LINE_BREAK.sub(self._NL, lines))  # type: ignore[attr-defined]


_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # email.generator.NLCRE


def _base64_lines(data: bytes) -> str:
    """``base64.encodebytes`` (76 characters a line, each ended by a newline) in one pass: it
    encodes 57 bytes at a time, and 57 bytes are exactly one line."""
    encoded = binascii.b2a_base64(data, newline=False).decode("ascii")
    return "".join(f"{encoded[i : i + 76]}\n" for i in range(0, len(encoded), 76))


def _boundary() -> str:
    """A MIME boundary as the email package makes one. Given, not left to the generator: it
    would search the whole message for it (a third of a millisecond for a .docx attachment), and
    it cannot occur: every part's body is base64, and no base64 line starts with "--"."""
    return f"{'=' * 15}{secrets.randbelow(sys.maxsize):019d}=="


@dataclass(frozen=True)
class Mail:
    sender: str
    sender_name: str
    to: tuple[tuple[str, str], ...]  # (name, address)
    subject: str
    text: str
    html: str
    message_id: str
    cc: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    date: dt.datetime | None = None  # default: when it is written out
    timezone: str = "Asia/Shanghai"  # the Date header's offset (settings.timezone)

    def recipients(self) -> list[str]:
        seen: dict[str, None] = {}
        for address in [a for _, a in self.to] + list(self.cc):
            seen.setdefault(address, None)
        return list(seen)

    def as_bytes(self) -> bytes:
        # The compat32 MIME classes, not EmailMessage: the same message in a quarter of the time,
        # which is most of the cost of a digest once the connection is open.
        body = MIMEMultipart("alternative", boundary=_boundary())
        body.attach(MIMEText(self.text, "plain", "utf-8"))  # base64: survives any server
        body.attach(MIMEText(self.html, "html", "utf-8"))
        if self.attachments:
            message = MIMEMultipart("mixed", boundary=_boundary())
            message.attach(body)
            for attachment in self.attachments:
                maintype, _, subtype = attachment.mime.partition("/")
                content_type, disposition = attachment_headers(attachment.name, attachment.mime)
                part = MIMEBase(maintype, subtype)
                part.replace_header("Content-Type", content_type)
                part.set_payload(_base64_lines(attachment.data))  # what encoders.encode_base64 sets
                part["Content-Transfer-Encoding"] = "base64"
                part["Content-Disposition"] = disposition
                message.attach(part)
        else:
            message = body
        message["Subject"] = Header(one_line(self.subject), "utf-8")  # type: ignore[assignment]
        message["From"] = formataddr((one_line(self.sender_name), self.sender), "utf-8")
        message["To"] = ", ".join(formataddr((one_line(name), address), "utf-8") for name, address in self.to)
        if self.cc:
            message["Cc"] = ", ".join(self.cc)
        moment = self.date or dt.datetime.now(dt.UTC)
        message["Date"] = format_datetime(moment.astimezone(ZoneInfo(self.timezone)))
        message["Message-ID"] = self.message_id
        buffer = io.BytesIO()
        _WireGenerator(buffer, mangle_from_=False, policy=WIRE).flatten(message)
        return buffer.getvalue()


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    accepted: tuple[str, ...] = ()
    refused: Mapping[str, str] = field(default_factory=dict)  # address → the server's reason
    reason: str = ""
    server_error: MailServerError | None = None  # when the server could not be used at all

    def describe(self) -> str:
        if self.refused:
            return "; ".join(f"{address}: {why}" for address, why in self.refused.items())
        return self.reason or self.outcome.value


class MailServerError(Exception):
    """The server could not be used at all (down, login refused, TLS failed).

    ``key`` and ``params`` (``where``, ``detail``) let a front end word it in its own language,
    as for ``InputError``; ``reason`` is the English wording kept in the send log.
    """

    def __init__(self, outcome: Outcome, reason: str, *, key: str = "mail.server", **params: object) -> None:
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason
        self.key, self.params = key, params


def smtp_password(settings: SmtpSettings, environ: Mapping[str, str] | None = None) -> str | None:
    """The password from the variable ``password_env`` names, else the system keyring (service
    "tracker", the SMTP user). None when the server takes no login; an error when it needs one."""
    if not settings.login:
        return None
    password = from_env_or_keyring(settings.password_env, settings.user, environ)
    if password:
        return password
    raise InputError(
        f"[smtp]: no password for {settings.user or 'the SMTP login'}: set the environment variable "
        f"{settings.password_env}, or store it with `keyring set {KEYRING_SERVICE} {settings.user}`"
        " (or set login = false for a relay that takes none)",
        key="smtp_password",
        variable=settings.password_env,
    )


def _reason(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {one_line(text)}"


class Mailer:
    """One SMTP connection, reopened after it drops. Use as a context manager."""

    def __init__(self, settings: SmtpSettings, password: str | None) -> None:
        if not settings.user:
            raise InputError("[smtp] user: the sender address is needed")
        self.settings = settings
        self.password = password
        self._client: Any = None

    def open(self) -> Mailer:
        """Connect and log in; ``MailServerError`` when the server cannot be used."""
        self._connect()
        return self

    def __enter__(self) -> Mailer:
        return self.open()

    def __exit__(self, *_: object) -> None:
        self.close()

    def _where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def _connect(self) -> None:
        import yagmail

        s = self.settings
        context = ssl.create_default_context(cafile=s.ca_file) if (s.ssl or s.starttls) else None
        options: dict[str, Any] = {"timeout": s.timeout}
        if s.ssl:
            options["context"] = context
        client = yagmail.SMTP(
            user=s.user,
            password=self.password,
            host=s.host,
            port=s.port,
            smtp_ssl=s.ssl,
            smtp_starttls={"context": context} if s.starttls and not s.ssl else False,
            smtp_skip_login=not s.login,
            soft_email_validation=False,
            **options,
        )
        where = self._where()
        try:
            client.login()
        except smtplib.SMTPAuthenticationError as exc:
            detail = _reason(exc.smtp_code, exc.smtp_error)
            raise MailServerError(
                Outcome.FAILED, f"{where} refused the login: {detail}", key="mail.login", where=where, detail=detail
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise MailServerError(Outcome.FAILED, f"{where}: {exc}", where=where, detail=str(exc)) from None
        except ssl.SSLError as exc:
            detail = str(exc.reason or exc)
            raise MailServerError(
                Outcome.FAILED, f"{where}: TLS failed: {detail}", key="mail.tls", where=where, detail=detail
            ) from None
        except smtplib.SMTPServerDisconnected as exc:
            raise MailServerError(
                Outcome.DROPPED,
                f"{where} closed the connection: {exc}",
                key="mail.closed",
                where=where,
                detail=str(exc),
            ) from None
        except smtplib.SMTPResponseException as exc:
            detail = _reason(exc.smtp_code, exc.smtp_error)
            raise MailServerError(Outcome.FAILED, f"{where}: {detail}", where=where, detail=detail) from None
        except (OSError, smtplib.SMTPException) as exc:
            detail = getattr(exc, "strerror", None) or str(exc)
            raise MailServerError(
                Outcome.SERVER_DOWN, f"cannot reach {where}: {exc}", key="mail.unreachable", where=where, detail=detail
            ) from None
        self._client = client

    def send(self, mail: Mail, only: list[str] | None = None) -> SendResult:
        """One attempt to hand ``mail`` to the server, for ``only`` these recipients if given
        (a retry skips those who already have it). A dropped connection is reopened next time."""
        if self._client is None:
            try:
                self._connect()
            except MailServerError as exc:
                return SendResult(exc.outcome, reason=exc.reason, server_error=exc)
        recipients = only if only is not None else mail.recipients()
        try:
            refused = self._client.smtp.sendmail(mail.sender, recipients, mail.as_bytes())
        except smtplib.SMTPRecipientsRefused as exc:
            return SendResult(
                Outcome.REFUSED, refused={a: _reason(code, msg) for a, (code, msg) in exc.recipients.items()}
            )
        except smtplib.SMTPSenderRefused as exc:
            return SendResult(
                Outcome.FAILED, reason=f"sender {exc.sender} refused: {_reason(exc.smtp_code, exc.smtp_error)}"
            )
        except smtplib.SMTPResponseException as exc:
            self._reset()
            return SendResult(Outcome.FAILED, reason=_reason(exc.smtp_code, exc.smtp_error))
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            return SendResult(
                Outcome.DROPPED, reason=f"{self._where()} dropped the connection: {exc or type(exc).__name__}"
            )
        if refused:
            accepted = tuple(a for a in recipients if a not in refused)
            reasons = {a: _reason(code, msg) for a, (code, msg) in refused.items()}
            return SendResult(Outcome.REFUSED, accepted=accepted, refused=reasons)
        return SendResult(Outcome.SENT, accepted=tuple(recipients))

    def _reset(self) -> None:
        """After a refused message, the session may be mid-transaction: start a clean one."""
        try:
            self._client.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(OSError):
                client.smtp.close()
            client.is_closed = True

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
