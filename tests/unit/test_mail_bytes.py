"""The message bytes: short headers written directly are exactly what compat32 would write."""

from __future__ import annotations

import datetime as dt
import re
from email.policy import Compat32
from typing import Any

import pytest

from tracker import mailer
from tracker.mailer import Attachment, Mail

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def mail(repeat: int) -> Mail:
    return Mail(
        sender="ducha@example.gov.cn",
        sender_name="市委督查室",
        to=(("李新", "lixin@example.gov.cn"),),
        subject="【督办通知】老旧小区改造：1份通知、2项任务逾期" * repeat,
        text="正文" * 50,
        html="<p>正文</p>" * 50,
        message_id="<tracker.abc@example.gov.cn>",
        cc=("a@example.cn", "c@example.cn") if repeat else (),
        attachments=(Attachment("督办通知（督查〔2017〕1号）.docx", b"PK" * 300, DOCX),) if repeat else (),
        date=dt.datetime(2017, 4, 3, 1, tzinfo=dt.UTC),
    )


def without_boundaries(data: bytes) -> bytes:
    return re.sub(rb"={15}\d+==", b"BOUNDARY", data)


@pytest.mark.parametrize("repeat", [0, 1, 3])
def test_the_bytes_are_compat32s(repeat: int, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = mail(repeat).as_bytes()

    def compat32_only(self: Any, name: str, value: Any) -> bytes:
        if self._ours(name, value):
            return bytes(self.fold(name, value).encode("ascii"))
        return bytes(Compat32.fold_binary(self, name, value))

    monkeypatch.setattr(mailer._Wire, "fold_binary", compat32_only)
    assert without_boundaries(fast) == without_boundaries(mail(repeat).as_bytes())
    assert b"\r\nMIME-Version: 1.0\r\n" in fast and b"\n\n" not in fast.replace(b"\r\n", b"")


@pytest.mark.parametrize("repeat", [0, 1, 3])
def test_bodies_and_base64_are_the_standard_generators(repeat: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bodies written in one piece and base64 in one pass: the bytes email's own generator and
    encoders write, line for line."""
    import base64
    from email.generator import BytesGenerator

    big = Mail(**{**mail(repeat).__dict__, "attachments": (Attachment("a.docx", bytes(range(256)) * 150, DOCX),)})
    ours = [mail(repeat).as_bytes(), big.as_bytes()]
    monkeypatch.setattr(mailer, "_WireGenerator", BytesGenerator)
    monkeypatch.setattr(mailer, "_base64_lines", lambda data: base64.encodebytes(data).decode("ascii"))
    theirs = [mail(repeat).as_bytes(), big.as_bytes()]
    assert [without_boundaries(b) for b in ours] == [without_boundaries(b) for b in theirs]


@pytest.mark.parametrize("payload", ["a\nb\n", "a\nb", "a\rb\r\nc\nd", "\r\n", ""])
def test_line_breaks_as_the_standard_generator_writes_them(payload: str) -> None:
    import io
    from email.generator import BytesGenerator
    from email.message import Message

    message = Message()
    message.set_payload(payload)
    written = []
    for generator in (mailer._WireGenerator, BytesGenerator):
        out = io.BytesIO()
        generator(out, mangle_from_=False, policy=mailer.WIRE).flatten(message)
        written.append(out.getvalue())
    assert written[0] == written[1]
