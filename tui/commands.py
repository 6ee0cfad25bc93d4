"""The command palette (Ctrl+P, or /): every action of the app and of the current screen, and a
search over ledgers, tasks, units and responsible persons that opens what it finds."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from textual.command import Hit, Hits, Provider
from textual.content import Content

from tracker.usecases.ledgers import search
from tui.i18n import t

if TYPE_CHECKING:
    from tracker.search import Hit as Found


def hit_label(found: Found) -> str:
    return t(f"search.hit.{found.kind}", text=found.text, where=found.where, seq=found.seq)


class SearchProvider(Provider):
    """Database hits for what is typed (two characters or more)."""

    async def search(self, query: str) -> Hits:
        if len(query.strip()) < 2:
            return
        app = self.app
        tracker = app.context.tracker  # type: ignore[attr-defined]

        for found in await asyncio.to_thread(search, tracker, query, 8):
            label = hit_label(found)
            shown = Content(label)  # plain: a name is never markup
            yield Hit(0.9, shown, partial(app.open_hit, found), text=label, help=t("search.help"))  # type: ignore[attr-defined]
