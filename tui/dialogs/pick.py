"""Pick one of many (a unit of 118, a phase) by typing part of its name: the list narrows as
you type, Enter takes the highlighted one. Dismissed with the choice's index in ``choices``,
-1 for "all" (no filter), or None when cancelled."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.i18n import t

ALL = -1


class PickDialog(ModalScreen[int | None]):
    BINDINGS = [
        Binding("escape", "cancel", t("key.back")),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]
    DEFAULT_CSS = """
    PickDialog { align: center middle; }
    PickDialog > Vertical {
        width: 70; height: auto; max-height: 80%; padding: 1 2; border: round $accent; background: $surface;
    }
    PickDialog OptionList { height: auto; max-height: 20; }
    """

    def __init__(self, prompt: str, choices: list[str], current: int | None) -> None:
        super().__init__()
        self.prompt, self.choices, self.current = prompt, choices, current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.prompt, markup=False)
            yield Input(placeholder=t("pick.type"), id="pick-filter")
            yield OptionList(id="pick-list")
            yield Static(t("pick.keys"), classes="muted")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#pick-filter", Input).focus()

    def _fill(self, text: str) -> None:
        """ "all" first, then the choices whose name holds what was typed (case ignored)."""
        needle = text.strip().casefold()
        options = [] if needle else [Option(t("pick.all"), id=str(ALL))]
        options += [Option(Text(name), id=str(i)) for i, name in enumerate(self.choices) if needle in name.casefold()]
        listing = self.query_one("#pick-list", OptionList)
        listing.clear_options()
        listing.add_options(options)
        if options:
            ids = [option.id for option in options]
            listing.highlighted = ids.index(str(self.current)) if not needle and str(self.current) in ids else 0

    def on_input_changed(self, message: Input.Changed) -> None:
        self._fill(message.value)

    def action_move(self, step: int) -> None:
        """Up and down move the highlight while the typing stays in the field."""
        listing = self.query_one("#pick-list", OptionList)
        if listing.option_count:
            at = (listing.highlighted or 0) + step
            listing.highlighted = max(0, min(listing.option_count - 1, at))

    def on_input_submitted(self) -> None:
        listing = self.query_one("#pick-list", OptionList)
        if listing.highlighted is None:
            self.notify(t("pick.none"), severity="warning")
            return
        self._take(listing.get_option_at_index(listing.highlighted).id)

    def on_option_list_option_selected(self, message: OptionList.OptionSelected) -> None:
        self._take(message.option.id)

    def _take(self, option_id: str | None) -> None:
        self.dismiss(int(option_id) if option_id is not None else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
