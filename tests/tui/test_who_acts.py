"""The header says who acts: the account's display name and role label (督查员, 科长/分管领导, …),
or 桌面模式 while the database has no accounts (Pilot)."""

from __future__ import annotations

import datetime as dt

from textual.widgets._header import HeaderTitle

from tests.tui.test_screens import SIZE, wait
from tracker.app import Tracker
from tracker.usecases.accounts import add_account
from tracker.usecases.work import Actor
from tui.app import TrackerApp

AS_OF = dt.date(2017, 9, 15)
PASSWORD = "correct horse 42"


async def header_text(tracker: Tracker, language: str = "zh") -> str:
    app = TrackerApp(tracker, as_of=AS_OF, language=language)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, app)
        return str(app.screen.query_one(HeaderTitle).render())


async def test_desk_mode_says_so(tracker: Tracker) -> None:
    shown = await header_text(tracker)
    assert "桌面模式" in shown and "2017-09-15" in shown


async def test_an_account_shows_its_name_and_role(tracker: Tracker) -> None:
    add_account(tracker, Actor("desk"), "admin", role="admin", password=PASSWORD)
    add_account(tracker, Actor("admin"), "测试员", role="supervisor", display="王科长", password=PASSWORD)
    shown = await header_text(tracker)
    assert "王科长（科长/分管领导）" in shown and "桌面模式" not in shown
    assert "王科长 (supervisor)" in await header_text(tracker, "en")


def test_a_unit_account_is_refused_before_the_ui_opens(tracker: Tracker, cli) -> None:  # type: ignore[no-untyped-def]
    """The UI lists every unit's work on every screen: a unit account (or no account at all) is
    refused with a Chinese message and exit 2 before it starts, never a traceback from inside."""
    import tui.cli  # noqa: F401  (registers `tracker tui` on the CLI group)

    add_account(tracker, Actor("desk"), "admin", role="admin", password=PASSWORD)
    add_account(tracker, Actor("admin"), "南乐联络员", role="unit", unit="南乐县政府", password=PASSWORD)
    unit = cli("--as", "南乐联络员", "tui")
    assert unit.code == 2 and "单位账号" in unit.err and "tracker mine" in unit.err
    assert "Traceback" not in unit.err
    stranger = cli("--as", "某人", "tui")
    assert stranger.code == 2 and "没有账号“某人”" in stranger.err
