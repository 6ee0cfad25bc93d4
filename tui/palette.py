"""The command palette's actions (Ctrl+P, or /): ours first, in the UI's language (what the
current screen and its focused widgets can do, then the sections), then Textual's own commands.
The search over the ledgers is tui/commands.py's.

Our actions are read from the BINDINGS at the moment the palette opens, so a key a screen gains
is in the palette with no list to keep up to date here."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from textual.actions import parse
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape
from textual.screen import Screen

from tui.i18n import MESSAGES, t

PALETTE = "command_palette"
SECTION = "switch_mode("
THEIRS = 0.5  # Textual's commands score half as much as ours for the same match: ours come first
LEFT_OUT = {"Quit"}  # Textual's own: ours (q) is listed already


def our_commands(app: App[Any], screen: Screen[Any]) -> Iterator[SystemCommand]:
    """What the screen and its focused widgets can do (ours only: Textual's DataTable or Input
    keys are not the bureau's actions), then the sections in their order, then the app's keys."""
    # The focused widget and the nodes above it, as for the keys, but each one's own bindings:
    # a key the focused table also binds (the dashboard's Enter) is still one of ours to offer.
    chain = [node for node in (screen.focused or screen).ancestors_with_self if node is not app]
    for node in chain:
        for binding in ours(type(node)):
            _, name, parameters = parse(binding.action)
            if binding.description and name != PALETTE and node.check_action(name, parameters):
                words = t("palette.key", keys=first_key(app, binding))
                yield SystemCommand(binding.description, words, partial(app.run_action, binding.action, node))
    active = screen.active_bindings
    described = [b for b in type(app).BINDINGS if isinstance(b, Binding) and b.description and b.action != PALETTE]
    for binding in sorted(described, key=lambda b: not b.action.startswith(SECTION)):  # stable: sections first
        first = binding.key.split(",")[0].strip()
        # A screen may use the section's key for its own action (the notices' w): then no key is named.
        mine = first in active and active[first].binding.action == binding.action
        key = first_key(app, binding) if mine else ""
        if binding.action.startswith(SECTION):
            words = t("palette.go", keys=key) if key else t("palette.go_nokey")
        else:
            words = t("palette.key", keys=key) if key else ""
        yield SystemCommand(binding.description, words, partial(app.run_action, binding.action))


def first_key(app: App[Any], binding: Binding) -> str:
    """A binding's first key as the key bar shows it: "?" for "question_mark,f1"."""
    return app.get_key_display(Binding(binding.key.split(",")[0].strip(), ""))


def ours(cls: type) -> list[Binding]:
    """The bindings of tui's own classes (a screen, the matrix), not those Textual's Screen or
    DataTable bring (focus next, copy, cursor keys); a subclass's before its base's."""
    found: dict[str, Binding] = {}
    for owner in cls.__mro__:
        if owner.__module__.startswith("tui."):
            for binding in vars(owner).get("BINDINGS", []):
                if isinstance(binding, Binding):
                    found.setdefault(binding.action, binding)
    return list(found.values())


def textual_words(english: str) -> str:
    """A title or help line of Textual's in the catalogue's words; one a newer Textual adds stays
    as it is written."""
    key = f"palette.textual.{english}"
    return t(key) if key in MESSAGES else english


def textual_commands(app: App[Any], screen: Screen[Any]) -> Iterator[SystemCommand]:
    """Textual's own commands (theme, keys panel, screenshot...) in the UI's language."""
    for command in App.get_system_commands(app, screen):
        if command.title not in LEFT_OUT:
            yield command._replace(title=textual_words(command.title), help=textual_words(command.help))


class ActionsProvider(Provider):
    """Every action, ours before Textual's: in that order when nothing is typed (Textual's own
    provider sorts them by name), and ours scored higher for the same match."""

    def commands(self) -> list[tuple[SystemCommand, float]]:
        app, screen = self.app, self.screen
        return [(command, 1.0) for command in our_commands(app, screen)] + [
            (command, THEIRS) for command in textual_commands(app, screen)
        ]

    async def discover(self) -> Hits:
        for command, _weight in self.commands():
            if command.discover:
                yield DiscoveryHit(
                    Content(command.title), command.callback, text=command.title, help=escape(command.help)
                )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command, weight in self.commands():
            if (score := matcher.match(command.title)) > 0:
                yield Hit(
                    score * weight,
                    matcher.highlight(command.title),
                    command.callback,
                    text=command.title,
                    help=escape(command.help),
                )
