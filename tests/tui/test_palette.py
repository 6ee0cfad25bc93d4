"""The command palette: Ctrl+P opens it (it did nothing while "/" was bound), and it lists our
actions, in the UI's words, before Textual's own: the screen's (read from its BINDINGS, so a key
added later is there too), the sections, then Textual's theme, keys panel and screenshot."""

from __future__ import annotations

from textual.binding import Binding
from textual.command import CommandList, CommandPalette

from tests.tui.conftest import AS_OF
from tests.tui.test_screens import wait
from tracker.app import Tracker
from tui.app import TrackerApp
from tui.help import sections


async def listed(pilot) -> list[str]:  # type: ignore[no-untyped-def]
    """The palette's entries' titles, top to bottom, once it has gathered them."""
    await pilot.pause(0.4)
    commands = pilot.app.screen.query_one(CommandList)
    return [str(commands.get_option_at_index(i).prompt).split("\n")[0] for i in range(commands.option_count)]


async def test_ctrl_p_opens_the_palette_in_a_text_field_too(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one("CommandInput").placeholder.startswith("输入以查找操作")  # type: ignore[attr-defined]
        await pilot.press("escape")
        await pilot.press("m")  # the import screen: its path field has the focus
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_ours_first_in_our_words_then_textuals(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("n")
        await wait(pilot, app)
        await pilot.press("ctrl+p")
        shown = await listed(pilot)
    assert shown[:3] == ["签收", "导出Word", "刷新"]  # the notices' own keys
    sections = [
        "总览",
        "台账矩阵",
        "通知",
        "延期申请",
        "待发邮件",
        "约谈名单",
        "单位",
        "导入",
        "报表",
        "考核得分",
        "待复核",
        "待我审批",
    ]
    assert shown[3:15] == sections
    assert shown[15:17] == ["帮助", "退出"]
    assert "界面配色" in shown[16:] and "截图" in shown[16:]  # Textual's, after ours, in Chinese
    assert not [title for title in shown if title.isascii() and title not in ("导出Word",)]  # no English title


async def test_every_key_of_every_section_is_in_the_palette(tracker: Tracker) -> None:
    """Read from the screens' BINDINGS: a key another change adds is listed with nothing else to do."""
    app = TrackerApp(tracker, as_of=AS_OF)
    by_heading = dict(sections(TrackerApp))
    async with app.run_test(size=(160, 45)) as pilot:
        for key, heading in (("d", "总览"), ("l", "台账矩阵"), ("n", "通知"), ("e", "延期申请"), ("o", "待发邮件")):
            await pilot.press(key)
            await wait(pilot, app)
            titles = {command.title for command in app.get_system_commands(app.screen)}
            for binding in by_heading[heading]:
                assert isinstance(binding, Binding)
                assert binding.description in titles, (heading, binding.description)


async def test_a_screen_action_chosen_in_the_palette_runs(tracker: Tracker) -> None:
    from tui.dialogs.reason import ReasonDialog

    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("n")
        await wait(pilot, app)
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"签收")
        shown = await listed(pilot)
        assert shown[0] == "签收"
        await pilot.press("enter")
        await wait(pilot, app)
        assert isinstance(app.screen, ReasonDialog)  # 签收 asks who signed
