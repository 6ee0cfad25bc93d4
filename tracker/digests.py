"""One digest per recipient per day on each channel: everything a responsible person owes, in one
email (or one robot message to a unit's or ledger's group, one webhook call).

A check's findings and the notices waiting to be delivered are grouped by recipient (a person
answering for units in several ledgers gets one email; a group robot one message for all the units
it speaks to), each channel getting the levels ``[channels]`` gives it (``Routes``), then by ledger: notices (attached
as .docx when sent), overdue assignments, reminders on the days the ladder names, and missing
progress reports. The digest is written to the outbox; ``outbox.py`` sends it.

A digest not yet handed to the server is rebuilt from the current state whenever it may go out
(by each check, before each send, when the outbox is shown or approved): a task done since drops
out, a unit's new responsible person gets what the old one would have, and digests of earlier
days still waiting (quiet hours, approval) merge into one. Each row keeps its content line by
line (``items``): the notices it carries for which unit, and what approval covered. A rebuild
that only removes lines keeps an approval; one that adds or changes a line needs approval again.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.channel_settings import PERSON_FIELDS, Contact, Target, contact_of
from tracker.config import Settings
from tracker.ladder import LEVEL_LABELS, LEVEL_OF, ladder_for
from tracker.models import Ledger, Notice, NoticeItem, OutboxMessage, OutboxStatus, Person, SendLog, Unit
from tracker.people import in_office
from tracker.scan import Finding, report_findings, task_findings
from tracker.workdays import WorkCalendar

DIGEST = "digest"
REBUILDABLE = (OutboxStatus.QUEUED.value, OutboxStatus.FAILED.value)
UNIT_LINES = ("notice", "overdue", "missing", "reminder", "unsigned")  # lines of the form KIND:UNIT:…
MERGE_DAYS = 31  # reminders of at most this many waiting days are kept in a merged digest

Pair = tuple[int, int]  # (notice id, unit id): a notice to be delivered for a unit


@dataclass(frozen=True)
class DigestItem:
    seq: str
    text: str
    unit: str
    deadline: dt.date
    days: int  # days late, or days left for a reminder
    level: str  # 督办通知, 通报批评, …
    unit_id: int = 0
    item_id: int = 0  # the assignment, or the report period
    rank: int = 0
    kind: str = "task"  # "task" | "report"
    returned: bool = False  # a completion the bureau returned (退回): owed again


@dataclass(frozen=True)
class DigestNotice:
    id: int
    kind: str
    number: str


@dataclass
class DigestLedger:
    title: str
    notices: list[DigestNotice] = field(default_factory=list)
    overdue: list[DigestItem] = field(default_factory=list)
    reminders: list[DigestItem] = field(default_factory=list)
    missing: list[DigestItem] = field(default_factory=list)
    unsigned: list[DigestNotice] = field(default_factory=list)  # notices to sign, chased (tracker.acks)


@dataclass(frozen=True)
class WaitingReview:
    """A completion waiting for the bureau's review (待复核), for the bureau's digest."""

    id: int  # the submission
    ledger: str
    seq: str
    text: str
    unit: str
    done_on: dt.date
    submitted_on: dt.date
    submitted_by: str
    days: int  # working days it has waited


@dataclass(frozen=True)
class WaitingApproval:
    """A request of any kind (延期, 终止, 更换责任人) waiting at a step of its approval chain
    (待审批), for the bureau's digest, as the approval queue shows it (approvals.queue_rows)."""

    ref: str  # how people name it: 3 (an extension), T3 (a termination), P3 (a person change)
    kind: str  # 延期 | 终止 | 更换责任人
    ledger: str
    task: str  # an extension's task (its 序号); empty for a termination or a person change
    unit: str
    asks: str  # what is asked: 延期至2017年4月30日, 2017年5月1日起终止, 责任人更换为张三
    step: int
    role: str  # the step's role, as people read it (督查员, 科长/分管领导)
    requested_by: str
    since: dt.date  # when the step began to wait: the request, or the step before it decided
    days: int  # working days it has waited at this step


@dataclass(frozen=True)
class UnsignedNotice:
    """A notice one unit it is addressed to has still not signed past its signing days ([notices]
    ack_days: 逾期未签收), for the bureau's digest: the check chased the unit, and the bureau
    follows it up. A bulletin is listed once per unit still unsigned."""

    id: int
    kind: str  # warning | criticism | interview | accountability
    number: str
    ledger: str
    units: str  # the unit still unsigned, by name
    unit_id: int
    issued: dt.date
    days: int  # working days it has gone unsigned since its issue


# A bureau digest's lines: review:ID:DAYS, approval:REF:STEP:DAYS (REF 3, T3, P3: never the same
# for two kinds), unsigned_late:NOTICE:UNIT:DAYS.
BUREAU_LINES = ("review", "approval", "unsigned_late")

Recipient = tuple[str, str]  # (channel, key): one digest per recipient and day


@dataclass
class Digest:
    address: str
    name: str
    as_of: dt.date
    ledgers: dict[int, DigestLedger] = field(default_factory=dict)
    pairs: set[Pair] = field(default_factory=set)  # the notices it carries, for which unit
    chases: set[Pair] = field(default_factory=set)  # the unsigned notices it reminds of, for which unit
    channel: str = "email"
    key: str = ""  # the recipient's key on its channel (an address in lower case, a robot's name)
    email: str = ""
    mobiles: set[str] = field(default_factory=set)  # whom a robot @-mentions
    user_ids: set[str] = field(default_factory=set)
    review: list[WaitingReview] = field(default_factory=list)  # the bureau's: [notify] bureau
    approvals: list[WaitingApproval] = field(default_factory=list)
    late_acks: list[UnsignedNotice] = field(default_factory=list)

    @property
    def recipient(self) -> Recipient:
        return (self.channel, self.key or self.address.lower())

    @property
    def notice_ids(self) -> list[int]:
        return sorted({notice for notice, _ in self.pairs})

    def mentions(self) -> dict[str, Any]:
        found: dict[str, Any] = {"email": self.email} if self.email and self.channel != "email" else {}
        if self.mobiles:
            found["mobiles"] = sorted(self.mobiles)
        if self.user_ids:
            found["user_ids"] = sorted(self.user_ids)
        return found

    def lines(self, cc: Iterable[str]) -> list[str]:
        """What it says, one comparable line per fact (the wording is the templates')."""
        lines = [f"to:{self.address.lower()}:{self.name}", f"as_of:{self.as_of}", f"cc:{json.dumps(sorted(cc))}"]
        if self.mentions():
            lines.append(f"mentions:{json.dumps(self.mentions(), sort_keys=True)}")
        lines += [f"notice:{unit}:{notice}" for notice, unit in self.pairs]
        lines += [f"unsigned:{unit}:{notice}" for notice, unit in self.chases]
        for ledger in self.ledgers.values():
            for kind, items in (
                ("overdue", ledger.overdue),
                ("missing", ledger.missing),
                ("reminder", ledger.reminders),
            ):
                lines += [
                    f"{kind}:{i.unit_id}:{i.item_id}:{i.deadline}:{i.days}:{i.rank}:{i.kind}"
                    + (":returned" if i.returned else "")
                    for i in items
                ]
        return sorted(lines + self.bureau_lines())

    def bureau_lines(self) -> list[str]:
        """What it tells the bureau: each waiting item and how long it has waited."""
        lines = [f"review:{r.id}:{r.days}" for r in self.review]
        lines += [f"approval:{a.ref}:{a.step}:{a.days}" for a in self.approvals]
        lines += [f"unsigned_late:{n.id}:{n.unit_id}:{n.days}" for n in self.late_acks]
        return sorted(lines)

    def subject(self) -> str:
        """E.g. 【督办提醒】南乐县老旧小区改造：2项任务逾期."""
        sections = list(self.ledgers.values())
        overdue = sum(len(s.overdue) for s in sections)
        soon = sum(1 for s in sections for i in s.reminders if i.kind == "task")
        reports_soon = sum(1 for s in sections for i in s.reminders if i.kind == "report")
        missing = sum(len(s.missing) for s in sections)
        notices = sum(len(s.notices) for s in sections)
        unsigned = sum(len(s.unsigned) for s in sections)
        waiting = (
            (len(self.review), "项办结待复核", "待复核"),
            (len(self.approvals), "项申请待审批", "待审批"),
            (len({n.id for n in self.late_acks}), "份通知逾期未签收", "逾期未签收"),
        )
        bureau = [f"{n}{what}" for n, what, _ in waiting if n]
        if not sections:  # the bureau's own digest: what waits for it
            first = next((tag for n, _, tag in waiting if n), "待审批")
            return f"【{first}】督查事项：{'、'.join(bureau)}"
        tag = "督办通知" if notices else "督办提醒" if overdue or missing else "签收提醒" if unsigned else "到期提醒"
        parts = [
            f"{n}{what}"
            for n, what in (
                (notices, "份通知"),
                (unsigned, "份通知未签收"),
                (overdue, "项任务逾期"),
                (missing, "份报告未报"),
                (soon, "项任务即将到期"),
                (reports_soon, "份报告即将到期"),
            )
            if n
        ] + bureau
        where = sections[0].title if len(sections) == 1 else f"{len(sections)}个台账"
        return f"【{tag}】{where}：{'、'.join(parts)}"


class _Reminders:
    """The deadlines a reminder is due for, per ledger, on any day from ``since`` to ``as_of``."""

    def __init__(self, session: Session, settings: Settings, calendar: WorkCalendar, as_of: dt.date) -> None:
        query = select(Ledger.id, Ledger.escalation, Ledger.title)
        self.ladders = {
            int(i): ladder_for(stored, settings.escalation, where=t) for i, stored, t in session.execute(query)
        }
        self.calendar, self.as_of = calendar, as_of
        self.known: dict[dt.date, dict[int, set[dt.date]]] = {}

    def due(self, ledger_id: int, since: dt.date) -> set[dt.date]:
        since = min(max(since, self.as_of - dt.timedelta(days=MERGE_DAYS)), self.as_of)
        if since not in self.known:
            days = [since + dt.timedelta(days=n) for n in range((self.as_of - since).days + 1)]
            self.known[since] = {
                lid: {due for day in days for rung in ladder.rungs(day, self.calendar) for due in rung.remind_days}
                for lid, ladder in self.ladders.items()
            }
        return self.known[since].get(ledger_id, set())


class Routes:
    """Whom each unit's findings reach: its present person's recipients on every active channel
    (the person's address, the unit's or ledger's group robot, ...), as the channels' settings say."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self.channels = settings.active_channels()
        query = sa.select(col(Person.unit_id), *(col(getattr(Person, f)) for f in PERSON_FIELDS)).where(in_office())
        self.people = {int(row[0]): dict(zip(PERSON_FIELDS, row[1:], strict=True)) for row in session.execute(query)}
        self.units: dict[int, tuple[str, str]] = {}
        if any(channel.needs_names for channel in self.channels.values()):  # group robots match by name
            names = sa.select(col(Unit.id), col(Unit.name), col(Ledger.title)).join(
                Ledger, col(Ledger.id) == col(Unit.ledger_id)
            )
            self.units = {int(u): (str(title), str(name)) for u, name, title in session.execute(names)}
        self.known: dict[int, list[tuple[str, Target]]] = {}

    def name(self, unit_id: int) -> str:
        return str(self.people.get(unit_id, {}).get("name", ""))

    def contact(self, unit_id: int) -> Contact:
        ledger, unit = self.units.get(unit_id, ("", ""))
        return contact_of(ledger, unit, self.people.get(unit_id, {}))

    def targets(self, unit_id: int) -> list[tuple[str, Target]]:
        if unit_id not in self.known:
            contact = self.contact(unit_id)
            self.known[unit_id] = [
                (name, target) for name, channel in self.channels.items() for target in channel.targets(contact)
            ]
        return self.known[unit_id]

    def recipients(self, units: Iterable[int]) -> set[Recipient]:
        return {(name, target.key) for unit in units for name, target in self.targets(unit)}


def build_digests(
    session: Session,
    *,
    as_of: dt.date,
    settings: Settings,
    calendar: WorkCalendar,
    notices: Collection[Pair] = (),
    chased: Collection[Pair] = (),
    remind_since: Mapping[Recipient, dt.date] | None = None,
    only: Collection[Recipient] | None = None,
    routes: Routes | None = None,
) -> tuple[list[Digest], list[tuple[str, str, str]]]:
    """The digests of a day (for the recipients ``only`` names, if given), and the (ledger, unit,
    person) nobody could be written to (no address on any channel). ``notices`` are the (notice,
    unit) pairs to deliver, each to the unit's present person, ``chased`` those whose signing
    (签收) is overdue, to be reminded of the same way (tracker.acks); ``remind_since`` (by recipient)
    keeps the reminders of the earlier days a merged digest waited. Each channel gets the items
    of the levels it carries."""
    rules = settings.escalation
    reminders = _Reminders(session, settings, calendar, as_of)
    since = remind_since or {}
    routes = routes or Routes(session, settings)
    digests: dict[Recipient, Digest] = {}
    unreachable: set[tuple[str, str, str]] = set()

    def sections(
        ledger_id: int,
        title: str,
        unit_id: int,
        unit: str,
        level: str,
        wanted: Callable[[Recipient], bool] | None = None,
    ) -> list[tuple[Digest, DigestLedger]]:
        targets = routes.targets(unit_id)
        if not targets:
            unreachable.add((title, unit, routes.name(unit_id)))
        found = []
        for channel, target in targets:
            recipient = (channel, target.key)
            if not routes.channels[channel].carries(level) or (only is not None and recipient not in only):
                continue
            if wanted is not None and not wanted(recipient):
                continue
            digest = digests.setdefault(
                recipient, Digest(target.address, target.name, as_of, channel=channel, key=target.key)
            )
            digest.email = digest.email or target.email
            digest.mobiles.update(target.mobiles)
            digest.user_ids.update(target.user_ids)
            found.append((digest, digest.ledgers.setdefault(ledger_id, DigestLedger(title))))
        return found

    def item(f: Finding, days: int) -> DigestItem:
        level = LEVEL_LABELS[LEVEL_OF[f.rank]]
        back = f.kind == "task" and f.item_id in returned
        return DigestItem(f.seq, f.task, f.unit, f.deadline, days, level, f.unit_id, f.item_id, f.rank, f.kind, back)

    findings = task_findings(session, as_of, rules, calendar) + report_findings(session, as_of, rules, calendar)
    returned = _returned(session, {f.item_id for f in findings if f.kind == "task"})
    for f in findings:
        level = LEVEL_OF[f.rank].value
        if f.days_overdue > 0:
            for _, ledger in sections(f.ledger_id, f.ledger, f.unit_id, f.unit, level):
                (ledger.overdue if f.kind == "task" else ledger.missing).append(item(f, f.days_overdue))
            continue

        def due(recipient: Recipient, f: Finding = f) -> bool:
            return f.deadline in reminders.due(f.ledger_id, since.get(recipient, as_of))

        for _, ledger in sections(f.ledger_id, f.ledger, f.unit_id, f.unit, "reminder", due):
            ledger.reminders.append(item(f, -f.days_overdue))
    for pairs, chase in ((notices, False), (chased, True)):
        for nid, kind, number, ledger_id, title, unit_id, unit in _notice_rows(session, pairs):
            for digest, ledger in sections(ledger_id, title, unit_id, unit, kind):
                (digest.chases if chase else digest.pairs).add((nid, unit_id))
                listed = ledger.unsigned if chase else ledger.notices
                if all(n.id != nid for n in listed):
                    listed.append(DigestNotice(nid, kind, number))
    bureau = [a for a in settings.notify.bureau if "email" in routes.channels]
    if bureau:
        review, approvals = bureau_waiting(session, as_of=as_of, calendar=calendar, timezone=settings.timezone)
        late = unsigned_late(session, as_of=as_of, calendar=calendar, ack_days=settings.notices.ack_days)
        for address in bureau if review or approvals or late else []:
            recipient = ("email", address.lower())
            if only is not None and recipient not in only:
                continue
            digest = digests.setdefault(recipient, Digest(address, "", as_of, channel="email", key=address.lower()))
            digest.review, digest.approvals, digest.late_acks = review, approvals, late
    for digest in digests.values():
        for ledger in digest.ledgers.values():
            ledger.overdue.sort(key=lambda i: (-i.days, i.seq, i.unit))
            ledger.reminders.sort(key=lambda i: (i.days, i.seq, i.unit))
    # Email first, as before channels: a check's rows keep the order they always had.
    ordered = sorted(digests.values(), key=lambda d: (d.channel != "email", d.channel, d.address))
    return ordered, sorted(unreachable)


def _returned(session: Session, assignments: Collection[int]) -> set[int]:
    """Which of ``assignments`` the bureau returned (退回): the digest says so beside them."""
    from tracker.models import Assignment
    from tracker.statuses import Status

    if not assignments:
        return set()
    query = sa.select(col(Assignment.id)).where(
        col(Assignment.status) == Status.RETURNED.value, col(Assignment.id).in_(assignments)
    )
    return {int(i) for i in session.execute(query).scalars()}


def bureau_waiting(
    session: Session, *, as_of: dt.date, calendar: WorkCalendar, timezone: str
) -> tuple[list[WaitingReview], list[WaitingApproval]]:
    """What waits for the bureau as of ``as_of``: completions submitted for review and not yet
    accepted or returned (oldest first), and requests of every kind waiting at a step of their
    approval chain (as the approval queue lists them), each with the working days it has waited.
    What was decided is gone."""
    from tracker.app import today_in
    from tracker.approvals import queue_rows
    from tracker.permissions import ROLE_LABELS
    from tracker.views import waiting_for_review

    def waited(since: dt.date) -> int:
        return max(0, calendar.workdays_between(since, as_of))

    review = []
    for row, _, ledger, task, unit in session.execute(waiting_for_review()):
        day = today_in(timezone, row.submitted_at)
        if day <= as_of and row.id is not None:
            review.append(
                WaitingReview(
                    row.id,
                    ledger.title,
                    task.seq,
                    task.text,
                    unit.name,
                    row.done_on,
                    day,
                    row.submitted_by,
                    waited(day),
                )
            )
    approvals = []
    for row in queue_rows(session, None):  # every waiting step, whoever's role it is
        asked = row["requested_at"]
        assert isinstance(asked, dt.datetime)
        if today_in(timezone, asked) > as_of:
            continue  # asked after the day the digest is for
        started = row["waiting_since"]
        assert isinstance(started, dt.datetime)
        since = min(today_in(timezone, started), as_of)
        role = str(row["role"])
        approvals.append(
            WaitingApproval(
                str(row["ref"]),
                str(row["类型"]),
                str(row["ledger"]),
                str(row["task"] or ""),
                str(row["unit"]),
                _asks(str(row["kind"]), row),
                int(str(row["step"])),
                ROLE_LABELS.get(role, role),
                str(row["requested_by"]),
                since,
                waited(since),
            )
        )
    return review, approvals


def _asks(kind: str, row: Mapping[str, object]) -> str:
    """What a request in the queue asks for, in words: a new deadline, a day to end, a new person."""
    from tracker.deadlines import cn_date

    to = str(row["to"] or "")
    if kind == "extension":
        return f"延期至{cn_date(dt.date.fromisoformat(to))}"
    if kind == "termination":
        try:
            return f"{cn_date(dt.date.fromisoformat(to))}起终止"
        except ValueError:  # no day given: it ends when approved
            return f"{to}起终止"
    return f"责任人更换为{to}" + (f"（原{row['from']}）" if row.get("from") else "")


def unsigned_late(session: Session, *, as_of: dt.date, calendar: WorkCalendar, ack_days: int) -> list[UnsignedNotice]:
    """Each (notice issued by ``as_of``, unit addressed) whose unit has still not signed past the
    signing days on that day (逾期未签收, as `tracker notices` marks them: acks.ack_state), oldest
    first, each with the working days it has gone unsigned; the units of a bulletin that signed
    are not listed. One the calendar cannot count the days of (a year not in [calendar]) is left
    out, as the chase leaves it: nothing is guessed."""
    from tracker.acks import ack_state
    from tracker.models import NoticeReceipt
    from tracker.workdays import UnknownYearError

    query = (
        sa.select(Notice, col(Ledger.title), col(Unit.id), col(Unit.name))
        .join(Ledger, col(Ledger.id) == col(Notice.ledger_id))
        .join(NoticeReceipt, col(NoticeReceipt.notice_id) == col(Notice.id))
        .join(Unit, col(Unit.id) == col(NoticeReceipt.unit_id))
        .where(col(NoticeReceipt.acknowledged_at).is_(None), col(Notice.as_of) <= as_of)
        .order_by(col(Notice.as_of), col(Notice.id), col(Unit.name))
    )
    unsigned_for: dict[dt.date, int | None] = {}  # by issue day: working days unsigned, None if not late

    def late(issued: dt.date) -> int | None:
        if issued not in unsigned_for:
            try:
                overdue = ack_state(issued, False, as_of, ack_days, calendar)[1]
                unsigned_for[issued] = max(0, calendar.workdays_between(issued, as_of)) if overdue else None
            except UnknownYearError:
                unsigned_for[issued] = None
        return unsigned_for[issued]

    return [
        UnsignedNotice(n.id or 0, n.kind, n.number, title, unit, int(unit_id), n.as_of, days)
        for n, title, unit_id, unit in session.execute(query)
        if (days := late(n.as_of)) is not None
    ]


def _notice_rows(session: Session, pairs: Collection[Pair]) -> list[tuple[Any, ...]]:
    """(notice, kind, number, ledger, title, unit, unit name) of each of the (notice, unit) pairs."""
    if not pairs:
        return []
    rows = session.execute(
        sa.select(col(Notice.id), col(Notice.kind), col(Notice.number), col(Ledger.id), col(Ledger.title))
        .add_columns(col(Unit.id), col(Unit.name))
        .join(Ledger, col(Ledger.id) == col(Notice.ledger_id))
        .join(NoticeItem, col(NoticeItem.notice_id) == col(Notice.id))
        .join(Unit, col(Unit.id) == col(NoticeItem.unit_id))
        .where(col(Notice.id).in_({notice for notice, _ in pairs}))
        .distinct()
        .order_by(col(Notice.id))
    )
    return [tuple(row) for row in rows if (row[0], row[5]) in pairs]


@dataclass
class QueueResult:
    queued: int = 0
    refreshed: int = 0
    dropped: int = 0  # waiting digests with nothing left to say, or merged into another
    unreachable: list[tuple[str, str, str]] = field(default_factory=list)


def waiting_digests(session: Session, up_to: dt.date | None = None) -> list[OutboxMessage]:
    """The digests that may still be rebuilt: never handed to the server (up to ``up_to``)."""
    query = select(OutboxMessage).where(
        OutboxMessage.kind == DIGEST, col(OutboxMessage.status).in_(REBUILDABLE), col(OutboxMessage.handed).is_(False)
    )
    if up_to is not None:
        query = query.where(col(OutboxMessage.as_of) <= up_to)
    return list(session.exec(query.order_by(col(OutboxMessage.id))))


def queue_digests(
    session: Session,
    *,
    as_of: dt.date,
    now: dt.datetime,
    settings: Settings,
    calendar: WorkCalendar,
    notice_ids: list[int],
    chased: Collection[Pair] = (),
) -> QueueResult:
    """The check's digests: every person's, as of ``as_of``, with the notices it issued
    (``notice_ids``) and those still waiting; the caller commits. One row per person and day: a
    waiting digest is rebuilt (earlier days' merged into it), and a sent one is followed up only
    when there is something new to say (a notice, a notice chased for its 签收, or a unit newly
    answered for)."""
    new = _notice_units(session, notice_ids)
    rows = waiting_digests(session, as_of)
    return _rebuild(
        session,
        rows,
        as_of=as_of,
        now=now,
        settings=settings,
        calendar=calendar,
        new=new,
        everyone=True,
        chased=set(chased),
    )


def refresh_digests(
    session: Session, *, now: dt.datetime, settings: Settings, calendar: WorkCalendar, up_to: dt.date | None = None
) -> QueueResult:
    """Rebuild the waiting digests (up to ``up_to``) from the current state, each person's as of
    the latest day among theirs; the caller commits. Only their recipients, and the present
    persons of the units they covered, get a digest: the check is what starts new ones."""
    rows = waiting_digests(session, up_to) if settings.active_channels() else []
    latest: dict[Recipient, dt.date] = {}
    for row in rows:
        latest[_recipient(row)] = max(row.as_of, latest.get(_recipient(row), row.as_of))
    days: dict[dt.date, list[OutboxMessage]] = defaultdict(list)
    for row in rows:
        days[latest[_recipient(row)]].append(row)
    result = QueueResult()
    for day, group in sorted(days.items()):
        part = _rebuild(
            session, group, as_of=day, now=now, settings=settings, calendar=calendar, new=set(), everyone=False
        )
        result.queued, result.refreshed = result.queued + part.queued, result.refreshed + part.refreshed
        result.dropped += part.dropped
    return result


def _recipient(row: OutboxMessage) -> Recipient:
    return (row.channel, row.to_addr.lower())


def _waiting_since(rows: list[OutboxMessage]) -> dict[Recipient, dt.date]:
    """Per recipient, the first day its waiting digests waited."""
    since: dict[Recipient, dt.date] = {}
    for row in rows:
        day, recipient = row.since or row.as_of, _recipient(row)
        since[recipient] = min(day, since.get(recipient, day))
    return since


def _lines(row: OutboxMessage) -> list[str]:
    return list(json.loads(row.items))


def _units(lines: Iterable[str]) -> set[int]:
    return {int(line.split(":")[1]) for line in lines if line.split(":")[0] in UNIT_LINES}


def _pairs(lines: Iterable[str], kind: str = "notice") -> set[Pair]:
    return {(int(n), int(u)) for _, u, n in (line.split(":") for line in lines if line.startswith(f"{kind}:"))}


def _addresses(session: Session, units: Collection[int]) -> dict[int, str]:
    """The present person's address (lower case) of each of ``units`` that has one."""
    if not units:
        return {}
    query = select(Person.unit_id, Person.email).where(in_office(), col(Person.unit_id).in_(units))
    return {int(u): email.lower() for u, email in session.execute(query) if email}


def _notice_units(session: Session, notice_ids: Collection[int]) -> set[Pair]:
    """Each of the notices with each unit it concerns."""
    from tracker.acks import notice_unit_pairs

    return notice_unit_pairs(session, notice_ids)


def _legacy_pairs(session: Session, rows: list[OutboxMessage]) -> set[Pair]:
    """The notices of rows queued before lines were kept: for the units whose person has the
    row's address now."""
    emails = [row for row in rows if row.channel == "email"]  # rows from before channels are email
    wanted = {(nid, row.to_addr.lower()) for row in emails for nid in json.loads(row.notice_ids)}
    items = _notice_units(session, {nid for nid, _ in wanted})
    addresses = _addresses(session, {u for _, u in items})
    return {(n, u) for n, u in items if (n, addresses.get(u, "")) in wanted}


def _rebuild(
    session: Session,
    rows: list[OutboxMessage],
    *,
    as_of: dt.date,
    now: dt.datetime,
    settings: Settings,
    calendar: WorkCalendar,
    new: set[Pair],
    everyone: bool,
    chased: set[Pair] | None = None,
) -> QueueResult:
    from tracker.acks import still_unsigned
    from tracker.render import render_digest, render_digest_markdown

    said = [_lines(row) for row in rows]
    pairs = set(new) | _legacy_pairs(session, [row for row, lines in zip(rows, said, strict=True) if not lines])
    chases = set(chased or ())
    units: set[int] = set()
    for lines in said:
        pairs |= _pairs(lines)
        chases |= _pairs(lines, "unsigned")
        units |= _units(lines)
    chases = still_unsigned(session, chases)  # signed since it was queued: nothing to remind of
    routes = Routes(session, settings)
    only = None
    if not everyone:
        only = {_recipient(r) for r in rows} | routes.recipients(units | {u for _, u in pairs | chases})
    digests, unreachable = build_digests(
        session,
        as_of=as_of,
        settings=settings,
        calendar=calendar,
        notices=pairs,
        chased=chases,
        remind_since=_waiting_since(rows),
        only=only,
        routes=routes,
    )
    result = QueueResult(unreachable=unreachable if everyone else [])
    waiting: dict[Recipient, list[OutboxMessage]] = defaultdict(list)
    for row in rows:
        waiting[_recipient(row)].append(row)
    for digest in digests:
        email = digest.channel == "email"
        # Supervisors are copied on emails only, and not on the bureau's own digest.
        cc = settings.notify.cc if email and (digest.ledgers or digest.pairs) else []
        lines = digest.lines(cc)
        template = routes.channels[digest.channel].template
        if email:
            text, html = render_digest(digest, settings.notices.templates, settings.notices.issuer)
        else:
            text = render_digest_markdown(digest, template, settings.notices.templates, settings.notices.issuer)
            html = ""
        content: dict[str, Any] = {
            "as_of": digest.as_of,
            "person": digest.name,
            "to_addr": digest.address,
            "mentions": json.dumps(digest.mentions(), ensure_ascii=False, sort_keys=True),
            "cc": json.dumps(cc),
            "subject": digest.subject(),
            "text": text,
            "html": html,
            "notice_ids": json.dumps(digest.notice_ids),
            "items": json.dumps(lines, ensure_ascii=False),
        }
        mine = waiting.pop(digest.recipient, [])
        if mine:
            keep = mine[-1]
            for other in mine[:-1]:
                _obsolete(session, other, now, f"merged into #{keep.id}")
                result.dropped += 1
            keep.since = min(r.since or r.as_of for r in mine)
            _update(session, keep, mine, content, lines, now)
            result.refreshed += 1
        elif _something_new(session, digest, as_of):
            where = digest.address.lower() if email else f"{digest.channel}:{digest.key}"
            row = OutboxMessage(
                key=_free_key(session, f"{DIGEST}:{as_of.isoformat()}:{where}"),
                kind=DIGEST,
                channel=digest.channel,
                since=as_of,
                message_id=_message_id(settings),
                created_at=now,
                **content,
            )
            session.add(row)
            result.queued += 1
    for rest in waiting.values():
        for row in rest:
            _obsolete(session, row, now, "nothing left to say")
            result.dropped += 1
    session.flush()
    return result


def _update(
    session: Session,
    row: OutboxMessage,
    merged: list[OutboxMessage],
    content: dict[str, Any],
    lines: list[str],
    now: dt.datetime,
) -> None:
    """Rebuild ``row`` (the others of ``merged`` folded into it). An approval stands when every
    merged row was approved and the new content says nothing they did not (lines only removed),
    or is exactly what was approved."""
    same = all(getattr(row, name) == value for name, value in content.items())
    if same and len(merged) == 1:
        return
    said = {line for r in merged for line in _lines(r)}
    unchanged = len(merged) == 1 and all(getattr(row, n) == content[n] for n in ("to_addr", "subject", "text", "html"))
    approved = all(r.approved_at is not None for r in merged) and (set(lines) <= said or unchanged)
    for name, value in content.items():
        setattr(row, name, value)
    row.revision += 1
    session.add(SendLog(outbox_id=_id(row), at=now, event="rebuilt", detail=f"revision {row.revision}"))
    if row.approved_at is not None and not approved:
        row.approved_at, row.approved_by = None, ""
        session.add(SendLog(outbox_id=_id(row), at=now, event="unapproved", detail="content changed: approve again"))


def _obsolete(session: Session, row: OutboxMessage, now: dt.datetime, why: str) -> None:
    row.status, row.next_attempt_at, row.revision = OutboxStatus.OBSOLETE.value, None, row.revision + 1
    session.add(SendLog(outbox_id=_id(row), at=now, event="obsolete", detail=why))


def _something_new(session: Session, digest: Digest, as_of: dt.date) -> bool:
    """Whether a digest for a person with none waiting is worth a row: always, unless one of the
    same day went out already; then only for notices not yet delivered or units newly answered for."""
    query = select(OutboxMessage.items).where(
        OutboxMessage.kind == DIGEST,
        OutboxMessage.as_of == as_of,
        OutboxMessage.status != OutboxStatus.OBSOLETE.value,
        OutboxMessage.channel == digest.channel,
        sa.func.lower(col(OutboxMessage.to_addr)) == digest.address.lower(),
    )
    bureau = digest.bureau_lines()
    if bureau:  # what waits for the bureau is news when it differs from what it was last told
        if bureau != _last_bureau_lines(session, digest, as_of):
            return True
        if not digest.ledgers and not digest.pairs and not digest.chases:
            return False  # unchanged: not sent again (no working day passed, nothing came or went)
    earlier = [json.loads(items) for items in session.exec(query)]
    if not earlier or digest.pairs or digest.chases:
        return True
    if any(not lines for lines in earlier):
        return False  # sent before lines were kept: only a notice is news
    covered = {unit for lines in earlier for unit in _units(lines)}
    return bool({i.unit_id for ledger in digest.ledgers.values() for i in _all_items(ledger)} - covered)


def _last_bureau_lines(session: Session, digest: Digest, as_of: dt.date) -> list[str]:
    """The bureau lines of the latest digest this recipient was given (or will be) up to ``as_of``."""
    query = (
        select(OutboxMessage.items)
        .where(
            OutboxMessage.kind == DIGEST,
            col(OutboxMessage.as_of) <= as_of,
            OutboxMessage.status != OutboxStatus.OBSOLETE.value,
            OutboxMessage.channel == digest.channel,
            sa.func.lower(col(OutboxMessage.to_addr)) == digest.address.lower(),
        )
        .order_by(col(OutboxMessage.as_of).desc(), col(OutboxMessage.id).desc())
    )
    for items in session.exec(query):
        return sorted(line for line in json.loads(items) if line.split(":")[0] in BUREAU_LINES)
    return []


def _all_items(ledger: DigestLedger) -> list[DigestItem]:
    return ledger.overdue + ledger.missing + ledger.reminders


def _free_key(session: Session, base: str) -> str:
    taken = {
        key
        for key in session.exec(
            select(OutboxMessage.key).where(col(OutboxMessage.key).startswith(base, autoescape=True))
        )
        if key == base or key.startswith(f"{base}:")
    }
    return base if not taken else f"{base}:{len(taken) + 1}"


def _message_id(settings: Settings) -> str:
    sender = settings.smtp.user if settings.smtp else ""
    return f"<tracker.{uuid.uuid4().hex}@{sender.partition('@')[2] or 'tracker.invalid'}>"


def _id(row: OutboxMessage) -> int:
    assert row.id is not None, "an outbox row is flushed before it is logged"
    return row.id
