"""Import: pick a ledger file (TOML or xlsx), see what the dry run would import (or exactly what
is wrong, file and line or cell), then confirm. All files of a pick go in one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, DirectoryTree, Header, Input, Static

from tracker.errors import InputError, InputErrors, more_errors
from tracker.usecases.ledgers import import_ledgers
from tracker.usecases.work import actor_of
from tui.context import Context
from tui.dialogs.confirm import ConfirmDialog
from tui.i18n import error_text, t
from tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from tracker.importing import LedgerSummary

SUFFIXES = (".toml", ".xlsx")


def _errors_text(exc: InputError) -> str:
    """One error on the line; several each on its own line, in the UI's words where it has them."""
    if not isinstance(exc, InputErrors):
        return error_text(exc)
    lines = [error_text(error) for error in exc.shown] + ([more_errors(exc.more)] if exc.more else [])
    return t("error.several", count=len(exc.errors)) + "".join(f"\n  {line}" for line in lines)


class LedgerFiles(DirectoryTree):
    """Folders, and only the files tracker can import."""

    def filter_paths(self, paths):  # type: ignore[no-untyped-def]
        return [p for p in paths if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() in SUFFIXES)]


class ImportScreen(Screen[None]):
    BINDINGS = [
        # Before the path field's own ctrl+d (delete to the right), which would swallow it there,
        # where the hint says Ctrl+D checks: the key bar shows it with the field focused too.
        Binding("ctrl+d", "dry_run", t("import.check"), priority=True),
        Binding("ctrl+s", "confirm", t("import.confirm")),
        Binding("escape", "leave", t("key.back")),
    ]

    def __init__(self, context: Context, folder: Path | None = None) -> None:
        super().__init__()
        self.context = context
        self.folder = folder or context.folder
        self.checked: Path | None = None
        self.losing = 0  # assignments with progress the checked import would delete: asked again
        self.about: str | None = None  # the path as typed that the result line speaks of

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("import.title"), classes="title")
        with Horizontal(classes="form"):
            yield Input(placeholder=t("import.path"), id="path")
            yield Button(t("import.check"), id="check")
            yield Button(t("import.confirm"), id="confirm", variant="primary", disabled=True)
        yield Static(t("import.hint"), markup=False, id="import-hint", classes="muted")
        yield Static("", markup=False, id="import-result", classes="line")
        yield LedgerFiles(self.folder, id="files")
        yield KeyBar()

    def action_leave(self) -> None:
        """Esc in the path field moves on to the files (where the section keys are keys again);
        elsewhere it goes back to the dashboard."""
        if isinstance(self.focused, Input):
            self.query_one("#files", LedgerFiles).focus()
        else:
            self.app.switch_mode("dashboard")

    def on_directory_tree_file_selected(self, message: DirectoryTree.FileSelected) -> None:
        self.query_one("#path", Input).value = str(message.path)
        self.action_dry_run()

    def on_input_submitted(self) -> None:
        self.action_dry_run()

    def on_input_changed(self, message: Input.Changed) -> None:
        """Another path: what the last check said was about the old one, so it goes. (A file
        picked below is checked at once, before this message about its path arrives: kept.)"""
        if message.value.strip() == self.about:
            return
        self.about = None
        self.checked, self.losing = None, 0
        self.query_one("#confirm", Button).disabled = True
        result = self.query_one("#import-result", Static)
        result.update("")
        result.remove_class("-bad")

    def on_button_pressed(self, message: Button.Pressed) -> None:
        if message.button.id == "check":
            self.action_dry_run()
        elif message.button.id == "confirm":
            self.action_confirm()

    def _run(self, confirmed: bool, allow_removals: bool = False) -> None:
        """A check runs with removals allowed, to say what they are; an import only once confirmed."""
        text = self.query_one("#path", Input).value.strip()
        result = self.query_one("#import-result", Static)
        if not text:
            result.update(t("import.path"))
            return
        path = Path(text).expanduser()
        tracker = self.context.tracker
        self.about = text
        try:
            imported = import_ledgers(
                tracker,
                actor_of(tracker),
                [path],
                dry_run=not confirmed,
                allow_removals=allow_removals or not confirmed,
            )
        except InputError as exc:
            result.update(t("import.failed", error=_errors_text(exc)))
            result.add_class("-bad")
            self.checked, self.losing = None, 0
            self.query_one("#confirm", Button).disabled = True
            return
        summaries = imported.ledgers
        lines = [
            t("import.line", title=s.title, tasks=s.tasks, units=s.units, assignments=s.assignments) for s in summaries
        ] + _removals(summaries)
        self.checked = None if confirmed else path
        self.losing = 0 if confirmed else imported.losing_progress
        if self.losing:
            lines.append(t("import.loses_progress", count=self.losing))
        result.set_class(bool(self.losing), "-bad")
        result.update(t("import.done" if confirmed else "import.would", lines="\n".join(lines)))
        self.query_one("#confirm", Button).disabled = confirmed

    def action_dry_run(self) -> None:
        self._run(confirmed=False)

    def action_confirm(self) -> None:
        if self.checked is None:
            self.notify(t("import.check_first"), severity="warning")
            return
        if not self.losing:
            self._run(confirmed=True)
            return

        def decided(sure: bool | None) -> None:
            if sure:
                self._run(confirmed=True, allow_removals=True)

        self.app.push_screen(
            ConfirmDialog(t("import.remove_prompt", count=self.losing), t("import.remove_confirm")), decided
        )


def _removals(summaries: list[LedgerSummary]) -> list[str]:
    """What each ledger's import deletes, in the UI's words."""
    return [
        t(
            "import.removed",
            title=s.title,
            units="、".join(s.removed.units),
            tasks="、".join(s.removed.tasks),
            reports="、".join(s.removed.reports),
            assignments=s.removed.assignments,
            progress=s.removed.progress,
        )
        for s in summaries
        if s.removed
    ]
