"""Units and their responsible persons, one ledger at a time; a new name is a personnel change
(变更), kept in the history."""

from __future__ import annotations

import datetime as dt

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from tracker.errors import InputError
from tracker.permissions import ROLE_LABELS
from tracker.usecases.ledgers import next_ledger
from tracker.usecases.progress import Reach, change_person_of, ledger_units
from tracker.usecases.work import actor_of
from tui.context import Context
from tui.dialogs.date import DateDialog
from tui.dialogs.person import PersonDialog
from tui.i18n import error_text, t
from tui.screens.base import REFRESH, ListScreen
from tui.widgets.keybar import KeyBar

COLUMNS = ("unit", "kind", "person", "email", "phone")


class UnitsScreen(ListScreen):
    TABLE, HEADERS, COLUMNS = "units", "units.col", COLUMNS
    BINDINGS = [
        Binding("p", "person", t("key.person")),
        Binding("t", "terminate", t("key.terminate")),
        Binding("right_square_bracket", "next_ledger", t("key.next_ledger")),
        REFRESH,
    ]

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.rows: list[tuple[int, str, str, str, str, str]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", markup=False, id="units-title", classes="title")
        yield DataTable(id="units", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    @work(thread=True, exclusive=True, group="units")
    def load(self) -> None:
        found = ledger_units(self.context.tracker, getattr(self.app, "ledger_id", None))
        ledger_id, title = found.ledger_id, found.title or t("matrix.empty")
        rows = [(u.id, u.name, u.kind, u.person, u.email, u.phone) for u in found.units]
        self.app.call_from_thread(self._show, ledger_id, title, rows)

    def _show(self, ledger_id: int | None, title: str, rows: list[tuple[int, str, str, str, str, str]]) -> None:
        if ledger_id is not None:
            self.app.ledger_id = ledger_id  # type: ignore[attr-defined]
        self.rows = rows
        self.query_one("#units-title", Static).update(title)
        self.fill([row[0] for row in rows], [row[1:] for row in rows])

    def action_person(self) -> None:
        row = self.table().cursor_row
        if not 0 <= row < len(self.rows):
            return
        unit_id, name, _, person, email, phone = self.rows[row]

        def save(values: tuple[str, str, str] | None) -> None:
            if values is None:
                return
            tracker = self.context.tracker
            try:
                reach = Reach(email=values[1], phone=values[2])
                done = change_person_of(tracker, actor_of(tracker), unit_id, name=values[0], reach=reach)
            except InputError as exc:
                self.notify(error_text(exc), severity="error", timeout=8)
                return
            if done.request:  # a new person waits for [approval] person_change
                role = ROLE_LABELS.get(done.waits_for, done.waits_for)
                self.notify(t("units.person_requested", unit=name, ref=done.request, person=done.name, role=role))
            else:
                self.notify(t("units.saved", unit=name, person=values[0]))
            self.load()

        self.app.push_screen(PersonDialog(name, person, email, phone), save)

    def action_terminate(self) -> None:
        """End the unit's open assignments in this ledger (tracker terminate): the day and why asked."""
        row = self.table().cursor_row
        ledger_id = getattr(self.app, "ledger_id", None)
        if not 0 <= row < len(self.rows) or ledger_id is None:
            return
        name = self.rows[row][1]

        def end(answer: tuple[dt.date, str] | None) -> None:
            if answer is None:
                return
            from tracker.usecases.changes import terminate

            tracker = self.context.tracker
            try:
                done = terminate(tracker, actor_of(tracker), str(ledger_id), name, reason=answer[1], on=answer[0])
            except InputError as exc:
                self.notify(error_text(exc), severity="error", timeout=8)
                return
            if done.request:  # waits for [approval] termination
                role = ROLE_LABELS.get(done.waits_for, done.waits_for)
                self.notify(t("units.terminate_requested", unit=done.unit, ref=done.request, role=role))
            else:
                day = done.on.isoformat() if done.on else ""
                self.notify(t("units.terminated", unit=done.unit, count=done.count, day=day))
            self.load()

        prompt = t("units.terminate_prompt", unit=name)
        dialog = DateDialog(prompt, self.context.as_of, text=t("units.terminate_reason"), required=True)
        self.app.push_screen(dialog, end)

    @work(thread=True, exclusive=True, group="units")
    def action_next_ledger(self) -> None:
        following = next_ledger(self.context.tracker, getattr(self.app, "ledger_id", None))
        if following is not None:
            self.app.call_from_thread(self._switch, following)

    def _switch(self, ledger_id: int) -> None:
        self.app.ledger_id = ledger_id  # type: ignore[attr-defined]
        self.load()
