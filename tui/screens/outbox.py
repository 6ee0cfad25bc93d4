"""The outbox: each person's digest as it will be sent (rebuilt from the current state when the
screen loads), approval, sending by the common policy (quiet hours respected; `S` sends anyway),
and failures with the server's reason. Sending runs in a worker and reports when it is done."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static

from tracker.digests import refresh_digests
from tracker.errors import InputError
from tracker.outbox import NotifyResult, approve_outbox, deliver, outbox_rows
from tui.context import Context
from tui.i18n import error_text, t
from tui.screens.base import REFRESH, ListScreen
from tui.widgets.keybar import KeyBar

COLUMNS = ("id", "to", "subject", "status", "attempts", "error")


class OutboxScreen(ListScreen):
    TABLE, HEADERS, COLUMNS = "outbox", "outbox.col", COLUMNS
    BINDINGS = [
        Binding("a", "approve", t("key.approve_all")),
        Binding("s", "send", t("key.send")),
        Binding("S", "send_anyway", t("key.send_anyway")),
        REFRESH,
    ]

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.texts: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="outbox", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="outbox-preview"):
            yield Static("", markup=False, id="outbox-text")
        yield KeyBar()

    @work(thread=True, exclusive=True, group="outbox")
    def load(self) -> None:
        tracker = self.context.tracker
        with tracker.session() as session:
            refresh_digests(session, now=tracker.now(), settings=tracker.settings, calendar=tracker.calendar)
            session.commit()
            rows = [
                (
                    int(r.id or 0),
                    r.to_addr,
                    r.subject,
                    t(f"outbox.status.{r.status}")
                    + (t("outbox.unapproved") if r.approved_at is None and r.status == "queued" else ""),
                    str(r.attempts),
                    r.last_error,
                    r.text,
                )
                for r in outbox_rows(session, include_sent=True)
            ]
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[tuple[int, str, str, str, str, str, str]]) -> None:
        self.texts = [row[-1] for row in rows]
        self.fill([row[0] for row in rows], [(str(row[0]), *row[1:-1]) for row in rows])
        self.query_one("#outbox-text", Static).update(Text(self.texts[0] if self.texts else t("outbox.empty")))

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        if 0 <= message.cursor_row < len(self.texts):
            self.query_one("#outbox-text", Static).update(Text(self.texts[message.cursor_row]))

    def action_approve(self) -> None:
        tracker = self.context.tracker
        with tracker.session() as session:
            count = approve_outbox(
                session, now=tracker.now(), by=tracker.user, settings=tracker.settings, calendar=tracker.calendar
            )
            session.commit()
        self.notify(t("outbox.approved", count=count))
        self.load()

    def action_send(self) -> None:
        self.send(anyway=False)

    def action_send_anyway(self) -> None:
        self.send(anyway=True)

    @work(thread=True, exclusive=True, group="send")
    def send(self, anyway: bool) -> None:
        tracker = self.context.tracker
        if tracker.settings.smtp is None:
            self.app.call_from_thread(self.notify, t("outbox.no_smtp"), severity="error")
            return
        try:
            result = deliver(tracker, manual=True, as_of=self.context.as_of, anyway=anyway)
        except InputError as exc:
            self.app.call_from_thread(self.notify, error_text(exc), severity="error", timeout=8)
            return
        self.app.call_from_thread(self._sent, result)

    def _sent(self, result: NotifyResult) -> None:
        if result.quiet:
            hours = self.context.tracker.settings.notify.quiet_hours
            self.notify(t("outbox.quiet", hours=hours, queued=result.queued), severity="warning", timeout=8)
            return
        message = t("outbox.sent", sent=result.sent, failed=result.failed, queued=result.queued)
        if result.awaiting_approval:
            message += t("outbox.awaiting", count=result.awaiting_approval)
        # A server that could not be used at all is said once, in the UI's words; a message the
        # server refused is shown with the server's own reason.
        problems = error_text(result.server_error) if result.server_error else "；".join(result.problems)
        self.notify(
            message + (f"\n{problems}" if problems else ""),
            severity="error" if problems else "information",
        )
        self.load()
