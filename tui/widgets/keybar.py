"""The key line at the bottom of every screen: the keys that work here and what they do.

Textual's Footer builds one widget per key and restyles each of them whenever the screen
changes; with the sixteen keys of the matrix that took a third of a second on every switch of
section (measured: back to the matrix 0.51 s with the Footer, 0.16 s without). This is one line of
text drawn from the same source, the screen's active bindings, and redrawn when they change.
A click on a key presses it.

When the line is too long for the terminal it is shortened in steps, never by cutting a label:
the spaces around the keys go, then the sections become a row of bare keys ("d l n …", their
names are in the help and the palette), and only then are whole entries left off the end, the
help key always kept. The section on screen is not offered: its key does nothing there."""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

from tui.i18n import t

HELP = "help"
SECTION = "switch_mode("


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


@dataclass(frozen=True)
class Entry:
    key: str  # as shown: "⏎", "?", "^p"
    label: str
    press: Style  # the click's meta: the key to press
    key_style: Style
    text_style: Style
    section: bool

    def full(self) -> Text:
        return Text.assemble(
            (f" {self.key} ", self.key_style + self.press), (f"{self.label} ", self.text_style + self.press)
        )

    def compact(self) -> Text:
        return Text.assemble((self.key, self.key_style + self.press), (f" {self.label} ", self.text_style + self.press))


def sections_as_keys(entries: list[Entry], style: Style) -> Text:
    """The sections as one entry of bare keys: " 切换 d n e o "."""
    keys = [Text.assemble((entry.key, entry.key_style + entry.press), " ") for entry in entries]
    return Text.assemble((f"{t('bar.sections')} ", style), *keys)


def shapes(entries: list[Entry], help_entry: Entry | None, style: Style) -> list[tuple[list[Text], Text | None]]:
    """The line's forms, longest first, each as its parts and the part that is the help key."""
    found = []
    for form in (Entry.full, Entry.compact):
        made = {entry: form(entry) for entry in entries}
        found.append((list(made.values()), made.get(help_entry) if help_entry else None))
    sections = [entry for entry in entries if entry.section]
    parts: list[Text] = []
    keep = None
    for entry in entries:
        if not entry.section:
            parts.append(entry.compact())
            keep = parts[-1] if entry is help_entry else keep
        elif entry is sections[0]:
            parts.append(sections_as_keys(sections, style))
    found.append((parts, keep))
    return found


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

    def entries(self) -> tuple[list[Entry], Entry | None]:
        """One entry per action, as the Footer does, and the help key's."""
        key_style = self.get_component_rich_style("keybar--key")
        text_style = self.get_component_rich_style("keybar--description")
        off_style = self.get_component_rich_style("keybar--disabled")
        here = f"{SECTION}'{self.app.current_mode}')"
        entries: list[Entry] = []
        help_entry: Entry | None = None
        shown: set[str] = {here}
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in shown:
                continue
            shown.add(binding.action)
            entry = Entry(
                self.app.get_key_display(binding),
                binding.description,
                Style(meta={"key": binding.key}),
                key_style if enabled else off_style,
                text_style if enabled else off_style,
                binding.action.startswith(SECTION),
            )
            entries.append(entry)
            if binding.action == HELP:
                help_entry = entry
        return entries, help_entry

    def render(self) -> Text:
        entries, help_entry = self.entries()
        width = self.size.width
        forms = shapes(entries, help_entry, self.get_component_rich_style("keybar--description"))
        for parts, _keep in forms:
            if sum(part.cell_len for part in parts) <= width:
                return Text("", end="").join(parts)
        parts, keep = forms[-1]
        return Text("", end="").join(fitting(parts, keep, width))

    def on_click(self, event: events.Click) -> None:
        key = event.style.meta.get("key")
        if key:
            self.app.simulate_key(key)
