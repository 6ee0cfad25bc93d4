"""The TUI's outbox on channels other than email: the screen sends by the same policy as
`tracker notify` and the scheduler (``tracker.usecases.sending``), so the quiet hours hold for a
DingTalk robot in the TUI too, and a robot's row names its channel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.functional.test_channel_outbox import LEDGER, robot_table
from tests.functional.test_channels import SECRET, TOKEN
from tests.http_server import FakeService, ok
from tests.smtp_server import Server, smtp_config
from tests.tui.test_screens import SIZE, wait
from tracker.app import Tracker, build
from tui.app import TrackerApp

DAY = dt.date(2017, 4, 3)


def checked(db_url: str, tmp_path: Path, config_text: str) -> Tracker:
    """The ledger checked on DAY; the clock at 10:00 in Shanghai."""
    from tracker.check import run_check
    from tracker.importing import import_ledgers, read_ledger_file

    config = tmp_path / "tracker.toml"
    config.write_text(config_text, encoding="utf-8")
    source = tmp_path / "ledger.toml"
    source.write_text(LEDGER, encoding="utf-8")
    tracker = build(db_url, config, "测试员", clock=lambda: dt.datetime(2017, 4, 3, 2, 0, tzinfo=dt.UTC))
    with tracker.session() as session:
        import_ledgers(session, read_ledger_file(source), by="t", now=tracker.now(), calendar=tracker.calendar)
        run_check(session, as_of=DAY, now=tracker.now(), by="t", settings=tracker.settings, calendar=tracker.calendar)
        session.commit()
    return tracker


async def test_the_tui_keeps_the_quiet_hours_for_a_robot_too(  # type: ignore[no-untyped-def]
    db_url: str,
    tmp_path: Path,
    server: Server,
    service: FakeService,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEST_DT_TOKEN_0", TOKEN)
    monkeypatch.setenv("TEST_DT_SECRET", SECRET)
    service.answer = lambda _: ok()
    quiet = '[notify]\nquiet_hours = "09:00-11:00"\n' + robot_table(service.url)
    tracker = checked(db_url, tmp_path, smtp_config(server.port, extra=quiet))
    app = TrackerApp(tracker, as_of=DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await wait(pilot, app)
        table = app.screen.query_one("#outbox")
        shown = [table.get_row_at(i)[1] for i in range(table.row_count)]  # type: ignore[attr-defined]
        assert "钉钉 · 改造专班群" in shown and "lixin@example.gov.cn" in shown
        await pilot.press("s")
        await wait(pilot, app)
        await wait(pilot, app)
        said = [n.message for n in app._notifications]
        assert any("静默时段（09:00-11:00）" in m for m in said), said
        assert service.arrived == [] and server.received == []  # the robot waits like the email
        await pilot.press("S")  # a person's "send anyway" sends on every channel
        await wait(pilot, app)
        await wait(pilot, app)
    assert len(service.arrived) == 1 and len(server.received) == 2
    tracker.engine.dispose()
