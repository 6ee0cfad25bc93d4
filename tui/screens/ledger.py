"""The ledger matrix: tasks × units for one ledger at a time, with filters (late only, one phase,
one unit). The matrix loads in a worker; Enter opens the assignment under the cursor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static

from tracker.usecases.ledgers import ledger_matrix, next_ledger
from tui.context import Context
from tui.dialogs.pick import ALL, PickDialog
from tui.i18n import t
from tui.widgets.keybar import KeyBar
from tui.widgets.matrix import Line, MatrixView, cell_text

if TYPE_CHECKING:
    from tracker.matrix import Matrix


class LedgerScreen(Screen[None]):
    BINDINGS = [
        Binding("f", "late_only", t("key.late_only")),
        Binding("p", "pick_phase", t("key.phase")),
        Binding("u", "pick_unit", t("key.unit")),
        Binding("c", "clear", t("key.clear")),
        Binding("right_square_bracket", "next_ledger", t("key.next_ledger")),
        Binding("r", "reload", t("key.refresh")),
    ]

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context
        self.matrix: Matrix | None = None
        self.late_only = False
        self.phase: str | None = None
        self.unit: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("loading"), markup=False, id="matrix-title", classes="title")
        yield Static("", markup=False, id="matrix-filters", classes="muted")
        yield MatrixView(id="matrix")
        yield Static("", markup=False, id="matrix-status", classes="status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        moved = self.matrix is not None and self.matrix.ledger_id != self.app_ledger()
        if moved or getattr(self.app, "target", (None, None)) != (None, None):
            self.load()

    def app_ledger(self) -> int | None:
        return getattr(self.app, "ledger_id", None)

    @work(thread=True, exclusive=True, group="matrix")
    def load(self) -> None:
        matrix = ledger_matrix(self.context.tracker, self.app_ledger(), self.context.as_of)
        if matrix is None:
            self.app.call_from_thread(self._empty)
            return
        self.app.call_from_thread(self._show, matrix)

    def _empty(self) -> None:
        self.query_one("#matrix-title", Static).update(t("matrix.empty"))

    def _show(self, matrix: Matrix) -> None:
        self.matrix = matrix
        self.app.ledger_id = matrix.ledger_id  # type: ignore[attr-defined]
        self.query_one("#matrix-title", Static).update(
            t("matrix.title", title=matrix.title, day=matrix.as_of.isoformat())
        )
        self._apply()
        view = self.query_one(MatrixView)
        task_id, unit_id = getattr(self.app, "target", (None, None))
        if task_id is not None or unit_id is not None:
            self.app.target = (None, None)  # type: ignore[attr-defined]
            task = next((i for i, t_ in enumerate(matrix.tasks) if t_.id == task_id), None)
            unit = next((i for i, u in enumerate(matrix.units) if u.id == unit_id), None)
            view.place(task, unit)
        view.focus()

    def _apply(self) -> None:
        """Filters down to the matrix: which lines and which units it shows."""
        matrix = self.matrix
        if matrix is None:
            return
        units = [self.unit] if self.unit is not None else list(range(len(matrix.units)))
        late = matrix.late_tasks(self.unit) if self.late_only else set()
        lines: list[Line] = []
        # A ledger without phases gets no heading line at all rather than one empty heading.
        current: str | None = None if any(task.phase for task in matrix.tasks) else ""
        for index, task in enumerate(matrix.tasks):
            if self.phase is not None and task.phase != self.phase:
                continue
            if self.late_only and index not in late:
                continue
            if task.phase != current:
                lines.append(Line(task.phase, None))
                current = task.phase
            lines.append(Line(task.phase, index))
        filters = []
        if self.late_only:
            filters.append(t("matrix.filter.late"))
        if self.phase is not None:
            filters.append(t("matrix.filter.phase", phase=self.phase or "—"))
        if self.unit is not None:
            filters.append(t("matrix.filter.unit", unit=matrix.units[self.unit].name))
        self.query_one("#matrix-filters", Static).update(
            t("matrix.filters", filters="，".join(filters) or t("matrix.no_filter"))
        )
        self.query_one(MatrixView).show(matrix, lines, units)

    def on_matrix_view_moved(self, message: MatrixView.Moved) -> None:
        matrix = self.matrix
        status = self.query_one("#matrix-status", Static)
        if matrix is None or message.task is None:
            status.update("", layout=False)
            return
        task, unit = matrix.tasks[message.task], matrix.units[message.unit]
        judged = matrix.judge(message.task, message.unit)
        if judged is None:
            status.update(f"{unit.name}｜{t('matrix.not_owed')}", layout=False)
            return
        late = judged.days_overdue or 0
        status.update(
            t(
                "matrix.cell",
                unit=unit.name,
                seq=task.seq,
                task=task.text,
                status=t(f"status.{judged.cell.status}"),
                late=t("matrix.late", days=late) if late > 0 else "",
            )
            + f"｜{task.deadline_text}｜{cell_text(judged)}",
            layout=False,  # a fixed-height bar: no layout pass on every key press
        )

    def on_matrix_view_opened(self, message: MatrixView.Opened) -> None:
        from tui.screens.assignment import AssignmentScreen

        if self.matrix is None:
            return
        judged = self.matrix.judge(message.task, message.unit)
        if judged is None:
            self.notify(t("matrix.not_owed"))
            return

        def changed(result: bool | None) -> None:
            if result:
                self.load()

        self.app.push_screen(AssignmentScreen(self.context, judged.cell.assignment_id), changed)

    def action_late_only(self) -> None:
        self.late_only = not self.late_only
        self._apply()

    def action_pick_phase(self) -> None:
        if self.matrix is None:
            return
        phases = self.matrix.phases()
        current = phases.index(self.phase) if self.phase in phases else ALL

        def picked(choice: int | None) -> None:
            if choice is not None:
                self.phase = None if choice == ALL else phases[choice]
                self._apply()

        self.app.push_screen(PickDialog(t("pick.phase"), [p or "—" for p in phases], current), picked)

    def action_pick_unit(self) -> None:
        if self.matrix is None:
            return

        def picked(choice: int | None) -> None:
            if choice is not None:
                self.unit = None if choice == ALL else choice
                self._apply()

        names = [unit.name for unit in self.matrix.units]
        self.app.push_screen(PickDialog(t("pick.unit"), names, ALL if self.unit is None else self.unit), picked)

    def action_clear(self) -> None:
        self.late_only, self.phase, self.unit = False, None, None
        self._apply()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="matrix")
    def action_next_ledger(self) -> None:
        following = next_ledger(self.context.tracker, self.app_ledger())
        if following is not None:
            self.app.call_from_thread(self._switch, following)

    def _switch(self, ledger_id: int) -> None:
        self.app.ledger_id = ledger_id  # type: ignore[attr-defined]
        self.late_only, self.phase, self.unit = False, None, None
        self.load()
