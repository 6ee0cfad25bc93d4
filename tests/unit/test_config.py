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
    calendar = settings.work_calendar()
    assert calendar.knows(2027)
    assert not calendar.is_workday(dt.date(2027, 2, 8))


def test_no_config_means_defaults() -> None:
    settings = load_settings(None)
    assert settings.timezone == "Asia/Shanghai"
    assert settings.escalation[0].level == Level.REMINDER


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
