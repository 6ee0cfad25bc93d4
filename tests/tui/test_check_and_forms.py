"""The TUI runs the daily check from the dashboard (`c`) as `tracker check` does, queueing the
digests and sending none, and writes the units' forms and reads them back on the reports screen,
showing every refusal as a message naming the file and the cell."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import select
from textual.widgets import Button, Input, Select, Static

from tests.functional import test_usecases_check as usecases
from tests.functional.test_forms import fill
from tests.functional.test_usecases_check import statuses
from tests.smtp_server import Server
from tracker.app import Tracker
from tracker.models import Notice, OutboxMessage
from tui.app import TrackerApp
from tui.screens.reports import ReportsScreen

SIZE = (160, 45)
# The use cases' fixtures: late assignments on 2017-04-05 with a mail server that takes anything
# and no approval nor quiet hours (whatever the check would send, the server records); a ledger
# with a report duty for the forms.
mailed, with_forms = usecases.mailed, usecases.with_forms


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def click(pilot, selector: str) -> None:  # type: ignore[no-untyped-def]
    """Click a button as a person would: a second click within its press effect (0.2 s) is not
    a second press."""
    button = pilot.app.screen.query_one(selector, Button)
    while button.has_class("-active"):
        await pilot.pause(0.05)
    await pilot.click(selector)
    await settle(pilot)


def messages(app: TrackerApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_the_dashboard_runs_the_check_which_queues_and_never_sends(mailed: Tracker, server: Server) -> None:
    app = TrackerApp(mailed, as_of=dt.date(2017, 4, 5))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        summary = messages(app)[-1]
        with mailed.session() as session:
            issued = session.exec(select(Notice)).all()
            queued = session.exec(select(OutboxMessage)).all()
        assert issued and queued
        assert summary.startswith("检查完成（2017-04-05）"), messages(app)
        assert f"新发通知 {len(issued)} 件" in summary
        assert f"{len(queued)} 封待发邮件已排队" in summary
        assert {m.status for m in queued} == {"queued"}
        assert server.received == []  # the check queues; the outbox sends, under its policy
        assert str(app.screen.query_one("#dash-outbox", Static).render()).startswith(f"待发邮件 {len(queued)} 封")

        await pilot.press("c")  # the same day again: nothing new
        await settle(pilot)
        assert "无新通知" in messages(app)[-1]
    with mailed.session() as session:
        assert len(session.exec(select(Notice)).all()) == len(issued)
    assert server.received == []


async def test_a_check_that_cannot_run_is_a_message(mailed: Tracker, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.errors import BusyError
    from tracker.usecases import check

    def busy(*_args: object, **_kwargs: object) -> None:
        raise BusyError("另一进程的检查仍在进行，已等待 30 秒；请稍后再试")

    monkeypatch.setattr(check, "run_daily_check", busy)
    app = TrackerApp(mailed, as_of=dt.date(2017, 4, 5))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert messages(app)[-1] == "检查未完成：另一进程的检查仍在进行，已等待 30 秒；请稍后再试"
        assert app.is_running and not app.screen.checking  # type: ignore[attr-defined]


async def test_forms_out_and_back_in_on_the_reports_screen(with_forms: Tracker, tmp_path: Path) -> None:
    folder, app = tmp_path / "forms", TrackerApp(with_forms, as_of=dt.date(2017, 5, 10))
    async with app.run_test(size=SIZE) as pilot:
        screen, result = await reports(pilot, app, tmp_path)
        await click(pilot, "#forms-out")  # no ledger chosen yet
        assert str(result.render()) == "请先选择台账"
        await write_forms(pilot, screen, folder)
        assert str(result.render()) == f"已写出 2 份填报表到 {folder}"
        files = sorted(folder.glob("*.xlsx"))
        assert len(files) == 2
        jia = next(f for f in files if "甲县政府" in f.name)
        fill(jia, I6="已完成", J6=dt.datetime(2017, 3, 28), I7="进行中", K7=60)

        screen.query_one("#forms-path", Input).value = str(folder)
        await click(pilot, "#forms-check")
        assert str(result.render()) == "检查通过：2 份填报表，2 行有变化（尚未导入）"
        assert statuses(with_forms) == {"todo"}
        await click(pilot, "#forms-in")
        assert str(result.render()) == "已导入 2 份填报表，2 行有变化"
    assert statuses(with_forms) == {"todo", "done", "doing"}


async def test_a_refused_form_is_a_message_naming_the_cell_and_changes_nothing(
    with_forms: Tracker, tmp_path: Path
) -> None:
    folder, app = tmp_path / "forms", TrackerApp(with_forms, as_of=dt.date(2017, 5, 10))
    async with app.run_test(size=SIZE) as pilot:
        screen, result = await reports(pilot, app, tmp_path)
        await write_forms(pilot, screen, folder)
        jia, yi = sorted(folder.glob("*.xlsx"), key=lambda f: "乙县政府" in f.name)
        fill(jia, I6="已完成", J6=dt.datetime(2017, 3, 28))
        fill(yi, K7=120)
        screen.query_one("#forms-path", Input).value = str(folder)
        await click(pilot, "#forms-in")
        shown = str(result.render())
        assert shown.startswith("未导入，没有改动任何内容") and f"{yi.name}!K7" in shown, shown
        assert result.has_class("-bad")
        assert statuses(with_forms) == {"todo"}  # the good form was not applied either

        for bad, words in (
            (tmp_path / "empty", "文件夹中没有 .xlsx 填报表"),
            (tmp_path / "other.xlsx", "other.xlsx"),
            (tmp_path / "missing.xlsx", "missing.xlsx"),
        ):
            if bad.name == "empty":
                bad.mkdir()
            elif bad.name == "other.xlsx":
                openpyxl.Workbook().save(bad)
            screen.query_one("#forms-path", Input).value = str(bad)
            await click(pilot, "#forms-check")
            assert words in str(result.render()), str(result.render())
        screen.query_one("#ics-path", Input).value = str(tmp_path / "时限.txt")
        await click(pilot, "#calendar")
        assert str(result.render()) == f"未能导出：{tmp_path / '时限.txt'}：请写 .ics 文件"
        assert app.is_running  # refusals are messages, never a crash
    assert statuses(with_forms) == {"todo"}


async def reports(pilot, app: TrackerApp, folder: Path) -> tuple[ReportsScreen, Static]:  # type: ignore[no-untyped-def]
    """The reports screen, its default paths in ``folder``, and its result line."""
    screen = ReportsScreen(app.context, folder=folder)
    app.push_screen(screen)
    await settle(pilot)
    return screen, screen.query_one("#report-result", Static)


async def write_forms(pilot, screen: ReportsScreen, folder: Path) -> None:  # type: ignore[no-untyped-def]
    """Choose the (only) ledger, type the folder, press 写出."""
    select: Select[int] = screen.query_one("#forms-ledger", Select)
    select.value = select._options[1][1]  # the first after the prompt
    screen.query_one("#forms-folder", Input).value = str(folder)
    await click(pilot, "#forms-out")


def test_the_check_message_asks_for_no_approval_when_nothing_was_queued() -> None:
    from tracker.usecases.check import CheckDone, Queued
    from tui.screens.dashboard import check_summary

    def done(queued: int, refreshed: int = 0, approval: bool = True) -> CheckDone:
        return CheckDone(dt.date(2017, 4, 5), {}, (), (), (), Queued(queued, refreshed, (), approval=approval))

    assert "待发邮件" not in check_summary(done(0))
    assert "3 封待发邮件已排队，请在“待发邮件”中审批发送" in check_summary(done(3))
    assert "3 封待发邮件已排队，可在“待发邮件”中发送" in check_summary(done(3, approval=False))
    assert "重新审批" not in check_summary(done(0, 2, approval=False))  # they simply go with the next send


async def test_the_check_says_which_rebuilt_digests_need_approving_again(
    db_url: str, tmp_path: Path, server: Server
) -> None:
    from tests.smtp_server import smtp_config
    from tracker.usecases.check import run_daily_check
    from tracker.usecases.work import Actor

    config = smtp_config(server.port, extra="[notify]\nrequire_approval = true")
    tracker = usecases.make_tracker(db_url, tmp_path, usecases.MAIL_LEDGER, config)
    try:
        first = run_daily_check(tracker, Actor("测试员"), as_of=dt.date(2017, 4, 5))
        assert first.outbox is not None and first.outbox.queued
        app = TrackerApp(tracker, as_of=dt.date(2017, 4, 6))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("c")
            await settle(pilot)
            summary = messages(app)[-1]
        assert f"{first.outbox.queued} 封待发邮件已按今日情况更新，需在“待发邮件”中重新审批" in summary, summary
    finally:
        tracker.engine.dispose()
