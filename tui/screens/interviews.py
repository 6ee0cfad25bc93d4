"""The interview list (约谈名单): units to be interviewed with the reasons, and those held; an
interview is marked held with a note."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from tracker.errors import InputError
from tracker.interviews import InterviewEntry
from tracker.usecases.changes import record_interview_held
from tracker.usecases.notices import interview_list, interviews_held
from tracker.usecases.work import actor_of
from tui.context import Context
from tui.dialogs.reason import ReasonDialog
from tui.i18n import error_text, t
from tui.table import refill
from tui.widgets.keybar import KeyBar


class InterviewsScreen(Screen[None]):
    BINDINGS = [Binding("h", "held", t("key.held")), Binding("r", "reload", t("key.refresh"))]

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context
        self.entries: list[InterviewEntry] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("interviews.open"), classes="title")
        yield DataTable(id="open", cursor_type="row", zebra_stripes=True)
        yield Static(t("interviews.held"), classes="title")
        yield DataTable(id="held", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        for table_id, keys in (
            ("#open", ("ledger", "unit", "person", "reasons")),
            ("#held", ("ledger", "unit", "person", "held_on", "note")),
        ):
            table = self.query_one(table_id, DataTable)
            for key in keys:
                table.add_column(t(f"interviews.col.{key}"), key=key)
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="interviews")
    def load(self) -> None:
        entries = interview_list(self.context.tracker)
        held = interviews_held(self.context.tracker)
        self.app.call_from_thread(self._show, entries, held)

    def _show(self, entries: list[InterviewEntry], held: list[dict[str, object]]) -> None:
        self.entries = entries
        table = self.query_one("#open", DataTable)
        refill(table, [(e.ledger, e.unit, e.person, "；".join(e.reasons)) for e in entries])
        fields = ("ledger", "unit", "person", "held_on", "note")
        refill(self.query_one("#held", DataTable), [[str(h[k]) for k in fields] for h in held])
        table.focus()

    def action_held(self) -> None:
        row = self.query_one("#open", DataTable).cursor_row
        if not 0 <= row < len(self.entries):
            return
        entry = self.entries[row]

        def record(note: str | None) -> None:
            if note is None:
                return
            tracker = self.context.tracker
            try:
                record_interview_held(
                    tracker, actor_of(tracker), str(entry.ledger_id), entry.unit, on=self.context.as_of, note=note
                )
            except InputError as exc:  # e.g. the UI's day is before the notice it would answer
                self.notify(error_text(exc), severity="error", timeout=8)
                return
            self.notify(t("interviews.recorded", unit=entry.unit, day=self.context.as_of.isoformat()))
            self.load()

        prompt = t("interviews.prompt", unit=entry.unit, day=self.context.as_of.isoformat())
        self.app.push_screen(ReasonDialog(prompt, required=False, placeholder=t("interviews.note")), record)

    def action_reload(self) -> None:
        self.load()
