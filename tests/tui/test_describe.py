"""The audit trail in words."""

from __future__ import annotations

from tui.describe import action_name, describe


def test_changed_fields_in_words() -> None:
    before = '{"completed_on": null, "note": "", "percent": 40, "status": "doing"}'
    after = '{"completed_on": "2017-09-10", "note": "已通过评审", "percent": 100, "status": "done"}'
    assert (
        describe(before, after) == "状态 进行中 → 已完成；进度 40% → 100%；完成日期 — → 2017-09-10；说明 — → 已通过评审"
    )
    assert describe("", '{"name": "王强", "email": "w@x.cn", "phone": ""}') == "姓名 王强；邮箱 w@x.cn；电话 —"
    assert describe('{"status": "todo"}', '{"status": "todo"}') == "—"


def test_action_names() -> None:
    assert action_name("progress") == "填报进展"
    assert action_name("extension-approved") == "批准延期"
    assert action_name("something-new") == "something-new"  # an action the catalogue does not know yet
