"""The tables. Business dates are plain dates; moments are aware UTC datetimes.

The schema itself is created by the Alembic migrations in ``tracker/migrations``; these classes
must stay in step with them (a test compares the two).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tracker.statuses import STATUS_BY_LABEL as STATUS_BY_LABEL
from tracker.statuses import STATUS_LABELS as STATUS_LABELS
from tracker.statuses import Status as Status


class Role(StrEnum):
    """A unit's role in a task (牵头 / 协办)."""

    LEAD = "lead"
    ASSIST = "assist"


ROLE_LABELS = {Role.LEAD: "牵头", Role.ASSIST: "协办"}


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """Aware UTC in, aware UTC out, on every backend.

    SQLite has no time zones: an aware value written there comes back naive, its offset silently
    lost. So moments are converted to UTC on the way in and marked UTC on the way out; a naive
    value is refused rather than guessed at.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: moments are stored as aware UTC")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _utc() -> UTCDateTime:
    return UTCDateTime()


class Ledger(SQLModel, table=True):
    """A supervision programme (台账)."""

    __table_args__ = (sa.UniqueConstraint("title", "doc_number", name="uq_ledger_title_doc"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str
    doc_number: str = ""
    issuer: str = ""
    issued_on: dt.date | None = None
    year: int | None = None
    source: str = ""
    escalation: str | None = None  # JSON list of rule tables overriding the config's
    review_required: bool | None = None  # the ledger's [review] required; None: the config's
    approval: str | None = None  # JSON of the [approval] chains overriding the config's (those it names)
    created_at: dt.datetime = Field(sa_type=_utc())
    updated_at: dt.datetime = Field(sa_type=_utc())


class Phase(SQLModel, table=True):
    """A group of tasks (阶段)."""

    id: int | None = Field(default=None, primary_key=True)
    ledger_id: int = Field(foreign_key="ledger.id", index=True)
    position: int
    name: str


class Task(SQLModel, table=True):
    """One thing to finish (任务/节点), with its deadline as written and as understood."""

    __table_args__ = (sa.UniqueConstraint("ledger_id", "seq", name="uq_task_ledger_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    ledger_id: int = Field(foreign_key="ledger.id", index=True)
    phase_id: int | None = Field(default=None, foreign_key="phase.id")
    position: int
    seq: str
    text: str
    deadline_text: str
    deadline_kind: str  # absolute | relative | recurring
    due_on: dt.date | None = Field(default=None, index=True)  # absolute, or relative once triggered
    trigger_on: dt.date | None = None
    start_on: dt.date | None = None


class Unit(SQLModel, table=True):
    """A responsible unit (责任单位) in one ledger."""

    __table_args__ = (sa.UniqueConstraint("ledger_id", "name", name="uq_unit_ledger_name"),)

    id: int | None = Field(default=None, primary_key=True)
    ledger_id: int = Field(foreign_key="ledger.id", index=True)
    position: int
    name: str
    kind: str = ""  # e.g. 试点 / 省级住房城乡建设管理部门, used to select who owes a task
    group_name: str = ""  # e.g. the province a pilot city belongs to
    terminated_on: dt.date | None = None  # its work ended (终止): it owes nothing after this day


class Person(SQLModel, table=True):
    """The named person answerable for a unit (责任人). History kept: one open row per unit."""

    # One current person per unit: a change made on a stale read (two at once) is refused.
    __table_args__ = (
        sa.Index(
            "uq_person_current",
            "unit_id",
            unique=True,
            sqlite_where=sa.text("until IS NULL"),
            postgresql_where=sa.text("until IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    name: str
    email: str = ""
    phone: str = ""
    mobile: str = ""  # DingTalk robots @ by mobile number (the phone serves when it is a mobile)
    dingtalk_id: str = ""  # DingTalk user id (atUserIds)
    wecom_id: str = ""  # WeCom user id (<@userid>)
    since: dt.datetime = Field(sa_type=_utc())
    until: dt.datetime | None = Field(default=None, sa_type=_utc())


# Per cent of each PostgreSQL page filled by inserts. A first check marks two thirds of the rows of
# an overdue task as noticed, and their new versions must fit on the same page to be HOT updates:
# at 70 a third did not, and those cost 5 s of 7 at a million; at 50 all fit (1.4 s), for a table
# half again the size (and a steady check that reads the heap: 1.7 s instead of 1.2 s).
ASSIGNMENT_FILLFACTOR = 50


class Assignment(SQLModel, table=True):
    """One task owed by one unit: the cell with a status."""

    __table_args__ = (
        sa.UniqueConstraint("task_id", "unit_id", name="uq_assignment_task_unit"),
        # SQLite: covering for the daily check's counts (see scan.task_level_counts).
        sa.Index("ix_assignment_scan", "status", "due_on", "notified_level", "notified_due", "unit_id").ddl_if(
            dialect="sqlite"
        ),
        # PostgreSQL: the same ranges without the escalation state, so that marking assignments
        # as noticed changes no indexed column and is a HOT update (in place, no index entries),
        # for which the table's pages keep room (fillfactor); 0009 says what that is worth.
        sa.Index("ix_assignment_due", "status", "due_on", "unit_id").ddl_if(dialect="postgresql"),
        {"postgresql_with": {"fillfactor": ASSIGNMENT_FILLFACTOR}},
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    role: str = Role.LEAD.value
    status: str = Status.TODO.value
    completed_on: dt.date | None = None
    percent: int = 0
    note: str = ""
    evidence: str = "[]"  # JSON list of file references
    due_on: dt.date | None = None  # the task's deadline, or an approved extension's
    # The highest escalation level a notice was issued for, and the deadline it was judged against:
    # a new deadline (an approved extension, the next period) starts the ladder afresh.
    notified_level: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    notified_due: dt.date | None = None
    version: int = 1
    updated_at: dt.datetime = Field(sa_type=_utc())


class Submission(SQLModel, table=True):
    """A completion submitted for review (待复核) and what the bureau decided: accepted (销号: the
    assignment is done as of ``done_on``) or returned with a reason (still owed)."""

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    done_on: dt.date  # the day the unit says it finished: the completion date if accepted
    note: str = ""
    evidence: str = "[]"  # JSON list of file references
    submitted_by: str
    submitted_at: dt.datetime = Field(sa_type=_utc())
    decision: str = Field(default="pending", index=True)  # pending | accepted | returned
    decided_by: str | None = None
    decided_at: dt.datetime | None = Field(default=None, sa_type=_utc())
    reason: str = ""


class ReportDuty(SQLModel, table=True):
    """A periodic progress report the ledger's units owe (进度一览表, 季度简报)."""

    id: int | None = Field(default=None, primary_key=True)
    ledger_id: int = Field(foreign_key="ledger.id", index=True)
    name: str
    deadline_text: str
    unit_kinds: str = "[]"  # JSON list; empty means every unit of the ledger


class ProgressEvent(SQLModel, table=True):
    """A progress record on an assignment, as reported."""

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    at: dt.datetime = Field(sa_type=_utc())
    by: str
    status: str
    percent: int
    completed_on: dt.date | None = None
    note: str = ""
    evidence: str = "[]"


class Evidence(SQLModel, table=True):
    """A file stored as evidence (佐证材料) of an assignment. The file itself lives in the evidence
    store under its SHA-256 (tracker.evidence_files); two rows with the same content share it.
    ``name`` is the original file name, cleaned, kept as a label only: no path is built from it."""

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    name: str
    size: int
    media_type: str
    sha256: str = Field(index=True)
    added_by: str
    added_at: dt.datetime = Field(sa_type=_utc())


class AuditEntry(SQLModel, table=True):
    """The append-only audit trail: who did what, when, before → after.

    The database refuses UPDATE and DELETE on this table (triggers in the first migration).
    """

    __tablename__ = "audit"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_type=_utc(), index=True)
    by: str
    action: str
    ledger_id: int | None = Field(default=None, index=True)
    task_id: int | None = Field(default=None, index=True)
    unit_id: int | None = Field(default=None, index=True)
    subject: str = ""  # human-readable: 任务 3 / 南乐县政府
    before: str = ""  # JSON
    after: str = ""  # JSON


class ReportDue(SQLModel, table=True):
    """One period's progress report owed by one unit: received on time, late (迟报) or never (漏报)."""

    __tablename__ = "report_due"
    __table_args__ = (sa.UniqueConstraint("duty_id", "unit_id", "due_on", name="uq_report_due"),)

    id: int | None = Field(default=None, primary_key=True)
    duty_id: int = Field(foreign_key="reportduty.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    due_on: dt.date
    received_on: dt.date | None = None
    notified_level: int = 0


class Notice(SQLModel, table=True):
    """A warning notice, criticism bulletin, interview notice or accountability referral."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # warning | criticism | interview | accountability
    ledger_id: int = Field(foreign_key="ledger.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")  # none for a criticism bulletin
    number: str = Field(unique=True)  # 督查〔2017〕3号
    year: int
    serial: int
    as_of: dt.date
    fix_by: dt.date | None = None  # 限期整改: the date by which the unit must put things right
    created_at: dt.datetime = Field(sa_type=_utc())
    created_by: str = ""
    # 签收 is per unit addressed: NoticeReceipt (migration 0020 moved the notice's own fields there).
    # An interview's time (local wall-clock time, "YYYY-MM-DD HH:MM": a civil appointment, not a
    # moment) and place; empty until set, and the notice then leaves them to be filled in.
    meeting_at: str = Field(default="", sa_column_kwargs={"server_default": ""})
    meeting_place: str = Field(default="", sa_column_kwargs={"server_default": ""})


class NoticeReceipt(SQLModel, table=True):
    """签收 of a notice by one unit it is addressed to: a unit's notice (warning, interview,
    referral) its unit; a criticism bulletin each unit it names. Each signs for itself."""

    __table_args__ = (sa.UniqueConstraint("notice_id", "unit_id", name="uq_noticereceipt"),)

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    acknowledged_at: dt.datetime | None = Field(default=None, sa_type=_utc())
    acknowledged_by: str = ""
    # The day the check reminded the unit of the notice still unsigned ([notices] ack_days): once.
    chased_on: dt.date | None = None


def _unique_where_set(name: str, first: str, *rest: str) -> sa.Index:
    """A unique index over the rows whose ``first`` column is set (partial on both backends)."""
    where = sa.text(f"{first} IS NOT NULL")
    return sa.Index(name, first, *rest, unique=True, sqlite_where=where, postgresql_where=where)


NOTICE_ITEM_REFERENCES = {
    "notice_id": "notice.id",
    "unit_id": "unit.id",
    "assignment_id": "assignment.id",
    "report_id": "report_due.id",
}


class NoticeItem(SQLModel, table=True):
    """One assignment (or missed report) a notice covers, at the level it reached."""

    __tablename__ = "notice_item"
    __table_args__ = (
        # Partial: an item is for an assignment or for a report, and indexing the other side's
        # NULLs cost a fifth of writing the items of a first check.
        _unique_where_set("uq_notice_item_assignment_level", "assignment_id", "deadline", "level"),
        _unique_where_set("uq_notice_item_report_level", "report_id", "level"),
        # Foreign keys: SQLite checks them row by row cheaply. PostgreSQL's row-by-row checks cost
        # 8 s of a first check writing 320,000 items, so there statement triggers check each
        # statement's items at once, and the referenced tables' deletions (migration 0009).
        *(
            sa.ForeignKeyConstraint([column], [target]).ddl_if(dialect="sqlite")
            for column, target in NOTICE_ITEM_REFERENCES.items()
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(index=True)
    unit_id: int  # no index: every query reaches items by notice
    assignment_id: int | None = None
    report_id: int | None = None
    level: int
    deadline: dt.date | None = None
    days_overdue: int = 0


class NoticeCounter(SQLModel, table=True):
    """The last serial number used in a year: document numbers are never reused."""

    __tablename__ = "notice_counter"

    year: int = Field(primary_key=True)
    last: int = 0


class Extension(SQLModel, table=True):
    """An extension request (延期申请) and its decision."""

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    requested_on: dt.date
    requested_at: dt.datetime = Field(sa_type=_utc())
    requested_by: str
    original_due: dt.date | None = None
    new_due: dt.date
    reason: str
    late: bool = False  # requested after the deadline, allowed by a supervisor (--late)
    status: str = "pending"  # pending | approved | refused | closed (its unit's work ended first)
    decided_at: dt.datetime | None = Field(default=None, sa_type=_utc())
    decided_by: str = ""
    decision_reason: str = ""


class ChangeRequest(SQLModel, table=True):
    """A change that waits for its approval chain ([approval] termination / person_change): a
    unit's termination (终止) or a new responsible person (更换责任人). ``detail`` (JSON) holds
    what is applied when the last step approves: ``on`` (a termination's day, when given) or
    ``name`` and how the new person is reached."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # termination | person_change
    ledger_id: int = Field(foreign_key="ledger.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    detail: str = "{}"
    reason: str = ""
    requested_at: dt.datetime = Field(sa_type=_utc())
    requested_by: str
    status: str = "pending"  # pending | approved | refused | closed (its unit's work ended first)
    decided_at: dt.datetime | None = Field(default=None, sa_type=_utc())
    decided_by: str = ""
    decision_reason: str = ""


class ApprovalStep(SQLModel, table=True):
    """One step of a request's approval chain (审批链): the request's kind (extension, termination,
    person_change) and id (an ``extension`` row, or a ``changerequest`` row), the role that decides
    the step, and who decided, when, how and why. Deciding is a conditional UPDATE (``decision``
    still empty), so two people deciding the same step at once cannot both win."""

    __table_args__ = (sa.UniqueConstraint("kind", "request_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = "extension"
    request_id: int = Field(index=True)
    position: int  # 1, 2, ... in the chain's order
    role: str
    decision: str = ""  # "" pending | approved | refused
    decided_by: str = ""
    decided_at: dt.datetime | None = Field(default=None, sa_type=_utc())
    reason: str = ""


class Interview(SQLModel, table=True):
    """An interview (约谈) held with a unit's responsible person."""

    id: int | None = Field(default=None, primary_key=True)
    ledger_id: int = Field(foreign_key="ledger.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    person: str = ""
    held_on: dt.date
    note: str = ""
    recorded_at: dt.datetime = Field(sa_type=_utc())
    recorded_by: str = ""


class OutboxStatus(StrEnum):
    """Where an outgoing email stands. ``sending`` is written before the SMTP conversation and
    ``sent`` after it, so a crash in between leaves a row that is sent again with the same
    Message-ID, never a silent loss."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    OBSOLETE = "obsolete"  # a digest never handed to the server that has nothing left to say, or merged


class OutboxMessage(SQLModel, table=True):
    """One message waiting to go out, or gone: a recipient's digest of a day on one channel (email,
    a group robot, a webhook), or the weekly report."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    # What makes it one per recipient per day: digest:DATE:ADDRESS (email), digest:DATE:CHANNEL:KEY.
    key: str = Field(unique=True)
    kind: str  # digest | weekly
    channel: str = "email"  # a name of tracker.channel_settings.ChannelsSettings
    as_of: dt.date = Field(index=True)
    person: str = ""
    to_addr: str  # the email address, the robot's name, the webhook recipient's key
    # Whom the message names beyond to_addr: {"email", "mobiles", "user_ids"} (robots @ them).
    mentions: str = "{}"
    cc: str = "[]"  # JSON list of addresses
    subject: str
    text: str
    html: str
    notice_ids: str = "[]"  # JSON list: the notices attached as .docx
    # A digest's content, line by line ("overdue:UNIT:ASSIGNMENT:…", "notice:UNIT:NOTICE", …): what
    # a rebuild compares against what was approved, and which units' notices it carries.
    items: str = "[]"
    revision: int = 0  # +1 at each rebuild: a send claims only the revision it composed
    handed: bool = False  # the server may have it (some accepted, or dropped mid-DATA): content fixed
    since: dt.date | None = None  # a digest: the first day it waited (a merged one keeps reminders since)
    files: str = "[]"  # JSON list of file paths attached as they are (the weekly table)
    message_id: str = Field(unique=True)  # stable: a resend after a crash carries the same one
    status: str = Field(default=OutboxStatus.QUEUED.value, index=True)
    attempts: int = 0
    next_attempt_at: dt.datetime | None = Field(default=None, sa_type=_utc())
    last_error: str = ""
    delivered: str = "[]"  # JSON list of the addresses the server accepted
    # The sender that claimed it (``sending``): another sender takes it only once that one is gone.
    claimed_by: str = ""
    claimed_at: dt.datetime | None = Field(default=None, sa_type=_utc())
    created_at: dt.datetime = Field(sa_type=_utc())
    sent_at: dt.datetime | None = Field(default=None, sa_type=_utc())
    approved_at: dt.datetime | None = Field(default=None, sa_type=_utc())
    approved_by: str = ""


class SendLog(SQLModel, table=True):
    """What happened to an outgoing email, step by step (claimed, sent, failed, approved)."""

    __tablename__ = "send_log"

    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int = Field(foreign_key="outbox.id", index=True)
    at: dt.datetime = Field(sa_type=_utc())
    event: str
    detail: str = ""


class JobRun(SQLModel, table=True):
    """A scheduled job's run for one date: at most one per job and date, whatever restarts."""

    __tablename__ = "job_run"
    __table_args__ = (sa.UniqueConstraint("job", "for_date", name="uq_job_run_job_date"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str
    for_date: dt.date
    started_at: dt.datetime = Field(sa_type=_utc())
    finished_at: dt.datetime | None = Field(default=None, sa_type=_utc())
    status: str = "running"  # running | done | failed
    detail: str = ""


class SchedulerLease(SQLModel, table=True):
    """Who runs the scheduler on this database; a holder that stops beating loses it."""

    __tablename__ = "scheduler_lease"

    name: str = Field(primary_key=True)
    holder: str
    acquired_at: dt.datetime = Field(sa_type=_utc())
    heartbeat_at: dt.datetime = Field(sa_type=_utc())


class Account(SQLModel, table=True):
    """A person who may use the tracker, and what they may do (tracker/permissions.py).

    While the table is empty the database is in desk mode: one desk, everything allowed. Only an
    argon2 hash of the password is kept (tracker/passwords.py), never the password itself.
    """

    __tablename__ = "account"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(unique=True)  # cleaned as names are; what `--as` and the audit trail name
    display: str = ""
    role: str  # viewer | clerk | supervisor | admin | unit
    unit_name: str = ""  # a unit account's unit, by name: that unit in every ledger
    password_hash: str = ""
    disabled: bool = False
    must_change_password: bool = False
    created_at: dt.datetime = Field(sa_type=_utc())


class WebSession(SQLModel, table=True):
    """A login to the web portal (tracker/web_sessions.py). The browser holds a random token; only
    its SHA-256 is kept, so that reading this table gives nobody a session."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True)
    login: str = Field(index=True)
    created_at: dt.datetime = Field(sa_type=_utc())
    expires_at: dt.datetime = Field(sa_type=_utc())
    last_seen_at: dt.datetime = Field(sa_type=_utc())
    revoked_at: dt.datetime | None = Field(default=None, sa_type=_utc())
    via_link: bool = False  # opened by a login link: may set a new password without the old one


class LoginLink(SQLModel, table=True):
    """A one-time login link (tracker/login_links.py): only the SHA-256 of its random token is
    kept; it ends at ``expires_at``, when used, or when a newer link for the account is made."""

    __tablename__ = "login_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True)
    login: str = Field(index=True)
    created_at: dt.datetime = Field(sa_type=_utc())
    created_by: str
    expires_at: dt.datetime = Field(sa_type=_utc())
    used_at: dt.datetime | None = Field(default=None, sa_type=_utc())
    revoked_at: dt.datetime | None = Field(default=None, sa_type=_utc())


class LoginAttempt(SQLModel, table=True):
    """One login to the web portal, accepted or not: what throttling and lockout count."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(index=True)
    address: str = Field(index=True)
    at: dt.datetime = Field(sa_type=_utc(), index=True)
    ok: bool


def ledger_start(issued_on: dt.date | None, year: int | None) -> dt.date | None:
    """When a ledger's obligations begin: its issue date, else the first day of its year."""
    return issued_on or (dt.date(year, 1, 1) if year else None)


def table_of(model: type[SQLModel]) -> sa.Table:
    """The Core table of a model, for bulk statements that bypass the ORM."""
    found: sa.Table = model.__table__  # type: ignore[attr-defined]
    return found
