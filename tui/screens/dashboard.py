"""The dashboard: every ledger's completion, lateness, what is due within a week and the notices
issued by level; the outbox; unacknowledged notices; the scheduler's last and next runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from tracker.usecases.ledgers import overview
from tui.context import Context
from tui.i18n import t
from tui.table import refill
from tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from tracker.dashboard import Dashboard

LEVELS = ("warning", "criticism", "interview", "accountability")


def bar(share: float, width: int = 10) -> str:
    """A small completion chart: ██████░░░░ 60%."""
    filled = round(share * width)
    return "█" * filled + "░" * (width - filled) + f" {share:4.0%}"


class DashboardScreen(Screen[None]):
    BINDINGS = [Binding("r", "reload", t("key.refresh")), Binding("enter", "open", t("key.open"), show=False)]

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context
        self.ids: list[int] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("dash.ledgers"), markup=False, id="dash-title", classes="title")
        table: DataTable[str] = DataTable(id="ledgers", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", markup=False, id="dash-outbox", classes="line")
        yield Static("", markup=False, id="dash-notices", classes="line")
        yield Static("", markup=False, id="dash-scheduler", classes="line")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#ledgers", DataTable)
        for key in ("ledger", "assignments", "completion", "overdue", "due_soon", "escalations"):
            table.add_column(t(f"dash.col.{key}"), key=key)
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="dashboard")
    def load(self) -> None:
        found = overview(self.context.tracker, self.context.as_of)
        self.app.call_from_thread(self._show, found)

    def _show(self, found: Dashboard) -> None:
        table = self.query_one("#ledgers", DataTable)
        self.ids = [line.id for line in found.ledgers]
        self.query_one("#dash-title", Static).update(t("dash.ledgers") if found.ledgers else t("matrix.empty"))
        rows = [
            (
                line.title,
                str(line.assignments),
                bar(line.completion),
                str(line.overdue),
                str(line.due_soon),
                " / ".join(str(line.notices.get(kind, 0)) for kind in LEVELS),
            )
            for line in found.ledgers
        ]
        refill(table, rows, [str(i) for i in self.ids])
        self.query_one("#dash-outbox", Static).update(
            t("dash.outbox", waiting=found.outbox_waiting, failed=found.outbox_failed)
        )
        self.query_one("#dash-notices", Static).update(t("dash.unacknowledged", count=found.unacknowledged))
        last = "；".join(
            f"{t('job.' + job)} {day.isoformat()} {state}" for job, (day, state) in sorted(found.last_runs.items())
        )
        upcoming = "；".join(f"{t('job.' + job)} {at:%Y-%m-%d %H:%M}" for job, at in sorted(found.next_runs.items()))
        self.query_one("#dash-scheduler", Static).update(
            t("dash.scheduler", last=last or t("dash.never"), next=upcoming)
        )
        table.focus()

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        self._open(message.cursor_row)

    def action_open(self) -> None:
        self._open(self.query_one("#ledgers", DataTable).cursor_row)

    def _open(self, row: int) -> None:
        if 0 <= row < len(self.ids):
            self.app.open_ledger(self.ids[row])  # type: ignore[attr-defined]
