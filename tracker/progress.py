"""Record progress on an assignment and change a unit's responsible person.

A progress write names the version it was based on; a write based on a stale version is refused
(``StaleEditError``), so two people editing the same assignment never lose an update silently.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from tracker import audit
from tracker.addresses import looks_like_email
from tracker.errors import InputError, StaleEditError
from tracker.ledger_spec import clean_name
from tracker.models import STATUS_LABELS, Assignment, Ledger, Person, ProgressEvent, Status, Task, Unit
from tracker.people import in_office

# The most a note, a name or a contact may hold: what a spreadsheet cell holds. A form or a table
# would cut a longer one, and a form read back would then shorten the stored text silently.
TEXT_LIMIT = 32_767


def check_length(value: str | None, field: str) -> None:
    """Refuse ``value`` (typed as ``--field``) when it is longer than ``TEXT_LIMIT``."""
    if value is not None and len(value) > TEXT_LIMIT:
        option = f"--{field.replace('_', '-')}"
        raise InputError(
            f"{option}: {len(value):,} characters; at most {TEXT_LIMIT:,} (what a spreadsheet cell holds)",
            key=f"too_long.{field}",
            length=len(value),
            limit=TEXT_LIMIT,
        )


@dataclass(frozen=True)
class ProgressUpdate:
    status: Status
    completed_on: dt.date | None = None
    percent: int | None = None
    note: str | None = None
    evidence: tuple[str, ...] = ()


def lags_expected(percent: int, expected: int | None, margin: int, *, reported: bool) -> bool:
    """Whether an open assignment is behind its 序时进度 (``expected``, the share of its time that
    has passed) — the one rule behind the yellow of the weekly table (xlsx, html, csv), the
    ledger screen and ``check``'s lagging list.

    A task not started (0 %) is behind only once its time is more than ``margin`` percent gone
    and no progress was ever reported on it: a unit that has reported, even "not started yet",
    is answering, and on a task's first days nothing can be expected. A started one is behind
    when its percent trails the expected one by more than ``margin`` points."""
    if expected is None:
        return False
    if percent <= 0:
        return not reported and expected > margin
    return percent + margin < expected


def earliest_completion(ledger: Ledger) -> dt.date | None:
    """The first day a task of ``ledger`` may be recorded as completed: the day the ledger was
    issued (印发), or without one the first of its year (neither known: no bound). An earlier
    day is a slip of the keyboard (1990 for 2019), and it would show a late task as done on time."""
    if ledger.issued_on is not None:
        return ledger.issued_on
    return dt.date(ledger.year, 1, 1) if ledger.year else None


def check_completion_day(day: dt.date, ledger: Ledger, subject: str) -> None:
    """Refuse a completion day before ``earliest_completion``."""
    from tracker.refusals import Refusal

    first = earliest_completion(ledger)
    if first is not None and day < first:
        what = "印发日期" if ledger.issued_on else "年初"
        raise Refusal("completion_before_ledger", subject=subject, day=day, first=first, what=what)


def _state(a: Assignment) -> dict[str, object]:
    return {"status": a.status, "completed_on": a.completed_on, "percent": a.percent, "note": a.note}


def record_progress(
    session: Session,
    assignment: Assignment,
    change: ProgressUpdate,
    stamp: audit.Stamp,
    *,
    today: dt.date,
    expected_version: int | None = None,
    subject: str = "",
    ledger_id: int | None = None,
) -> Assignment:
    """Apply ``change`` as ``stamp`` says (who, when); the caller commits. ``today`` bounds the
    completion date."""
    assert assignment.id is not None
    check_length(change.note, "note")
    based_on = assignment.version if expected_version is None else expected_version
    if change.status == Status.DONE:
        completed_on = change.completed_on or today
        if completed_on > today:
            raise InputError(
                f"{subject}: completion date {completed_on} is in the future (today is {today})",
                key="future_completion",
                subject=subject,
                day=completed_on,
                today=today,
            )
        percent = 100
    else:
        if change.completed_on is not None:
            raise InputError(
                f"{subject}: --on is the completion date; only status done takes it", key="date_needs_done"
            )
        completed_on = None
        percent = assignment.percent if change.percent is None else change.percent
    if change.percent is not None and not 0 <= change.percent <= 100:
        raise InputError(
            f"{subject}: percent must be between 0 and 100, not {change.percent}", key="percent", value=change.percent
        )
    evidence = json.loads(assignment.evidence) + [e for e in change.evidence if e]
    note = assignment.note if change.note is None else change.note
    before = _state(assignment)
    status, due_on = change.status.value, assignment.due_on
    task = session.get(Task, assignment.task_id)
    ledger = session.get(Ledger, task.ledger_id) if task is not None else None
    if completed_on is not None and ledger is not None:
        check_completion_day(completed_on, ledger, subject)
    if change.status == Status.DONE and task is not None and task.deadline_kind == "recurring" and due_on:
        # A recurring duty done for this period is owed again for the next one: it stays open with
        # the next period's deadline; the completion is kept in the event and as completed_on.
        status, due_on, percent = Status.TODO.value, _next_period(session, task, due_on), 0
    result = session.execute(
        update(Assignment)
        .where(col(Assignment.id) == assignment.id, col(Assignment.version) == based_on)
        .values(
            status=status,
            due_on=due_on,
            completed_on=completed_on,
            percent=percent,
            note=note,
            evidence=json.dumps(evidence, ensure_ascii=False),
            version=based_on + 1,
            updated_at=stamp.at,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleEditError(
            f"{subject or f'assignment {assignment.id}'} was changed by someone else since it was read "
            f"(version {based_on}); reload it and record the progress again",
            key="stale",
            subject=subject,
        )
    session.add(
        ProgressEvent(
            assignment_id=assignment.id,
            at=stamp.at,
            by=stamp.by,
            status=change.status.value,
            percent=percent,
            completed_on=completed_on,
            note=note,
            evidence=json.dumps(list(change.evidence), ensure_ascii=False),
        )
    )
    session.refresh(assignment)
    stamp.record(
        session,
        "progress",
        ledger_id=ledger_id,
        task_id=assignment.task_id,
        unit_id=assignment.unit_id,
        subject=subject,
        before=before,
        after=_state(assignment),
    )
    return assignment


def _next_period(session: Session, task: Task, due_on: dt.date) -> dt.date:
    from tracker.deadlines import Recurring, parse

    ledger = session.get(Ledger, task.ledger_id)
    rule = parse(task.deadline_text, ledger.year if ledger else None)
    assert isinstance(rule, Recurring)
    return rule.next_on_or_after(due_on + dt.timedelta(days=1))


def status_label(status: str) -> str:
    return STATUS_LABELS[Status(status)]


def current_person(session: Session, unit: Unit) -> Person | None:
    return session.exec(select(Person).where(Person.unit_id == unit.id, in_office())).first()


@dataclass(frozen=True)
class Reach:
    """How a person is reached, as given: None leaves a value as it was, "" clears it."""

    email: str | None = None
    phone: str | None = None
    mobile: str | None = None  # DingTalk robots @ by mobile number
    dingtalk_id: str | None = None
    wecom_id: str | None = None

    def given(self) -> dict[str, str]:
        return {k: v.strip() for k, v in vars(self).items() if v is not None}


def _check_reach(reach: Reach) -> None:
    from tracker.channel_settings import mobile_of

    for option, value in reach.given().items():
        check_length(value, option)
    if reach.email and not looks_like_email(reach.email):
        raise InputError(f"--email: {reach.email!r} is not an email address", key="email", value=reach.email)
    for option, value in reach.given().items():
        if "\n" in value or "\r" in value:
            raise InputError(f"--{option.replace('_', '-')}: a line break in it", key="phone")
    if reach.mobile and not mobile_of(reach.mobile, ""):
        raise InputError(
            f"--mobile: {reach.mobile!r} is not a mobile number (11 digits, starting with 1)",
            key="mobile",
            value=reach.mobile,
        )


def check_person(name: str, reach: Reach) -> str:
    """The person's name as kept (cleaned), after checking it and how they are reached."""
    name = clean_name(name)
    check_length(name, "name")
    if not name:
        raise InputError("--name: the person needs a name", key="person_name")
    _check_reach(reach)
    return name


def set_person(session: Session, ledger: Ledger, unit: Unit, stamp: audit.Stamp, *, name: str, reach: Reach) -> Person:
    """Set the unit's responsible person. A new name is a personnel change (变更), kept in history;
    the same name updates how the person is reached (what ``reach`` gives)."""
    from tracker.channel_settings import mobile_of

    name = check_person(name, reach)
    given = reach.given()
    if given.get("mobile"):
        given["mobile"] = mobile_of(given["mobile"], "")  # stored as the robots @ it: digits only
    current = current_person(session, unit)
    before = None if current is None else _contact(current)
    assert unit.id is not None
    if current is not None and current.name == name:
        person, action = current, "contact"
    else:
        if current is not None:
            current.until = stamp.at
            session.add(current)
        person, action = Person(unit_id=unit.id, name=name, since=stamp.at), "person"
    for field_name, value in given.items():
        setattr(person, field_name, value)
    session.add(person)
    unit_name = unit.name
    try:
        session.flush()
    except IntegrityError:
        # One current person per unit (uq_person_current): another change of this unit's person
        # was committed after ours read the current one. Ours, based on a stale read, is refused.
        session.rollback()
        raise StaleEditError(
            f"{unit_name}: the responsible person was changed by someone else meanwhile; "
            "see `tracker show` and set the person again",
            key="stale_person",
            subject=unit_name,
        ) from None
    stamp.record(
        session, action, ledger_id=ledger.id, unit_id=unit.id, subject=unit.name, before=before, after=_contact(person)
    )
    return person


def _contact(person: Person) -> dict[str, str]:
    """What the audit trail keeps of a person: the name and every way to reach them that is set."""
    found = {"name": person.name, "email": person.email, "phone": person.phone}
    found.update({k: v for k in ("mobile", "dingtalk_id", "wecom_id") if (v := getattr(person, k))})
    return found


def task_subject(task: Task, unit: Unit) -> str:
    return f"任务 {task.seq} / {unit.name}"
