"""One assignment: the deadline as written and as understood, its history, and the forms to
record progress and to request an extension. Dates are understood as they are typed. What it
shows is read again whenever the screen comes back (from another section, a dialog, the help) and
on `r`, so a change made elsewhere (a new responsible person, an approved extension) is seen."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from sqlmodel import col, select
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Input, Select, Static

from tracker.changes import history, request_extension
from tracker.deadlines import DeadlineError, parse
from tracker.errors import InputError
from tracker.models import Assignment, Extension, Ledger, Status, Task, Unit
from tracker.notices import CoveringNotice, assignment_notices
from tracker.progress import ProgressUpdate, current_person, record_progress, task_subject
from tracker.typed_dates import typed_date
from tracker.views import days_overdue
from tui.context import Context
from tui.describe import action_name, describe
from tui.dialogs.confirm import ConfirmDialog
from tui.i18n import error_text, t
from tui.screens.base import REFRESH
from tui.table import refill as refill_table
from tui.widgets.keybar import KeyBar


def understood(text: str, today: dt.date) -> tuple[dt.date | None, str]:
    """A typed date (as tracker.typed_dates reads it, ``today`` being the UI's day) and the line
    under its field: 解析为 2017-03-31, or why not."""
    if not text.strip():
        return None, ""
    try:
        day = typed_date(text, today)
    except InputError as exc:
        return None, error_text(exc)
    return day, t("date.parsed", date=day.isoformat())


HistoryRow = tuple[dt.datetime, str, str, str, str]


def history_rows(events: list[dict[str, Any]], notices: list[CoveringNotice]) -> list[HistoryRow]:
    """The audit trail in words and the notices that named the assignment, newest first."""
    rows: list[HistoryRow] = [
        (
            dt.datetime.fromisoformat(event["at"]),
            event["by"],
            action_name(event["action"]),
            event["subject"],
            describe(event["before"], event["after"]),
        )
        for event in events
    ]
    for notice in notices:
        rows.append((notice.issued_at, notice.issued_by, t(f"level.{notice.kind}"), notice.number, t("asg.issued")))
        if notice.acknowledged_at is not None:
            rows.append((notice.acknowledged_at, notice.acknowledged_by, t("action.ack"), notice.number, "—"))
    return sorted(rows, key=lambda row: row[0], reverse=True)


PROGRESS = ("status", "done-on", "percent", "note", "evidence")  # the fields a save writes
EXTENSION = ("extend-to", "reason")  # the fields a request files


class AssignmentScreen(Screen[bool]):
    BINDINGS = [Binding("escape", "back", t("key.back")), Binding("ctrl+s", "save", t("key.save")), REFRESH]

    def __init__(self, context: Context, assignment_id: int) -> None:
        super().__init__()
        self.context = context
        self.assignment_id = assignment_id
        self.changed = False
        self.version = 0  # the assignment's version the form was filled from (0: not yet)
        self.kept: dict[str, str] = {}  # the fields as last filled or filed: Esc asks before losing a change

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="asg-body"):
            yield Static("", markup=False, id="asg-info")
            yield Static(t("asg.history"), classes="title")
            yield DataTable(id="asg-history", cursor_type="row")
            yield Static(t("asg.record"), classes="title")
            with Horizontal(classes="form"):
                yield Select([(t(f"status.{s.value}"), s.value) for s in Status], id="status", allow_blank=False)
                yield Input(placeholder=t("asg.date"), id="done-on")
                yield Input(placeholder=t("asg.percent"), id="percent", type="integer")
            yield Static("", markup=False, id="done-on-hint", classes="hint")
            with Horizontal(classes="form"):
                yield Input(placeholder=t("asg.note"), id="note")
                yield Input(placeholder=t("asg.evidence"), id="evidence")
                yield Button(t("key.save"), id="save", variant="primary")
            yield Static(t("asg.extend"), classes="title")
            with Horizontal(classes="form"):
                yield Input(placeholder=t("asg.extend_to"), id="extend-to")
                yield Input(placeholder=t("asg.reason"), id="reason")
                yield Button(t("asg.extend"), id="extend")
            yield Static("", markup=False, id="extend-to-hint", classes="hint")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#asg-history", DataTable)
        for key in ("at", "by", "action", "subject", "after"):
            table.add_column(t(f"asg.col.{key}"), key=key)
        self.query_one("#status", Select).focus()

    def on_screen_resume(self) -> None:
        """Shown (the first time, or back from another section, a dialog or the help): read afresh."""
        self.refresh_view()

    def action_reload(self) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        """The assignment as it is now. The form is filled again only when the assignment changed
        since it was filled (a save, or someone else's): what is being typed survives a look at
        another section, and a form based on an old version is never kept."""
        tracker = self.context.tracker
        with tracker.session() as session:
            assignment = session.get(Assignment, self.assignment_id)
            if assignment is None:
                self.dismiss(self.changed)
                return
            task = session.get(Task, assignment.task_id)
            unit = session.get(Unit, assignment.unit_id)
            assert task is not None and unit is not None
            ledger = session.get(Ledger, task.ledger_id)
            assert ledger is not None
            person = current_person(session, unit)
            events = history(session, ledger, task, unit)
            notices = assignment_notices(session, self.assignment_id)
            extension = session.exec(
                select(Extension)
                .where(Extension.assignment_id == assignment.id, Extension.status == "approved")
                .order_by(col(Extension.id))
            ).first()
            refill = assignment.version != self.version
            if refill and self.version:
                self.changed = True  # changed elsewhere: the matrix below is read again on return
            self.version = assignment.version
            try:
                meaning = parse(task.deadline_text, ledger.year).explain()
            except DeadlineError:
                meaning = t("date.bad", text=task.deadline_text)
            due = assignment.due_on.isoformat() if assignment.due_on else t("asg.no_date")
            original = extension.original_due if extension else None
            if original is not None and original != assignment.due_on:  # extended: both dates, in words
                deadline = t("asg.deadline_extended", written=task.deadline_text, original=original, date=due)
            else:
                understood_as = due if meaning == due else f"{due}；{meaning}"
                deadline = t("asg.deadline", written=task.deadline_text, date=understood_as)
            heading = t("asg.title", seq=task.seq, unit=unit.name)
            lines = [
                f"{t('sep')}{ledger.title}",
                task.text,
                deadline,
                t("asg.person", person=person.name if person else t("none")),
                t(
                    "asg.state",
                    status=t(f"status.{assignment.status}"),
                    percent=assignment.percent,
                    done=assignment.completed_on.isoformat() if assignment.completed_on else "—",
                ),
            ]
            late = days_overdue(assignment.due_on, assignment.status, assignment.completed_on, self.context.as_of)
            if late and late > 0:
                lines[-1] += t("sep") + t("asg.late", days=late)
            if assignment.note:
                lines.append(f"{t('asg.note')}：{assignment.note}")
            status, percent, note = assignment.status, assignment.percent, assignment.note
            done_on = assignment.completed_on if assignment.status == Status.DONE else None
        # Plain text: the task's and the note's words are data, never markup.
        self.query_one("#asg-info", Static).update(Text.assemble((heading, "bold"), "\n".join(lines)))
        zone = ZoneInfo(self.context.tracker.settings.timezone)  # the trail is in UTC; people read local time
        rows = [
            (f"{at.astimezone(zone):%Y-%m-%d %H:%M}", by, what, subject, details)
            for at, by, what, subject, details in history_rows(events, notices)
        ]
        refill_table(self.query_one("#asg-history", DataTable), rows or [("—", "", t("asg.no_history"), "", "")])
        if not refill:
            return
        self.query_one("#status", Select).value = status
        self.query_one("#percent", Input).value = str(percent)
        self.query_one("#note", Input).value = note
        self.query_one("#done-on", Input).value = done_on.isoformat() if done_on else ""
        self.keep(PROGRESS)

    def on_input_changed(self, message: Input.Changed) -> None:
        if message.input.id in ("done-on", "extend-to"):
            day, line = understood(message.value, self.context.as_of)
            hint = self.query_one(f"#{message.input.id}-hint", Static)
            hint.update(line)
            hint.set_class(bool(message.value.strip()) and day is None, "-bad")

    def on_button_pressed(self, message: Button.Pressed) -> None:
        if message.button.id == "save":
            self.action_save()
        elif message.button.id == "extend":
            self.extend()

    def action_save(self) -> None:
        status = Status(str(self.query_one("#status", Select).value))
        text = self.query_one("#done-on", Input).value
        done_on, line = understood(text, self.context.as_of)
        if text.strip() and done_on is None:
            self.notify(line, severity="error")
            return
        percent_text = self.query_one("#percent", Input).value.strip()
        evidence = self.query_one("#evidence", Input).value.strip()
        change = ProgressUpdate(
            status=status,
            completed_on=done_on if status == Status.DONE else None,
            percent=int(percent_text) if percent_text and status != Status.DONE else None,
            note=self.query_one("#note", Input).value,
            evidence=(evidence,) if evidence else (),
        )
        refusal = self._write(
            lambda session, a, task, unit: record_progress(
                session,
                a,
                change,
                by=self.context.tracker.user,
                now=self.context.tracker.now(),
                today=self.context.as_of,
                expected_version=self.version,
                subject=task_subject(task, unit),
                ledger_id=task.ledger_id,
            ),
            lambda a: t("asg.saved", version=a.version if isinstance(a, Assignment) else ""),
        )
        if refusal is not None:
            self.refused(refusal)

    def extend(self) -> None:
        to, line = understood(self.query_one("#extend-to", Input).value, self.context.as_of)
        if to is None:
            self.notify(line or t("asg.extend_to"), severity="error")
            return
        self.file_extension(to, self.query_one("#reason", Input).value)

    def file_extension(self, to: dt.date, reason: str, late: bool = False) -> None:
        """File the request. After the deadline the service refuses it unless it is late by the
        bureau's decision (the CLI's ``--late``): here the clerk is the bureau, so it is offered,
        and on confirmation filed again, recorded as late."""
        refusal = self._write(
            lambda session, a, task, unit: request_extension(
                session,
                a,
                to=to,
                reason=reason,
                late=late,
                today=self.context.as_of,
                by=self.context.tracker.user,
                now=self.context.tracker.now(),
                subject=task_subject(task, unit),
            ),
            lambda e: t("asg.requested_late" if e.late else "asg.requested", id=e.id),
        )
        if refusal is None:
            self.keep(EXTENSION)
            return
        if refusal.key != "deadline_passed" or late:
            self.refused(refusal)
            return

        def decided(confirmed: bool | None) -> None:
            if confirmed:
                self.file_extension(to, reason, late=True)

        prompt = t("asg.late_prompt", due=refusal.params.get("due", ""), to=to.isoformat())
        self.app.push_screen(ConfirmDialog(prompt, t("asg.late_confirm")), decided)

    def refused(self, refusal: InputError) -> None:
        self.notify(error_text(refusal), severity="error", timeout=8)

    def _write(self, change, done) -> InputError | None:  # type: ignore[no-untyped-def]
        """One change through the services, committed, and the view read again; a refusal is
        returned for the caller to show (never a traceback), and nothing is written."""
        tracker = self.context.tracker
        with tracker.session() as session:
            assignment = session.get(Assignment, self.assignment_id)
            assert assignment is not None
            task = session.get(Task, assignment.task_id)
            unit = session.get(Unit, assignment.unit_id)
            try:
                result = change(session, assignment, task, unit)
                session.commit()
            except InputError as exc:
                session.rollback()
                return exc
            message = done(result)
        self.changed = True
        self.notify(message)
        self.refresh_view()
        return None

    def form(self, fields: tuple[str, ...]) -> dict[str, str]:
        return {name: str(getattr(self.query_one(f"#{name}"), "value", "")) for name in fields}

    def keep(self, fields: tuple[str, ...]) -> None:
        """These fields' values are in the database now: leaving loses nothing of them."""
        self.kept.update(self.form(fields))

    def dirty(self) -> bool:
        """Something typed or chosen that is neither saved nor filed."""
        now = self.form(PROGRESS + EXTENSION)
        return any(value != self.kept.get(name, "") for name, value in now.items())

    def action_back(self) -> None:
        if not self.dirty():
            self.dismiss(self.changed)
            return

        def decided(sure: bool | None) -> None:
            if sure:
                self.dismiss(self.changed)

        self.app.push_screen(ConfirmDialog(t("asg.discard_prompt"), t("asg.discard")), decided)
