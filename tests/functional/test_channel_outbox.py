"""Digests on every channel through `tracker check` and `tracker notify`: a DingTalk robot on a
local HTTP server that checks the signature as DingTalk does, a generic webhook, levels split
between channels, retries with backoff (500, 429), quiet hours, and no secret ever shown."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.functional.test_channels import SECRET, TOKEN, dingtalk_checks
from tests.functional.test_notify import LEDGER as NOTIFY_LEDGER
from tests.http_server import Arrived, FakeService, Reply, ok
from tests.smtp_server import Server, smtp_config

# The mail tests' ledger, 李新 with a mobile number that robots @.
LEDGER = NOTIFY_LEDGER.replace(
    'email = "lixin@example.gov.cn"\n', 'email = "lixin@example.gov.cn"\nmobile = "13800138000"\n'
)
assert "mobile" in LEDGER
DAY = "2017-04-03"  # task 1 three days late (督办通知), task 2 due in seven days (a reminder)
HOOK_TOKEN = "hook-token-5e6f7a"


def robot_table(url: str, levels: str = '["reminder", "warning"]', **robots: str) -> str:
    """``[channels.dingtalk]`` with robots named NAME = 'ledger = "…"' or 'unit = "…"'."""
    robots = robots or {"改造专班群": 'ledger = "老旧小区改造"'}
    text = f"[channels.dingtalk]\nlevels = {levels}\n"
    for n, (name, where) in enumerate(robots.items()):
        text += f'[[channels.dingtalk.robots]]\nname = "{name}"\n{where}\nurl = "{url}/robot/send"\n'
        text += f'token_env = "TEST_DT_TOKEN_{n}"\nsecret_env = "TEST_DT_SECRET"\n'
    return text


@pytest.fixture
def channels_cli(cli, tmp_path: Path, server: Server, service: FakeService, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`tracker --config CONFIG ...`: email for notices and worse, the ledger's DingTalk robot for
    reminders and warnings; ``.config(text)`` rewrites the channel part."""
    config = tmp_path / "tracker.toml"
    monkeypatch.setenv("TEST_DT_TOKEN_0", TOKEN)
    monkeypatch.setenv("TEST_DT_TOKEN_1", TOKEN)
    monkeypatch.setenv("TEST_DT_SECRET", SECRET)
    monkeypatch.setenv("TEST_HOOK_AUTH", f"Bearer {HOOK_TOKEN}")
    service.answer = dingtalk_checks

    def write(channels: str | None = None, extra: str = "") -> None:
        email = '[channels.email]\nlevels = ["warning", "criticism", "interview", "accountability"]\n'
        body = channels if channels is not None else email + robot_table(service.url)
        config.write_text(smtp_config(server.port, extra=extra + "\n" + body), encoding="utf-8")

    def run(*args: str):  # type: ignore[no-untyped-def]
        return cli("--config", config, *args)

    write()
    run.config = write  # type: ignore[attr-defined]
    run.path = config  # type: ignore[attr-defined]
    (tmp_path / "ledger.toml").write_text(LEDGER, encoding="utf-8")
    assert cli("import", tmp_path / "ledger.toml").code == 0
    return run


def checked(run) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = run("check", "--as-of", DAY, "--json")
    assert result.code == 0, result.err
    return result.json()  # type: ignore[no-any-return]


def test_a_dingtalk_digest_goes_end_to_end_signed_and_email_keeps_its_levels(  # type: ignore[no-untyped-def]
    channels_cli,
    server: Server,
    service: FakeService,
) -> None:
    found = checked(channels_cli)
    assert found["outbox"]["queued"] == 3  # two persons by email, the ledger's group by its robot
    assert found["outbox"]["no_address"] == []  # 台前县 has no email, but its ledger has a robot
    waiting = channels_cli("outbox", "--json").json()
    assert sorted((m["channel"], m["to"]) for m in waiting) == [
        ("dingtalk", "改造专班群"),
        ("email", "lixin@example.gov.cn"),
        ("email", "wangfang@example.gov.cn"),
    ]
    table = channels_cli("outbox")
    assert "channe" in table.out and "dingta" in table.out  # a column of its own (folded at 80 columns)

    sent = channels_cli("notify", "--as-of", DAY, "--json")
    assert sent.code == 0, sent.out + sent.err
    assert sent.json() == {"sent": 3, "failed": 0, "queued": 0}
    (arrived,) = service.arrived  # dingtalk_checks refused anything not signed with the secret
    assert arrived.query["access_token"] == TOKEN and "sign" in arrived.query
    text = arrived.body["markdown"]["text"]
    assert "开工建设（南乐县政府）还有7天到期" in text  # the reminder: the robot carries it
    assert "完成改造方案（台前县政府）已逾期3天" in text  # every unit of the ledger, addressed or not
    assert "督办通知 督查〔2017〕" in text  # notices named, not attached
    assert arrived.body["at"]["atMobiles"] == ["13800138000"] and text.endswith("@13800138000")
    mail = next(r.message for r in server.received if r.rcpt_tos[0] == "lixin@example.gov.cn")
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "已逾期3天" in body and "还有7天" not in body  # email: warnings and worse only
    assert len(list(mail.iter_attachments())) == 1  # its notice as .docx

    again = channels_cli("notify", "--as-of", DAY, "--json")
    assert again.json() == {"sent": 0, "failed": 0, "queued": 0}
    assert len(service.arrived) == 1 and len(server.received) == 2  # never twice
    assert checked(channels_cli)["outbox"]["queued"] == 0  # the same day checked again: nothing new


def test_robot_messages_wait_for_the_quiet_hours_too(channels_cli, service: FakeService) -> None:  # type: ignore[no-untyped-def]
    channels_cli.config(extra='[notify]\nquiet_hours = "00:00-23:59"\n')
    checked(channels_cli)
    quiet = channels_cli("notify", "--as-of", DAY, "--json")
    assert quiet.json() == {"sent": 0, "failed": 0, "queued": 3, "quiet": True}
    assert service.arrived == []
    anyway = channels_cli("notify", "--as-of", DAY, "--now", "--json")
    assert anyway.json()["sent"] == 3 and len(service.arrived) == 1


def test_robot_messages_wait_for_approval(channels_cli, service: FakeService) -> None:  # type: ignore[no-untyped-def]
    channels_cli.config(extra="[notify]\nrequire_approval = true\n")
    checked(channels_cli)
    held = channels_cli("notify", "--as-of", DAY, "--json").json()
    assert held["sent"] == 0 and held["awaiting_approval"] == 3 and service.arrived == []
    assert channels_cli("approve-outbox", "--json").json() == {"approved": 3}
    assert channels_cli("notify", "--as-of", DAY, "--json").json()["sent"] == 3


def tracker_at(db_url: str, config: Path, moments: list[dt.datetime]) -> Any:
    """The tracker, its clock reading ``moments[-1]`` (a test moves it on by appending)."""
    from tracker.app import build

    return build(db_url, config, "测试员", clock=lambda: moments[-1])


def robot_row(tracker: Any) -> Any:
    from tracker.usecases.sending import outbox_messages
    from tracker.usecases.work import Actor

    return next(e for e in outbox_messages(tracker, Actor("t"), include_sent=True) if e.channel == "dingtalk")


@pytest.mark.parametrize(
    ("reply", "wait"),
    [
        ((500, {}, b"oops"), dt.timedelta(minutes=5)),  # the first of retry_minutes
        ((429, {"Retry-After": "900"}, b""), dt.timedelta(minutes=15)),  # what the robot asked for
        (ok(130101, "send too fast"), dt.timedelta(minutes=5)),  # throttled: a minute, less than the backoff
    ],
)
def test_a_failing_robot_is_retried_after_its_backoff_by_the_scheduler(  # type: ignore[no-untyped-def]
    channels_cli,
    service: FakeService,
    db_url: str,
    reply: Reply,
    wait: dt.timedelta,
) -> None:
    from tracker.usecases.sending import send_messages
    from tracker.usecases.work import Actor

    checked(channels_cli)
    start = dt.datetime.now(dt.UTC)  # DingTalk refuses a signature more than an hour old
    moments = [start]
    tracker = tracker_at(db_url, channels_cli.path, moments)
    answers = iter([reply])
    service.answer = lambda arrived: next(answers, None) or dingtalk_checks(arrived)
    scheduler = Actor("scheduler")
    first = send_messages(tracker, scheduler, manual=False, as_of=dt.date(2017, 4, 3))
    assert (first.sent, first.failed) == (2, 1)  # the emails went; the robot did not
    row = robot_row(tracker)
    assert (row.status, row.attempts) == ("failed", 1)
    assert TOKEN not in row.error and SECRET not in row.error and row.error
    for later, expected in ((wait - dt.timedelta(seconds=30), 1), (wait + dt.timedelta(seconds=30), 2)):
        moments.append(start + later)
        send_messages(tracker, scheduler, manual=False, as_of=dt.date(2017, 4, 3))
        assert len(service.arrived) == expected  # nothing before its retry time; sent after it
    assert robot_row(tracker).status == "sent"
    tracker.engine.dispose()


def test_a_person_sending_retries_a_failed_robot_at_once(channels_cli, service: FakeService) -> None:  # type: ignore[no-untyped-def]
    checked(channels_cli)
    answers = iter([(500, {}, b"")])
    service.answer = lambda arrived: next(answers, None) or dingtalk_checks(arrived)
    failed = channels_cli("notify", "--as-of", DAY, "--json")
    assert failed.code == 1 and failed.json()["failed"] == 1
    assert any("HTTP 500" in p for p in failed.json()["problems"])
    assert channels_cli("notify", "--as-of", DAY, "--json").json()["sent"] == 1


def test_a_missing_robot_secret_is_named_and_nothing_is_sent(  # type: ignore[no-untyped-def]
    channels_cli,
    service: FakeService,
    server: Server,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked(channels_cli)
    monkeypatch.delenv("TEST_DT_SECRET")
    refused = channels_cli("notify", "--as-of", DAY)
    assert refused.code == 2 and "TEST_DT_SECRET" in refused.err and "Traceback" not in refused.err
    assert service.arrived == [] and server.received == []  # composed first: nothing half-sent


WEBHOOK = """
[channels.email]
enabled = false
[channels.webhook]
url = "{url}/hook"
body = '''{{"to": {{{{ recipient.mobiles | tojson }}}}, "email": {{{{ recipient.email | tojson }}}},
          "text": {{{{ text | tojson }}}}}}'''
headers = {{ "X-Source" = "tracker" }}
headers_env = {{ "Authorization" = "TEST_HOOK_AUTH" }}
"""


def test_a_webhook_channel_posts_each_persons_digest(channels_cli, service: FakeService) -> None:  # type: ignore[no-untyped-def]
    channels_cli.config(WEBHOOK.format(url=service.url))
    service.answer = lambda _: (200, {}, b"{}")
    found = checked(channels_cli)
    assert found["outbox"]["queued"] == 2  # 李新 by his mobile, 王芳 by her address
    assert found["outbox"]["no_address"] == [{"ledger": "老旧小区改造", "unit": "台前县政府", "person": "赵强"}]
    assert channels_cli("notify", "--as-of", DAY, "--json").json()["sent"] == 2
    bodies = {json.dumps(a.body["to"]) + a.body["email"]: a for a in service.arrived}
    assert set(bodies) == {'["13800138000"]lixin@example.gov.cn', "[]wangfang@example.gov.cn"}
    first = next(iter(bodies.values()))
    assert first.headers["authorization"] == f"Bearer {HOOK_TOKEN}" and first.headers["x-source"] == "tracker"
    assert "完成改造方案" in first.body["text"]


def test_a_webhook_that_echoes_its_token_never_shows_it(channels_cli, service: FakeService) -> None:  # type: ignore[no-untyped-def]
    channels_cli.config(WEBHOOK.format(url=service.url))

    def echo(arrived: Arrived) -> Reply:
        return 403, {}, f"bad token {arrived.headers['authorization']}".encode()

    service.answer = echo
    checked(channels_cli)
    failed = channels_cli("notify", "--as-of", DAY, "--json")
    assert failed.code == 1 and HOOK_TOKEN not in failed.out + failed.err
    listed = channels_cli("outbox", "--json").json()
    assert all(m["status"] == "failed" and "HTTP 403" in m["error"] for m in listed)
    assert not any(HOOK_TOKEN in m["error"] for m in listed)


def test_a_wecom_robot_for_a_unit_wins_over_the_ledgers_and_mentions_by_user_id(  # type: ignore[no-untyped-def]
    channels_cli, service: FakeService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.functional.test_channels import KEY, wecom_checks

    (tmp_path / "ids.toml").write_text(
        LEDGER.replace('mobile = "13800138000"\n', 'wecom_id = "LiXin"\n'), encoding="utf-8"
    )
    assert channels_cli("import", tmp_path / "ids.toml").code == 0  # the same ledger: 李新 gets a WeCom id
    monkeypatch.setenv("TEST_WECOM_KEY", KEY)
    url = f"{service.url}/cgi-bin/webhook/send"
    robots = {"南乐群": 'unit = "南乐县政府"', "专班群": 'ledger = "老旧小区改造"'}
    tables = "".join(
        f'[[channels.wecom.robots]]\nname = "{name}"\n{where}\nurl = "{url}"\ntoken_env = "TEST_WECOM_KEY"\n'
        for name, where in robots.items()
    )
    channels_cli.config("[channels.email]\nenabled = false\n[channels.wecom]\n" + tables)
    service.answer = wecom_checks
    found = checked(channels_cli)
    assert found["outbox"]["queued"] == 2
    assert channels_cli("notify", "--as-of", DAY, "--json").json() == {"sent": 2, "failed": 0, "queued": 0}
    contents = sorted(a.body["markdown"]["content"] for a in service.arrived)
    nanle = next(c for c in contents if "南乐县政府" in c)
    assert "范县政府" not in nanle and nanle.endswith("<@LiXin>")  # the unit's own robot, its person named
    rest = next(c for c in contents if "范县政府" in c)
    assert "南乐县政府" not in rest and "台前县政府" in rest and "<@" not in rest


def test_a_token_in_the_robots_url_is_refused_and_named(channels_cli, service: FakeService) -> None:  # type: ignore[no-untyped-def]
    channels_cli.config(robot_table(service.url).replace("/robot/send", "/robot/send?access_token=abc"))
    refused = channels_cli("check", "--as-of", DAY)
    assert refused.code == 2 and "channels.dingtalk.robots[0].url" in refused.err and "token_env" in refused.err
