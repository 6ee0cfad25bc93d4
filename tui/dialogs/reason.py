"""Ask for one line of text: a reason (a refusal needs one, an approval may carry one), or a name
(who signed a notice, the acting account offered); dismissed with the text, or None when
cancelled."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.i18n import t


class ReasonDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", t("key.back"))]
    DEFAULT_CSS = """
    ReasonDialog { align: center middle; }
    ReasonDialog > Vertical { width: 70; height: auto; padding: 1 2; border: round $accent; background: $surface; }
    """

    def __init__(
        self,
        prompt: str,
        required: bool,
        placeholder: str | None = None,
        *,
        value: str = "",
        missing: str = "",
        accept: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.prompt, self.required, self.value = prompt, required, value
        self.placeholder = placeholder or t("asg.reason")
        self.missing = missing or t("dialog.required")  # said when a required text is left empty
        # Does what the text is for while the dialog is open: a refusal (its message returned) keeps
        # the dialog open with the text, to correct, as an empty required text does.
        self.accept = accept

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.prompt, markup=False)
            yield Input(self.value, placeholder=self.placeholder, id="reason")
            yield Static(t("dialog.enter"), classes="muted")

    def on_input_submitted(self, message: Input.Submitted) -> None:
        text = message.value.strip()
        if self.required and not text:
            self.notify(self.missing, severity="error")
            return
        refusal = self.accept(text) if self.accept is not None else None
        if refusal is not None:
            self.notify(refusal, severity="error", timeout=8)
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
