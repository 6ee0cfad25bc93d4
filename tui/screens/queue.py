"""What waits for my role (待我审批): extension requests whose current approval step is the acting
account's role (desk mode: every waiting step), approved or refused (with a reason) step by step."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Header

from tracker.usecases.changes import approval_queue
from tracker.usecases.work import actor_of
from tui.screens.extensions import ExtensionsScreen
from tui.widgets.keybar import KeyBar

COLUMNS: tuple[str, ...] = ("id", "ledger", "task", "unit", "from", "to", "step", "role", "reason", "requested_by")


class QueueScreen(ExtensionsScreen):
    """The extensions screen's keys (y approve, x refuse with a reason) on the queue's rows."""

    TABLE, HEADERS, COLUMNS = "queue", "ext.col", COLUMNS

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    @work(thread=True, exclusive=True, group="queue")
    def load(self) -> None:
        tracker = self.context.tracker
        rows = approval_queue(tracker, actor_of(tracker))
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[dict[str, object]]) -> None:
        values = [[str(r[k]) if r[k] is not None else "" for k in COLUMNS] for r in rows]
        self.fill([int(str(r["id"])) for r in rows], values)
