"""Notices: the list, a preview of the one under the cursor, 签收 and export as Word."""

from __future__ import annotations

import re
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static

from tracker.errors import InputError
from tracker.notices import NoticeDetail
from tracker.render import render_text, render_to_file
from tracker.usecases.notices import NoticeRow, list_notices, notice_document
from tui.context import Context
from tui.dialogs.reason import ReasonDialog
from tui.i18n import error_text, t
from tui.screens.base import REFRESH, ListScreen
from tui.widgets.keybar import KeyBar


def unit_list(names: list[str], shown: int = 3) -> str:
    """A bulletin may name a hundred units: the first few and how many in all (the preview has all)."""
    if len(names) <= shown:
        return "、".join(names)
    return t("notices.units_more", names="、".join(names[:shown]), count=len(names))


def _ack_state(n: NoticeRow) -> str:
    """签收 as the list shows it: who signed; for a bulletin how many of the units it names."""
    if len(n.receipts) > 1:
        return t("notices.signed_count", signed=n.signed, count=len(n.receipts))
    return t("notices.acked_by", by=n.acknowledged_by) if n.acknowledged_at else t("notices.not_acked")


class NoticesScreen(ListScreen):
    TABLE, HEADERS, COLUMNS = "notices", "notices.col", ("number", "kind", "date", "ack", "ledger", "units")
    # Word export on x: w is the reports section everywhere, here too.
    BINDINGS = [Binding("a", "acknowledge", t("key.ack")), Binding("x", "render", t("key.render")), REFRESH]

    def __init__(self, context: Context, folder: Path | None = None) -> None:
        super().__init__(context)
        self.folder = folder or context.folder / "notices"
        self.preview = ""
        self.shown: NoticeDetail | None = None  # the notice in the preview, laid out again on a resize
        self.units: dict[int, list[str]] = {}  # each listed notice's units addressed (a bulletin: several)
        self.unsigned: dict[int, list[str]] = {}  # of them, those that have not signed

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="notices", cursor_type="row", zebra_stripes=True)
        # Plain text laid out by tracker.render (as `tracker notice show` prints it), not Textual's
        # Markdown widget: a bulletin naming a hundred units is 50 KB of table, which the Markdown
        # widget took 20 s to lay out.
        with VerticalScroll(id="notice-preview"):
            yield Static("", markup=False, id="notice-text")
        yield KeyBar()

    @work(thread=True, exclusive=True, group="notices")
    def load(self) -> None:
        notices = list_notices(self.context.tracker)
        rows = [
            (
                n.number,
                t(f"level.{n.kind}"),
                n.as_of.isoformat(),
                _ack_state(n),
                n.ledger,
                unit_list(n.units),
            )
            for n in notices
        ]
        self.units = {n.id: [r.unit for r in n.receipts] for n in notices}
        self.unsigned = {n.id: [r.unit for r in n.receipts if not r.signed] for n in notices}
        self.app.call_from_thread(self._show, [n.id for n in notices], rows)

    def _show(self, ids: list[int], rows: list[tuple[str, ...]]) -> None:
        self.fill(ids, rows)
        if not rows:
            self.show_text(t("notices.empty"))

    def detail(self) -> NoticeDetail | None:
        """The notice under the cursor, as its documents show it."""
        notice_id = self.current()
        if notice_id is None:
            return None
        try:
            return notice_document(self.context.tracker, str(notice_id))
        except InputError:  # gone since the list was read
            return None

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        self.shown = self.detail()
        self.show_notice()

    def on_resize(self) -> None:
        self.call_after_refresh(self.show_notice)  # once the preview has its new width

    def show_notice(self) -> None:
        """The notice under the cursor as a person reads it, in the preview's width."""
        if self.shown is None:
            return
        preview = self.query_one("#notice-preview", VerticalScroll)
        # The room inside the padding, less the scroll bar's (there whenever the text is long).
        width = preview.size.width - preview.styles.scrollbar_size_vertical
        self.show_text(render_text(self.shown, self.context.tracker.settings.notices.templates, width))

    def show_text(self, text: str) -> None:
        self.preview = text
        self.query_one("#notice-text", Static).update(Text(text))

    def action_acknowledge(self) -> None:
        """签收 by whom the clerk names: the acting account is offered, often it is someone else
        (the unit's liaison who came to sign). Each unit addressed signs for itself: for a bulletin
        naming several, the unit is asked first (the first not yet signed offered)."""
        notice_id = self.current()
        if notice_id is None:
            return
        units = self.units.get(notice_id, [])
        if len(units) <= 1:
            self.ask_signer(notice_id, None)
            return

        def known(unit: str) -> str | None:
            return None if unit in units else t("notices.unit_unknown", unit=unit, units=unit_list(units))

        dialog = ReasonDialog(
            t("notices.unit_prompt", units=unit_list(self.unsigned.get(notice_id, []) or units)),
            required=True,
            placeholder=t("notices.unit"),
            value=(self.unsigned.get(notice_id) or units)[0],
            missing=t("notices.unit_required"),
            accept=known,
        )
        self.app.push_screen(dialog, callback=lambda unit: self.ask_signer(notice_id, unit) if unit else None)

    def ask_signer(self, notice_id: int, unit: str | None) -> None:
        dialog = ReasonDialog(
            t("notices.signer_prompt"),
            required=True,
            placeholder=t("notices.signer"),
            value=self.context.tracker.user,
            missing=t("notices.signer_required"),
            accept=lambda name: self.acknowledge(notice_id, name, unit),
        )
        self.app.push_screen(dialog)

    def acknowledge(self, notice_id: int, signed_by: str, unit: str | None = None) -> str | None:
        """Record it (for ``unit``, a bulletin's), from the open dialog: a refusal's message is
        returned for the dialog to show, the dialog staying open with the name to correct (never
        a traceback)."""
        from tracker.usecases.notices import acknowledge_notice
        from tracker.usecases.work import actor_of

        tracker = self.context.tracker
        try:
            done = acknowledge_notice(tracker, actor_of(tracker), str(notice_id), signed_by=signed_by, unit=unit)
        except InputError as exc:
            return error_text(exc)
        self.notify(t("notices.already" if done.already else "notices.acked", number=done.number))
        self.load()
        return None

    def action_render(self) -> None:
        found = self.detail()
        if found is not None:
            self.render_docx(found)

    @work(thread=True, group="render")
    def render_docx(self, found: NoticeDetail) -> None:
        """A bulletin naming a hundred units takes seconds: written in a worker."""
        path = self.folder / (re.sub(r'[\\/:*?"<>|\s]+', "", f"{found.title}{found.number}") + ".docx")
        settings = self.context.tracker.settings.notices
        render_to_file(found, path, settings.templates, settings)
        self.app.call_from_thread(self.notify, t("notices.rendered", path=path))
