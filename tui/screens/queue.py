"""What waits for my role (待我审批): requests of every kind (延期, 终止, 更换责任人) whose current
approval step is the acting account's role (desk mode: every waiting step), approved or refused
(with a reason) step by step."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Header

from tracker.usecases.changes import approval_queue
from tracker.usecases.work import actor_of
from tui.i18n import t
from tui.screens.extensions import ExtensionsScreen
from tui.widgets.keybar import KeyBar

COLUMNS: tuple[str, ...] = (
    "id",
    "kind",
    "ledger",
    "task",
    "unit",
    "from",
    "to",
    "step",
    "role",
    "reason",
    "requested_by",
)


class QueueScreen(ExtensionsScreen):
    """The extensions screen's keys (y approve, x refuse with a reason) on the queue's rows."""

    refs: tuple[str, ...] = ()  # each row's request as `tracker approve` takes it (set per load)

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
        values = []
        for r in rows:
            shown = {**r, "id": r["ref"], "kind": t(f"kind.{r['kind']}")}
            values.append([str(shown[k]) if shown[k] is not None else "" for k in COLUMNS])
        self.refs = tuple(str(r["ref"]) for r in rows)
        self.fill(list(range(len(rows))), values)

    def current_ref(self) -> str | None:
        """The request under the cursor as `tracker approve` takes it: 3, T3 or P3."""
        row = self.current()
        return None if row is None else self.refs[row]
