"""Email as a channel: a thin adapter over ``tracker.mailer.Mailer``, its outcomes mapped."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Protocol

from tracker.channels.base import ChannelMessage, Recipient, SendOutcome
from tracker.mailer import Mail, Outcome, SendResult


class MailSender(Protocol):
    def send(self, mail: Mail, only: list[str] | None = None) -> SendResult: ...


def _temporary(reason: str) -> bool:
    """An SMTP 4xx reply ("451 try again later"): the reason starts with its code."""
    return reason[:1] == "4" and reason[:3].isdigit()


def outcome(result: SendResult) -> SendOutcome:
    match result.outcome:
        case Outcome.SENT:
            return SendOutcome.delivered()
        case Outcome.REFUSED:  # a 5xx for the address: permanent
            return SendOutcome.refused(result.describe())
        case Outcome.SERVER_DOWN | Outcome.DROPPED:  # dropped: delivery unknown, a retry may duplicate
            return SendOutcome.unreachable(result.describe())
        case _ if result.server_error is not None:  # login or TLS failed: the server, not the message
            return SendOutcome.unreachable(result.describe())
        case _ if _temporary(result.reason):
            return SendOutcome.retry_later(result.describe())
        case _:
            return SendOutcome.refused(result.describe())


@dataclass(frozen=True)
class EmailChannel:
    mailer: MailSender
    sender: str
    sender_name: str
    timezone: str = "Asia/Shanghai"
    name: str = "email"

    def mail(self, message: ChannelMessage, recipient: Recipient, now: dt.datetime) -> Mail:
        domain = self.sender.rpartition("@")[2] or None
        return Mail(
            sender=self.sender,
            sender_name=self.sender_name,
            to=((recipient.name, recipient.email),),
            subject=message.title,
            text=message.text,
            html=message.html or f'<pre style="white-space: pre-wrap">{html.escape(message.text)}</pre>',
            message_id=message.key or make_msgid(domain=domain),
            attachments=message.attachments,
            date=now,
            timezone=self.timezone,
        )

    def send(self, message: ChannelMessage, recipient: Recipient, *, now: dt.datetime) -> SendOutcome:
        if not recipient.email:
            return SendOutcome.refused("no email address for this recipient")
        return outcome(self.mailer.send(self.mail(message, recipient, now)))
