"""An address with a trailing newline is refused wherever addresses enter.

``re.match(... $)`` let ``x@y.cn\\n`` through (``$`` matches before a final newline), and the
newline then split the To: header on the wire.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import LEDGERS
from tracker.addresses import looks_like_email
from tracker.config import load_settings
from tracker.errors import InputError

PUYANG = LEDGERS / "puyang-2017-digital-city.toml"


@pytest.mark.parametrize("text", ["x@y.cn\n", "x@y.cn\r\n", "\nx@y.cn", "x@y.cn\nBcc: z@y.cn", "x@y.cn ", ""])
def test_the_shared_validator_refuses_line_breaks_at_either_end(text: str) -> None:
    assert not looks_like_email(text)
    assert looks_like_email(text.strip().split("\n")[0] or "x@y.cn")


def _stored_emails(db_url: str) -> set[str]:
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        emails = {row[0] for row in connection.execute(sa.text("SELECT email FROM person"))}
    engine.dispose()
    return emails


def test_person_email_with_a_trailing_newline(cli, db_url: str) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", PUYANG).code == 0
    result = cli("person", "1", "南乐县", "--name", "李新", "--email", "lixin@example.gov.cn\n")
    assert result.code == 2 and "--email" in result.err and "Traceback" not in result.err
    assert not any("lixin" in email for email in _stored_emails(db_url))


def test_toml_email_is_read_without_its_line_break(cli, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The TOML reader strips the value, so what is stored is the plain address."""
    path = tmp_path / "ledger.toml"
    text = PUYANG.read_text(encoding="utf-8").replace('person = "赵丽玲"', 'person = "赵丽玲"\nemail = "z@y.cn\\n"')
    path.write_text(text, encoding="utf-8")
    assert cli("import", path).code == 0
    assert "z@y.cn" in _stored_emails(db_url)
    assert all(looks_like_email(email) for email in _stored_emails(db_url) if email)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[schedule]\nweekly_to = ["boss@y.cn\\n"]\n', "schedule.weekly_to"),
        ('[notify]\ncc = ["boss@y.cn\\n"]\n', "notify.cc"),
        ('[smtp]\nhost = "smtp.y.cn"\nuser = "me@y.cn\\n"\n', "smtp.user"),
    ],
)
def test_config_addresses_with_a_trailing_newline(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_settings(path)
    assert key in str(caught.value) and "not an email" in str(caught.value)
