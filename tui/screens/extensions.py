"""Extension requests (延期申请): the list, approve or refuse with a reason."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header

from tracker.errors import InputError
from tracker.permissions import ROLE_LABELS
from tracker.usecases.changes import decide_request, list_extensions
from tracker.usecases.work import actor_of
from tui.dialogs.reason import ReasonDialog
from tui.i18n import error_text, t
from tui.screens.base import REFRESH, ListScreen
from tui.widgets.keybar import KeyBar

COLUMNS: tuple[str, ...] = ("id", "ledger", "task", "unit", "from", "to", "status", "reason", "requested_by")


class ExtensionsScreen(ListScreen):
    TABLE, HEADERS, COLUMNS = "extensions", "ext.col", COLUMNS
    BINDINGS = [
        Binding("y", "decide(True)", t("key.approve")),
        Binding("x", "decide(False)", t("key.refuse")),
        REFRESH,
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="extensions", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    @work(thread=True, exclusive=True, group="extensions")
    def load(self) -> None:
        rows = list_extensions(self.context.tracker)
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[dict[str, object]]) -> None:
        values = []
        for r in rows:
            row = [str(r[k]) if r[k] is not None else "" for k in COLUMNS]
            row[6] = t(f"ext.status.{r['status']}")
            values.append(row)
        self.fill([int(str(r["id"])) for r in rows], values)

    def current_ref(self) -> str | None:
        """The request under the cursor as `tracker approve` takes it (an extension: its id)."""
        request_id = self.current()
        return None if request_id is None else str(request_id)

    @staticmethod
    def kind_of(ref: str) -> str:
        """The kind of request a ref names: 3 an extension, T3 a termination, P3 a person change."""
        return {"T": "termination", "P": "person_change"}.get(ref[:1].upper(), "extension")

    def action_decide(self, approve: bool) -> None:
        ref = self.current_ref()
        if ref is None:
            return
        what = t(f"what.{self.kind_of(ref)}")
        prompt = t("ext.approve_prompt" if approve else "ext.refuse_prompt", id=ref, what=what)

        def decided(reason: str | None) -> None:
            if reason is None:
                return
            tracker = self.context.tracker
            try:
                done = decide_request(tracker, actor_of(tracker), ref, approve=approve, reason=reason)
            except InputError as exc:
                self.notify(error_text(exc), severity="error", timeout=8)
                return
            if done.status == "pending":  # one step of its approval chain; the next waits for another role
                role = ROLE_LABELS.get(done.waits_for, done.waits_for)
                self.notify(t("ext.step_approved", id=ref, step=done.step, role=role, what=what))
            else:
                self.notify(t("ext.approved" if approve else "ext.refused", id=ref, what=what))
            self.load()

        self.app.push_screen(ReasonDialog(prompt, required=not approve), decided)

    def action_reload(self) -> None:
        self.load()
