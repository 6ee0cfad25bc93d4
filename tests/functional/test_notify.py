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

    def write(extra: str = "", smtp: str = "", port: int | None = None, login: bool = False, top: str = "") -> None:
        text = top + smtp_config(port or server.port, extra=extra, smtp=smtp, login=login)
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
    waiting = mail_cli("outbox", "--json").json()
    assert {m["status"] for m in waiting} == {"queued"}  # nothing claimed
    assert {m["attempts"] for m in waiting} == {0}  # nothing handed over
    assert all(f"cannot reach 127.0.0.1:{down.port}" in m["error"] for m in waiting)  # but why it waits
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


def test_the_check_says_what_comes_next_by_the_approval_setting(mail_cli) -> None:  # type: ignore[no-untyped-def]
    """`tracker check` tells the clerk the next step: approve first when approval is required."""
    mail_cli.config(extra="[notify]\nrequire_approval = true")
    said = " ".join(mail_cli("check", "--as-of", "2017-04-03").out.split())
    assert "2 digest(s) queued" in said and "wait for approval: `tracker approve-outbox`" in said
    mail_cli.config()
    said = " ".join(mail_cli("check", "--as-of", "2017-04-04").out.split())
    assert "`tracker notify` sends them" in said and "approve-outbox" not in said


def test_quiet_hours_hold_a_manual_send_until_now(mail_cli, server: Server) -> None:  # type: ignore[no-untyped-def]
    here = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    hours = f"{(here - dt.timedelta(hours=1)):%H:%M}-{(here + dt.timedelta(hours=1)):%H:%M}"
    mail_cli.config(extra=f'[notify]\nquiet_hours = "{hours}"')
    check(mail_cli, "2017-04-03")
    quiet = mail_cli("notify", "--as-of", "2017-04-03")
    assert quiet.code == 0 and "免打扰时段" in quiet.out and "--now" in quiet.out
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
    mail_cli.config(login=True, smtp='password_env = "TRACKER_TEST_SMTP_PW"\nallow_plain_login = true')
    result = mail_cli("notify", "--as-of", "2017-04-03")
    assert result.code == 2 and "TRACKER_TEST_SMTP_PW" in result.err
    assert {m["status"] for m in mail_cli("outbox", "--json").json()} == {"queued"}


def sent_to(server: Server, address: str) -> list:  # type: ignore[type-arg]
    return [r.message for r in server.received if r.rcpt_tos[0].lower() == address]


def plain(message) -> str:  # type: ignore[no-untyped-def]
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_a_second_check_the_same_day_keeps_the_notices_in_the_waiting_digest(mail_cli, server: Server) -> None:  # type: ignore[no-untyped-def]
    first = check(mail_cli, "2017-04-03")
    numbers = {n["number"] for n in first["notices"]}
    before = {m["to"].lower(): m for m in mail_cli("outbox", "--json").json()}
    again = check(mail_cli, "2017-04-03")
    assert again["notices"] == [] and again["outbox"] == {
        "queued": 0,
        "refreshed": 2,
        "no_address": [{"ledger": "老旧小区改造", "unit": "台前县政府", "person": "赵强"}],
    }
    after = {m["to"].lower(): m for m in mail_cli("outbox", "--json").json()}
    for address, row in after.items():
        assert row["subject"] == before[address]["subject"]  # still 【督办通知】…份通知
        assert row["notices"] == before[address]["notices"]
        shown = mail_cli("outbox", "--show", str(row["id"]), "--json").json()
        assert any(number in shown["text"] for number in numbers)
    assert after["wangfang@example.gov.cn"]["subject"].startswith("【督办通知】老旧小区改造：1份通知")
    assert notify(mail_cli, "--as-of", "2017-04-03")[1]["sent"] == 2
    [message] = sent_to(server, "wangfang@example.gov.cn")
    [attached] = list(message.iter_attachments())
    number = attached.get_filename().removesuffix("）.docx").split("（")[-1]
    assert f"督办通知 {number}" in plain(message)  # the text names the notice it attaches


def test_progress_recorded_after_the_check_is_not_mailed_as_late(mail_cli, server: Server) -> None:  # type: ignore[no-untyped-def]
    check(mail_cli, "2017-04-03")
    assert mail_cli("progress", "老旧小区改造", "1", "范县", "--status", "done", "--on", "2017-04-02").code == 0
    assert notify(mail_cli, "--as-of", "2017-04-03")[1]["sent"] == 2
    [message] = sent_to(server, "wangfang@example.gov.cn")
    body = plain(message)
    assert "完成改造方案" not in body and "逾期" not in str(message["Subject"])
    assert "开工建设（范县政府），完成时限2017年4月10日，还有7天" in body
    assert len(list(message.iter_attachments())) == 1  # the warning notice issued stays a notice issued


def test_a_digest_with_nothing_left_to_say_is_not_sent(mail_cli, server: Server) -> None:  # type: ignore[no-untyped-def]
    assert check(mail_cli, "2017-03-18")["outbox"]["queued"] == 1  # 李新: 平台上线 due in 7 days
    assert mail_cli("progress", "数字化城管", "1", "南乐县城管局", "--status", "done", "--on", "2017-03-18").code == 0
    assert notify(mail_cli, "--as-of", "2017-03-18") == (0, {"sent": 0, "failed": 0, "queued": 0})
    assert server.received == []
    [row] = mail_cli("outbox", "--all", "--json").json()
    assert row["status"] == "obsolete"


def test_digests_waiting_for_approval_are_merged_not_sent_twice(mail_cli, server: Server) -> None:  # type: ignore[no-untyped-def]
    mail_cli.config(extra="[notify]\nrequire_approval = true")
    check(mail_cli, "2017-04-02")
    check(mail_cli, "2017-04-03")
    waiting = mail_cli("outbox", "--json").json()
    assert sorted((m["to"].lower(), m["as_of"]) for m in waiting) == [
        ("lixin@example.gov.cn", "2017-04-03"),
        ("wangfang@example.gov.cn", "2017-04-03"),
    ]
    assert mail_cli("approve-outbox", "--json").json() == {"approved": 2}
    assert notify(mail_cli)[1]["sent"] == 2
    [message] = sent_to(server, "wangfang@example.gov.cn")
    body = plain(message)
    assert "截至2017年4月3日" in body and "已逾期3天" in body and "已逾期2天" not in body
    assert len(list(message.iter_attachments())) == 1  # the notice issued on 04-02 is still carried


def test_approval_covers_what_was_approved(mail_cli, server: Server) -> None:  # type: ignore[no-untyped-def]
    mail_cli.config(extra="[notify]\nrequire_approval = true")
    check(mail_cli, "2017-04-03")
    assert mail_cli("approve-outbox", "--json").json() == {"approved": 2}
    # A task done since: the approved digest only loses a line, so it keeps its approval.
    assert mail_cli("progress", "老旧小区改造", "1", "范县", "--status", "done", "--on", "2017-04-02").code == 0
    # The next day's check changes what the digests say (days late): approved again, or not sent.
    check(mail_cli, "2017-04-04")
    assert {m["approved"] for m in mail_cli("outbox", "--json").json()} == {False}
    assert notify(mail_cli) == (0, {"sent": 0, "failed": 0, "queued": 2, "awaiting_approval": 2})
    assert mail_cli("approve-outbox", "--json").json() == {"approved": 2}
    assert notify(mail_cli)[1]["sent"] == 2
    # 04-04 is no reminder day, but the reminder of 04-03, which waited with it, is kept.
    [message] = sent_to(server, "wangfang@example.gov.cn")
    assert "开工建设（范县政府），完成时限2017年4月10日，还有6天" in plain(message)


def test_removing_lines_keeps_an_approval(mail_cli, server: Server) -> None:  # type: ignore[no-untyped-def]
    mail_cli.config(extra="[notify]\nrequire_approval = true")
    check(mail_cli, "2017-04-03")
    assert mail_cli("approve-outbox", "--json").json() == {"approved": 2}
    assert mail_cli("progress", "老旧小区改造", "1", "范县", "--status", "done", "--on", "2017-04-02").code == 0
    assert notify(mail_cli, "--as-of", "2017-04-03")[1]["sent"] == 2
    assert "完成改造方案" not in plain(sent_to(server, "wangfang@example.gov.cn")[0])


def test_queued_digests_follow_a_personnel_change(mail_cli, server: Server) -> None:  # type: ignore[no-untyped-def]
    mail_cli.config(extra="[notify]\nrequire_approval = true")
    check(mail_cli, "2017-04-03")
    assert mail_cli("approve-outbox", "--json").json() == {"approved": 2}
    changed = mail_cli("person", "老旧小区改造", "范县", "--name", "张三", "--email", "zhangsan@example.gov.cn")
    assert changed.code == 0, changed.err
    listed = mail_cli("outbox", "--json").json()
    assert sorted((m["to"].lower(), m["person"], m["approved"]) for m in listed) == [
        ("lixin@example.gov.cn", "李新", True),
        ("zhangsan@example.gov.cn", "张三", False),  # a new recipient: approved afresh
    ]
    assert mail_cli("approve-outbox", "--json").json() == {"approved": 1}
    assert notify(mail_cli, "--as-of", "2017-04-03")[1]["sent"] == 2
    assert sent_to(server, "wangfang@example.gov.cn") == []
    [message] = sent_to(server, "zhangsan@example.gov.cn")
    assert plain(message).startswith("张三同志：") and "完成改造方案（范县政府）" in plain(message)
    assert len(list(message.iter_attachments())) == 1  # the notice to 范县 goes to its person now
    statuses = {m["to"].lower(): m["status"] for m in mail_cli("outbox", "--all", "--json").json()}
    assert statuses["wangfang@example.gov.cn"] == "obsolete"


def test_the_date_header_is_in_the_configured_time_zone(mail_cli, server: Server) -> None:  # type: ignore[no-untyped-def]
    check(mail_cli, "2017-04-03")
    notify(mail_cli, "--as-of", "2017-04-03")
    assert all(str(r.message["Date"]).endswith("+0800") for r in server.received)
    mail_cli.config(top='timezone = "Europe/London"\n')
    check(mail_cli, "2017-04-04")
    notify(mail_cli, "--as-of", "2017-04-04")
    assert str(server.received[-1].message["Date"])[-5:] in ("+0000", "+0100")


def test_a_message_the_server_may_have_keeps_its_content_and_message_id(mail_cli, server: Server, db_url: str) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import Session

    from tracker.db import open_database
    from tracker.models import OutboxMessage

    check(mail_cli, "2017-04-03")
    server.handler.drop_in_data = 1  # the first message: gone mid-DATA, the server may have it
    code, result = notify(mail_cli, "--as-of", "2017-04-03")
    assert code == 1 and result["sent"] == 1 and result["failed"] == 1
    [failed] = mail_cli("outbox", "--json").json()
    before = mail_cli("outbox", "--show", str(failed["id"]), "--json").json()
    unit = "范县" if failed["to"] == "wangfang@example.gov.cn" else "南乐县"
    assert mail_cli("progress", "老旧小区改造", "1", unit, "--status", "done", "--on", "2017-04-02").code == 0
    assert mail_cli("outbox", "--show", str(failed["id"]), "--json").json() == before  # not rebuilt
    assert notify(mail_cli, "--as-of", "2017-04-03")[1]["sent"] == 1
    resent = server.received[-1].message
    engine = open_database(db_url)
    with Session(engine) as session:
        row = session.get(OutboxMessage, failed["id"])
        assert row is not None and row.handed and row.attempts == 2
        assert str(resent["Message-ID"]) == row.message_id and row.text == before["text"]
    engine.dispose()
    assert "完成改造方案" in plain(resent)  # as it was when it may have reached the server


def test_a_message_the_server_refused_is_rebuilt_before_the_retry(mail_cli, server: Server) -> None:  # type: ignore[no-untyped-def]
    check(mail_cli, "2017-04-03")
    server.handler.refuse["wangfang@example.gov.cn"] = "550 5.1.1 mailbox full"
    assert notify(mail_cli, "--as-of", "2017-04-03")[0] == 1
    del server.handler.refuse["wangfang@example.gov.cn"]
    assert mail_cli("progress", "老旧小区改造", "1", "范县", "--status", "done", "--on", "2017-04-02").code == 0
    assert notify(mail_cli, "--as-of", "2017-04-03")[1]["sent"] == 1
    assert "完成改造方案" not in plain(sent_to(server, "wangfang@example.gov.cn")[0])


def test_a_send_claims_only_the_content_it_composed(mail_cli, server: Server, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A digest rebuilt by someone else between composing and claiming is left for the next run."""
    from tracker.app import build
    from tracker.audit import Stamp
    from tracker.lookup import find_assignment, find_ledger, find_task, find_unit
    from tracker.mailer import Mailer
    from tracker.models import Status
    from tracker.progress import ProgressUpdate, record_progress
    from tracker.usecases.sending import send_messages
    from tracker.usecases.work import actor_of

    check(mail_cli, "2017-04-03")
    tracker = build(db_url, tmp_path / "tracker.toml", "测试员")

    def meanwhile() -> Mailer:
        with tracker.session() as session:  # another staff member records progress, and looks at the outbox
            ledger = find_ledger(session, "老旧小区改造")
            task, unit = find_task(session, ledger, "1"), find_unit(session, ledger, "范县")
            record_progress(
                session,
                find_assignment(session, task, unit),
                ProgressUpdate(Status.DONE, dt.date(2017, 4, 2)),
                Stamp("other", tracker.now()),
                today=dt.date(2017, 4, 3),
                subject="任务 1 / 范县政府",
                ledger_id=ledger.id,
            )
            from tracker.digests import refresh_digests

            refresh_digests(session, now=tracker.now(), settings=tracker.settings, calendar=tracker.calendar)
            session.commit()
        assert tracker.settings.smtp is not None
        return Mailer(tracker.settings.smtp, None)

    first = send_messages(tracker, actor_of(tracker), manual=True, as_of=dt.date(2017, 4, 3), mailer_factory=meanwhile)
    assert (first.sent, first.queued) == (1, 1)  # 王芳's digest changed under the send: not claimed
    assert sent_to(server, "wangfang@example.gov.cn") == []
    assert notify(mail_cli, "--as-of", "2017-04-03")[1]["sent"] == 1
    assert "完成改造方案" not in plain(sent_to(server, "wangfang@example.gov.cn")[0])
    tracker.engine.dispose()


def test_digests_queued_before_lines_were_kept_keep_their_notices(mail_cli, server: Server, db_url: str) -> None:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from tracker.db import open_database

    check(mail_cli, "2017-04-03")
    before = {m["to"].lower(): m for m in mail_cli("outbox", "--json").json()}
    engine = open_database(db_url)
    with engine.begin() as connection:  # as the upgrade leaves a digest queued by an older version
        connection.execute(sa.text("UPDATE outbox SET items = '[]'"))
    engine.dispose()
    check(mail_cli, "2017-04-03")
    after = {m["to"].lower(): m for m in mail_cli("outbox", "--json").json()}
    assert {a: (m["subject"], m["notices"]) for a, m in after.items()} == {
        a: (m["subject"], m["notices"]) for a, m in before.items()
    }
