"""The review queue (待复核): completions units or clerks submitted, oldest first; `a` accepts
the one under the cursor (销号, done as of the day submitted), `t` returns it with a reason (退回)."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from tracker.errors import InputError
from tracker.usecases.review import Reviewed, review_queue
from tui.dialogs.reason import ReasonDialog
from tui.i18n import error_text, t
from tui.screens.base import REFRESH, ListScreen
from tui.widgets.keybar import KeyBar

COLUMNS = ("id", "ledger", "task", "unit", "done_on", "due_on", "timing", "by", "note")


class ReviewScreen(ListScreen):
    TABLE, HEADERS, COLUMNS = "review", "review.col", COLUMNS
    BINDINGS = [Binding("a", "accept", t("key.review_accept")), Binding("t", "return", t("key.review_return")), REFRESH]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("review.title"), markup=False, id="review-title", classes="title")
        yield DataTable(id="review", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    @work(thread=True, exclusive=True, group="review")
    def load(self) -> None:
        from tracker.usecases.work import actor_of

        tracker = self.context.tracker
        waiting = review_queue(tracker, actor_of(tracker))
        self.app.call_from_thread(self._show, waiting)

    def _show(self, waiting: list[Reviewed]) -> None:
        rows = [
            [
                str(r.id),
                r.ledger,
                r.task,
                r.unit,
                r.done_on.isoformat(),
                r.due_on.isoformat() if r.due_on else "—",
                t("review.on_time" if r.on_time else "review.late"),
                r.submitted_by,
                r.note,
            ]
            for r in waiting
        ]
        self.fill([r.id for r in waiting], rows)
        self.query_one("#review-title", Static).update(t("review.title" if rows else "review.empty"))

    def action_accept(self) -> None:
        from tracker.usecases.review import accept_completion
        from tracker.usecases.work import actor_of

        submission = self.current()
        if submission is None:
            return
        tracker = self.context.tracker
        try:
            done = accept_completion(tracker, actor_of(tracker), submission)
        except InputError as exc:
            self.notify(error_text(exc), severity="error")
        else:
            self.notify(t("review.accepted", subject=done.subject, day=done.done_on.isoformat()))
        self.load()

    def action_return(self) -> None:
        submission = self.current()
        if submission is None:
            return
        dialog = ReasonDialog(
            t("review.reason_prompt"),
            required=True,
            placeholder=t("review.reason"),
            missing=t("review.reason_required"),
            accept=lambda reason: self.give_back(submission, reason),
        )
        self.app.push_screen(dialog)

    def give_back(self, submission: int, reason: str) -> str | None:
        """Return it, from the open dialog: a refusal's message stays in the dialog."""
        from tracker.usecases.review import return_completion
        from tracker.usecases.work import actor_of

        tracker = self.context.tracker
        try:
            done = return_completion(tracker, actor_of(tracker), submission, reason)
        except InputError as exc:
            return error_text(exc)
        self.notify(t("review.returned", subject=done.subject))
        self.load()
        return None
