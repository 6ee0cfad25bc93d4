"""The scores (考核得分): each unit's score and rank in one ledger under the bureau's rules, judged
on the UI's day, as `tracker scores` gives them; `]` goes on to the next ledger."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from tracker.errors import InputError
from tracker.usecases.ledgers import next_ledger
from tracker.usecases.scores import Scores, ledger_scores
from tui.i18n import t
from tui.screens.base import REFRESH, ListScreen
from tui.widgets.keybar import KeyBar

COLUMNS = (
    *("rank", "unit", "score", "tasks", "done", "overdue_tasks", "overdue_days", "late_reports", "missing_reports"),
    *("submitted", "returned"),
)


class ScoresScreen(ListScreen):
    TABLE, HEADERS, COLUMNS = "scores", "scores.col", COLUMNS
    BINDINGS = [Binding("right_square_bracket", "next_ledger", t("key.next_ledger")), REFRESH]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", markup=False, id="scores-title", classes="title")
        yield DataTable(id="scores", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    @work(thread=True, exclusive=True, group="scores")
    def load(self, ledger_id: int | None = None) -> None:
        """The ledger ``ledger_id``, else the one the other sections show (the app's), else the first."""
        tracker = self.context.tracker
        wanted = ledger_id or getattr(self.app, "ledger_id", None)
        try:
            found = ledger_scores(tracker, str(wanted) if wanted else None, as_of=self.context.as_of)
        except InputError:  # the ledger shown before is gone: the first one
            found = ledger_scores(tracker, None, as_of=self.context.as_of)
        self.app.call_from_thread(self._show, found)

    def _show(self, found: Scores) -> None:
        if found.ledger_id:
            self.app.ledger_id = found.ledger_id  # type: ignore[attr-defined]
            title = t("scores.title", title=found.title, day=found.as_of.isoformat())
        else:
            title = t("matrix.empty")
        self.query_one("#scores-title", Static).update(title)
        rows = [[str(row[key]) for key in COLUMNS] for row in found.rows]
        self.fill(list(range(len(rows))), rows)

    @work(thread=True, exclusive=True, group="scores-next")
    def action_next_ledger(self) -> None:
        following = next_ledger(self.context.tracker, getattr(self.app, "ledger_id", None))
        if following is not None:
            self.app.call_from_thread(self.load, following)
