"""The terminal UI (Textual): where the bureau's staff work all day.

Sections are MODES (dashboard, ledger matrix, notices, extensions, outbox, interviews, units,
import, reports), switched by a key from anywhere; every key is a BINDING with an action, so the
footer, the help screen and the command palette know it.
The UI calls tracker/'s services and holds no business rules; database work runs in workers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.notifications import SeverityLevel
from textual.screen import Screen

from tracker.app import Tracker
from tracker.search import Hit
from tui.commands import SearchProvider
from tui.context import Context
from tui.i18n import language, set_language, t
from tui.palette import ActionsProvider, our_commands, textual_commands


class TrackerApp(App[None]):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    # Our actions and Textual's come from one provider, so that ours are listed first (Textual's own
    # provider would sort every command by name).
    COMMANDS = {ActionsProvider, SearchProvider}
    BINDINGS = [
        Binding("d", "switch_mode('dashboard')", t("mode.dashboard")),
        Binding("l", "switch_mode('ledger')", t("mode.ledger")),
        Binding("n", "switch_mode('notices')", t("mode.notices")),
        Binding("e", "switch_mode('extensions')", t("mode.extensions")),
        Binding("o", "switch_mode('outbox')", t("mode.outbox")),
        Binding("i", "switch_mode('interviews')", t("mode.interviews")),
        Binding("g", "switch_mode('units')", t("mode.units.key")),
        Binding("m", "switch_mode('import')", t("mode.import")),
        Binding("w", "switch_mode('reports')", t("mode.reports")),
        # Not on the key bar: at 160 columns the matrix's keys and nine sections fill it (help, palette list it).
        Binding("k", "switch_mode('scores')", t("mode.scores"), show=False),
        Binding("v", "switch_mode('review')", t("mode.review"), show=False),
        Binding("b", "switch_mode('queue')", t("mode.queue"), show=False),
        Binding("slash", "command_palette", t("key.search")),
        # Textual binds Ctrl+P itself only when no key opens the palette: with "/" bound, Ctrl+P
        # did nothing. A priority binding, as Textual's: it works in a text field too.
        Binding("ctrl+p", "command_palette", t("key.palette"), show=False, priority=True),
        Binding("question_mark,f1", "help", t("mode.help")),
        Binding("q", "quit", t("key.quit")),
    ]

    def __init__(
        self, tracker: Tracker, *, as_of: dt.date | None = None, language: str = "zh", folder: Path | None = None
    ) -> None:
        set_language(language)  # the UI's words and the core's refusals it shows
        super().__init__()
        self.context = Context(tracker, as_of or tracker.today(), folder or Path.cwd())
        self.ledger_id: int | None = None
        self.target: tuple[int | None, int | None] = (None, None)  # task and unit to put the cursor on
        self.title = t("app.title")
        self.sub_title = t("app.subtitle", who=who_acts_text(tracker), day=self.context.as_of.isoformat())

    def on_mount(self) -> None:
        from tui.screens.dashboard import DashboardScreen
        from tui.screens.extensions import ExtensionsScreen
        from tui.screens.imports import ImportScreen
        from tui.screens.interviews import InterviewsScreen
        from tui.screens.ledger import LedgerScreen
        from tui.screens.notices import NoticesScreen
        from tui.screens.outbox import OutboxScreen
        from tui.screens.queue import QueueScreen
        from tui.screens.reports import ReportsScreen
        from tui.screens.review import ReviewScreen
        from tui.screens.scores import ScoresScreen
        from tui.screens.units import UnitsScreen

        context = self.context
        self.add_mode("dashboard", lambda: DashboardScreen(context))
        self.add_mode("ledger", lambda: LedgerScreen(context))
        self.add_mode("notices", lambda: NoticesScreen(context))
        self.add_mode("extensions", lambda: ExtensionsScreen(context))
        self.add_mode("outbox", lambda: OutboxScreen(context))
        self.add_mode("interviews", lambda: InterviewsScreen(context))
        self.add_mode("units", lambda: UnitsScreen(context))
        self.add_mode("import", lambda: ImportScreen(context))
        self.add_mode("reports", lambda: ReportsScreen(context))
        self.add_mode("scores", lambda: ScoresScreen(context))
        self.add_mode("review", lambda: ReviewScreen(context))
        self.add_mode("queue", lambda: QueueScreen(context))
        self.switch_mode("dashboard")

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every message here is catalogue text carrying data (a unit's name, a reason, a server's
        reply) and none uses markup, so none is read as markup: "南乐县[/b]政府" stays as written
        instead of raising. Screens' ``self.notify`` ends here too."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def action_help(self) -> None:
        from tui.help import HelpScreen

        self.push_screen(HelpScreen())

    def open_ledger(self, ledger_id: int, task_id: int | None = None, unit_id: int | None = None) -> None:
        """Show this ledger in the matrix (from the dashboard or a search), the cursor on the
        task and unit asked for."""
        self.ledger_id = ledger_id
        self.target = (task_id, unit_id)
        self.switch_mode("ledger")

    def open_hit(self, hit: Hit) -> None:
        self.open_ledger(hit.ledger_id, hit.task_id, hit.unit_id)

    def action_command_palette(self) -> None:
        """Textual's palette with its prompt in the UI's language."""
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(CommandPalette(placeholder=t("palette.placeholder"), id="--command-palette"))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every action, ours first (the palette's provider reads the same two lists)."""
        yield from our_commands(self, screen)
        yield from textual_commands(self, screen)


def who_acts_text(tracker: Tracker) -> str:
    """Who the UI acts as, for the sub-title: the account's name and role (its label in Chinese,
    its name in English), or 桌面模式 while the database has no accounts."""
    from tracker.refusals import Refusal
    from tracker.usecases.accounts import who_acts

    try:
        acting = who_acts(tracker)
    except Refusal:  # an unknown or disabled account: every action will say so; the header too
        return t("app.no_account", name=tracker.user)
    if acting.desk:
        return t("app.desk")
    role = acting.role_label if language() == "zh" else str(acting.role)
    return t("app.account", name=acting.display or acting.login, role=role)
