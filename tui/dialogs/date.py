"""Ask for a day, typed as people type it (2017-09-10, 9月10日, 今天; tracker.typed_dates, like the
CLI's DATE), understood as it is typed; and, when asked, a line of text beside it (a reason, a
report's name). Dismissed with (day, text), or None when cancelled."""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tracker.errors import InputError
from tracker.typed_dates import typed_date
from tui.i18n import error_text, t


def understood(text: str, today: dt.date) -> tuple[dt.date | None, str]:
    """A typed date (as tracker.typed_dates reads it, ``today`` being the UI's day) and the line
    under its field: 解析为 2017-03-31, or why not."""
    if not text.strip():
        return None, ""
    try:
        day = typed_date(text, today)
    except InputError as exc:
        return None, error_text(exc)
    return day, t("date.parsed", date=day.isoformat())


class DateDialog(ModalScreen[tuple[dt.date, str] | None]):
    BINDINGS = [Binding("escape", "cancel", t("key.back"))]
    DEFAULT_CSS = """
    DateDialog { align: center middle; }
    DateDialog > Vertical { width: 70; height: auto; padding: 1 2; border: round $accent; background: $surface; }
    DateDialog .hint { color: $text-muted; }
    DateDialog .hint.-bad { color: $error; }
    """

    def __init__(
        self,
        prompt: str,
        today: dt.date,
        *,
        text: str | None = None,
        required: bool = False,
        date_label: str | None = None,
    ) -> None:
        """``text``: the placeholder of a second field (none when None); ``required``: it must be filled."""
        super().__init__()
        self.prompt, self.today, self.text, self.required = prompt, today, text, required
        self.date_label = date_label or t("dialog.date")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.prompt, markup=False)
            yield Input(value=self.today.isoformat(), placeholder=self.date_label, id="date")
            yield Static("", markup=False, id="date-hint", classes="hint")
            if self.text is not None:
                yield Input(placeholder=self.text, id="text")
            yield Static(t("dialog.enter"), classes="muted")

    def on_mount(self) -> None:
        self._hint(self.query_one("#date", Input).value)
        self.query_one("#date", Input).focus()

    def _hint(self, value: str) -> dt.date | None:
        day, line = understood(value, self.today)
        hint = self.query_one("#date-hint", Static)
        hint.update(line or t("dialog.date_needed"))
        hint.set_class(day is None, "-bad")
        return day

    def on_input_changed(self, message: Input.Changed) -> None:
        if message.input.id == "date":
            self._hint(message.value)

    def on_input_submitted(self, message: Input.Submitted) -> None:
        day = self._hint(self.query_one("#date", Input).value)
        if day is None:
            self.notify(t("dialog.date_needed"), severity="error")
            self.query_one("#date", Input).focus()
            return
        text = ""
        if self.text is not None:
            field = self.query_one("#text", Input)
            if message.input.id == "date" and not field.value.strip():
                field.focus()  # Enter in the date field goes on to the next one
                return
            text = field.value.strip()
            if self.required and not text:
                self.notify(t("dialog.required"), severity="error")
                return
        self.dismiss((day, text))

    def action_cancel(self) -> None:
        self.dismiss(None)
