"""Digests through the CLI and a real SMTP server: queued by the check, sent once by notify."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.smtp_server import Server, smtp_config

LEDGER = """
title = "老旧小区改造"
doc_number = "测试〔2017〕2号"
year = 2017

[[units]]
name = "南乐县政府"
person = "李新"
email = "lixin@example.gov.cn"
[[units]]
name = "范县政府"
person = "王芳"
email = "wangfang@example.gov.cn"
[[units]]
name = "台前县政府"
person = "赵强"

[[tasks]]
text = "完成改造方案"
deadline = "2017年3月31日"
[[tasks]]
text = "开工建设"
deadline = "2017年4月10日"
"""

# A second ledger where 李新 answers for another unit: still one digest for him.
OTHER = """
title = "数字化城管"
doc_number = "测试〔2017〕3号"
year = 2017

[[units]]
name = "南乐县城管局"
person = "李新"
email = "LiXin@example.gov.cn"

[[tasks]]
text = "平台上线"
deadline = "2017年3月25日"
"""


@pytest.fixture
def mail_cli(cli, tmp_path: Path, server: Server):  # type: ignore[no-untyped-def]
    """`tracker --config CONFIG ...` with the ledgers imported; ``.config`` rewrites the config."""
    config = tmp_path / "tracker.toml"

    def write(extra: str = "", smtp: str = "", port: int | None = None, login: bool = False) -> None:
        text = smtp_config(port or server.port, extra=extra, smtp=smtp, login=login)
        config.write_text(text, encoding="utf-8")

    def run(*args: str):  # type: ignore[no-untyped-def]
        return cli("--config", config, *args)

    write()
    run.config = write  # type: ignore[attr-defined]
    for name, text in (("ledger.toml", LEDGER), ("other.toml", OTHER)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert cli("import", tmp_path / name).code == 0
    return run


def check(run, day: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    result = run("check", "--as-of", day, "--json")
    assert result.code == 0, result.err
    return result.json()  # type: ignore[no-any-return]


def notify(run, *args: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def, type-arg]
    result = run("notify", "--json", *args)
    assert result.code in (0, 1), result.err
    return result.code, result.json()


def test_one_digest_per_person_sent_once(mail_cli, server: Server) -> None:  # type: ignore[no-untyped-def]
    first = check(mail_cli, "2017-04-03")
    assert first["outbox"]["queued"] == 2
    assert first["outbox"]["no_address"] == [{"ledger": "老旧小区改造", "unit": "台前县政府", "person": "赵强"}]
    waiting = mail_cli("outbox", "--json").json()
    assert sorted(m["to"].lower() for m in waiting) == ["lixin@example.gov.cn", "wangfang@example.gov.cn"]
    lixin = next(m for m in waiting if m["to"].lower() == "lixin@example.gov.cn")
    assert lixin["subject"] == "【督办通知】2个台账：2份通知、2项任务逾期、1项任务即将到期"
    assert check(mail_cli, "2017-04-03")["outbox"]["queued"] == 0  # the same day again: refreshed, not doubled
    assert len(mail_cli("outbox", "--json").json()) == 2

    code, sent = notify(mail_cli, "--as-of", "2017-04-03")
    assert code == 0 and sent == {"sent": 2, "failed": 0, "queued": 0}
    assert sorted(r.rcpt_tos[0].lower() for r in server.received) == sorted(
        ["lixin@example.gov.cn", "wangfang@example.gov.cn"]
    )
    message = next(r.message for r in server.received if r.rcpt_tos[0].lower() == "lixin@example.gov.cn")
    text = message.get_body(("plain",))
    assert text is not None
    body = text.get_content()
    assert "【老旧小区改造】" in body and "【数字化城管】" in body
    assert "任务1 完成改造方案（南乐县政府），完成时限2017年3月31日，已逾期3天，督办通知" in body
    assert "任务2 开工建设（南乐县政府），完成时限2017年4月10日，还有7天" in body
    names = sorted(a.get_filename() or "" for a in message.iter_attachments())
    assert len(names) == 2 and all(n.startswith("督办通知（督查〔2017〕") and n.endswith(".docx") for n in names)
    html = message.get_body(("html",))
    assert html is not None and "<td>完成改造方案</td>" in html.get_content()

    assert notify(mail_cli, "--as-of", "2017-04-03") == (0, {"sent": 0, "failed": 0, "queued": 0})
    assert len(server.received) == 2  # never a second copy
    listed = mail_cli("outbox", "--all", "--json").json()
    assert {m["status"] for m in listed} == {"sent"}
    stored = {m["to"].lower(): m for m in listed}
    shown = mail_cli("outbox", "--show", str(stored["lixin@example.gov.cn"]["id"]), "--json").json()
    assert "完成改造方案" in shown["text"]
    ids = {r.rcpt_tos[0].lower(): str(r.message["Message-ID"]) for r in server.received}
    assert all(mid.startswith("<tracker.") and mid.endswith("@example.gov.cn>") for mid in ids.values())


def test_html_is_escaped(mail_cli, server: Server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "evil.toml").write_text(
        LEDGER.replace("完成改造方案", "<script>alert(1)</script>").replace("测试〔2017〕2号", "测试〔2017〕9号"),
        encoding="utf-8",
    )
    assert mail_cli("import", tmp_path / "evil.toml").code == 0
    check(mail_cli, "2017-04-03")
    assert notify(mail_cli, "--as-of", "2017-04-03")[0] == 0
    bodies = [r.message.get_body(("html",)) for r in server.received]
    html = "".join(b.get_content() for b in bodies if b is not None)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html


def test_a_server_that_is_down_keeps_the_queue(mail_cli, server: Server) -> None:  # type: ignore[no-untyped-def]
    check(mail_cli, "2017-04-03")
    down = Server()
    down.stop()
    mail_cli.config(port=down.port)
    code, result = notify(mail_cli, "--as-of", "2017-04-03")
    assert code == 1 and result["sent"] == 0 and result["queued"] == 2
    assert f"cannot reach 127.0.0.1:{down.port}" in result["problems"][0]
    assert {m["status"] for m in mail_cli("outbox", "--json").json()} == {"queued"}  # nothing claimed
    mail_cli.config()
    assert notify(mail_cli, "--as-of", "2017-04-03") == (0, {"sent": 2, "failed": 0, "queued": 0})


def test_a_refused_recipient_fails_and_the_retry_goes_only_to_it(mail_cli, server: Server) -> None:  # type: ignore[no-untyped-def]
    mail_cli.config(extra='[notify]\ncc = ["leader@example.gov.cn"]')
    check(mail_cli, "2017-04-03")
    server.handler.refuse["wangfang@example.gov.cn"] = "550 5.1.1 mailbox full"
    code, result = notify(mail_cli, "--as-of", "2017-04-03")
    assert code == 1 and result["sent"] == 1 and result["failed"] == 1 and result["queued"] == 1
    assert result["problems"] == ["wangfang@example.gov.cn: wangfang@example.gov.cn: 550 5.1.1 mailbox full"]
    [failed] = mail_cli("outbox", "--json").json()
    assert failed["status"] == "failed" and failed["attempts"] == 1 and "mailbox full" in failed["error"]
    assert sum(1 for r in server.received if "leader@example.gov.cn" in r.rcpt_tos) == 2
    del server.handler.refuse["wangfang@example.gov.cn"]
    assert notify(mail_cli, "--as-of", "2017-04-03") == (0, {"sent": 1, "failed": 0, "queued": 0})
    assert server.received[-1].rcpt_tos == ["wangfang@example.gov.cn"]  # the leader is not sent it twice


def test_approval_is_required_when_configured(mail_cli, server: Server) -> None:  # type: ignore[no-untyped-def]
    mail_cli.config(extra="[notify]\nrequire_approval = true")
    check(mail_cli, "2017-04-03")
    assert notify(mail_cli, "--as-of", "2017-04-03") == (
        0,
        {"sent": 0, "failed": 0, "queued": 2, "awaiting_approval": 2},
    )
    assert server.received == []
    assert mail_cli("approve-outbox", "--json").json() == {"approved": 2}
    assert notify(mail_cli, "--as-of", "2017-04-03")[1]["sent"] == 2


def test_quiet_hours_hold_a_manual_send_until_now(mail_cli, server: Server) -> None:  # type: ignore[no-untyped-def]
    here = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    hours = f"{(here - dt.timedelta(hours=1)):%H:%M}-{(here + dt.timedelta(hours=1)):%H:%M}"
    mail_cli.config(extra=f'[notify]\nquiet_hours = "{hours}"')
    check(mail_cli, "2017-04-03")
    quiet = mail_cli("notify", "--as-of", "2017-04-03")
    assert quiet.code == 0 and "quiet hours" in quiet.out and "--now" in quiet.out
    assert server.received == []
    assert notify(mail_cli, "--as-of", "2017-04-03", "--now")[1]["sent"] == 2


def test_dry_run_sends_nothing(mail_cli, server: Server) -> None:  # type: ignore[no-untyped-def]
    check(mail_cli, "2017-04-03")
    code, result = notify(mail_cli, "--as-of", "2017-04-03", "--dry-run")
    assert code == 0 and result["sent"] == 0 and len(result["messages"]) == 2
    assert server.received == [] and {m["status"] for m in mail_cli("outbox", "--json").json()} == {"queued"}


def test_bad_mail_input_is_refused_clearly(mail_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = mail_cli("person", "老旧小区改造", "台前县", "--name", "赵强", "--email", "zhaoqiang(at)example")
    assert bad.code == 2 and "not an email address" in bad.err
    mail_cli.config(extra='[notify]\ncc = ["leader at example"]')
    refused = mail_cli("check", "--as-of", "2017-04-03")
    assert refused.code == 2 and "notify.cc" in refused.err and "not an email address" in refused.err
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "digest.txt.j2").write_text("{{ d.name }\n", encoding="utf-8")
    mail_cli.config(extra=f'[notices]\ntemplates = "{templates}"')
    broken = mail_cli("check", "--as-of", "2017-04-03")
    assert broken.code == 2 and "digest.txt.j2" in broken.err
    assert mail_cli("outbox", "--json").json() == [] and mail_cli("notices", "--json").json() == []


def test_a_missing_password_is_a_clear_error(mail_cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("TRACKER_TEST_SMTP_PW", raising=False)
    check(mail_cli, "2017-04-03")
    mail_cli.config(login=True, smtp='password_env = "TRACKER_TEST_SMTP_PW"')
    result = mail_cli("notify", "--as-of", "2017-04-03")
    assert result.code == 2 and "TRACKER_TEST_SMTP_PW" in result.err
    assert {m["status"] for m in mail_cli("outbox", "--json").json()} == {"queued"}
