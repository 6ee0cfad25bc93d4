import datetime as dt
from pathlib import Path

import pytest

from tracker.config import DEFAULT_ESCALATION, Level, load_settings
from tracker.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def test_example_config_loads() -> None:
    settings = load_settings(ROOT / "config.example.toml")
    assert settings.smtp is not None and settings.smtp.host == "smtp.example.gov.cn"
    assert [rule.level for rule in settings.escalation] == [r.level for r in DEFAULT_ESCALATION]
    assert settings.escalation[2].missed_reports == 1
    assert list(settings.active_channels()) == ["email"]  # the robot is there, not yet enabled
    assert settings.channels.dingtalk is not None and settings.channels.dingtalk.robots[0].secret_env
    calendar = settings.work_calendar()
    assert calendar.knows(2027)
    assert not calendar.is_workday(dt.date(2027, 2, 8))


def test_no_config_means_defaults() -> None:
    settings = load_settings(None)
    assert settings.timezone == "Asia/Shanghai"
    assert settings.escalation[0].level == Level.REMINDER


def test_the_cli_shortcut_for_no_config_gives_the_defaults() -> None:
    """`tracker when` without a config file skips building the settings; what it uses instead
    must be exactly what the settings would have said."""
    from tracker.cli.base import _calendar_and_timezone

    settings = load_settings(None)
    assert _calendar_and_timezone(None) == (settings.work_calendar(), settings.timezone)


def test_the_cli_reads_the_config_file_when_given(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('timezone = "Europe/Berlin"\n[calendar."2027"]\nholidays = ["2027-01-01"]\n', encoding="utf-8")
    from tracker.cli.base import _calendar_and_timezone

    calendar, timezone = _calendar_and_timezone(path)
    assert timezone == "Europe/Berlin"
    assert not calendar.is_workday(dt.date(2027, 1, 1))
    assert calendar.is_workday(dt.date(2027, 1, 4))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[smtp]\nhost = "x"\nhots = "y"\n', "smtp.hots: unknown key"),
        ('colour = "red"\n', "colour: unknown key"),
        ('[[escalation]]\nlevel = "scolding"\novedue_days = 3\n', "escalation[0].level"),
        ('[[escalation]]\nlevel = "warning"\n', "at least one condition"),
        ('timezone = "Mars/Olympus"\n', "unknown time zone"),
        ('[calendar."2027"]\nholidays = ["2027-02-30"]\n', "is not a date"),
        ("this is not toml", "Expected"),
        ('[notices]\nletterhead = "maybe"\n', "notices.letterhead"),
        ('[notices]\ncopy_to = "市委办公室"\n', "notices.copy_to"),
        ('[notices]\ncopy_to = ["市委办公室", " "]\n', "notices.copy_to: Value error, an empty name"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_settings(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_settings(tmp_path / "nope.toml")


SMTP = '[smtp]\nhost = "smtp.y.cn"\nuser = "me@y.cn"\n'


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (SMTP + "timeout = inf\n", "smtp.timeout"),
        (SMTP + "timeout = nan\n", "smtp.timeout"),
        (SMTP + "timeout = 1e9\n", "smtp.timeout"),
        (SMTP + 'ca_file = "/no/such/ca.pem"\n', "smtp.ca_file"),
        (SMTP + "ssl = false\nstarttls = false\n", "smtp"),
        ("[notify]\nretry_minutes = [5, 99999999999]\n", "notify.retry_minutes[1]"),
        ("[notices]\nfix_days = 99999999\n", "notices.fix_days"),
        ('[[escalation]]\nlevel = "warning"\noverdue_days = 99999999\n', "escalation[0].overdue_days"),
        ('[[escalation]]\nlevel = "reminder"\nbefore_days = [7, 99999999]\n', "escalation[0].before_days[1]"),
        ('[[escalation]]\nlevel = "reminder"\nbefore_days = [-3]\n', "escalation[0].before_days[0]"),
        ("[scoring]\nbase = nan\n", "scoring.base"),
        ("[scoring]\nlate_report = inf\n", "scoring.late_report"),
        ("[scoring]\nmissing_after_days = 99999999\n", "scoring.missing_after_days"),
    ],
)
def test_values_that_would_fail_later_are_refused_at_load(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_settings(path)
    assert f"{path}: {key}:" in str(caught.value), str(caught.value)


def test_plain_login_only_when_allowed(tmp_path: Path) -> None:
    path = tmp_path / "plain.toml"
    path.write_text(SMTP + "ssl = false\nstarttls = false\n", encoding="utf-8")
    with pytest.raises(InputError, match="allow_plain_login = true"):
        load_settings(path)
    path.write_text(SMTP + "ssl = false\nstarttls = false\nallow_plain_login = true\n", encoding="utf-8")
    settings = load_settings(path)
    assert settings.smtp is not None and settings.smtp.allow_plain_login
    path.write_text(SMTP + "ssl = false\nstarttls = false\nlogin = false\n", encoding="utf-8")
    assert load_settings(path).smtp is not None  # a relay without login sends no password
    path.write_text(SMTP + "ssl = false\nstarttls = true\n", encoding="utf-8")
    assert load_settings(path).smtp is not None


def test_channels_are_strict_and_name_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    robot = '[[channels.dingtalk.robots]]\nname = "a"\nsecret = "SEC1"\n'  # a secret in the file: refused
    path.write_text('[channels.dingtalk]\nlevels = ["urgent"]\n' + robot)
    with pytest.raises(InputError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "channels.dingtalk.levels[0]" in message and "channels.dingtalk.robots[0].secret: unknown key" in message
    path.write_text("[channels.sms]\nlevels = []\n")
    with pytest.raises(InputError, match=r"channels\.sms: unknown key"):
        load_settings(path)


def test_without_channels_email_carries_everything_and_only_with_smtp(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[smtp]\nhost = "mail.example.gov.cn"\n')
    assert {name: c.levels for name, c in load_settings(path).active_channels().items()} == {
        "email": ["reminder", "warning", "criticism", "interview", "accountability"]
    }
    assert load_settings(None).active_channels() == {}
