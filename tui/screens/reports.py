"""Reports: the weekly progress table (xlsx, csv or html, every ledger or one) and the deadline
calendar, written in a worker."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Select, Static

from tracker.errors import InputError
from tracker.lookup import ledger_titles
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
        yield Static("", markup=False, id="report-result", classes="line")
        yield KeyBar()

    def on_mount(self) -> None:
        with self.context.tracker.session() as session:
            titles = ledger_titles(session)
        self.query_one("#ledger", Select).set_options([(title, lid) for lid, title in sorted(titles.items())])

    def on_select_changed(self, message: Select.Changed) -> None:
        if message.select.id == "format":
            path = self.query_one("#weekly-path", Input)
            path.value = str(Path(path.value).with_suffix(f".{message.value}"))

    def on_button_pressed(self, message: Button.Pressed) -> None:
        if message.button.id == "weekly":
            ledger = self.query_one("#ledger", Select).value
            self.export_weekly(
                Path(self.query_one("#weekly-path", Input).value).expanduser(),
                str(self.query_one("#format", Select).value),
                ledger if isinstance(ledger, int) else None,
            )
        elif message.button.id == "calendar":
            self.export_calendar(Path(self.query_one("#ics-path", Input).value).expanduser())

    @work(thread=True, exclusive=True, group="report")
    def export_weekly(self, path: Path, fmt: str, ledger_id: int | None) -> None:
        from tracker.report import weekly_report
        from tracker.report_files import format_of, write_report

        tracker = self.context.tracker
        try:
            with tracker.session() as session:
                report = weekly_report(
                    session,
                    as_of=self.context.as_of,
                    settings=tracker.settings,
                    calendar=tracker.calendar,
                    ledger_ids=[ledger_id] if ledger_id is not None else None,
                )
                write_report(path, report, format_of(path, fmt), tracker.settings.notices.templates)
        except InputError as exc:
            self.app.call_from_thread(self._result, t("reports.failed", error=error_text(exc)), True)
            return
        self.app.call_from_thread(self._result, t("reports.written", path=path, rows=report.rows), False)

    @work(thread=True, exclusive=True, group="report")
    def export_calendar(self, path: Path) -> None:
        from tracker.calendar_export import deadline_calendar
        from tracker.files import written_atomically

        tracker = self.context.tracker
        if path.suffix.lower() != ".ics":
            self.app.call_from_thread(self._result, t("reports.failed", error=f"{path}: .ics"), True)
            return
        with tracker.session() as session:
            data, count = deadline_calendar(
                session, now=tracker.now(), rules=tracker.settings.escalation, timezone=tracker.settings.timezone
            )
        try:
            with written_atomically(path) as temporary:
                temporary.write_bytes(data)
        except InputError as exc:
            self.app.call_from_thread(self._result, t("reports.failed", error=error_text(exc)), True)
            return
        self.app.call_from_thread(self._result, t("reports.calendar_written", path=path, count=count), False)

    def _result(self, text: str, bad: bool) -> None:
        result = self.query_one("#report-result", Static)
        result.update(text)
        result.set_class(bad, "-bad")
        self.notify(text, severity="error" if bad else "information")
