"""``[channels]`` in the config: which channels carry which levels, and whom each one reaches.

Each channel's table is one class here that says three things, so that the digests and the
outbox need no change when a channel is added (they only ask these questions):
``carries(level)``, ``targets(contact)`` (the recipients a unit's person is reached at: the person
for email and webhooks, a group robot for DingTalk and WeCom) and ``connect(key)`` (the sender
for one recipient, from the channel module ``module`` names, its secrets read from the
environment at send time, never from the file).

Only pydantic and the standard library here: the config is read at every start, and the
channel modules (which reach the mailer, which reads the config) are imported only to send.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# The escalation levels (tracker.config.Level, which imports this module), lowest first.
LevelName = Literal["reminder", "warning", "criticism", "interview", "accountability"]
ALL_LEVELS: list[LevelName] = ["reminder", "warning", "criticism", "interview", "accountability"]
_MOBILE = re.compile(r"^1\d{10}$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


@dataclass(frozen=True)
class Contact:
    """A unit's present person, as the channels see it."""

    ledger: str
    unit: str
    person: str = ""
    email: str = ""
    mobile: str = ""
    dingtalk_id: str = ""
    wecom_id: str = ""

    def mobiles(self) -> tuple[str, ...]:
        return (self.mobile,) if self.mobile else ()


@dataclass(frozen=True)
class Target:
    """One recipient of a channel: ``key`` makes its digest one per day (an address, a robot's
    name), ``address`` is shown; the rest is who the message names (@ mentions, an SMS number)."""

    key: str
    address: str
    name: str
    email: str = ""
    mobiles: tuple[str, ...] = ()
    user_ids: tuple[str, ...] = ()


def mobile_of(mobile: str, phone: str) -> str:
    """The mobile number a robot can @: the mobile, else the phone when it is one (11 digits, 1…)."""
    for value in (mobile, phone):
        digits = re.sub(r"[\s-]", "", value or "")
        if _MOBILE.match(digits):
            return digits
    return ""


# What the channels read of a unit's present person (columns of ``Person``).
PERSON_FIELDS = ("name", "email", "phone", "mobile", "dingtalk_id", "wecom_id")


def contact_of(ledger: str, unit: str, person: Mapping[str, str]) -> Contact:
    """The ``Contact`` of a unit whose person has the ``PERSON_FIELDS`` ``person`` gives."""
    get = {f: str(person.get(f) or "") for f in PERSON_FIELDS}
    mobile = mobile_of(get["mobile"], get["phone"])
    return Contact(ledger, unit, get["name"], get["email"], mobile, get["dingtalk_id"], get["wecom_id"])


class ChannelSettings(Strict):
    enabled: bool = Field(default=True, description="false: this channel carries nothing")
    levels: list[LevelName] = Field(
        default_factory=lambda: list(ALL_LEVELS), description="the levels it carries (reminder, warning, ...)"
    )
    # The markdown template of its digests ("" for email, which has its own text and HTML).
    template: ClassVar[str] = "digest.md.j2"
    # The module whose ``connect(settings, key)`` gives the sender ("" for email: the mailer).
    module: ClassVar[str] = ""
    # Whether its targets depend on the ledger's and unit's names (group robots), which are then read.
    needs_names: ClassVar[bool] = False

    def carries(self, level: str) -> bool:
        return self.enabled and level in self.levels

    def targets(self, contact: Contact) -> list[Target]:
        raise NotImplementedError

    def connect(self, key: str) -> tuple[Any, str]:
        """The sender (a ``tracker.channels.base.Channel``) for the recipient ``key`` and its
        webhook secret (access token, key): ``connect(settings, key)`` of the channel's module,
        imported when a message is sent (the config is read without it)."""
        import importlib

        if not self.module:
            raise NotImplementedError(f"{type(self).__name__} sends by its own path")
        found: tuple[Any, str] = importlib.import_module(self.module).connect(self, key)
        return found

    def secrets(self, key: str) -> list[str]:
        """What must never be shown for ``key``: redacted from every reason and log."""
        return []


class EmailSettings(ChannelSettings):
    """Email carries a person's digest with the notices attached as .docx (needs [smtp])."""

    template: ClassVar[str] = ""

    def targets(self, contact: Contact) -> list[Target]:
        if not contact.email:
            return []
        return [Target(contact.email.lower(), contact.email, contact.person, email=contact.email)]


class Robot(Strict):
    """A group robot for the units of one ledger, or for one unit (the unit's wins)."""

    name: str = Field(min_length=1, description="shown in the outbox as the recipient; unique")
    ledger: str | None = Field(default=None, description="the ledger (title) whose units it speaks to")
    unit: str | None = Field(default=None, description="the unit (name) it speaks to")
    url: str = Field(default="", description="the robot's webhook address, without its token (default: the service's)")
    token_env: str = Field(min_length=1, description="variable holding the access token (DingTalk) or key (WeCom)")
    secret_env: str = Field(default="", description="variable holding the signing secret (DingTalk 加签)")

    @field_validator("url")
    @classmethod
    def _no_token(cls, value: str) -> str:
        """The address as the robot's settings page shows it carries the token: a secret, which
        belongs in the environment (``token_env``), never in the config file."""
        query = urllib.parse.urlsplit(value).query
        if query:
            raise ValueError(
                "the URL carries a query (access_token=… or key=…, a secret): keep only the address"
                " and put the token in the environment variable token_env names"
            )
        return value

    def covers(self, contact: Contact) -> int:
        """How closely it matches: 2 the unit, 1 the ledger, 0 everyone, -1 not at all."""
        if self.ledger is not None and self.ledger != contact.ledger:
            return -1
        if self.unit is not None:
            return 2 if self.unit == contact.unit else -1
        return 1 if self.ledger is not None else 0


class RobotSettings(ChannelSettings):
    robots: list[Robot] = Field(default_factory=list, description="[[channels.NAME.robots]]")
    needs_names: ClassVar[bool] = True
    template: ClassVar[str] = "digest.md.j2"

    @model_validator(mode="after")
    def _unique(self) -> RobotSettings:
        names = [r.name for r in self.robots]
        if len(names) != len(set(names)):
            raise ValueError("two robots have the same name")
        return self

    def targets(self, contact: Contact) -> list[Target]:
        best = max(self.robots, key=lambda r: r.covers(contact), default=None)
        if best is None or best.covers(contact) < 0:
            return []
        return [Target(best.name, best.name, best.name, mobiles=contact.mobiles(), user_ids=self._ids(contact))]

    def _ids(self, contact: Contact) -> tuple[str, ...]:
        return ()

    def robot(self, key: str) -> Robot:
        from tracker.errors import InputError

        for robot in self.robots:
            if robot.name == key:
                return robot
        raise InputError(f"[channels]: no robot named {key!r} any more (its messages wait)")

    def secrets(self, key: str) -> list[str]:
        robot = next((r for r in self.robots if r.name == key), None)
        if robot is None:
            return []
        found = [os.environ.get(robot.token_env, ""), os.environ.get(robot.secret_env, "")]
        return [s for s in found if s]


class DingTalkSettings(RobotSettings):
    """DingTalk custom robots (自定义机器人): markdown, signed, @ by mobile number or user id."""

    module: ClassVar[str] = "tracker.channels.dingtalk"

    def _ids(self, contact: Contact) -> tuple[str, ...]:
        return (contact.dingtalk_id,) if contact.dingtalk_id else ()


class WeComSettings(RobotSettings):
    """WeCom (企业微信) group robots: markdown, <@userid> mentions."""

    module: ClassVar[str] = "tracker.channels.wecom"

    def _ids(self, contact: Contact) -> tuple[str, ...]:
        return (contact.wecom_id,) if contact.wecom_id else ()


class WebhookSettings(ChannelSettings):
    """A JSON POST per person (政务 platforms, SMS gateways); the body from a Jinja2 template."""

    module: ClassVar[str] = "tracker.channels.webhook"
    url: str = Field(min_length=1, description="where to POST")
    body: str = Field(min_length=1, description="Jinja2 template of the JSON body (title, markdown, text, recipient)")
    headers: dict[str, str] = Field(default_factory=dict, description="headers sent as they are")
    headers_env: dict[str, str] = Field(
        default_factory=dict, description="secret headers: header name = variable holding its value"
    )

    def targets(self, contact: Contact) -> list[Target]:
        key = contact.mobile or contact.email.lower()
        if not key:
            return []
        return [Target(key, key, contact.person, email=contact.email, mobiles=contact.mobiles())]

    def secrets(self, key: str) -> list[str]:
        values = [os.environ.get(v, "") for v in self.headers_env.values()]
        return [w for v in values if v for w in (v, *v.split()[-1:])]


class ChannelsSettings(Strict):
    """``[channels]``: a table per channel. Without any, email carries everything (with [smtp])."""

    email: EmailSettings = Field(default_factory=EmailSettings)
    dingtalk: DingTalkSettings | None = None
    wecom: WeComSettings | None = None
    webhook: WebhookSettings | None = None

    def active(self, smtp: bool) -> dict[str, ChannelSettings]:
        """The channels that carry something, by name (the field names are the channel names)."""
        found: dict[str, ChannelSettings] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, ChannelSettings) and value.enabled and (name != "email" or smtp):
                found[name] = value
        return found
