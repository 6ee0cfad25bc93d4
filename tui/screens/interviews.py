"""The interview list (约谈名单): units to be interviewed with the reasons, and those held; an
interview is marked held with a note."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from tracker.changes import record_interview
from tracker.interviews import InterviewEntry, held_interviews, open_interviews
from tracker.models import Ledger, Unit
from tui.context import Context
from tui.dialogs.reason import ReasonDialog
from tui.i18n import t
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
        with self.context.tracker.session() as session:
            entries = open_interviews(session)
            held = held_interviews(session)
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
            with tracker.session() as session:
                ledger, unit = session.get(Ledger, entry.ledger_id), session.get(Unit, entry.unit_id)
                assert ledger is not None and unit is not None
                record_interview(
                    session,
                    ledger,
                    unit,
                    on=self.context.as_of,
                    note=note,
                    person=entry.person,
                    by=tracker.user,
                    now=tracker.now(),
                )
                session.commit()
            self.notify(t("interviews.recorded", unit=entry.unit, day=self.context.as_of.isoformat()))
            self.load()

        prompt = t("interviews.prompt", unit=entry.unit, day=self.context.as_of.isoformat())
        self.app.push_screen(ReasonDialog(prompt, required=False, placeholder=t("interviews.note")), record)

    def action_reload(self) -> None:
        self.load()
