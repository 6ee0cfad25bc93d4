"""The outbox: each recipient's digest as it will be sent (rebuilt from the current state when the
screen loads), on every channel (a robot's or webhook's row names its channel), approval (all at
once, after saying how many), sending by the common policy of ``tracker.usecases.sending``
(quiet hours respected; `S` sends anyway), and failures with the other side's reason. Reading
and sending run in workers and report when they are done."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static

from tracker.errors import InputError
from tracker.outbox import NotifyResult
from tracker.usecases.sending import OutboxEntry, approve_messages, can_send, outbox_messages, send_messages
from tracker.usecases.work import actor_of
from tui.context import Context
from tui.dialogs.confirm import ConfirmDialog
from tui.i18n import MESSAGES, error_text, t
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
        self.waiting = 0  # messages awaiting approval, as last loaded

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="outbox", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="outbox-preview"):
            yield Static("", markup=False, id="outbox-text")
        yield KeyBar()

    @work(thread=True, exclusive=True, group="outbox")
    def load(self) -> None:
        tracker = self.context.tracker
        entries = outbox_messages(tracker, actor_of(tracker), include_sent=True)
        rows = [
            (
                entry.id,
                _recipient(entry),
                entry.subject,
                t(f"outbox.status.{entry.status}")
                + (t("outbox.unapproved") if not entry.approved and entry.status == "queued" else ""),
                str(entry.attempts),
                entry.error,
                entry.text,
            )
            for entry in entries
        ]
        waiting = sum(1 for entry in entries if entry.awaiting_approval)
        self.app.call_from_thread(self._show, rows, waiting)

    def _show(self, rows: list[tuple[int, str, str, str, str, str, str]], waiting: int) -> None:
        self.texts = [row[-1] for row in rows]
        self.waiting = waiting
        self.fill([row[0] for row in rows], [(str(row[0]), *row[1:-1]) for row in rows])
        self.query_one("#outbox-text", Static).update(Text(self.texts[0] if self.texts else t("outbox.empty")))

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        if 0 <= message.cursor_row < len(self.texts):
            self.query_one("#outbox-text", Static).update(Text(self.texts[message.cursor_row]))

    def action_approve(self) -> None:
        """Approving everything is said aloud first, with how many messages it lets go."""
        if not self.waiting:
            self.notify(t("outbox.approve_none"))
            return

        def decided(yes: bool | None) -> None:
            if yes:
                self.approve()

        prompt = t("outbox.approve_confirm", count=self.waiting)
        self.app.push_screen(ConfirmDialog(prompt, t("key.approve_all")), decided)

    @work(thread=True, exclusive=True, group="send")
    def approve(self) -> None:
        tracker = self.context.tracker
        count = approve_messages(tracker, actor_of(tracker)).count
        self.app.call_from_thread(self.notify, t("outbox.approved", count=count))
        self.app.call_from_thread(self.load)

    def action_send(self) -> None:
        self.send(anyway=False)

    def action_send_anyway(self) -> None:
        self.send(anyway=True)

    @work(thread=True, exclusive=True, group="send")
    def send(self, anyway: bool) -> None:
        tracker = self.context.tracker
        if not can_send(tracker):
            self.app.call_from_thread(self.notify, t("outbox.no_smtp"), severity="error")
            return
        try:
            result = send_messages(tracker, actor_of(tracker), manual=True, as_of=self.context.as_of, anyway=anyway)
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


def _recipient(entry: OutboxEntry) -> str:
    """An email's address as it is; another channel's recipient after the channel's name."""
    if entry.channel == "email":
        return entry.to
    key = f"outbox.channel.{entry.channel}"
    return f"{t(key) if key in MESSAGES else entry.channel} · {entry.to}"
