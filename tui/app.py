"""The terminal UI (Textual): where the bureau's staff work all day.

Sections are MODES (dashboard, ledger matrix, notices), switched by a key from anywhere; every
key is a BINDING with an action, so the footer, the help screen and the command palette know it.
The UI calls tracker/'s services and holds no business rules; database work runs in workers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from tracker.app import Tracker
from tui.context import Context
from tui.i18n import set_language, t


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", t("key.back"))]

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(t("help.text"), id="help")


class TrackerApp(App[None]):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    BINDINGS = [
        Binding("d", "switch_mode('dashboard')", t("mode.dashboard")),
        Binding("l", "switch_mode('ledger')", t("mode.ledger")),
        Binding("n", "switch_mode('notices')", t("mode.notices")),
        Binding("e", "switch_mode('extensions')", t("mode.extensions")),
        Binding("o", "switch_mode('outbox')", t("mode.outbox")),
        Binding("question_mark,f1", "help", t("mode.help")),
        Binding("q", "quit", t("key.quit")),
    ]

    def __init__(self, tracker: Tracker, *, as_of: dt.date | None = None, language: str = "zh") -> None:
        set_language(language)
        super().__init__()
        self.context = Context(tracker, as_of or tracker.today())
        self.ledger_id: int | None = None
        self.title = t("app.title")
        self.sub_title = t("app.subtitle", day=self.context.as_of.isoformat())

    def on_mount(self) -> None:
        from tui.screens.dashboard import DashboardScreen
        from tui.screens.extensions import ExtensionsScreen
        from tui.screens.ledger import LedgerScreen
        from tui.screens.notices import NoticesScreen
        from tui.screens.outbox import OutboxScreen

        context = self.context
        self.add_mode("dashboard", lambda: DashboardScreen(context))
        self.add_mode("ledger", lambda: LedgerScreen(context))
        self.add_mode("notices", lambda: NoticesScreen(context))
        self.add_mode("extensions", lambda: ExtensionsScreen(context))
        self.add_mode("outbox", lambda: OutboxScreen(context))
        self.switch_mode("dashboard")

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def open_ledger(self, ledger_id: int) -> None:
        """Show this ledger in the matrix (from the dashboard or a search)."""
        self.ledger_id = ledger_id
        self.switch_mode("ledger")
