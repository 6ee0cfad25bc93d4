"""Notices: the list, a preview of the one under the cursor, 签收 and export as Word."""

from __future__ import annotations

import re
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tracker.notices import acknowledge, list_notices, notice_detail, notice_units
from tracker.render import render_markdown, render_to_file
from tui.context import Context
from tui.i18n import t


class NoticesScreen(Screen[None]):
    BINDINGS = [
        Binding("a", "acknowledge", t("key.ack")),
        Binding("w", "render", t("key.render")),
        Binding("r", "reload", t("key.refresh")),
    ]

    def __init__(self, context: Context, folder: Path | None = None) -> None:
        super().__init__()
        self.context = context
        self.folder = folder or context.folder / "notices"
        self.ids: list[int] = []
        self.preview = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="notices", cursor_type="row", zebra_stripes=True)
        # Plain text, not Textual's Markdown widget: a bulletin naming a hundred units is 50 KB of
        # table, which the Markdown widget took 20 s to lay out.
        with VerticalScroll(id="notice-preview"):
            yield Static("", id="notice-text")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#notices", DataTable)
        for key in ("number", "kind", "ledger", "units", "date", "ack"):
            table.add_column(t(f"notices.col.{key}"), key=key)
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="notices")
    def load(self) -> None:
        from tracker.lookup import ledger_titles

        with self.context.tracker.session() as session:
            notices = list_notices(session)
            units = notice_units(session, [n.id for n in notices if n.id is not None])
            titles = ledger_titles(session)
            rows = [
                (
                    n.id,
                    n.number,
                    t(f"level.{n.kind}"),
                    titles.get(n.ledger_id, ""),
                    "、".join(units.get(n.id or 0, [])),
                    n.as_of.isoformat(),
                    n.acknowledged_by if n.acknowledged_at else "",
                )
                for n in notices
            ]
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[tuple[object, ...]]) -> None:
        table = self.query_one("#notices", DataTable)
        at = table.cursor_row
        table.clear()
        self.ids = [int(str(row[0])) for row in rows]
        for row in rows:
            table.add_row(*(str(v) for v in row[1:]), key=str(row[0]))
        if not rows:
            self.show_text(t("notices.empty"))
        elif 0 <= at < len(rows):
            table.move_cursor(row=at)
        table.focus()

    def current(self) -> int | None:
        row = self.query_one("#notices", DataTable).cursor_row
        return self.ids[row] if 0 <= row < len(self.ids) else None

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        notice_id = self.current()
        if notice_id is None:
            return
        from tracker.models import Notice

        tracker = self.context.tracker
        with tracker.session() as session:
            notice = session.get(Notice, notice_id)
            if notice is None:
                return
            detail = notice_detail(session, notice, tracker.settings.notices.issuer)
        self.show_text(render_markdown(detail, tracker.settings.notices.templates))

    def show_text(self, text: str) -> None:
        self.preview = text
        self.query_one("#notice-text", Static).update(Text(text))

    def action_acknowledge(self) -> None:
        from tracker.models import Notice

        notice_id = self.current()
        if notice_id is None:
            return
        tracker = self.context.tracker
        with tracker.session() as session:
            notice = session.get(Notice, notice_id)
            assert notice is not None
            done = acknowledge(session, notice, by=tracker.user, now=tracker.now())
            session.commit()
            number = notice.number
        self.notify(t("notices.acked" if done else "notices.already", number=number))
        self.load()

    def action_render(self) -> None:
        from tracker.models import Notice

        notice_id = self.current()
        if notice_id is None:
            return
        tracker = self.context.tracker
        with tracker.session() as session:
            notice = session.get(Notice, notice_id)
            assert notice is not None
            detail = notice_detail(session, notice, tracker.settings.notices.issuer)
        path = self.folder / (re.sub(r'[\\/:*?"<>|\s]+', "", f"{detail.title}{detail.number}") + ".docx")
        render_to_file(detail, path, tracker.settings.notices.templates)
        self.notify(t("notices.rendered", path=path))

    def action_reload(self) -> None:
        self.load()
