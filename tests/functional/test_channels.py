"""The channel senders against real HTTP servers on 127.0.0.1 that check what DingTalk and WeCom
check (the signature, the body), answer every kind of error and record what arrived."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time
import urllib.parse
from typing import Any

import pytest

from tests.http_server import Arrived, FakeService, Reply, ok
from tests.smtp_server import Server
from tracker.channels.base import ChannelMessage, Delivery, Recipient, SendOutcome, secret_from_env
from tracker.channels.dingtalk import DingTalkRobot, sign
from tracker.channels.email import EmailChannel, outcome
from tracker.channels.http import retry_after
from tracker.channels.webhook import Webhook
from tracker.channels.wecom import LIMIT_BYTES, WeComRobot, content
from tracker.config import SmtpSettings
from tracker.errors import InputError
from tracker.mailer import Mailer, Outcome, SendResult

SECRET = "SECd41d8cd98f00b204e9800998ecf8427e-test-secret"
TOKEN = "access-token-7f3a9c"
KEY = "wecom-key-0b1c2d"
MESSAGE = ChannelMessage(title="督办提醒", markdown="### 南乐县老旧小区改造\n- 任务1 已逾期5天")


def dingtalk_checks(arrived: Arrived) -> Reply:
    """What DingTalk checks, as it documents it: the signature recomputed from the secret and the
    timestamp in the query, a timestamp within an hour of now, and a markdown body."""
    if arrived.query.get("access_token") != TOKEN:
        return ok(300001, "token is not exist")
    timestamp = arrived.query.get("timestamp", "")
    if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3600 * 1000:
        return ok(310000, "sign not match, timestamp is too old")
    digest = hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    if arrived.query.get("sign") != base64.b64encode(digest).decode():  # parse_qsl has url-decoded it
        return ok(310000, "sign not match")
    body = arrived.body
    if body.get("msgtype") != "markdown" or not {"title", "text"} <= set(body["markdown"]):
        return ok(40035, "缺少参数 markdown")
    return ok()


def robot(service: FakeService, **changes: Any) -> DingTalkRobot:
    options: dict[str, Any] = {"secret": SECRET, "timeout": 2.0} | changes
    return DingTalkRobot(base_url=service.url + "/robot/send", **options)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- the signature ---------------------------------------------------------------------------


def test_the_signature_matches_an_independently_computed_vector() -> None:
    # Computed as DingTalk's Python sample does, outside the code under test:
    # quote_plus(b64encode(hmac.new(b"this is secret", b"1577808000000\nthis is secret", sha256).digest()))
    secret, timestamp = "this is secret", 1577808000000
    expected = urllib.parse.quote_plus(
        base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest())
    )
    assert sign(secret, timestamp) == expected
    assert sign(secret, timestamp) != sign(secret, timestamp + 1)
    assert "+" not in sign(secret, timestamp) and "/" not in sign(secret, timestamp)  # url-encoded


def test_the_timestamp_comes_from_the_time_passed_in() -> None:
    moment = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    url = DingTalkRobot(secret=SECRET).url(TOKEN, moment)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query["timestamp"] == str(int(moment.timestamp() * 1000))
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=")


# --- DingTalk -------------------------------------------------------------------------------


def test_dingtalk_delivers_a_signed_markdown_message_with_mentions(service: FakeService) -> None:
    service.answer = dingtalk_checks
    recipient = Recipient(name="孙庆伟", mobiles=("13800138000",), webhook=TOKEN)
    result = robot(service).send(MESSAGE, recipient, now=now())
    assert result == SendOutcome.delivered()
    (arrived,) = service.arrived
    assert arrived.path == "/robot/send"
    assert arrived.headers["content-type"].startswith("application/json")
    assert arrived.body == {
        "msgtype": "markdown",
        "markdown": {"title": "督办提醒", "text": MESSAGE.markdown + "\n\n@13800138000"},
        "at": {"atMobiles": ["13800138000"], "isAtAll": False},
    }


def test_dingtalk_refuses_a_timestamp_older_than_an_hour(service: FakeService) -> None:
    service.answer = dingtalk_checks
    result = robot(service).send(MESSAGE, Recipient(webhook=TOKEN), now=now() - dt.timedelta(hours=2))
    assert result.delivery is Delivery.REFUSED and "310000" in result.reason


def test_dingtalk_with_a_wrong_secret_is_refused_and_names_no_secret(service: FakeService) -> None:
    service.answer = dingtalk_checks
    result = robot(service, secret="SECwrong").send(MESSAGE, Recipient(webhook=TOKEN), now=now())
    assert result == SendOutcome.refused("DingTalk 310000: sign not match")


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (ok(130101, "send too fast, exceed 20 times per minute"), Delivery.RETRY_LATER),
        ((429, {"Retry-After": "30"}, b"busy"), Delivery.RETRY_LATER),
        (ok(300001, "token is not exist"), Delivery.REFUSED),
        ((500, {}, b"internal error"), Delivery.UNREACHABLE),
        ((502, {}, b"<html>bad gateway</html>"), Delivery.UNREACHABLE),
    ],
)
def test_dingtalk_errors_are_mapped(service: FakeService, reply: Reply, expected: Delivery) -> None:
    service.answer = lambda _: reply
    result = robot(service).send(MESSAGE, Recipient(webhook=TOKEN), now=now())
    assert result.delivery is expected
    assert result.retryable == (expected is not Delivery.REFUSED)


def test_dingtalk_too_fast_says_how_long_to_wait(service: FakeService) -> None:
    service.answer = lambda _: ok(130101, "send too fast")
    result = robot(service).send(MESSAGE, Recipient(webhook=TOKEN), now=now())
    assert result.retry_after == 60.0


def test_a_slow_robot_is_unreachable_after_the_timeout(service: FakeService) -> None:
    def slow(_: Arrived) -> Reply:
        time.sleep(1.5)
        return ok()

    service.answer = slow
    started = time.monotonic()
    result = robot(service, timeout=0.3).send(MESSAGE, Recipient(webhook=TOKEN), now=now())
    assert result.delivery is Delivery.UNREACHABLE and "no answer within" in result.reason
    assert time.monotonic() - started < 1.4


def test_a_robot_that_is_down_is_unreachable() -> None:
    down = DingTalkRobot(secret=SECRET, base_url="http://127.0.0.1:9/robot/send", timeout=2.0)
    result = down.send(MESSAGE, Recipient(webhook=TOKEN), now=now())
    assert result.delivery is Delivery.UNREACHABLE


@pytest.mark.parametrize(
    "reply",
    [ok(310000, f"sign not match for {SECRET} and {TOKEN}"), (400, {}, f"bad token {TOKEN}".encode())],
)
def test_no_reason_ever_shows_the_secret_or_the_token(service: FakeService, reply: Reply) -> None:
    service.answer = lambda _: reply
    result = robot(service).send(MESSAGE, Recipient(webhook=TOKEN), now=now())
    assert result.delivery is Delivery.REFUSED
    assert SECRET not in result.reason and TOKEN not in result.reason and "***" in result.reason


def test_no_reason_shows_the_token_when_the_robot_is_down() -> None:
    down = DingTalkRobot(secret=SECRET, base_url=f"http://127.0.0.1:9/{TOKEN}/send", timeout=2.0)
    result = down.send(MESSAGE, Recipient(webhook=TOKEN), now=now())
    assert result.delivery is Delivery.UNREACHABLE and TOKEN not in result.reason and SECRET not in result.reason


# --- WeCom ----------------------------------------------------------------------------------


def wecom_checks(arrived: Arrived) -> Reply:
    if arrived.query.get("key") != KEY:
        return ok(93000, "invalid webhook url")
    markdown = arrived.body.get("markdown", {})
    if arrived.body.get("msgtype") != "markdown" or len(markdown.get("content", "").encode()) > LIMIT_BYTES:
        return ok(40058, "markdown.content exceed max length 4096")
    return ok()


def wecom(service: FakeService) -> WeComRobot:
    return WeComRobot(base_url=service.url + "/cgi-bin/webhook/send", timeout=2.0)


def test_wecom_delivers_markdown_with_mentions(service: FakeService) -> None:
    service.answer = wecom_checks
    result = wecom(service).send(MESSAGE, Recipient(user_ids=("sunqw",), webhook=KEY), now=now())
    assert result == SendOutcome.delivered()
    (arrived,) = service.arrived
    assert arrived.path == "/cgi-bin/webhook/send"
    assert arrived.body == {
        "msgtype": "markdown",
        "markdown": {"content": f"**督办提醒**\n{MESSAGE.markdown}\n<@sunqw>"},
    }


def test_wecom_cuts_a_long_message_on_a_character_boundary_and_keeps_the_mentions(service: FakeService) -> None:
    service.answer = wecom_checks
    long = ChannelMessage(title="督办提醒", markdown="逾期任务" * 2000)  # 24,000 bytes
    result = wecom(service).send(long, Recipient(user_ids=("sunqw",), webhook=KEY), now=now())
    assert result == SendOutcome.delivered()
    sent = service.arrived[0].body["markdown"]["content"]
    assert len(sent.encode()) <= LIMIT_BYTES
    assert "已截断" in sent and sent.endswith("<@sunqw>")
    assert len(sent.encode()) > LIMIT_BYTES - 10  # cut at the limit, not far short of it


def test_a_short_message_is_never_cut() -> None:
    text = content(ChannelMessage(title="", markdown="任" * (LIMIT_BYTES // 3)), Recipient())
    assert text == "任" * (LIMIT_BYTES // 3)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (ok(45009, "api freq out of limit"), Delivery.RETRY_LATER),
        (ok(93000, "invalid webhook url"), Delivery.REFUSED),
        ((500, {}, b""), Delivery.UNREACHABLE),
    ],
)
def test_wecom_errors_are_mapped(service: FakeService, reply: Reply, expected: Delivery) -> None:
    service.answer = lambda _: reply
    result = wecom(service).send(MESSAGE, Recipient(webhook=KEY), now=now())
    assert result.delivery is expected and KEY not in result.reason


def test_a_wrong_wecom_key_is_refused_without_showing_it(service: FakeService) -> None:
    service.answer = wecom_checks
    result = wecom(service).send(MESSAGE, Recipient(webhook="other-key"), now=now())
    assert result == SendOutcome.refused("WeCom 93000: invalid webhook url")


# --- the generic webhook --------------------------------------------------------------------

TEMPLATE = '{"to": {{ recipient.mobiles | tojson }}, "subject": {{ title | tojson }}, "content": {{ text | tojson }}}'


def hook(service: FakeService, template: str = TEMPLATE) -> Webhook:
    return Webhook(
        url=service.url + "/sms/send",
        template=template,
        headers={"X-Platform": "zhengwu"},
        secret_headers={"Authorization": "Bearer tok-123456"},
        timeout=2.0,
    )


def test_the_webhook_posts_the_rendered_json_with_its_headers(service: FakeService) -> None:
    tricky = ChannelMessage(title='督办"提醒"', markdown='第1行\n第2行 </script> {"x": 1}')
    result = hook(service).send(tricky, Recipient(mobiles=("13800138000",)), now=now())
    assert result == SendOutcome.delivered()
    (arrived,) = service.arrived
    assert arrived.path == "/sms/send"
    assert arrived.body == {"to": ["13800138000"], "subject": tricky.title, "content": tricky.markdown}
    assert arrived.headers["x-platform"] == "zhengwu"
    assert arrived.headers["authorization"] == "Bearer tok-123456"


@pytest.mark.parametrize(
    ("reply", "expected", "wait"),
    [
        ((204, {}, b""), Delivery.DELIVERED, None),
        ((429, {"Retry-After": "120"}, b""), Delivery.RETRY_LATER, 120.0),
        ((429, {}, b""), Delivery.RETRY_LATER, None),
        ((403, {}, b"forbidden tok-123456"), Delivery.REFUSED, None),
        ((503, {}, b""), Delivery.UNREACHABLE, None),
    ],
)
def test_webhook_answers_are_mapped(service: FakeService, reply: Reply, expected: Delivery, wait: float | None) -> None:
    service.answer = lambda _: reply
    result = hook(service).send(MESSAGE, Recipient(), now=now())
    assert (result.delivery, result.retry_after) == (expected, wait)
    assert "tok-123456" not in result.reason


def test_retry_after_as_an_http_date_counts_from_now() -> None:
    moment = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    assert retry_after("Mon, 30 Nov 2026 08:02:00 GMT", moment) == 120.0
    assert retry_after("soon", moment) is None


def test_a_template_that_reaches_for_python_is_refused_and_nothing_is_sent(service: FakeService) -> None:
    sneaky = '{"x": {{ title.__class__.__mro__ | tojson }}}'
    result = hook(service, sneaky).send(MESSAGE, Recipient(), now=now())
    assert result.delivery is Delivery.REFUSED and "template" in result.reason
    assert service.arrived == []


def test_a_template_that_does_not_give_json_is_refused(service: FakeService) -> None:
    result = hook(service, '{"x": {{ title }}}').send(MESSAGE, Recipient(), now=now())
    assert result.delivery is Delivery.REFUSED and "JSON" in result.reason
    assert service.arrived == []


# --- secrets from the environment -------------------------------------------------------------


def test_a_secret_comes_from_the_environment_and_a_missing_one_names_the_variable() -> None:
    environ = {"TRACKER_DINGTALK_SECRET": "SEC1"}
    assert secret_from_env("TRACKER_DINGTALK_SECRET", "[channels.dingtalk]", environ) == "SEC1"
    with pytest.raises(InputError, match=r"\[channels.dingtalk\]: .*TRACKER_DINGTALK_SECRET"):
        secret_from_env("TRACKER_DINGTALK_SECRET", "[channels.dingtalk]", {})


# --- email ----------------------------------------------------------------------------------


def smtp(port: int) -> SmtpSettings:
    return SmtpSettings.model_validate(
        {"host": "127.0.0.1", "port": port, "user": "duban@example.gov.cn", "ssl": False, "starttls": False,
         "login": False, "timeout": 5}
    )  # fmt: skip


def test_email_delivers_through_the_mailer(server: Server) -> None:
    moment = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    with Mailer(smtp(server.port), None) as mailer:
        channel = EmailChannel(mailer, "duban@example.gov.cn", "濮阳市督查局")
        result = channel.send(MESSAGE, Recipient(name="孙庆伟", email="sunqw@example.gov.cn"), now=moment)
    assert result == SendOutcome.delivered()
    (received,) = server.received
    message = received.message
    assert message["Subject"] == "督办提醒"
    assert "+0800" in message["Date"]
    assert "任务1 已逾期5天" in message.get_body(("plain",)).get_content()


def test_email_a_refused_address_is_refused(server: Server) -> None:
    server.handler.refuse["nobody@example.gov.cn"] = "550 5.1.1 no such user"
    with Mailer(smtp(server.port), None) as mailer:
        channel = EmailChannel(mailer, "duban@example.gov.cn", "濮阳市督查局")
        result = channel.send(MESSAGE, Recipient(email="nobody@example.gov.cn"), now=now())
    assert result.delivery is Delivery.REFUSED and "550" in result.reason


def test_email_without_an_address_is_refused() -> None:
    channel = EmailChannel(Mailer.__new__(Mailer), "duban@example.gov.cn", "督查局")
    assert channel.send(MESSAGE, Recipient(name="孙庆伟"), now=now()).delivery is Delivery.REFUSED


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (SendResult(Outcome.SERVER_DOWN, reason="cannot reach"), Delivery.UNREACHABLE),
        (SendResult(Outcome.DROPPED, reason="dropped"), Delivery.UNREACHABLE),
        (SendResult(Outcome.FAILED, reason="451 4.7.1 try again later"), Delivery.RETRY_LATER),
        (SendResult(Outcome.FAILED, reason="554 5.7.1 message rejected"), Delivery.REFUSED),
    ],
)
def test_email_outcomes_are_mapped(result: SendResult, expected: Delivery) -> None:
    assert outcome(result).delivery is expected
