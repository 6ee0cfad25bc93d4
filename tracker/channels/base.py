"""What every channel shares: the message, the recipient, the outcome and the ``Channel`` protocol."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from tracker.errors import InputError
from tracker.mailer import Attachment
from tracker.secret_store import KEYRING_SERVICE, from_env_or_keyring


class Delivery(StrEnum):
    DELIVERED = "delivered"
    REFUSED = "refused"  # permanent: sending the same again will not help
    UNREACHABLE = "unreachable"  # no answer (down, timeout, 5xx): try again later
    RETRY_LATER = "retry later"  # the other side asked us to wait (rate limit)


@dataclass(frozen=True)
class SendOutcome:
    delivery: Delivery
    reason: str = ""
    retry_after: float | None = None  # seconds, when the other side said how long to wait

    @property
    def retryable(self) -> bool:
        return self.delivery in (Delivery.UNREACHABLE, Delivery.RETRY_LATER)

    @classmethod
    def delivered(cls) -> SendOutcome:
        return cls(Delivery.DELIVERED)

    @classmethod
    def refused(cls, reason: str) -> SendOutcome:
        return cls(Delivery.REFUSED, reason)

    @classmethod
    def unreachable(cls, reason: str) -> SendOutcome:
        return cls(Delivery.UNREACHABLE, reason)

    @classmethod
    def retry_later(cls, reason: str, after: float | None = None) -> SendOutcome:
        return cls(Delivery.RETRY_LATER, reason, after)


@dataclass(frozen=True)
class ChannelMessage:
    title: str
    markdown: str  # robots show this
    plain: str = ""  # email's text part; the markdown when empty
    html: str = ""  # email's HTML part; the plain text escaped when empty
    attachments: tuple[Attachment, ...] = ()  # only email carries them
    key: str = ""  # stable across retries (email: the Message-ID)

    @property
    def text(self) -> str:
        return self.plain or self.markdown


@dataclass(frozen=True)
class Recipient:
    name: str = ""
    email: str = ""
    mobiles: tuple[str, ...] = ()  # DingTalk @ by mobile number
    user_ids: tuple[str, ...] = ()  # WeCom <@userid>, DingTalk atUserIds
    webhook: str = ""  # DingTalk access_token, WeCom key, or a webhook URL (a secret: never shown)


class Channel(Protocol):
    @property
    def name(self) -> str: ...

    def send(self, message: ChannelMessage, recipient: Recipient, *, now: dt.datetime) -> SendOutcome: ...


def secret_from_env(variable: str, where: str, environ: Mapping[str, str] | None = None) -> str:
    """A secret from the environment variable ``variable`` names, else from the system keyring
    (service "tracker", user ``variable``: `keyring set tracker VARIABLE`); config files never
    hold secrets."""
    value = from_env_or_keyring(variable, variable, environ)
    if not value:
        raise InputError(
            f"{where}: the environment variable {variable} is not set "
            f"(or store the secret with `keyring set {KEYRING_SERVICE} {variable}`)",
            key="channel_secret",
            where=where,
            variable=variable,
        )
    return value


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced, longest first, so no reason or log shows one."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
