"""The terminal UI driven by Textual's Pilot on the demo's data at its fixed date: the dashboard
opens a ledger, the matrix moves and opens an assignment, progress is recorded through the form
(and lands in the database), an extension is requested, a notice is acknowledged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import select

from tracker.app import Tracker, build
from tracker.demo import seed_demo
from tracker.lookup import find_assignment, find_ledger, find_task, find_unit
from tracker.models import Assignment, Extension, Notice, NoticeReceipt, Unit
from tui.app import TrackerApp
from tui.dialogs.confirm import ConfirmDialog
from tui.screens.assignment import AssignmentScreen, understood
from tui.screens.imports import ImportScreen
from tui.screens.ledger import LedgerScreen
from tui.widgets.matrix import MatrixView

AS_OF = dt.date(2017, 9, 15)
SIZE = (160, 45)
PUYANG = "濮政办〔2017〕13号"


def assignment(tracker: Tracker, seq: str, unit: str) -> Assignment:
    with tracker.session() as session:
        ledger = find_ledger(session, PUYANG)
        return find_assignment(session, find_task(session, ledger, seq), find_unit(session, ledger, unit))


async def open_matrix(pilot, app: TrackerApp) -> MatrixView:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.press("enter")  # the dashboard's first ledger: Puyang
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, LedgerScreen)
    return app.screen.query_one(MatrixView)


async def test_dashboard_lists_every_ledger_with_figures(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#ledgers")
        rows = [table.get_row_at(i) for i in range(table.row_count)]  # type: ignore[attr-defined]
        assert len(rows) == 4
        puyang = next(r for r in rows if r[0].startswith("濮阳市"))
        assert puyang[1] == "45" and puyang[3] == "17"  # 45 assignments, 17 late on 2017-09-15
        assert "18%" in puyang[2]  # 8 of 45 done


async def test_matrix_moves_and_opens_the_assignment(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        matrix = await open_matrix(pilot, app)
        assert matrix.matrix is not None and matrix.matrix.title.startswith("濮阳市")
        assert matrix.current() == (0, 0)  # task 1, 濮阳县政府
        await pilot.press("down", "right", "right")
        assert matrix.current() == (1, 2)  # task 2, 南乐县政府
        status = str(app.screen.query_one("#matrix-status").render())
        assert "南乐县政府" in status and "逾期138天" in status
        await pilot.press("f")  # late only: tasks 1–5 have late cells, 6–9 none
        shown = [line.task for line in matrix.lines if line.task is not None]
        assert shown == [0, 1, 2, 3, 4]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AssignmentScreen)
        info = str(app.screen.query_one("#asg-info").render())
        assert "南乐县政府" in info and "2017年4月底完成" in info and "刘冰" in info


async def test_recording_progress_through_the_form(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_matrix(pilot, app)
        await pilot.press("down", "right", "right", "enter")  # task 2, 南乐县政府
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AssignmentScreen)
        info = str(screen.query_one("#asg-info").render())
        assert "逾期 138 天" in info
        trail = screen.query_one("#asg-history")
        assert trail.get_row_at(0)[2:4] == ["问责", "督查〔2017〕6号"]  # type: ignore[attr-defined]
        screen.query_one("#status").value = "done"  # type: ignore[attr-defined]
        await pilot.click("#done-on")
        await pilot.press(*"2017年9月10日")
        assert str(screen.query_one("#done-on-hint").render()) == "解析为 2017-09-10"
        await pilot.click("#note")
        await pilot.press(*"已通过评审")
        await pilot.press("ctrl+s")
        await pilot.pause()
        newest = trail.get_row_at(0)  # type: ignore[attr-defined]
        assert newest[1:3] == ["测试员", "填报进展"]
        assert "状态 未开始 → 已完成" in newest[4] and "完成日期 — → 2017-09-10" in newest[4]
        await pilot.press("escape")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
    saved = assignment(tracker, "2", "南乐县政府")
    assert (saved.status, saved.completed_on, saved.note) == ("done", dt.date(2017, 9, 10), "已通过评审")


async def test_a_bad_date_is_refused_as_it_is_typed(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_matrix(pilot, app)
        await pilot.press("down", "enter")
        await pilot.pause()
        screen = app.screen
        await pilot.click("#done-on")
        await pilot.press(*"2017年13月")
        hint = screen.query_one("#done-on-hint")
        assert "13" in str(hint.render()) and hint.has_class("-bad")
        screen.query_one("#status").value = "done"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert assignment(tracker, "2", "濮阳县政府").status == "done"  # unchanged: it was done already
    assert assignment(tracker, "2", "濮阳县政府").completed_on == dt.date(2017, 4, 25)


async def test_requesting_an_extension(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_matrix(pilot, app)
        for _ in range(5):  # task 6 (not yet due) for 濮阳县政府
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#extend-to")
        await pilot.press(*"2018-06-30")
        await pilot.click("#reason")
        await pilot.press(*"资金未到位")
        await pilot.click("#extend")
        await pilot.pause()
    with tracker.session() as session:
        requests = list(session.exec(select(Extension).where(Extension.requested_by == "测试员")))
    assert [(r.new_due, r.reason, r.status) for r in requests] == [(dt.date(2018, 6, 30), "资金未到位", "pending")]


async def test_acknowledging_a_notice(tracker: Tracker, tmp_path: Path) -> None:
    app = TrackerApp(tracker, as_of=AS_OF, folder=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#notices")
        assert table.row_count > 0  # type: ignore[attr-defined]
        first = table.get_row_at(0)  # type: ignore[attr-defined]
        assert first[0] in app.screen.preview  # type: ignore[attr-defined]
        assert first[3] == "已签收 0/5"  # a bulletin: none of the units it names has signed
        assert first[5].endswith("个单位")  # the pilots' bulletin names ninety-odd cities: a few, and the count
        await pilot.press("a")  # asks which unit (each signs for itself), the first unsigned offered
        await pilot.pause()
        unit = app.screen.query_one("#reason").value  # type: ignore[attr-defined]
        assert unit.endswith("政府")
        await pilot.press("enter")  # then who signed, the acting account offered
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#reason").value == "测试员"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table.get_row_at(0)[3] == "已签收 1/5"  # type: ignore[attr-defined]
        await pilot.press("x")  # export the same notice as Word
        await pilot.pause()
        await app.workers.wait_for_complete()
    with tracker.session() as session:
        notice = session.exec(select(Notice).where(Notice.number == first[0])).one()
        signed = session.exec(
            select(Unit.name, NoticeReceipt.acknowledged_by).where(
                NoticeReceipt.notice_id == notice.id,
                NoticeReceipt.acknowledged_by != "",
                Unit.id == NoticeReceipt.unit_id,
            )
        ).all()
    assert signed == [(unit, "测试员")]  # that unit alone
    written = list((tmp_path / "notices").glob("*.docx"))
    assert len(written) == 1 and notice.number in written[0].name


def test_understood_dates() -> None:
    assert understood("2017年3月31日", AS_OF) == (dt.date(2017, 3, 31), "解析为 2017-03-31")
    assert understood("9月10日", AS_OF) == (dt.date(2017, 9, 10), "解析为 2017-09-10")
    assert understood("", AS_OF) == (None, "")
    assert understood("尽快", AS_OF) == (None, "无法识别的日期：尽快，可写作 2017-09-10、9月10日 或 今天")
    day, why = understood("2月30日", AS_OF)
    assert day is None and "2017年2月没有 30 日" in why


async def test_a_completion_date_typed_as_yesterday(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_matrix(pilot, app)
        await pilot.press("down", "right", "right", "enter")  # task 2, 南乐县政府
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AssignmentScreen)
        screen.query_one("#status").value = "done"  # type: ignore[attr-defined]
        await pilot.click("#done-on")
        await pilot.press(*"明年")
        hint = screen.query_one("#done-on-hint")
        assert str(hint.render()) == "无法识别的日期：明年，可写作 2017-09-10、9月10日 或 今天"
        assert hint.has_class("-bad")
        await pilot.press("backspace", "backspace", *"昨天")
        assert str(hint.render()) == "解析为 2017-09-14" and not hint.has_class("-bad")
        await pilot.press("ctrl+s")
        await pilot.pause()
    saved = assignment(tracker, "2", "南乐县政府")
    assert (saved.status, saved.completed_on) == ("done", dt.date(2017, 9, 14))  # the day before the UI's day


async def test_approving_and_refusing_extension_requests(tracker: Tracker) -> None:
    from tracker.usecases.changes import request_extension
    from tracker.usecases.work import Actor

    # a second request beside the demo's own (台前县政府, to 2017-12-31)
    request_extension(
        tracker, Actor("单位"), PUYANG, "6", "濮阳县政府", to=dt.date(2018, 6, 30), reason="资金未到位", today=AS_OF
    )
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#extensions").row_count == 2  # type: ignore[attr-defined]
        await pilot.press("y")  # approve the first; the reason may stay empty
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("down", "x")  # refuse the second: a reason is required
        await pilot.pause()
        await pilot.press("enter")  # empty: refused by the dialog, which stays open
        await pilot.pause()
        await pilot.press(*"not needed", "enter")  # ASCII typed into the field, not taken as keys
        await pilot.pause()
        await app.workers.wait_for_complete()
    with tracker.session() as session:
        decided = {(r.new_due, r.status, r.decision_reason) for r in session.exec(select(Extension))}
    assert decided == {(dt.date(2017, 12, 31), "approved", ""), (dt.date(2018, 6, 30), "refused", "not needed")}
    assert assignment(tracker, "6", "台前县政府").due_on == dt.date(2017, 12, 31)
    assert assignment(tracker, "6", "濮阳县政府").due_on == dt.date(2017, 11, 30)


MAIL_DAY = dt.date(2017, 4, 5)


def checked_with_mail(db_url: str, tmp_path: Path, port: int, notify: str) -> Tracker:
    """The mail tests' ledger checked on MAIL_DAY (at 10:00 in Shanghai), mail configured with
    ``notify`` as its [notify] table: the outbox holds two digests."""
    from tests.functional.test_notify import LEDGER
    from tests.smtp_server import smtp_config
    from tracker.check import run_check
    from tracker.importing import import_ledgers, read_ledger_file

    config = tmp_path / "tracker.toml"
    config.write_text(smtp_config(port, extra=f"[notify]\n{notify}"), encoding="utf-8")
    source = tmp_path / "ledger.toml"
    source.write_text(LEDGER, encoding="utf-8")
    tracker = build(db_url, config, "测试员", clock=lambda: dt.datetime(2017, 4, 5, 2, 0, tzinfo=dt.UTC))
    with tracker.session() as session:
        import_ledgers(session, read_ledger_file(source), by="t", now=tracker.now(), calendar=tracker.calendar)
        run_check(
            session, as_of=MAIL_DAY, now=tracker.now(), by="t", settings=tracker.settings, calendar=tracker.calendar
        )
        session.commit()
    return tracker


async def test_outbox_approved_and_sent_to_the_mail_server(db_url: str, tmp_path: Path, server) -> None:  # type: ignore[no-untyped-def]
    from tracker.models import OutboxMessage

    tracker = checked_with_mail(db_url, tmp_path, server.port, "require_approval = true")
    app = TrackerApp(tracker, as_of=MAIL_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#outbox")
        assert table.row_count == 2  # type: ignore[attr-defined]
        assert "待批准" in table.get_row_at(0)[3]  # type: ignore[attr-defined]
        assert "完成改造方案" in str(app.screen.query_one("#outbox-text").render())
        await pilot.press("s")  # nothing approved yet: nothing goes
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert server.received == []
        await pilot.press("a")  # approving every message asks first, saying how many
        await wait(pilot, app)
        assert isinstance(app.screen, ConfirmDialog) and "批准全部 2 封" in app.screen.prompt
        await pilot.press("enter", "s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert [table.get_row_at(i)[3] for i in range(2)] == ["已发送", "已发送"]  # type: ignore[attr-defined]
    assert sorted(r.rcpt_tos[0] for r in server.received) == ["lixin@example.gov.cn", "wangfang@example.gov.cn"]
    with tracker.session() as session:
        assert {m.status for m in session.exec(select(OutboxMessage))} == {"sent"}
    tracker.engine.dispose()


async def test_outbox_send_respects_quiet_hours_unless_sent_anyway(db_url: str, tmp_path: Path, server) -> None:  # type: ignore[no-untyped-def]
    # The clock says 10:00 in Shanghai: inside the quiet hours.
    tracker = checked_with_mail(db_url, tmp_path, server.port, 'quiet_hours = "09:00-11:00"')
    app = TrackerApp(tracker, as_of=MAIL_DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await wait(pilot, app)
        await pilot.press("s")
        await wait(pilot, app)
        await wait(pilot, app)
        said = [n.message for n in app._notifications]
        assert any("静默时段（09:00-11:00）" in m and "按 S 仍然发送" in m for m in said), said
        assert server.received == []
        await pilot.press("S")
        await wait(pilot, app)
        await wait(pilot, app)
        table = app.screen.query_one("#outbox")
        assert [table.get_row_at(i)[3] for i in range(2)] == ["已发送", "已发送"]  # type: ignore[attr-defined]
    assert len(server.received) == 2
    tracker.engine.dispose()


def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on: bound for a moment, then let go."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_demo_outbox_says_in_its_words_why_nothing_went(db_url: str) -> None:
    from tracker.demo import demo_settings
    from tracker.models import OutboxMessage

    tracker = build(db_url, None, "测试员", clock=lambda: dt.datetime(2017, 9, 15, 2, 0, tzinfo=dt.UTC))
    settings = demo_settings()
    assert settings.smtp is not None
    tracker.settings = settings.model_copy(update={"smtp": settings.smtp.model_copy(update={"port": closed_port()})})
    seed_demo(tracker, AS_OF)
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await wait(pilot, app)
        table = app.screen.query_one("#outbox")
        assert table.row_count == 5  # type: ignore[attr-defined]  # one digest per county's person
        assert all("待批准" in table.get_row_at(i)[3] for i in range(5))  # type: ignore[attr-defined]
        await pilot.press("a")
        await wait(pilot, app)
        await pilot.press("enter")
        await wait(pilot, app)
        await pilot.press("s")
        await wait(pilot, app)
        await wait(pilot, app)
        said = [n.message for n in app._notifications]
        assert any(f"无法连接邮件服务器 127.0.0.1:{tracker.settings.smtp.port}" in m for m in said), said  # type: ignore[union-attr]
        assert not any("cannot reach" in m for m in said)
    with tracker.session() as session:
        rows = list(session.exec(select(OutboxMessage)))
    assert {(r.status, r.attempts) for r in rows} == {("queued", 0)}  # nothing claimed, nothing lost
    assert all(r.approved_at is not None for r in rows)
    tracker.engine.dispose()


async def wait(pilot, app) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_marking_an_interview_held(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await wait(pilot, app)
        table = app.screen.query_one("#open")
        before = table.row_count  # type: ignore[attr-defined]
        unit = table.get_row_at(0)[1]  # type: ignore[attr-defined]
        await pilot.press("h")
        await pilot.pause()
        await pilot.press(*"已约谈县长", "enter")
        await wait(pilot, app)
        assert table.row_count == before - 1  # type: ignore[attr-defined]
        held = app.screen.query_one("#held")
        assert held.get_row_at(0)[1:] == [unit, held.get_row_at(0)[2], "2017-09-15", "已约谈县长"]  # type: ignore[attr-defined]


async def test_personnel_change(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        app.ledger_id = None
        await pilot.press("g")
        await wait(pilot, app)
        await pilot.press("down", "down", "p")  # 南乐县政府 (刘冰)
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#name").value = "王强"  # type: ignore[attr-defined]
        dialog.query_one("#email").value = "wangqiang@example.gov.cn"  # type: ignore[attr-defined]
        await pilot.click("#save")
        await wait(pilot, app)
        row = app.screen.query_one("#units").get_row_at(2)  # type: ignore[attr-defined]
        assert row[0] == "南乐县政府" and row[2:4] == ["王强", "wangqiang@example.gov.cn"]
    from tracker.changes import history

    with tracker.session() as session:
        ledger = find_ledger(session, PUYANG)
        changes = [h for h in history(session, ledger) if h["action"] == "person"]
    assert len(changes) == 1 and "刘冰" in changes[0]["before"] and "王强" in changes[0]["after"]


async def test_import_checks_then_confirms(tracker: Tracker, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "坏台账"\n[[tasks]]\ntext = "任务"\ndeadline = "尽快"\n', encoding="utf-8")
    good = tmp_path / "good.toml"
    good.write_text(
        'title = "新台账"\nyear = 2017\n[[units]]\nname = "甲县"\nperson = "张三"\n'
        '[[tasks]]\ntext = "任务一"\ndeadline = "2017年12月底"\n',
        encoding="utf-8",
    )
    from tui.screens.imports import ImportScreen

    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ImportScreen(app.context, folder=tmp_path))
        await pilot.pause()
        screen = app.screen
        screen.query_one("#path").value = str(bad)  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.click("#check")
        await pilot.pause()
        result = str(screen.query_one("#import-result").render())
        assert "不能导入" in result and "bad.toml：台账没有责任单位" in result
        assert screen.query_one("#confirm").disabled  # type: ignore[attr-defined]
        screen.query_one("#path").value = str(good)  # type: ignore[attr-defined]
        await pilot.pause(0.6)  # a second click on the same spot at once would be a double click
        await pilot.click("#check")
        await pilot.pause()
        assert "新台账：任务1项，单位1个，分配1条" in str(screen.query_one("#import-result").render())
        with tracker.session() as session:
            assert [s.title for s in __import__("tracker.importing").importing.summarise(session)].count("新台账") == 0
        await pilot.pause(0.6)
        await pilot.click("#confirm")
        await pilot.pause()
        assert "已导入" in str(screen.query_one("#import-result").render())
    with tracker.session() as session:
        assert find_ledger(session, "新台账").title == "新台账"


async def test_reports_export_the_weekly_table(tracker: Tracker, tmp_path: Path) -> None:
    import openpyxl

    from tui.screens.reports import ReportsScreen

    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ReportsScreen(app.context, folder=tmp_path))
        await pilot.pause()
        await pilot.click("#weekly")
        await wait(pilot, app)
        await pilot.click("#calendar")
        await wait(pilot, app)
    book = openpyxl.load_workbook(tmp_path / "督查进度周报-2017-09-15.xlsx")
    ledgers = (len(book.sheetnames) - 1) // 2  # every ledger: a 进度表 and a 单位汇总 sheet each
    assert ledgers > 1 and [name.split("-")[0] for name in book.sheetnames] == [
        *(f"进度表{n}" for n in range(1, ledgers + 1)),
        *(f"单位汇总{n}" for n in range(1, ledgers + 1)),
        "本周变化",
    ]
    assert (tmp_path / "督查时限.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")


async def test_search_opens_the_ledger_at_the_unit(tracker: Tracker) -> None:
    from tracker.search import search
    from tui.commands import SearchProvider

    with tracker.session() as session:
        hit = next(h for h in search(session, "刘冰") if h.kind == "person")
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, app)
        provider = SearchProvider(app.screen)
        labels = [str(h.text) async for h in provider.search("刘冰")]
        assert labels == ["责任人：刘冰（南乐县政府）"]
        app.open_hit(hit)
        await wait(pilot, app)
        await wait(pilot, app)
        view = app.screen.query_one(MatrixView)
        assert view.matrix is not None and view.matrix.units[view.current()[1]].name == "南乐县政府"


async def test_a_change_saved_first_by_someone_else_is_not_overwritten(tracker: Tracker) -> None:
    from tracker.audit import Stamp
    from tracker.progress import ProgressUpdate, record_progress

    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_matrix(pilot, app)
        await pilot.press("down", "right", "right", "enter")  # task 2, 南乐县政府, version 1
        await pilot.pause()
        with tracker.session() as session:  # a colleague records progress meanwhile
            other = session.merge(assignment(tracker, "2", "南乐县政府"))
            change = ProgressUpdate(
                status=__import__("tracker.models").models.Status.DOING, percent=30, note="同事填报"
            )
            record_progress(session, other, change, Stamp("同事", tracker.now()), today=AS_OF)
            session.commit()
        screen = app.screen
        await pilot.click("#note")
        await pilot.press(*"我的填报")
        await pilot.press("ctrl+s")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("刚被他人修改" in m for m in messages), messages
        assert isinstance(screen, AssignmentScreen)
        assert isinstance(app.screen, ConfirmDialog)  # overwriting theirs is asked, never done unasked
    saved = assignment(tracker, "2", "南乐县政府")
    assert (saved.note, saved.percent, saved.version) == ("同事填报", 30, 2)


async def test_the_palette_reaches_every_section(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, app)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        for section in ("台账矩阵", "通知", "延期申请", "待发邮件", "约谈名单", "单位", "导入", "报表"):
            assert section in commands
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"约谈名单")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait(pilot, app)
        assert type(app.screen).__name__ == "InterviewsScreen"


def test_column_headings_drop_what_every_unit_shares() -> None:
    from tui.widgets.matrix import column_labels, ellipsis

    assert column_labels(["濮阳县政府", "清丰县政府", "范县政府"]) == ["濮阳县", "清丰县", "范县"]
    assert column_labels(["石家庄市", "廊坊市"]) == ["石家庄市", "廊坊市"]  # 市 alone tells nothing apart
    assert column_labels(["北京市住建部门"]) == ["北京市住建部门"]
    assert ellipsis("北京未来科技城", 11) == "北京未来科…"
    assert ellipsis("北京东城区", 11) == "北京东城区"


async def test_filtering_the_matrix_by_a_unit_picked_by_typing_and_by_a_phase(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_matrix(pilot, app)
        screen = app.screen
        assert isinstance(screen, LedgerScreen) and screen.matrix is not None
        names = [u.name for u in screen.matrix.units]
        await pilot.press("u")
        await pilot.pause()
        await pilot.press(*"南乐", "enter")
        await pilot.pause()
        assert [names[u] for u in view.units] == ["南乐县政府"]
        assert "单位 南乐县政府" in str(screen.query_one("#matrix-filters").render())
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # past "(all)" and the first phase
        await pilot.pause()
        phases = {screen.matrix.tasks[line.task].phase for line in view.lines if line.task is not None}
        assert phases == {"项目实施阶段"}
        await pilot.press("u")
        await pilot.pause()
        await pilot.press(*"没有这个单位")
        await pilot.pause()
        await pilot.press("enter")  # nothing matches: the dialog stays, the filter is unchanged
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert [names[u] for u in view.units] == ["南乐县政府"]
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("up", "up", "up", "enter")  # from 南乐县政府 (the current one) up to "(all)"
        await pilot.pause()
        assert len(view.units) == 5


async def test_help_lists_every_key_of_every_section(tracker: Tracker) -> None:
    from textual.binding import Binding

    from tui.help import HelpScreen
    from tui.screens.dashboard import DashboardScreen
    from tui.screens.extensions import ExtensionsScreen
    from tui.screens.imports import ImportScreen
    from tui.screens.interviews import InterviewsScreen
    from tui.screens.notices import NoticesScreen
    from tui.screens.outbox import OutboxScreen
    from tui.screens.units import UnitsScreen

    screens = [
        TrackerApp,
        DashboardScreen,
        LedgerScreen,
        MatrixView,
        AssignmentScreen,
        NoticesScreen,
        ExtensionsScreen,
        OutboxScreen,
        InterviewsScreen,
        UnitsScreen,
        ImportScreen,
    ]
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=(160, 60)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = app.export_screenshot()
    for cls in screens:
        for binding in vars(cls).get("BINDINGS", []):
            if isinstance(binding, Binding) and binding.description:
                assert binding.description.replace(" ", "&#160;") in shown, (cls.__name__, binding.description)
    assert "Focus" not in shown  # Textual's own screen keys are not listed as ours


async def test_an_empty_database_says_how_to_begin(db_url: str) -> None:
    tracker = build(db_url, None, "测试员", clock=lambda: dt.datetime(2017, 9, 15, 2, 0, tzinfo=dt.UTC))
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, app)
        assert "按 m 导入" in str(app.screen.query_one("#dash-title").render())
        await pilot.press("l")
        await wait(pilot, app)
        assert "按 m 导入" in str(app.screen.query_one("#matrix-title").render())
        await pilot.press("m")
        await pilot.pause()  # not `wait`: the file tree's loader is a worker that runs until the screen closes
        assert isinstance(app.screen, ImportScreen)
    tracker.engine.dispose()


async def test_names_with_brackets_are_shown_as_written(tracker: Tracker) -> None:
    """A name is data, never markup: "[/b]" used to raise (Rich took it for a closing tag)."""
    with tracker.session() as session:
        ledger = find_ledger(session, PUYANG)
        unit = find_unit(session, ledger, "南乐县")
        unit.name = "南乐县[/b]政府"
        ledger.title = "[试点] " + ledger.title
        session.add_all([unit, ledger])
        session.commit()
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_matrix(pilot, app)
        assert "[试点] 濮阳市" in str(app.screen.query_one("#matrix-title").render())
        await pilot.press("down", "right", "right")
        assert "南乐县[/b]政府" in str(app.screen.query_one("#matrix-status").render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AssignmentScreen)
        info = str(app.screen.query_one("#asg-info").render())
        assert "南乐县[/b]政府" in info and "[试点] 濮阳市" in info
        await pilot.press("escape", "escape", "g")
        await wait(pilot, app)
        assert app.screen.query_one("#units").row_count  # type: ignore[attr-defined]
        assert "南乐县[/b]政府" in app.export_screenshot()
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"b]政府")  # the palette's search hit shows the name too
        for _ in range(20):
            await pilot.pause(0.05)
            if "南乐县[/b]政府" in app.export_screenshot():
                break
        assert "南乐县[/b]政府" in app.export_screenshot()
        await pilot.press("escape")
        await pilot.pause()
        app.screen.notify("通知[/i]已签收")  # a screen's message, with data in it, goes out as written
        await pilot.pause(0.2)
        assert "通知[/i]已签收" in app.export_screenshot()


async def test_import_warns_and_asks_before_a_rename_deletes_progress(tracker: Tracker, tmp_path: Path) -> None:
    from tracker.audit import Stamp
    from tracker.models import Status
    from tracker.progress import ProgressUpdate, record_progress
    from tui.dialogs.confirm import ConfirmDialog

    text = (
        'title = "改名台账"\nyear = 2017\n[[units]]\nname = "甲县"\n[[units]]\nname = "乙县"\n'
        '[[tasks]]\ntext = "任务一"\ndeadline = "2017年12月底"\n'
    )
    ledger = tmp_path / "rename.toml"
    ledger.write_text(text, encoding="utf-8")
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ImportScreen(app.context, folder=tmp_path))
        await pilot.pause()
        screen = app.screen
        screen.query_one("#path").value = str(ledger)  # type: ignore[attr-defined]
        await pilot.pause()
        screen.action_dry_run()  # type: ignore[attr-defined]
        screen.action_confirm()  # type: ignore[attr-defined]
        await pilot.pause()
        with tracker.session() as session:
            found = find_ledger(session, "改名台账")
            held = find_assignment(session, find_task(session, found, "1"), find_unit(session, found, "甲县"))
            record_progress(
                session,
                held,
                ProgressUpdate(status=Status.DOING, note="过半"),
                Stamp("测试员", tracker.now()),
                today=AS_OF,
            )
            session.commit()

        ledger.write_text(text.replace("甲县", "甲县人民政府"), encoding="utf-8")
        screen.action_dry_run()  # type: ignore[attr-defined]
        await pilot.pause()
        result = str(screen.query_one("#import-result").render())
        assert "将删除文件中已没有的 单位[甲县]" in result and "进度记录1条" in result, result
        assert "其中1条分配已有进度" in result
        screen.action_confirm()  # type: ignore[attr-defined]
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#cancel")
        await pilot.pause()
        with tracker.session() as session:
            assert find_unit(session, find_ledger(session, "改名台账"), "甲县").name == "甲县"  # nothing deleted
        screen.action_confirm()  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.click("#confirm")
        await pilot.pause()
        assert "已导入" in str(screen.query_one("#import-result").render())
    with tracker.session() as session:
        assert find_unit(session, find_ledger(session, "改名台账"), "甲县人民政府").name == "甲县人民政府"
