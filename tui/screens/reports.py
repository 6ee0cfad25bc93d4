"""Reports: the weekly progress table (xlsx, csv or html, every ledger or one), the units'
progress forms written out and read back (checked first, or imported), and the deadline
calendar; each written or read in a worker through the use cases.

A refusal (a file of the wrong kind, a form that is not ours, a bad cell) is shown as the message
naming the file and the cell; nothing is written or recorded then."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Select, Static

from tracker.errors import InputError
from tui.context import Context
from tui.i18n import error_text, t
from tui.widgets.keybar import KeyBar


class ReportsScreen(Screen[None]):
    def __init__(self, context: Context, folder: Path | None = None) -> None:
        super().__init__()
        self.context = context
        self.folder = folder or context.folder

    def compose(self) -> ComposeResult:
        day = self.context.as_of.isoformat()
        yield Header()
        yield Static(t("reports.weekly"), classes="title")
        with Horizontal(classes="form"):
            yield Select([], id="ledger", prompt=t("reports.all"))
            yield Select(
                [("xlsx", "xlsx"), ("csv", "csv"), ("html", "html")], id="format", value="xlsx", allow_blank=False
            )
            yield Input(str(self.folder / f"督查进度周报-{day}.xlsx"), id="weekly-path")
            yield Button(t("reports.export"), id="weekly", variant="primary")
        yield Static(t("reports.calendar"), classes="title")
        with Horizontal(classes="form"):
            yield Input(str(self.folder / "督查时限.ics"), id="ics-path")
            yield Button(t("reports.export"), id="calendar")
        forms = self.folder / t("reports.forms_folder")  # forms only: reading the folder back finds nothing else
        yield Static(t("reports.forms"), classes="title")
        with Horizontal(classes="form"):
            yield Select([], id="forms-ledger", prompt=t("reports.pick_ledger"))
            yield Input(str(forms), id="forms-folder")
            yield Button(t("reports.write_forms"), id="forms-out")
        yield Static(t("reports.forms_in"), classes="title")
        with Horizontal(classes="form"):
            yield Input(str(forms), id="forms-path")
            yield Button(t("reports.check_forms"), id="forms-check")
            yield Button(t("reports.import_forms"), id="forms-in")
        yield Static("", markup=False, id="report-result", classes="line")
        yield KeyBar()

    def on_mount(self) -> None:
        self.load_ledgers()

    @work(thread=True, exclusive=True, group="ledgers")
    def load_ledgers(self) -> None:
        from tracker.usecases.reports import ledger_choices

        options = [(title, lid) for lid, title in ledger_choices(self.context.tracker)]
        self.app.call_from_thread(self._ledgers, options)

    def _ledgers(self, options: list[tuple[str, int]]) -> None:
        self.query_one("#ledger", Select).set_options(options)
        self.query_one("#forms-ledger", Select).set_options(options)

    def on_select_changed(self, message: Select.Changed) -> None:
        if message.select.id == "format":
            path = self.query_one("#weekly-path", Input)
            path.value = str(Path(path.value).with_suffix(f".{message.value}"))

    def path_of(self, field: str) -> Path:
        return Path(self.query_one(f"#{field}", Input).value.strip()).expanduser()

    def on_button_pressed(self, message: Button.Pressed) -> None:
        if message.button.id == "weekly":
            ledger = self.query_one("#ledger", Select).value
            self.export_weekly(
                self.path_of("weekly-path"),
                str(self.query_one("#format", Select).value),
                ledger if isinstance(ledger, int) else None,
            )
        elif message.button.id == "calendar":
            self.export_calendar(self.path_of("ics-path"))
        elif message.button.id == "forms-out":
            ledger = self.query_one("#forms-ledger", Select).value
            if not isinstance(ledger, int):
                self._result(t("reports.need_ledger"), True)
                return
            self.write_forms(ledger, self.path_of("forms-folder"))
        elif message.button.id in ("forms-check", "forms-in"):
            self.read_forms(self.path_of("forms-path"), dry_run=message.button.id == "forms-check")

    @work(thread=True, exclusive=True, group="report")
    def export_weekly(self, path: Path, fmt: str, ledger_id: int | None) -> None:
        from tracker.usecases.reports import export_weekly
        from tracker.usecases.work import actor_of

        tracker = self.context.tracker
        ledgers = [str(ledger_id)] if ledger_id is not None else []
        try:
            done = export_weekly(
                tracker, actor_of(tracker), str(path), ledgers=ledgers, as_of=self.context.as_of, fmt=fmt
            )
        except InputError as exc:
            self.app.call_from_thread(self._result, t("reports.failed", error=error_text(exc)), True)
            return
        self.app.call_from_thread(self._result, t("reports.written", path=path, rows=sum(done.rows)), False)

    @work(thread=True, exclusive=True, group="report")
    def export_calendar(self, path: Path) -> None:
        from tracker.usecases.reports import export_calendar
        from tracker.usecases.work import actor_of

        tracker = self.context.tracker
        try:
            done = export_calendar(tracker, actor_of(tracker), path)
        except InputError as exc:
            self.app.call_from_thread(self._result, t("reports.failed", error=error_text(exc)), True)
            return
        self.app.call_from_thread(self._result, t("reports.calendar_written", path=path, count=done.events), False)

    @work(thread=True, exclusive=True, group="report")
    def write_forms(self, ledger_id: int, folder: Path) -> None:
        from tracker.usecases.reports import write_unit_forms
        from tracker.usecases.work import actor_of

        tracker = self.context.tracker
        try:
            done = write_unit_forms(tracker, actor_of(tracker), str(ledger_id), folder, as_of=self.context.as_of)
        except InputError as exc:
            self.app.call_from_thread(self._result, t("reports.failed", error=error_text(exc)), True)
            return
        self.app.call_from_thread(self._result, t("reports.forms_written", count=len(done.files), folder=folder), False)

    @work(thread=True, exclusive=True, group="report")
    def read_forms(self, path: Path, *, dry_run: bool) -> None:
        from tracker.usecases.reports import form_files, read_unit_forms
        from tracker.usecases.work import actor_of

        tracker = self.context.tracker
        try:
            done = read_unit_forms(
                tracker, actor_of(tracker), form_files(path), dry_run=dry_run, as_of=self.context.as_of
            )
        except InputError as exc:
            self.app.call_from_thread(self._result, t("reports.forms_refused", error=error_text(exc)), True)
            return
        changed = sum(form.changed for form in done.forms)
        key = "reports.forms_checked" if dry_run else "reports.forms_imported"
        self.app.call_from_thread(self._result, t(key, forms=len(done.forms), changed=changed), False)

    def _result(self, text: str, bad: bool) -> None:
        result = self.query_one("#report-result", Static)
        result.update(text)
        result.set_class(bad, "-bad")
        self.notify(text, severity="error" if bad else "information")
