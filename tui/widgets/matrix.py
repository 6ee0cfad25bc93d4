"""The ledger matrix: tasks (grouped by phase) down, units across, each cell coloured by its
traffic light. Drawn line by line from the matrix (Textual's line API), so only the visible cells
are ever judged or drawn, and the matrix reads only the cells in view: a million assignments open
as fast as 45."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tracker.matrix import Judged, Matrix
from tui.i18n import t

LEFT = 34  # the task column at its narrowest; it takes the room the units leave
LEFT_MAX = 72
CELL = 7  # each unit's column at its narrowest: "完+12", "168天"
CELL_MAX = 13  # six CJK characters and a space
HEADER = 1
LIGHT_STYLES = {
    "red": Style(color="black", bgcolor="#ff9aa2"),
    "yellow": Style(color="black", bgcolor="#ffe08a"),
    "green": Style(color="black", bgcolor="#a8e6a3"),
    "orange": Style(color="black", bgcolor="#f8b88b"),
    "grey": Style(color="black", bgcolor="#bdbdbd"),
    "blue": Style(color="black", bgcolor="#9dc3e6"),  # 待复核
    "purple": Style(color="black", bgcolor="#c9b6e4"),  # 退回, within its deadline
    "": Style(),
}
PHASE_STYLE = Style(bold=True, color="#4472c4")
HEADER_STYLE = Style(bold=True, reverse=True)


@dataclass(frozen=True)
class Line:
    """A line of the matrix body: a phase heading (task None) or a task (its index)."""

    phase: str
    task: int | None


def cell_text(judged: Judged | None) -> str:
    if judged is None:
        return ""
    cell = judged.cell
    late = judged.days_overdue if judged.days_overdue is not None and judged.days_overdue > 0 else 0
    if cell.status == "done":
        return f"{t('cell.done')}+{late}" if late else t("cell.done")
    if cell.status == "terminated":
        return t("cell.terminated")
    if cell.status == "submitted":  # not escalated while it waits: no days late shown
        return t("cell.submitted")
    if cell.status == "returned":
        return f"{t('cell.returned')}{t('cell.late', days=late)}" if late else t("cell.returned")
    if late:
        return t("cell.late", days=late)
    if cell.status == "doing":
        return f"{cell.percent}%"
    return t("cell.todo")


def fit(text: str, width: int, centre: bool = False) -> str:
    """``text`` in exactly ``width`` terminal cells (CJK counts two), cut or padded."""
    if cell_len(text) > width:
        return set_cell_size(text, width)
    if centre:
        spare = width - cell_len(text)
        return " " * (spare // 2) + text + " " * (spare - spare // 2)
    return set_cell_size(text, width)


def common_suffix(names: list[str]) -> str:
    """The ending every name shares ("政府" of 濮阳县政府, 清丰县政府…), if it leaves each name
    something to tell it by; a column heading need not repeat it."""
    if len(names) < 2:
        return ""
    suffix = names[0]
    for name in names[1:]:
        while suffix and not name.endswith(suffix):
            suffix = suffix[1:]
    while suffix and any(len(name) - len(suffix) < 2 for name in names):
        suffix = suffix[1:]  # 范县政府 keeps 范县: the shared 县政府 shortens to 政府
    return suffix if len(suffix) >= 2 else ""


def column_labels(names: list[str]) -> list[str]:
    suffix = common_suffix(names)
    return [name[: len(name) - len(suffix)] if suffix else name for name in names]


def ellipsis(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with "…" where something was left off."""
    if cell_len(text) <= width:
        return text
    while text and cell_len(text) > width - 1:
        text = text[:-1]  # whole characters: a CJK character is never cut in half
    return text + "…"


class MatrixView(ScrollView, can_focus=True):
    """Arrow keys move the cursor, Enter opens the assignment under it."""

    BINDINGS = [
        Binding("up", "move(0, -1)", show=False),
        Binding("down", "move(0, 1)", show=False),
        Binding("left", "move(-1, 0)", show=False),
        Binding("right", "move(1, 0)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "edge(-1)", show=False),
        Binding("end", "edge(1)", show=False),
        Binding("enter", "open", t("key.open")),
    ]
    DEFAULT_CSS = """
    MatrixView { height: 1fr; }
    """

    class Moved(Message):
        """The cursor is on another cell."""

        def __init__(self, task: int | None, unit: int) -> None:
            super().__init__()
            self.task, self.unit = task, unit

    class Opened(Message):
        """Enter on a cell: open its assignment."""

        def __init__(self, task: int, unit: int) -> None:
            super().__init__()
            self.task, self.unit = task, unit

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.matrix: Matrix | None = None
        self.lines: list[Line] = []
        self.units: list[int] = []
        # Plain attributes, not reactives: a reactive would repaint the whole matrix on each move.
        self.cursor_line = 0
        self.cursor_unit = 0
        self.labels: list[str] = []  # the units' column headings
        self.cell = CELL
        self.left = LEFT

    def show(self, matrix: Matrix, lines: list[Line], units: list[int]) -> None:
        """Attributes down: the screen hands over the matrix and what its filters keep."""
        self.matrix, self.lines, self.units = matrix, lines, units
        self.labels = column_labels([unit.name for unit in matrix.units])
        self._lay_out()
        self.cursor_unit = min(self.cursor_unit, max(0, len(units) - 1))
        first_task = next((i for i, line in enumerate(lines) if line.task is not None), 0)
        line = self.cursor_line if self.cursor_line < len(lines) and lines[self.cursor_line].task is not None else None
        self.cursor_line = first_task if line is None else line
        self._announce()
        self.refresh()
        self._read_ahead()

    def _lay_out(self) -> None:
        """Columns as wide as the headings need (within bounds); the task column takes the rest."""
        shown = [self.labels[u] for u in self.units]
        self.cell = max(CELL, min(CELL_MAX, max((cell_len(label) + 1 for label in shown), default=CELL)))
        width = self.scrollable_content_region.width
        self.left = max(LEFT, min(LEFT_MAX, width - self.cell * len(self.units)))
        self.virtual_size = Size(self.left + self.cell * len(self.units), HEADER + len(self.lines))

    def on_resize(self) -> None:
        if self.matrix is not None:
            self._lay_out()
            self.refresh()

    def current(self) -> tuple[int | None, int]:
        if not self.lines or not self.units:
            return None, 0
        return self.lines[self.cursor_line].task, self.units[self.cursor_unit]

    def _announce(self) -> None:
        task, unit = self.current()
        self.post_message(self.Moved(task, unit))

    # --- drawing -------------------------------------------------------------------------

    def _first_unit(self) -> int:
        return int(self.scroll_offset.x) // self.cell

    def _visible_units(self) -> int:
        return max(1, (self.scrollable_content_region.width - self.left) // self.cell)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if self.matrix is None:
            return Strip.blank(width)
        first = self._first_unit()
        shown = self.units[first : first + self._visible_units()]
        if y < HEADER:
            segments = [Segment(fit(t("matrix.header.task"), self.left), HEADER_STYLE)]
            segments += [
                Segment(fit(ellipsis(self.labels[u], self.cell - 1), self.cell, centre=True), HEADER_STYLE)
                for u in shown
            ]
            return Strip(segments).adjust_cell_length(width, HEADER_STYLE)
        index = int(self.scroll_offset.y) + y - HEADER
        if index >= len(self.lines):
            return Strip.blank(width)
        line = self.lines[index]
        if line.task is None:
            return Strip([Segment(fit(line.phase or "—", width), PHASE_STYLE)])
        task = self.matrix.tasks[line.task]
        label_style = Style(reverse=True) if index == self.cursor_line and self.has_focus else Style()
        segments = [
            Segment(fit(ellipsis(f"{task.seq:>3} {task.text}", self.left - 1), self.left - 1) + " ", label_style)
        ]
        for position, unit in enumerate(shown, start=first):
            judged = self.matrix.judge(line.task, unit)
            style = LIGHT_STYLES[judged.light if judged else ""]
            if index == self.cursor_line and position == self.cursor_unit:
                style = style + Style(reverse=True, bold=True)
            segments.append(Segment(fit(cell_text(judged), self.cell, centre=True), style))
        return Strip(segments).adjust_cell_length(width)

    # --- moving --------------------------------------------------------------------------

    def _selectable(self, start: int, step: int) -> int:
        index = start
        while 0 <= index < len(self.lines):
            if self.lines[index].task is not None:
                return index
            index += step
        return self.cursor_line

    def action_move(self, dx: int, dy: int) -> None:
        if not self.lines:
            return
        before = self.cursor_line
        if dy:
            self.cursor_line = self._selectable(self.cursor_line + dy, dy)
        if dx:
            self.cursor_unit = max(0, min(len(self.units) - 1, self.cursor_unit + dx))
        self._follow(before)

    def action_page(self, direction: int) -> None:
        if self.lines:
            before = self.cursor_line
            step = max(1, self.scrollable_content_region.height - HEADER - 1)
            target = max(0, min(len(self.lines) - 1, self.cursor_line + direction * step))
            self.cursor_line = self._selectable(target, direction) if self.lines[target].task is None else target
            self._follow(before)

    def action_edge(self, direction: int) -> None:
        if self.lines:
            before = self.cursor_line
            self.cursor_line = self._selectable(0 if direction < 0 else len(self.lines) - 1, -direction or 1)
            self._follow(before)

    def _follow(self, before: int) -> None:
        """Scroll so the cursor stays in view, redraw what changed and tell the screen. Without
        a scroll only the cursor's old and new lines are drawn again: a key press stays cheap."""
        rows = max(1, self.scrollable_content_region.height - HEADER)
        top = int(self.scroll_offset.y)
        if self.cursor_line < top:
            top = self.cursor_line
        elif self.cursor_line >= top + rows:
            top = self.cursor_line - rows + 1
        first = self._first_unit()
        visible = self._visible_units()
        if self.cursor_unit < first:
            first = self.cursor_unit
        elif self.cursor_unit >= first + visible:
            first = self.cursor_unit - visible + 1
        if (first * self.cell, top) == (int(self.scroll_offset.x), int(self.scroll_offset.y)):
            for index in {before, self.cursor_line}:
                self.refresh_line(index + HEADER)
        else:
            self.scroll_to(first * self.cell, top, animate=False)
            self.refresh()
            self._read_ahead()
        self._announce()

    def _read_ahead(self) -> None:
        """Have the cells a screen around the window read in a worker thread, so that the next
        page or scroll draws from memory instead of waiting on the database."""
        matrix = self.matrix
        if matrix is None:
            return
        rows = max(1, self.scrollable_content_region.height - HEADER)
        top = int(self.scroll_offset.y)
        tasks = [line.task for line in self.lines[max(0, top - rows) : top + 2 * rows] if line.task is not None]
        first, visible = self._first_unit(), self._visible_units()
        units = self.units[max(0, first - visible) : first + 2 * visible]
        missing = matrix.missing(tasks, units)
        if missing:  # most moves stay within what is loaded: no thread for them
            # Not exit_on_error: a failed read-ahead only means the cells are read when drawn.
            self.run_worker(partial(matrix.read_ahead, missing), thread=True, group="read-ahead", exit_on_error=False)

    def place(self, task: int | None, unit: int | None) -> None:
        """Put the cursor on a task (its line) and a unit (its column), where they are shown."""
        before = self.cursor_line
        if task is not None:
            self.cursor_line = next((i for i, line in enumerate(self.lines) if line.task == task), self.cursor_line)
        if unit is not None and unit in self.units:
            self.cursor_unit = self.units.index(unit)
        self._follow(before)
        self.refresh()

    def action_open(self) -> None:
        task, _ = self.current()
        if task is not None:
            self.post_message(self.Opened(task, self.units[self.cursor_unit]))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
