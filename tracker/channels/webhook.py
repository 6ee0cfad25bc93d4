"""A generic JSON webhook (政务 platforms, SMS gateways): a POST whose body a Jinja2 template writes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from tracker.channel_settings import WebhookSettings
from tracker.channels.base import ChannelMessage, Recipient, SendOutcome, redact, secret_from_env
from tracker.channels.http import DEFAULT_TIMEOUT, Unreachable, http_outcome, post


def _tojson(value: Any) -> str:
    # Plain JSON (Chinese kept readable), not Jinja's HTML-safe variant: the body is JSON, not HTML.
    return json.dumps(value, ensure_ascii=False)


def environment() -> SandboxedEnvironment:
    """A sandbox: a template from the config can read the message, never reach Python."""
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters["tojson"] = _tojson
    return env


@dataclass(frozen=True)
class Webhook:
    """``url`` is used unless the recipient has its own; ``secret_headers`` (resolved from the
    environment, e.g. an Authorization token) are sent like ``headers`` but never shown."""

    url: str
    template: str
    headers: Mapping[str, str] = field(default_factory=dict)
    secret_headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    name: str = "webhook"

    @cached_property
    def _template(self) -> jinja2.Template:
        return environment().from_string(self.template)

    def render(self, message: ChannelMessage, recipient: Recipient, now: dt.datetime) -> str:
        return self._template.render(
            title=message.title,
            markdown=message.markdown,
            text=message.text,
            recipient={
                "name": recipient.name,
                "email": recipient.email,
                "mobiles": list(recipient.mobiles),
                "user_ids": list(recipient.user_ids),
            },
            now=now.isoformat(),
        )

    def send(self, message: ChannelMessage, recipient: Recipient, *, now: dt.datetime) -> SendOutcome:
        outcome = self._send(message, recipient, now)
        # A header's value and its last word: "Bearer TOKEN" must hide TOKEN alone as well.
        tokens = [word for value in self.secret_headers.values() for word in (value, *value.split()[-1:])]
        hidden = (recipient.webhook, self.url, *tokens)
        return SendOutcome(outcome.delivery, redact(outcome.reason, hidden), outcome.retry_after)

    def _send(self, message: ChannelMessage, recipient: Recipient, now: dt.datetime) -> SendOutcome:
        try:
            body = self.render(message, recipient, now)
        except jinja2.TemplateError as exc:  # a template error is the same every time: permanent
            return SendOutcome.refused(f"webhook template: {exc}")
        try:
            json.loads(body)
        except ValueError as exc:
            return SendOutcome.refused(f"webhook template did not give JSON: {exc}")
        headers = {"Content-Type": "application/json; charset=utf-8", **self.headers, **self.secret_headers}
        try:
            answer = post(recipient.webhook or self.url, body.encode("utf-8"), headers, self.timeout)
        except Unreachable as exc:
            return SendOutcome.unreachable(f"webhook: {exc}")
        return http_outcome(answer, now) or SendOutcome.delivered()


def connect(settings: WebhookSettings, key: str) -> tuple[Webhook, str]:
    """The webhook of ``[channels.webhook]``, its secret headers read from the environment."""
    hidden = {
        header: secret_from_env(variable, f"[channels.webhook] headers_env.{header}")
        for header, variable in settings.headers_env.items()
    }
    return Webhook(url=settings.url, template=settings.body, headers=settings.headers, secret_headers=hidden), ""
