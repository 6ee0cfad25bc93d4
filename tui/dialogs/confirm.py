"""Ask before doing something that needs a decision said aloud (a late extension request is the
bureau's decision, recorded as such); dismissed with True, or False when cancelled."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.i18n import t


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", t("key.back"))]
    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > Vertical { width: 70; height: auto; padding: 1 2; border: round $warning; background: $surface; }
    ConfirmDialog Horizontal { height: auto; margin-top: 1; }
    ConfirmDialog Button { margin-right: 2; }
    """

    def __init__(self, prompt: str, confirm: str) -> None:
        super().__init__()
        self.prompt, self.confirm = prompt, confirm

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.prompt, markup=False)
            with Horizontal():
                yield Button(self.confirm, id="confirm", variant="warning")
                yield Button(t("dialog.cancel"), id="cancel")
            yield Static(t("dialog.enter"), classes="muted")

    def on_mount(self) -> None:
        self.query_one("#confirm", Button).focus()

    def on_button_pressed(self, message: Button.Pressed) -> None:
        self.dismiss(message.button.id == "confirm")

    def action_cancel(self) -> None:
        self.dismiss(False)
