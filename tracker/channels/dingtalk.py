"""DingTalk custom robot (自定义机器人): a markdown message to a group, signed with the robot's
security setting (加签), @ by mobile number."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import urllib.parse
from dataclasses import dataclass

from tracker.channel_settings import DingTalkSettings
from tracker.channels.base import ChannelMessage, Recipient, SendOutcome, redact, secret_from_env
from tracker.channels.http import DEFAULT_TIMEOUT, robot_outcome

BASE_URL = "https://oapi.dingtalk.com/robot/send"
TOO_FAST = 130101  # "send too fast": 20 messages a minute per robot, then throttled
THROTTLE_SECONDS = 60.0


def sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign``: urlencode(base64(HMAC-SHA256(secret, "{timestamp}\\n{secret}")))."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def payload(message: ChannelMessage, recipient: Recipient) -> dict[str, object]:
    # DingTalk only notifies the @-ed mobiles when the text also names them as "@138…".
    mentions = " ".join(f"@{who}" for who in (*recipient.mobiles, *recipient.user_ids))
    text = f"{message.markdown}\n\n{mentions}" if mentions else message.markdown
    at: dict[str, object] = {"atMobiles": list(recipient.mobiles), "isAtAll": False}
    if recipient.user_ids:  # DingTalk user ids (atUserIds), for persons known by id rather than mobile
        at["atUserIds"] = list(recipient.user_ids)
    return {"msgtype": "markdown", "markdown": {"title": message.title, "text": text}, "at": at}


@dataclass(frozen=True)
class DingTalkRobot:
    """``recipient.webhook`` is the robot's access_token; ``secret`` its SEC… signing secret (from the
    environment), or empty for a robot secured by keyword or IP instead."""

    secret: str = ""
    base_url: str = BASE_URL
    timeout: float = DEFAULT_TIMEOUT
    name: str = "dingtalk"

    def url(self, access_token: str, now: dt.datetime) -> str:
        query = f"access_token={urllib.parse.quote_plus(access_token)}"
        if self.secret:
            timestamp = int(now.timestamp() * 1000)
            query += f"&timestamp={timestamp}&sign={sign(self.secret, timestamp)}"
        return f"{self.base_url}?{query}"

    def send(self, message: ChannelMessage, recipient: Recipient, *, now: dt.datetime) -> SendOutcome:
        outcome = self._send(message, recipient, now)
        reason = redact(outcome.reason, (self.secret, recipient.webhook))
        return SendOutcome(outcome.delivery, reason, outcome.retry_after)

    def _send(self, message: ChannelMessage, recipient: Recipient, now: dt.datetime) -> SendOutcome:
        if not recipient.webhook:
            return SendOutcome.refused("no DingTalk robot access_token for this recipient")
        return robot_outcome(
            self.url(recipient.webhook, now),
            payload(message, recipient),
            now,
            service="DingTalk",
            throttled=TOO_FAST,
            wait=THROTTLE_SECONDS,
            timeout=self.timeout,
        )


def connect(settings: DingTalkSettings, key: str) -> tuple[DingTalkRobot, str]:
    """The robot named ``key`` in ``[channels.dingtalk]`` and its access_token; the token and the
    signing secret from the environment variables it names."""
    robot = settings.robot(key)
    where = f"[channels.dingtalk] robot {robot.name}"
    secret = secret_from_env(robot.secret_env, where) if robot.secret_env else ""
    return DingTalkRobot(secret=secret, base_url=robot.url or BASE_URL), secret_from_env(robot.token_env, where)
