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
from tui.i18n import error_text, t
from tui.table import refill
from tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from tracker.dashboard import Dashboard
    from tracker.usecases.check import CheckDone

LEVELS = ("warning", "criticism", "interview", "accountability")
ORDER = ("reminder", *LEVELS)


def bar(share: float, width: int = 10) -> str:
    """A small completion chart: ██████░░░░ 60%."""
    filled = round(share * width)
    return "█" * filled + "░" * (width - filled) + f" {share:4.0%}"


class DashboardScreen(Screen[None]):
    BINDINGS = [
        Binding("c", "check", t("key.check")),
        Binding("r", "reload", t("key.refresh")),
        Binding("enter", "open", t("key.open"), show=False),
    ]

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context
        self.ids: list[int] = []
        self.checking = False

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

    def action_check(self) -> None:
        if self.checking:  # one check at a time from this desk; a second press waits for nothing
            self.notify(t("check.busy"))
            return
        self.checking = True
        self.notify(t("check.running", day=self.context.as_of.isoformat()))
        self.run_check()

    @work(thread=True, group="check")
    def run_check(self) -> None:
        """The daily check as `tracker check` runs it: it issues notices and queues the digests;
        sending stays with the outbox (approval, quiet hours)."""
        from tracker.errors import BusyError, InputError
        from tracker.usecases.check import run_daily_check
        from tracker.usecases.work import actor_of

        tracker = self.context.tracker
        try:
            done = run_daily_check(tracker, actor_of(tracker), as_of=self.context.as_of)
        except (InputError, BusyError) as exc:  # a bad setting; another check running too long
            self.app.call_from_thread(self._checked, t("check.failed", error=error_text(exc)), True)
            return
        self.app.call_from_thread(self._checked, check_summary(done), False)

    def _checked(self, summary: str, bad: bool) -> None:
        self.checking = False
        self.notify(summary, severity="error" if bad else "information", timeout=10)
        self.load()


def check_summary(done: CheckDone) -> str:
    """What a check found and did, in one message: findings per level, notices issued, digests
    queued or rebuilt (and, when sending needs approval, that they wait for it)."""
    listed = t("list.sep")
    found = listed.join(f"{t('level.' + level)} {done.counts[level]}" for level in ORDER if done.counts.get(level))
    kinds: dict[str, int] = {}
    for notice in done.notices:
        kinds[notice.kind] = kinds.get(notice.kind, 0) + 1
    issued = listed.join(f"{t('level.' + kind)} {count}" for kind, count in kinds.items())
    parts = [
        t("check.done", day=done.as_of.isoformat()),
        t("check.found", levels=found) if found else t("check.nothing_due"),
        t("check.issued", count=len(done.notices), kinds=issued) if done.notices else t("check.no_notices"),
    ]
    outbox = done.outbox
    waits = ".approve" if outbox is not None and outbox.approval else ""
    if outbox is not None and outbox.queued:  # "0 queued, approve them" would send the clerk looking
        parts.append(t("check.queued" + waits, count=outbox.queued))
    if outbox is not None and outbox.refreshed and outbox.approval:  # rebuilt: the approval is withdrawn
        parts.append(t("check.refreshed", count=outbox.refreshed))
    return t("sep").join(parts)
