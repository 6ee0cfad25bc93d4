"""The terminal UI (Textual): where the bureau's staff work all day.

Sections are MODES (dashboard, ledger matrix, notices, extensions, outbox, interviews, units,
import, reports), switched by a key from anywhere; every key is a BINDING with an action, so the
footer, the help screen and the command palette know it.
The UI calls tracker/'s services and holds no business rules; database work runs in workers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from tracker.app import Tracker
from tracker.search import Hit
from tui.commands import SearchProvider
from tui.context import Context
from tui.i18n import set_language, t


class TrackerApp(App[None]):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    COMMANDS = App.COMMANDS | {SearchProvider}
    BINDINGS = [
        Binding("d", "switch_mode('dashboard')", t("mode.dashboard")),
        Binding("l", "switch_mode('ledger')", t("mode.ledger")),
        Binding("n", "switch_mode('notices')", t("mode.notices")),
        Binding("e", "switch_mode('extensions')", t("mode.extensions")),
        Binding("o", "switch_mode('outbox')", t("mode.outbox")),
        Binding("i", "switch_mode('interviews')", t("mode.interviews")),
        Binding("g", "switch_mode('units')", t("mode.units"), show=False),
        Binding("m", "switch_mode('import')", t("mode.import"), show=False),
        Binding("w", "switch_mode('reports')", t("mode.reports"), show=False),
        Binding("k", "switch_mode('scores')", t("mode.scores"), show=False),
        Binding("question_mark,f1", "help", t("mode.help")),
        Binding("slash", "command_palette", t("key.search"), show=False),
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
        self.sub_title = t("app.subtitle", day=self.context.as_of.isoformat())

    def on_mount(self) -> None:
        from tui.screens.dashboard import DashboardScreen
        from tui.screens.extensions import ExtensionsScreen
        from tui.screens.imports import ImportScreen
        from tui.screens.interviews import InterviewsScreen
        from tui.screens.ledger import LedgerScreen
        from tui.screens.notices import NoticesScreen
        from tui.screens.outbox import OutboxScreen
        from tui.screens.reports import ReportsScreen
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

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every action in the palette: the sections, then what the current screen can do."""
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.action.startswith("switch_mode"):
                mode = binding.action.split("'")[1]
                yield SystemCommand(binding.description, t("palette.go"), partial(self.switch_mode, mode))
        for binding in screen.BINDINGS:
            if isinstance(binding, Binding) and binding.description:
                yield SystemCommand(binding.description, binding.key, partial(screen.run_action, binding.action))
