"""One assignment: the deadline as written and as understood, its history, and the forms to
record progress and to request an extension. Dates are understood as they are typed. What it
shows is read again whenever the screen comes back (from another section, a dialog, the help) and
on `r`, so a change made elsewhere (a new responsible person, an approved extension) is seen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Input, Select, Static

from tracker.deadlines import DeadlineError, parse
from tracker.errors import InputError
from tracker.statuses import RECORDED_STATUSES, Status
from tracker.usecases.progress import (
    AssignmentDetail,
    Progress,
    assignment_detail,
    record_progress_on,
    request_extension_on,
)
from tracker.usecases.work import actor_of
from tracker.views import days_overdue
from tui.context import Context
from tui.describe import action_name, describe
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.date import DateDialog, understood
from tui.i18n import error_text, t
from tui.screens.base import REFRESH
from tui.table import refill as refill_table
from tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from tracker.notices import CoveringNotice


T = TypeVar("T")
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
    BINDINGS = [
        Binding("escape", "back", t("key.back")),
        Binding("ctrl+s", "save", t("key.save")),
        Binding("ctrl+r", "received", t("key.received")),
        Binding("ctrl+t", "trigger", t("key.trigger")),
        REFRESH,
    ]

    def __init__(self, context: Context, assignment_id: int) -> None:
        super().__init__()
        self.context = context
        self.assignment_id = assignment_id
        self.changed = False
        self.version = 0  # the assignment's version the form was filled from (0: not yet)
        self.place = ("", "", "")  # its ledger, task and unit as the change use cases take them
        self.deadline = ("", "")  # its task's 序号 and deadline as written
        self.kept: dict[str, str] = {}  # the fields as last filled or filed: Esc asks before losing a change
        # The newer version someone else wrote while progress was being typed here: the typed input
        # is kept (never overwritten unasked) and what they set is shown; None when there is none.
        self.theirs: AssignmentDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="asg-body"):
            yield Static("", markup=False, id="asg-info")
            yield Static(t("asg.history"), classes="title")
            yield DataTable(id="asg-history", cursor_type="row")
            yield Static(t("asg.record"), classes="title")
            yield Static("", markup=False, id="asg-conflict", classes="conflict")
            with Horizontal(classes="form"):
                yield Select(
                    [(t(f"status.{s.value}"), s.value) for s in RECORDED_STATUSES], id="status", allow_blank=False
                )
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
        """Read again; with typed input held against someone else's newer version, loading theirs
        into the form throws the input away, so that is asked first."""
        self.refresh_view()
        if self.theirs is None:
            return

        def decided(sure: bool | None) -> None:
            if sure:
                self.refresh_view(refill=True)

        self.app.push_screen(ConfirmDialog(t("asg.reload_prompt"), t("asg.reload")), decided)

    def refresh_view(self, refill: bool = False) -> None:
        """The assignment as it is now. The form is filled again only when the assignment changed
        since it was filled, and then only when nothing typed in it would be lost (or ``refill``:
        the form was just saved, or the clerk chose to load the newer version). Otherwise the
        input stays, still based on the version it was typed against (a save of it is refused as
        stale and asked about), and what the other person set is shown above it."""
        found = assignment_detail(self.context.tracker, self.assignment_id)
        if found is None:
            self.dismiss(self.changed)
            return
        newer = found.version != self.version
        if newer and self.version:
            self.changed = True  # changed elsewhere: the matrix below is read again on return
        if newer and self.version and not refill and self.dirty(PROGRESS):
            self.hold(found)
            newer = False
        elif newer or refill:
            self.version, self.theirs = found.version, None
            self.query_one("#asg-conflict", Static).display = False
        try:
            meaning = parse(found.deadline_text, found.year).explain()
        except DeadlineError:
            meaning = t("date.bad", text=found.deadline_text)
        due = found.due_on.isoformat() if found.due_on else t("asg.no_date")
        original = found.original_due
        if original is not None and original != found.due_on:  # extended: both dates, in words
            deadline = t("asg.deadline_extended", written=found.deadline_text, original=original, date=due)
        else:
            understood_as = due if meaning == due else f"{due}；{meaning}"
            deadline = t("asg.deadline", written=found.deadline_text, date=understood_as)
        heading = t("asg.title", seq=found.seq, unit=found.unit)
        self.place = (str(found.ledger_id), f"#{found.task_id}", found.unit)
        self.deadline = (found.seq, found.deadline_text)
        lines = [
            f"{t('sep')}{found.ledger}",
            found.task,
            deadline,
            t("asg.person", person=found.person or t("none")),
            t(
                "asg.state",
                status=t(f"status.{found.status}"),
                percent=found.percent,
                done=found.completed_on.isoformat() if found.completed_on else "—",
            ),
        ]
        late = days_overdue(found.due_on, found.status, found.completed_on, self.context.as_of)
        if late and late > 0:
            lines[-1] += t("sep") + t("asg.late", days=late)
        if found.note:
            lines.append(f"{t('asg.note')}：{found.note}")
        status, percent, note = found.status, found.percent, found.note
        if status not in RECORDED_STATUSES:  # 待复核 / 退回 come from review; the form records 进行中
            status = Status.DOING.value
        done_on = found.completed_on if found.status == Status.DONE else None
        # Plain text: the task's and the note's words are data, never markup.
        self.query_one("#asg-info", Static).update(Text.assemble((heading, "bold"), "\n".join(lines)))
        zone = ZoneInfo(self.context.tracker.settings.timezone)  # the trail is in UTC; people read local time
        rows = [
            (f"{at.astimezone(zone):%Y-%m-%d %H:%M}", by, what, subject, details)
            for at, by, what, subject, details in history_rows(found.history, found.notices)
        ]
        refill_table(self.query_one("#asg-history", DataTable), rows or [("—", "", t("asg.no_history"), "", "")])
        if not newer and not refill:
            return
        self.query_one("#status", Select).value = status
        self.query_one("#percent", Input).value = str(percent)
        self.query_one("#note", Input).value = note
        self.query_one("#done-on", Input).value = done_on.isoformat() if done_on else ""
        self.keep(PROGRESS)

    def hold(self, found: AssignmentDetail) -> None:
        """Someone else saved a newer version while input is typed here: keep the input, say
        what they set (once as a notification, and above the form until it is settled)."""
        fresh = self.theirs is None or self.theirs.version != found.version
        self.theirs = found
        line = t("asg.conflict", **self.their_values(found))
        shown = self.query_one("#asg-conflict", Static)
        shown.update(line)
        shown.display = True
        if fresh:
            self.notify(line, severity="warning", timeout=10)

    @staticmethod
    def their_values(found: AssignmentDetail) -> dict[str, object]:
        return {
            "version": found.version,
            "status": t(f"status.{found.status}"),
            "percent": found.percent,
            "note": found.note or t("none"),
        }

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

    def action_save(self, based_on: int | None = None) -> None:
        """Save the form, based on the version it was filled from (or ``based_on``: the newer
        version the clerk was shown and chose to overwrite)."""
        status = Status(str(self.query_one("#status", Select).value))
        text = self.query_one("#done-on", Input).value
        done_on, line = understood(text, self.context.as_of)
        if text.strip() and done_on is None:
            self.notify(line, severity="error")
            return
        percent_text = self.query_one("#percent", Input).value.strip()
        evidence = self.query_one("#evidence", Input).value.strip()
        progress = Progress(
            status=status.value,
            completed_on=done_on if status == Status.DONE else None,
            percent=int(percent_text) if percent_text and status != Status.DONE else None,
            note=self.query_one("#note", Input).value,
            evidence=(evidence,) if evidence else (),
        )
        tracker = self.context.tracker
        refusal = self._write(
            lambda: record_progress_on(
                tracker,
                actor_of(tracker),
                self.assignment_id,
                progress,
                expected_version=based_on or self.version,
                as_of=self.context.as_of,
            ),
            lambda recorded: t("asg.saved", version=recorded.version),
            refill=True,
        )
        if refusal is None:
            return
        self.refused(refusal)
        if refusal.key != "stale":
            return
        self.refresh_view()  # the newer version, shown beside the input that is kept
        if self.theirs is None:
            return  # nothing typed was at stake: the form shows theirs now
        theirs = self.theirs.version

        def decided(sure: bool | None) -> None:
            if sure:
                self.action_save(based_on=theirs)

        mine = t(
            "asg.mine",
            status=t(f"status.{status.value}"),
            percent=f"{percent_text}%" if percent_text and status != Status.DONE else "—",
            note=progress.note or t("none"),
        )
        prompt = t("asg.overwrite_prompt", mine=mine, **self.their_values(self.theirs))
        self.app.push_screen(ConfirmDialog(prompt, t("asg.overwrite")), decided)

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
        tracker = self.context.tracker
        refusal = self._write(
            lambda: request_extension_on(
                tracker,
                actor_of(tracker),
                self.assignment_id,
                to=to,
                reason=reason,
                late=late,
                as_of=self.context.as_of,
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

    def action_received(self) -> None:
        """The unit's periodic progress report arrived (tracker received): the day, and which
        report when the ledger has several."""
        from tracker.usecases.changes import record_report_received

        tracker, (ledger, _, unit) = self.context.tracker, self.place

        def record(answer: tuple[dt.date, str] | None) -> None:
            if answer is not None:
                self._write_or_show(
                    lambda: record_report_received(
                        tracker, actor_of(tracker), ledger, unit, on=answer[0], duty=answer[1] or None
                    ),
                    lambda r: (
                        t("asg.received", unit=r.unit, due=r.due_on.isoformat(), on=r.received_on.isoformat())
                        + (t(f"asg.received.{r.standing}") if r.standing else "")
                    ),
                )

        prompt = t("asg.received_prompt", unit=unit)
        self.app.push_screen(DateDialog(prompt, self.context.as_of, text=t("asg.received_duty")), record)

    def action_trigger(self) -> None:
        """The day a relative deadline (收到通知之日起…) was triggered (tracker trigger)."""
        from tracker.usecases.changes import set_trigger_date

        tracker, (ledger, task, _) = self.context.tracker, self.place

        def record(answer: tuple[dt.date, str] | None) -> None:
            if answer is not None:
                self._write_or_show(
                    lambda: set_trigger_date(tracker, actor_of(tracker), ledger, task, on=answer[0]),
                    lambda d: t("asg.triggered", seq=d.seq, text=d.deadline_text, date=d.due_on.isoformat()),
                )

        prompt = t("asg.trigger_prompt", seq=self.deadline[0], text=self.deadline[1])
        self.app.push_screen(DateDialog(prompt, self.context.as_of), record)

    def _write_or_show(self, change: Callable[[], T], done: Callable[[T], str]) -> None:
        refusal = self._write(change, done)
        if refusal is not None:
            self.refused(refusal)

    def refused(self, refusal: InputError) -> None:
        self.notify(error_text(refusal), severity="error", timeout=8)

    def _write(self, change: Callable[[], T], done: Callable[[T], str], refill: bool = False) -> InputError | None:
        """One use case run, and the view read again; a refusal is returned for the caller to
        show (never a traceback), and nothing is written then."""
        try:
            result = change()
        except InputError as exc:
            return exc
        self.changed = True
        self.notify(done(result))
        self.refresh_view(refill=refill)
        return None

    def form(self, fields: tuple[str, ...]) -> dict[str, str]:
        return {name: str(getattr(self.query_one(f"#{name}"), "value", "")) for name in fields}

    def keep(self, fields: tuple[str, ...]) -> None:
        """These fields' values are in the database now: leaving loses nothing of them."""
        self.kept.update(self.form(fields))

    def dirty(self, fields: tuple[str, ...] = PROGRESS + EXTENSION) -> bool:
        """Something typed or chosen in these fields that is neither saved nor filed."""
        now = self.form(fields)
        return any(value != self.kept.get(name, "") for name, value in now.items())

    def action_back(self) -> None:
        if not self.dirty():
            self.dismiss(self.changed)
            return

        def decided(sure: bool | None) -> None:
            if sure:
                self.dismiss(self.changed)

        self.app.push_screen(ConfirmDialog(t("asg.discard_prompt"), t("asg.discard")), decided)
