"""The help screen, made from the bindings themselves: every key of every section, so that it
cannot fall behind the keys the screens really have."""

from __future__ import annotations

from rich.columns import Columns
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.i18n import t


def sections(app: type[App[object]]) -> list[tuple[str, list[Binding]]]:
    """(heading, bindings) for the app and each section, in the order of the section keys. The
    app's class is given, not imported: tui.app opens this screen, so importing it here would
    make a cycle."""
    from tui.screens.assignment import AssignmentScreen
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
    from tui.widgets.matrix import MatrixView

    listed: list[tuple[str, tuple[type, ...]]] = [
        (t("help.everywhere"), (app,)),
        (t("mode.dashboard"), (DashboardScreen,)),
        (t("mode.ledger"), (MatrixView, LedgerScreen)),
        (t("help.assignment"), (AssignmentScreen,)),
        (t("mode.notices"), (NoticesScreen,)),
        (t("mode.extensions"), (ExtensionsScreen,)),
        (t("mode.outbox"), (OutboxScreen,)),
        (t("mode.interviews"), (InterviewsScreen,)),
        (t("mode.units"), (UnitsScreen,)),
        (t("mode.import"), (ImportScreen,)),
        (t("mode.reports"), (ReportsScreen,)),
        (t("mode.scores"), (ScoresScreen,)),
        (t("mode.review"), (ReviewScreen,)),
        (t("mode.queue"), (QueueScreen,)),
    ]
    found = []
    for heading, owners in listed:
        # A class's own BINDINGS only: those Textual's Screen brings (tab, copy) are not ours to list.
        own = [b for owner in owners for b in vars(owner).get("BINDINGS", [])]
        described = [b for b in own if isinstance(b, Binding) and b.description]
        if described:
            found.append((heading, described))
    return found


def keys_of(app: App[object], binding: Binding) -> str:
    """Each key of a binding as the footer shows it: "? f1" for "question_mark,f1"."""
    return " ".join(app.get_key_display(Binding(key.strip(), "")) for key in binding.key.split(","))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", t("key.back"))]

    def compose(self) -> ComposeResult:
        blocks = []
        for heading, bindings in sections(type(self.app)):
            keys = Table.grid(padding=(0, 1))
            keys.add_column(style="bold", no_wrap=True)
            keys.add_column()
            for binding in bindings:
                keys.add_row(keys_of(self.app, binding), binding.description)
            blocks.append(Group(Text(heading, style="bold underline"), keys, Text("")))
        with VerticalScroll(id="help"):
            yield Static(t("help.text"))
            yield Static(Columns(blocks, width=22, padding=(0, 2)))
            yield Static(legend(), id="legend")


def legend() -> Group:
    """The matrix's colours and the marks in its cells, as the weekly table's legend says them."""
    from tui.widgets.matrix import LIGHT_STYLES

    lights = Table.grid(padding=(0, 1))
    lights.add_column(no_wrap=True)
    lights.add_column()
    for light, style in LIGHT_STYLES.items():
        if light:
            lights.add_row(Text("    ", style=style), t(f"legend.{light}"))
    return Group(Text(t("help.legend"), style="bold underline"), lights)
