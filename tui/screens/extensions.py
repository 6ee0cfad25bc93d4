"""Change requests (延期申请): the list, approve or refuse with a reason."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header

from tracker.changes import decide_extension, find_extension
from tracker.errors import InputError
from tracker.views import extension_rows
from tui.context import Context
from tui.dialogs.reason import ReasonDialog
from tui.i18n import error_text, t

COLUMNS = ("id", "ledger", "task", "unit", "from", "to", "status", "reason", "requested_by")


class ExtensionsScreen(Screen[None]):
    BINDINGS = [
        Binding("y", "decide(True)", t("key.approve")),
        Binding("x", "decide(False)", t("key.refuse")),
        Binding("r", "reload", t("key.refresh")),
    ]

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context
        self.ids: list[int] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="extensions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#extensions", DataTable)
        for key in COLUMNS:
            table.add_column(t(f"ext.col.{key}"), key=key)
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="extensions")
    def load(self) -> None:
        with self.context.tracker.session() as session:
            rows = extension_rows(session)
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[dict[str, object]]) -> None:
        table = self.query_one("#extensions", DataTable)
        at = table.cursor_row
        table.clear()
        self.ids = [int(str(r["id"])) for r in rows]
        for r in rows:
            values = [str(r[k]) if r[k] is not None else "" for k in COLUMNS]
            values[6] = t(f"ext.status.{r['status']}")
            table.add_row(*values, key=str(r["id"]))
        if 0 <= at < len(rows):
            table.move_cursor(row=at)
        table.focus()

    def action_decide(self, approve: bool) -> None:
        row = self.query_one("#extensions", DataTable).cursor_row
        if not 0 <= row < len(self.ids):
            return
        request_id = self.ids[row]
        prompt = t("ext.approve_prompt" if approve else "ext.refuse_prompt", id=request_id)

        def decided(reason: str | None) -> None:
            if reason is None:
                return
            tracker = self.context.tracker
            with tracker.session() as session:
                try:
                    request = find_extension(session, str(request_id))
                    decide_extension(
                        session, request, approve=approve, reason=reason, by=tracker.user, now=tracker.now()
                    )
                    session.commit()
                except InputError as exc:
                    session.rollback()
                    self.notify(error_text(exc), severity="error", timeout=8)
                    return
            self.notify(t("ext.approved" if approve else "ext.refused", id=request_id))
            self.load()

        self.app.push_screen(ReasonDialog(prompt, required=not approve), decided)

    def action_reload(self) -> None:
        self.load()
