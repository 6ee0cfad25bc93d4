"""The mailer against a real SMTP server (aiosmtpd on 127.0.0.1): every way a send can end."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.smtp_server import Server, make_certificates
from tracker.config import SmtpSettings
from tracker.errors import InputError
from tracker.mailer import Attachment, Mail, Mailer, MailServerError, Outcome, smtp_password

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def settings(port: int, **changes: object) -> SmtpSettings:
    base: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "user": "duban@example.gov.cn",
        "ssl": False,
        "starttls": False,
        "login": False,
        "timeout": 5,
    }
    return SmtpSettings.model_validate(base | changes)


def mail(**changes: object) -> Mail:
    base: dict[str, object] = {
        "sender": "duban@example.gov.cn",
        "sender_name": "濮阳市督查局",
        "to": (("孙庆伟", "sunqw@example.gov.cn"),),
        "subject": "【督办提醒】南乐县老旧小区改造：2项任务逾期",
        "text": "孙庆伟同志：\n任务1 已逾期5天。\n",
        "html": "<p>孙庆伟同志：</p><p>任务1 已逾期5天。</p>",
        "message_id": "<tracker.test1@example.gov.cn>",
    }
    return Mail(**(base | changes))  # type: ignore[arg-type]


def test_delivery_keeps_chinese_names_subject_and_attachment_names(server: Server) -> None:
    document = Attachment("督办通知（督查〔2017〕1号）.docx", b"PK\x03\x04 fake docx", DOCX)
    with Mailer(settings(server.port), None) as mailer:
        result = mailer.send(mail(attachments=(document,), cc=("leader@example.gov.cn",)))
    assert result.outcome is Outcome.SENT
    assert result.accepted == ("sunqw@example.gov.cn", "leader@example.gov.cn")
    [received] = server.received
    message = received.message
    assert message["Subject"] == "【督办提醒】南乐县老旧小区改造：2项任务逾期"
    assert message["To"].addresses[0].display_name == "孙庆伟"
    assert message["From"].addresses[0].display_name == "濮阳市督查局"
    assert message["Message-ID"] == "<tracker.test1@example.gov.cn>"
    assert message["Cc"] == "leader@example.gov.cn"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and "任务1 已逾期5天" in text.get_content()
    assert html is not None and "<p>孙庆伟同志：</p>" in html.get_content()
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == "督办通知（督查〔2017〕1号）.docx"
    assert attached.get_content() == b"PK\x03\x04 fake docx"
    assert received.rcpt_tos == ["sunqw@example.gov.cn", "leader@example.gov.cn"]


def test_one_refused_recipient_among_several(server: Server) -> None:
    server.handler.refuse["gone@example.gov.cn"] = "550 5.1.1 mailbox unavailable"
    with Mailer(settings(server.port), None) as mailer:
        result = mailer.send(mail(cc=("gone@example.gov.cn", "leader@example.gov.cn")))
    assert result.outcome is Outcome.REFUSED
    assert result.accepted == ("sunqw@example.gov.cn", "leader@example.gov.cn")
    assert result.refused == {"gone@example.gov.cn": "550 5.1.1 mailbox unavailable"}
    assert server.received[0].rcpt_tos == ["sunqw@example.gov.cn", "leader@example.gov.cn"]


def test_every_recipient_refused(server: Server) -> None:
    server.handler.refuse["sunqw@example.gov.cn"] = "550 no such user"
    with Mailer(settings(server.port), None) as mailer:
        result = mailer.send(mail())
    assert result.outcome is Outcome.REFUSED and result.accepted == ()
    assert result.describe() == "sunqw@example.gov.cn: 550 no such user"
    assert server.received == []


def test_a_server_that_is_down() -> None:
    down = Server()
    down.stop()
    with pytest.raises(MailServerError) as caught:
        Mailer(settings(down.port), None).open()
    assert caught.value.outcome is Outcome.SERVER_DOWN
    assert f"cannot reach 127.0.0.1:{down.port}" in caught.value.reason


def test_a_connection_dropped_mid_session_is_reported_and_reopened(server: Server) -> None:
    server.handler.drop_in_data = 1
    with Mailer(settings(server.port), None) as mailer:
        first = mailer.send(mail())
        second = mailer.send(mail())  # a new connection, opened by the mailer itself
    assert first.outcome is Outcome.DROPPED and "dropped the connection" in first.reason
    assert second.outcome is Outcome.SENT
    assert len(server.received) == 1


def test_header_injection_through_a_name_is_impossible(server: Server) -> None:
    evil = mail(
        to=(("张三\r\nBcc: spy@evil.example", "zhangsan@example.gov.cn"),), subject="逾期\nBcc: spy@evil.example"
    )
    with Mailer(settings(server.port), None) as mailer:
        assert mailer.send(evil).outcome is Outcome.SENT
    received = server.received[0]
    assert received.rcpt_tos == ["zhangsan@example.gov.cn"]
    assert received.message["Bcc"] is None
    assert received.message["To"].addresses[0].display_name == "张三 Bcc: spy@evil.example"


def test_implicit_tls_with_the_bureaus_own_ca(tmp_path: Path) -> None:
    certificates = make_certificates(tmp_path)
    server = Server(tls=certificates.server_context)
    try:
        with Mailer(settings(server.port, ssl=True, ca_file=str(certificates.ca_file)), None) as mailer:
            assert mailer.send(mail()).outcome is Outcome.SENT
        # Without the CA, the certificate is not trusted: a clear TLS error, nothing sent.
        with pytest.raises(MailServerError) as caught:
            Mailer(settings(server.port, ssl=True), None).open()
        assert caught.value.outcome is Outcome.FAILED and "TLS failed" in caught.value.reason
    finally:
        server.stop()
    assert len(server.received) == 1


def test_starttls_and_login(tmp_path: Path) -> None:
    certificates = make_certificates(tmp_path)
    server = Server(starttls=certificates.server_context, password="s3cret")
    try:
        smtp = settings(server.port, starttls=True, login=True, ca_file=str(certificates.ca_file))
        with Mailer(smtp, "s3cret") as mailer:
            assert mailer.send(mail()).outcome is Outcome.SENT
        with pytest.raises(MailServerError) as caught:
            Mailer(smtp, "wrong").open()
        assert "refused the login" in caught.value.reason and "535" in caught.value.reason
    finally:
        server.stop()
    assert len(server.received) == 1


def test_the_password_comes_from_the_environment_and_never_prompts() -> None:
    smtp = SmtpSettings(host="smtp.example.gov.cn", user="duban@example.gov.cn", password_env="DUBAN_PW")
    assert smtp_password(smtp, {"DUBAN_PW": "pw"}) == "pw"
    with pytest.raises(InputError, match="DUBAN_PW"):
        smtp_password(smtp, {})  # no variable, no keyring backend here: an error, not a prompt
    assert smtp_password(smtp.model_copy(update={"login": False}), {}) is None


def _param(header: str, name: str) -> str:
    """A parameter's raw value from an unfolded header: ``name="…"`` or ``name*=…``."""
    import re

    unfolded = re.sub(r"\r?\n[ \t]", " ", header)
    found = re.search(rf'(?:^|;)\s*{re.escape(name)}=("(?:[^"\\]|\\.)*"|[^;\s]+)', unfolded)
    assert found is not None, f"{name} not in {header!r}"
    return found.group(1)


def test_a_chinese_attachment_name_in_both_encodings(server: Server) -> None:
    from email.header import decode_header, make_header
    from urllib.parse import unquote

    name = "督办通知（督查〔2017〕12号）关于南乐县政府老旧小区改造任务逾期的督办通知.docx"
    with Mailer(settings(server.port), None) as mailer:
        assert mailer.send(mail(attachments=(Attachment(name, b"PK", DOCX),))).outcome is Outcome.SENT
    raw = server.received[0].data.decode("ascii")
    part = raw[raw.index(f"Content-Type: {DOCX}") :]
    content_type = part[: part.index("MIME-Version")]
    disposition = part[part.index("Content-Disposition") : part.index("\r\n\r\n")]
    words = [line for line in (content_type + disposition).splitlines() if "=?utf-8?b?" in line]
    assert len(words) == 6 and all(len(line) <= 78 for line in words)  # folded between encoded-words

    def rfc2047(value: str) -> str:  # as Outlook and QQ Mail read name= and filename=
        assert value.startswith('"=?utf-8?b?') and value.endswith('?="')
        return str(make_header(decode_header(value.strip('"'))))

    def rfc2231(value: str) -> str:  # as Thunderbird, Apple Mail and Foxmail read filename*=
        charset, _, encoded = value.split("'", 2)
        return unquote(encoded, encoding=charset)

    assert rfc2047(_param(content_type, "name")) == name
    assert rfc2047(_param(disposition, "filename")) == name
    assert rfc2231(_param(disposition, "filename*")) == name
    [attached] = list(server.received[0].message.iter_attachments())
    assert attached.get_filename() == name  # and Python's own parser agrees


def test_an_ascii_attachment_name_is_quoted_plainly(server: Server) -> None:
    with Mailer(settings(server.port), None) as mailer:
        mailer.send(mail(attachments=(Attachment('report "final".xlsx', b"x"),)))
    raw = server.received[0].data.decode("ascii")
    assert 'filename="report \\"final\\".xlsx"' in raw and "filename*" not in raw
    assert [a.get_filename() for a in server.received[0].message.iter_attachments()] == ['report "final".xlsx']


def test_the_date_header_carries_the_time_zone_offset(server: Server) -> None:
    import datetime as dt

    moment = dt.datetime(2017, 4, 3, 1, 30, tzinfo=dt.UTC)
    with Mailer(settings(server.port), None) as mailer:
        mailer.send(mail(date=moment))
        mailer.send(mail(date=moment, timezone="America/New_York", message_id="<tracker.test2@example.gov.cn>"))
        mailer.send(mail(message_id="<tracker.test3@example.gov.cn>"))  # now, in the default zone
    dates = [str(r.message["Date"]) for r in server.received]
    assert dates[0] == "Mon, 03 Apr 2017 09:30:00 +0800"
    assert dates[1] == "Sun, 02 Apr 2017 21:30:00 -0400"
    assert dates[2].endswith(" +0800")
    assert all(r.message["Date"].datetime == moment for r in server.received[:2])
