"""The key line at the bottom of every screen: the keys that work here and what they do.

Textual's Footer builds one widget per key and restyles each of them whenever the screen
changes; with the sixteen keys of the matrix that took a third of a second on every switch of
section (measured: back to the matrix 0.51 s with the Footer, 0.16 s without). This is one line of
text drawn from the same source, the screen's active bindings, and redrawn when they change.
A click on a key presses it."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

HELP = "help"


def fitting(entries: list[Text], keep: Text | None, width: int) -> list[Text]:
    """The entries, in order, that fit in ``width`` cells; ``keep`` is always among them."""
    if sum(entry.cell_len for entry in entries) <= width:
        return entries
    room = width - (keep.cell_len if keep is not None else 0)
    chosen: list[Text] = []
    for entry in entries:
        if entry is keep:
            continue
        if entry.cell_len > room:
            break
        chosen.append(entry)
        room -= entry.cell_len
    return chosen + ([keep] if keep is not None else [])


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $footer-background; }
    KeyBar > .keybar--key { color: $footer-key-foreground; background: $footer-key-background; text-style: bold; }
    KeyBar > .keybar--description { color: $footer-description-foreground; }
    KeyBar > .keybar--disabled { color: $text-disabled; }
    """
    COMPONENT_CLASSES = {"keybar--key", "keybar--description", "keybar--disabled"}

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen:
            self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keybar--key")
        text_style = self.get_component_rich_style("keybar--description")
        off_style = self.get_component_rich_style("keybar--disabled")
        entries: list[Text] = []
        help_entry: Text | None = None
        shown: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in shown:  # one entry per action, as the Footer does
                continue
            shown.add(binding.action)
            click = Style(meta={"key": binding.key})
            entry = Text.assemble(
                (f" {self.app.get_key_display(binding)} ", (key_style if enabled else off_style) + click),
                (f"{binding.description} ", (text_style if enabled else off_style) + click),
            )
            entries.append(entry)
            if binding.action == HELP:
                help_entry = entry
        return Text("", end="").join(fitting(entries, help_entry, self.size.width))

    def on_click(self, event: events.Click) -> None:
        key = event.style.meta.get("key")
        if key:
            self.app.simulate_key(key)
