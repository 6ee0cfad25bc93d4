"""The config file: one typed, strict settings object.

Unknown keys are errors that name the file and the key. The SMTP password is never stored here:
``password_env`` names the environment variable that holds it.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tracker.addresses import looks_like_email
from tracker.channel_settings import ChannelSettings, ChannelsSettings
from tracker.errors import InputError
from tracker.workdays import DEFAULT_TIMEZONE, WorkCalendar, calendar_from_config


class Strict(BaseModel):
    # inf and nan are refused everywhere: a timeout of inf never ends, a score of nan is written
    # as NaN, which is not JSON.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# Bounds on day counts: generous for any real rule, small enough that a date plus any of them
# stays within the supported years (tracker.deadlines) and never overflows.
MAX_DAYS = 3660
Days = Annotated[int, Field(ge=0, le=MAX_DAYS)]


class Level(StrEnum):
    """Escalation levels, lowest first."""

    REMINDER = "reminder"  # 提醒
    WARNING = "warning"  # 督办通知
    CRITICISM = "criticism"  # 通报批评
    INTERVIEW = "interview"  # 约谈
    ACCOUNTABILITY = "accountability"  # 问责


class EscalationRule(Strict):
    """One rung of the escalation ladder; it holds when any of its conditions holds."""

    level: Level = Field(description="the level this rule puts an assignment at")
    before_days: list[Days] = Field(default_factory=list, description="reminder days before the deadline")
    overdue_days: int | None = Field(default=None, ge=0, le=MAX_DAYS, description="days past the deadline")
    missed_reports: int | None = Field(default=None, ge=1, description="missed progress reports")
    criticisms: int | None = Field(default=None, ge=1, description="criticism bulletins in this ledger")
    working_days: bool = Field(default=False, description="count days on the working-day calendar")

    @model_validator(mode="after")
    def _has_condition(self) -> EscalationRule:
        if not (self.before_days or self.overdue_days is not None or self.missed_reports or self.criticisms):
            raise ValueError(
                "a rule needs at least one condition (before_days, overdue_days, missed_reports, criticisms)"
            )
        return self


DEFAULT_ESCALATION = [
    EscalationRule(level=Level.REMINDER, before_days=[7, 1]),
    EscalationRule(level=Level.WARNING, overdue_days=1),
    EscalationRule(level=Level.CRITICISM, overdue_days=15, missed_reports=1),
    EscalationRule(level=Level.INTERVIEW, overdue_days=30, criticisms=2),
    EscalationRule(level=Level.ACCOUNTABILITY, overdue_days=90),
]


def _email(value: str) -> str:
    if not looks_like_email(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


def _email_or_empty(value: str) -> str:
    return value and _email(value)


EmailAddress = Annotated[str, AfterValidator(_email)]


class SmtpSettings(Strict):
    """The mail server digests go out through."""

    host: str = Field(description="SMTP server host name")
    port: int = Field(default=465, ge=1, le=65535, description="SMTP port")
    user: Annotated[str, AfterValidator(_email_or_empty)] = Field(
        default="", description="login name, also the sender address"
    )
    ssl: bool = Field(default=True, description="implicit TLS")
    starttls: bool = Field(default=False, description="upgrade a plain connection with STARTTLS")
    login: bool = Field(default=True, description="false for a relay that takes no login")
    password_env: str = Field(default="TRACKER_SMTP_PASSWORD", description="variable holding the password")
    ca_file: str | None = Field(default=None, description="CA certificates to trust (an intranet's own CA)")
    timeout: float = Field(default=30.0, gt=0, le=600, description="seconds to wait for the server")
    allow_plain_login: bool = Field(
        default=False, description="allow sending the password without TLS (ssl and starttls both off)"
    )
    sender_name: str = Field(default="督查室", description="the name shown with the sender address")

    @field_validator("ca_file")
    @classmethod
    def _readable_ca(cls, value: str | None) -> str | None:
        if value is not None and not Path(value).expanduser().is_file():
            raise ValueError(f"{value!r}: no such file")
        return value

    @model_validator(mode="after")
    def _no_silent_plain_login(self) -> SmtpSettings:
        if self.login and not (self.ssl or self.starttls) and not self.allow_plain_login:
            raise ValueError(
                "logging in without TLS (ssl and starttls both false) sends the password in clear;"
                " turn one on, or set allow_plain_login = true"
            )
        return self


_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_clock(value: str) -> dt.time:
    """``HH:MM`` as a time of day."""
    found = _CLOCK.match(value.strip())
    if not found:
        raise ValueError(f"{value!r} is not a time of day (HH:MM)")
    return dt.time(int(found[1]), int(found[2]))


class NotifySettings(Strict):
    """How digests go out."""

    require_approval: bool = Field(default=False, description="nothing is sent until staff approve the outbox")
    quiet_hours: str | None = Field(default=None, description='no sending in these hours, e.g. "22:00-07:00"')
    cc: list[EmailAddress] = Field(default_factory=list, description="supervisors copied on every digest")
    bureau: list[EmailAddress] = Field(
        default_factory=list,
        description="the bureau's own addresses: each gets a daily digest of what waits for the bureau "
        "(completions to review, 待复核; requests waiting in an approval chain, 待审批)",
    )
    retry_minutes: list[Annotated[int, Field(ge=1, le=7 * 24 * 60)]] = Field(
        default_factory=lambda: [5, 15, 60, 240], description="waits before each retry; the last repeats"
    )

    @field_validator("quiet_hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is not None:
            start, sep, end = value.partition("-")
            if not sep:
                raise ValueError(f"{value!r}: write the hours as HH:MM-HH:MM")
            parse_clock(start)
            parse_clock(end)
        return value

    @field_validator("retry_minutes")
    @classmethod
    def _waits(cls, value: list[int]) -> list[int]:
        if not value or any(m < 1 for m in value):
            raise ValueError("give at least one wait, each of a minute or more")
        return value

    def is_quiet(self, moment: dt.time) -> bool:
        """Whether ``moment`` (local time) falls in the quiet hours (which may span midnight)."""
        if self.quiet_hours is None:
            return False
        start, _, end = self.quiet_hours.partition("-")
        begin, until = parse_clock(start), parse_clock(end)
        if begin <= until:
            return begin <= moment < until
        return moment >= begin or moment < until


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ScheduleSettings(Strict):
    """What `tracker run` does, and when (local time in `timezone`)."""

    daily_at: str = Field(default="07:30", description="the daily check and notify")
    weekly_day: str = Field(default="monday", description="the day the weekly report goes out")
    weekly_at: str = Field(default="08:00", description="the time the weekly report goes out")
    weekly_to: list[EmailAddress] = Field(default_factory=list, description="the leaders who receive the weekly report")
    reports_dir: str | None = Field(
        default=None, description="where the weekly tables sent are kept (default: reports/ in the data folder)"
    )

    @field_validator("daily_at", "weekly_at")
    @classmethod
    def _clock(cls, value: str) -> str:
        parse_clock(value)
        return value

    @field_validator("weekly_day")
    @classmethod
    def _day(cls, value: str) -> str:
        if value.lower() not in WEEKDAYS:
            raise ValueError(f"{value!r}: one of {', '.join(WEEKDAYS)}")
        return value.lower()


class CalendarYear(Strict):
    """The State Council's announcement for one year."""

    holidays: list[dt.date | str] = Field(default_factory=list, description="days off (dates or A..B)")
    workdays: list[dt.date | str] = Field(default_factory=list, description="make-up working days")


class NoticeSettings(Strict):
    """How notices are numbered and signed."""

    number_format: str = Field(default="督查〔{year}〕{serial}号", description="document number; {year} {serial}")
    issuer: str = Field(default="督查室", description="the issuing office printed on notices")
    fix_days: int = Field(default=10, ge=1, le=MAX_DAYS, description="限期整改: days given to put things right")
    ack_days: int = Field(
        default=3,
        ge=1,
        le=MAX_DAYS,
        description="签收: working days a unit has to sign a notice; the daily check then reminds its person "
        "once, and the notice is listed as 逾期未签收",
    )
    templates: str | None = Field(default=None, description="a folder of templates overriding the shipped ones")
    interview_place: str = Field(
        default="", description="where interviews (约谈) are held, printed on interview notices; blank: left to fill in"
    )
    authority_mark: str = Field(
        default="",
        description="发文机关标志, the red mark at the head of a notice (e.g. ××市人民政府督查室文件); "
        "blank: the issuer followed by 文件",
    )
    letterhead: bool = Field(
        default=True, description="print the 版头 (red mark, number, red line); false: the 函 form, number top right"
    )
    copy_to: tuple[str, ...] = Field(default=(), description="抄送: offices sent a copy, printed in the 版记")
    printed_by: str = Field(default="", description="印发机关 in the 版记; blank: the issuer")

    @field_validator("copy_to")
    @classmethod
    def _named(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        names = tuple(name.strip() for name in value)
        if not all(names):
            raise ValueError("an empty name (every entry is an office that gets a copy)")
        return names

    def mark(self, issuer: str) -> str:
        """The 发文机关标志 as printed."""
        return self.authority_mark.strip() or f"{issuer}文件"

    def printer(self, issuer: str) -> str:
        """The 印发机关 as printed."""
        return self.printed_by.strip() or issuer

    @field_validator("number_format")
    @classmethod
    def _has_serial(cls, value: str) -> str:
        if "{serial}" not in value:
            raise ValueError("must contain {serial} (and usually {year})")
        try:
            value.format(year=2017, serial=1)
        except (KeyError, IndexError, ValueError):
            raise ValueError("only {year} and {serial} may appear in braces") from None
        return value


class ScoringSettings(Strict):
    """The bureau's published scoring rules (e.g. 迟报一次扣0.1分, 漏报一次扣0.5分, 逾期每件扣1分)."""

    base: float = Field(default=100.0, description="every unit starts with this score")
    late_report: float = Field(default=0.1, ge=0, description="points per report received late (迟报)")
    missing_report: float = Field(default=0.5, ge=0, description="points per report never received (漏报)")
    overdue_task: float = Field(default=1.0, ge=0, description="points per overdue or late-completed task")
    overdue_day: float = Field(default=0.0, ge=0, description="points per day late, per task")
    lead_weight: float = Field(default=1.0, ge=0, description="weight of a task the unit leads (牵头)")
    assist_weight: float = Field(default=0.5, ge=0, description="weight of a task the unit assists (协办)")
    missing_after_days: int | None = Field(
        default=None,
        ge=0,
        le=MAX_DAYS,
        description="a report received more than this many days late still counts as missing (漏报); "
        "unset: one named as missing in a criticism bulletin stays missing",
    )


class ProgressSettings(Strict):
    """Expected progress (序时进度)."""

    lag_margin: int = Field(default=10, ge=0, le=100, description="percentage points behind before a flag")


class ReviewSettings(Strict):
    """Completion review (复核 and 销号): whether a unit's "done" waits for the bureau's review."""

    required: bool = Field(
        default=False,
        description="a unit account's done is a submission (待复核) the bureau accepts or returns; "
        "a ledger's own [review] overrides this",
    )


class EvidenceSettings(Strict):
    """The evidence store (佐证材料): where the files are kept and how big one may be."""

    folder: Path | None = Field(
        default=None, description="the store's folder (default: evidence/ in the user's data folder)"
    )
    max_mib: int = Field(default=20, ge=1, le=1024, description="the largest file accepted, in MiB")

    @property
    def max_bytes(self) -> int:
        return self.max_mib * 1024 * 1024


class WebSettings(Strict):
    """The web portal (`tracker serve`): its sessions and the lockout after failed logins."""

    session_hours: int = Field(default=12, ge=1, le=24 * 30, description="a login lasts at most this long")
    idle_minutes: int = Field(default=30, ge=1, le=24 * 60, description="a session unused this long ends")
    max_failures: int = Field(default=5, ge=1, le=100, description="failed logins of one account before lockout")
    ip_max_failures: int = Field(
        default=20, ge=1, le=10000, description="failed logins from one address before lockout"
    )
    lockout_minutes: int = Field(default=15, ge=1, le=24 * 60, description="how long a lockout lasts")
    secure_cookies: bool = Field(
        default=False, description="send the session cookie over HTTPS only (set it behind nginx with TLS)"
    )
    max_body_mib: int = Field(default=25, ge=1, le=1024, description="the largest request body accepted, in MiB")
    threads: int = Field(
        default=4,
        ge=1,
        le=64,
        description="requests one server process works on at once (the others wait their turn, in order)",
    )
    link_minutes: int = Field(default=15, ge=1, le=24 * 60, description="a one-time login link lasts this long")
    base_url: str = Field(
        default="",
        description="the portal's address as people open it (https://duban.example.gov.cn): login links start with it",
    )

    @field_validator("base_url")
    @classmethod
    def _plain_address(cls, value: str) -> str:
        """An http(s) address without query or fragment: the link's path is appended to it."""
        import urllib.parse

        if not value:
            return value
        parts = urllib.parse.urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError("base_url: an http:// or https:// address without ?query or #fragment")
        return value.rstrip("/")


# Only staff may decide a step (extension.decide, change.decide): a viewer's or unit's step would wait forever.
ApprovalRole = Literal["clerk", "supervisor", "admin"]


class ApprovalSettings(Strict):
    """Approval chains (审批链): which roles decide a request, in order. Each step is decided by an
    account of that role (or an admin); the request is approved when its last step approves and
    refused when any step refuses. An empty chain: done at once by whoever may do it."""

    extension: list[ApprovalRole] = Field(
        default_factory=lambda: list[ApprovalRole](["supervisor"]),
        description="who decides an extension request (延期申请), in order",
    )
    termination: list[ApprovalRole] = Field(
        default_factory=list,
        description="who decides a unit's termination (终止), in order; [] (the default): done at once",
    )
    person_change: list[ApprovalRole] = Field(
        default_factory=list,
        description="who decides a new responsible person (更换责任人), in order; [] (the default): done at once",
    )

    @field_validator("extension")
    @classmethod
    def _not_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError('an extension request needs at least one step (e.g. ["supervisor"])')
        return value


class Settings(Strict):
    """Everything the config file may hold."""

    timezone: str = Field(default=DEFAULT_TIMEZONE, description="where 'today' is")
    language: Literal["zh", "en"] = Field(
        default="zh", description="the language of the terminal UI and of the refusals of deadlines and dates: zh or en"
    )
    calendar: dict[str, CalendarYear] = Field(default_factory=dict, description='[calendar."YYYY"] tables')
    smtp: SmtpSettings | None = Field(default=None, description="the mail server")
    escalation: list[EscalationRule] = Field(default_factory=lambda: list(DEFAULT_ESCALATION))
    notices: NoticeSettings = Field(default_factory=NoticeSettings)
    scoring: ScoringSettings = Field(default_factory=ScoringSettings)
    progress: ProgressSettings = Field(default_factory=ProgressSettings)
    evidence: EvidenceSettings = Field(default_factory=EvidenceSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    channels: ChannelsSettings = Field(default_factory=ChannelsSettings)
    approval: ApprovalSettings = Field(default_factory=ApprovalSettings)
    web: WebSettings = Field(default_factory=WebSettings)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    def active_channels(self) -> dict[str, ChannelSettings]:
        """The channels that carry messages: email when [smtp] is set (unless turned off), and
        each [channels.NAME] table that is enabled."""
        return self.channels.active(smtp=self.smtp is not None)

    def work_calendar(self) -> WorkCalendar:
        return calendar_from_config(
            {year: {"holidays": entry.holidays, "workdays": entry.workdays} for year, entry in self.calendar.items()}
        )


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def describe_validation(error: ValidationError, source: str) -> str:
    lines = []
    for item in error.errors():
        where = _where(tuple(item["loc"]))
        message = "unknown key" if item["type"] == "extra_forbidden" else item["msg"]
        lines.append(f"{source}: {where}: {message}")
    return "\n".join(lines)


def settings_from_dict(data: dict[str, Any], source: str) -> Settings:
    try:
        settings = Settings.model_validate(data)
        settings.work_calendar()  # dates and ranges checked now, not at first use
    except ValidationError as exc:
        raise InputError(describe_validation(exc, source)) from None
    except InputError as exc:
        raise InputError(f"{source}: {exc}") from None
    return settings


def load_settings(path: Path | None) -> Settings:
    """Read the config file; no file means the defaults."""
    if path is None:
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    return settings_from_dict(data, str(path))
