"""WeCom (企业微信) group robot: a markdown message to a group, <@userid> mentions."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from dataclasses import dataclass

from tracker.channel_settings import WeComSettings
from tracker.channels.base import ChannelMessage, Recipient, SendOutcome, redact, secret_from_env
from tracker.channels.http import DEFAULT_TIMEOUT, robot_outcome

BASE_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
LIMIT_BYTES = 4096  # WeCom refuses markdown content longer than this (UTF-8 bytes)
FREQ_LIMIT = 45009  # 20 messages a minute per robot
THROTTLE_SECONDS = 60.0
CUT_NOTE = "\n\n……（内容过长，已截断，详见邮件或系统）"


def cut_utf8(text: str, limit: int) -> str:
    """The longest start of ``text`` that is at most ``limit`` bytes in UTF-8, never half a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def content(message: ChannelMessage, recipient: Recipient) -> str:
    """The markdown, cut with a note when too long: a truncated reminder still reaches the group,
    a refused one reaches no one. The mentions come last and are never cut."""
    mentions = " ".join(f"<@{user}>" for user in recipient.user_ids)
    tail = f"\n{mentions}" if mentions else ""
    body = f"**{message.title}**\n{message.markdown}" if message.title else message.markdown
    if len((body + tail).encode("utf-8")) <= LIMIT_BYTES:
        return body + tail
    room = LIMIT_BYTES - len((CUT_NOTE + tail).encode("utf-8"))
    return cut_utf8(body, room) + CUT_NOTE + tail


@dataclass(frozen=True)
class WeComRobot:
    """``recipient.webhook`` is the robot's key (a secret)."""

    base_url: str = BASE_URL
    timeout: float = DEFAULT_TIMEOUT
    name: str = "wecom"

    def send(self, message: ChannelMessage, recipient: Recipient, *, now: dt.datetime) -> SendOutcome:
        outcome = self._send(message, recipient, now)
        return SendOutcome(outcome.delivery, redact(outcome.reason, (recipient.webhook,)), outcome.retry_after)

    def _send(self, message: ChannelMessage, recipient: Recipient, now: dt.datetime) -> SendOutcome:
        if not recipient.webhook:
            return SendOutcome.refused("no WeCom robot key for this recipient")
        url = f"{self.base_url}?key={urllib.parse.quote_plus(recipient.webhook)}"
        payload = {"msgtype": "markdown", "markdown": {"content": content(message, recipient)}}
        return robot_outcome(
            url, payload, now, service="WeCom", throttled=FREQ_LIMIT, wait=THROTTLE_SECONDS, timeout=self.timeout
        )


def connect(settings: WeComSettings, key: str) -> tuple[WeComRobot, str]:
    """The robot named ``key`` in ``[channels.wecom]`` and its key, from the environment."""
    robot = settings.robot(key)
    token = secret_from_env(robot.token_env, f"[channels.wecom] robot {robot.name}")
    return WeComRobot(base_url=robot.url or BASE_URL), token
