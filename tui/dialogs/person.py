"""A unit's responsible person: name, email, phone. Dismissed with the three, or None."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui.i18n import t


class PersonDialog(ModalScreen[tuple[str, str, str] | None]):
    BINDINGS = [Binding("escape", "cancel", t("key.back"))]
    DEFAULT_CSS = """
    PersonDialog { align: center middle; }
    PersonDialog > Vertical { width: 70; height: auto; padding: 1 2; border: round $accent; background: $surface; }
    """

    def __init__(self, unit: str, name: str, email: str, phone: str) -> None:
        super().__init__()
        self.unit, self.values = unit, (name, email, phone)

    def compose(self) -> ComposeResult:
        name, email, phone = self.values
        with Vertical():
            yield Static(t("units.dialog", unit=self.unit), markup=False)
            yield Input(name, placeholder=t("units.col.person"), id="name")
            yield Input(email, placeholder=t("units.col.email"), id="email")
            yield Input(phone, placeholder=t("units.col.phone"), id="phone")
            yield Button(t("key.save"), id="save", variant="primary")

    def on_button_pressed(self) -> None:
        self.submit()

    def on_input_submitted(self) -> None:
        self.submit()

    def submit(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        if not name:
            self.notify(t("units.name_required"), severity="error")
            return
        self.dismiss(
            (name, self.query_one("#email", Input).value.strip(), self.query_one("#phone", Input).value.strip())
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
