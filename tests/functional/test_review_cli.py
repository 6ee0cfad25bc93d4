"""Completion review (复核 and 销号) through the CLI: a submission pauses escalation, a return
restarts it on the deadline in force, a resubmission accepted late counts late, and a submission
made before the deadline and accepted after it counts on time."""

from __future__ import annotations

from typing import Any

from tests.conftest import LEDGERS
from tracker.app import build
from tracker.usecases.accounts import add_account
from tracker.usecases.work import Actor

PUYANG = LEDGERS / "puyang-2017-digital-city.toml"
LEDGER = "濮阳市所辖县"
QF, PY = "清丰县政府", "濮阳县政府"  # task 1 is due 2017-03-31


def findings(cli: Any, day: str) -> set[tuple[str, str]]:
    result = cli("check", "--as-of", day, "--json")
    assert result.code == 0, result.err
    return {(f["unit"], f["task"]) for f in result.json()["findings"]}


def row(cli: Any, unit: str, day: str) -> dict[str, Any]:
    shown = cli("show", "1", "--as-of", day, "--json")
    assert shown.code == 0, shown.err
    return next(r for r in shown.json()["rows"] if r["seq"] == "1" and r["unit"] == unit)  # type: ignore[no-any-return]


def accounts(db_url: str) -> None:
    """An admin and a unit account for 清丰县政府 (名 清丰)."""
    tracker = build(db_url, None, "t")
    try:
        add_account(tracker, Actor("desk"), "admin", role="admin", password="correct horse 42")
        add_account(tracker, Actor("admin"), "清丰", role="unit", unit=QF, password="correct horse 42")
    finally:
        tracker.engine.dispose()


def test_submit_return_resubmit_accept(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    sent = cli("submit", LEDGER, "1", QF, "--on", "2017-03-30", "--note", "系统已上线", "--json")
    assert sent.code == 0, sent.err
    first = sent.json()
    assert (first["status"], first["decision"], first["on_time"], first["done_on"]) == (
        "submitted",
        "pending",
        True,
        "2017-03-30",
    )
    # Waiting for review: not escalated (the bureau's delay is not the unit's); the others are.
    late = findings(cli, "2017-04-05")
    assert (QF, "1") not in late and (PY, "1") in late
    assert row(cli, QF, "2017-04-05")["status"] == "submitted"
    queue = cli("review", "--json").json()
    assert [(q["id"], q["unit"], q["task"]) for q in queue] == [(first["id"], QF, "1")]
    human = cli("review")
    assert human.code == 0 and QF in human.out and "按期" in human.out

    back = cli("review", "return", str(first["id"]), "--reason", "佐证材料不全")
    assert back.code == 0, back.err
    assert "已退回" in back.out and "佐证材料不全" in back.out
    # Returned: owed again, escalated on the deadline in force.
    assert (QF, "1") in findings(cli, "2017-04-06")
    assert row(cli, QF, "2017-04-06")["status"] == "returned"
    assert cli("review", "--json").json() == []
    again = cli("review", "return", str(first["id"]), "--reason", "再退")
    assert again.code == 2 and "已处理" in again.err

    second = cli("submit", LEDGER, "1", QF, "--on", "2017-04-10", "--evidence", "验收报告.pdf", "--json").json()
    assert second["on_time"] is False and second["evidence"] == ["验收报告.pdf"]
    accepted = cli("review", "accept", str(second["id"]), "--json")
    assert accepted.code == 0, accepted.err
    assert (accepted.json()["status"], accepted.json()["decision"]) == ("done", "accepted")
    done = row(cli, QF, "2017-04-20")
    assert (done["status"], done["completed_on"], done["days_overdue"]) == ("done", "2017-04-10", 10)
    refused = cli("submit", LEDGER, "1", QF, "--on", "2017-04-11")
    assert refused.code == 2 and "不能提交复核" in refused.err


def test_submitted_before_the_deadline_and_accepted_after_it_is_on_time(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    sent = cli("submit", LEDGER, "1", PY, "--on", "2017-03-31", "--json").json()
    assert findings(cli, "2017-04-10") & {(PY, "1")} == set()
    accepted = cli("review", "accept", str(sent["id"]))
    assert accepted.code == 0, accepted.err
    assert "已销号" in accepted.out and "按期办结" in accepted.out
    done = row(cli, PY, "2017-04-20")
    assert (done["status"], done["completed_on"]) == ("done", "2017-03-31")
    assert not done["days_overdue"]


def test_refusals_are_clear_and_write_nothing(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    assert cli("review", "accept", "99").code == 2
    future = cli("submit", LEDGER, "1", PY, "--on", "2199-01-01")
    assert future.code == 2 and "晚于今天" in future.err
    early = cli("submit", LEDGER, "1", PY, "--on", "2016-12-31")  # before the ledger's year: 2017 typed as 2016
    assert early.code == 2 and "早于台账年初（2017-01-01）" in early.err
    sent = cli("submit", LEDGER, "1", PY, "--on", "2017-03-31", "--json").json()
    empty = cli("review", "return", str(sent["id"]), "--reason", "  ")
    assert empty.code == 2 and "理由" in empty.err
    assert [q["id"] for q in cli("review", "--json").json()] == [sent["id"]]
    assert cli("submit", "没有的台账", "1", PY, "--on", "2017-03-31").code == 2


def test_a_units_done_on_a_reviewed_ledger_is_a_submission(cli, db_url: str) -> None:  # type: ignore[no-untyped-def]
    """The shipped ledgers say [review] required = true: a unit account's done waits for review;
    the desk (staff) records done as final, as before."""
    cli("import", PUYANG)
    accounts(db_url)
    sent = cli("--as", "清丰", "progress", LEDGER, "1", QF, "--status", "done", "--on", "2017-03-30")
    assert sent.code == 0, sent.err
    assert "待复核" in sent.out and "已提交督查室复核" in sent.out
    shown = cli("--as", "admin", "show", "1", "--as-of", "2017-04-05", "--json").json()["rows"]
    assert next(r for r in shown if r["seq"] == "1" and r["unit"] == QF)["status"] == "submitted"
    staff = cli("--as", "admin", "progress", LEDGER, "1", PY, "--status", "done", "--on", "2017-03-30", "--json")
    assert staff.code == 0, staff.err
    assert staff.json()["status"] == "done"
    queue = cli("--as", "admin", "review", "--json").json()
    assert [(q["unit"], q["done_on"]) for q in queue] == [(QF, "2017-03-30")]


def test_a_ledger_without_review_keeps_done_final(cli, db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = PUYANG.read_text(encoding="utf-8").replace("[review]\nrequired = true", "[review]\nrequired = false")
    ledger = tmp_path / "no-review.toml"
    ledger.write_text(text, encoding="utf-8")
    assert cli("import", ledger).code == 0
    accounts(db_url)
    done = cli("--as", "清丰", "progress", LEDGER, "1", QF, "--status", "done", "--on", "2017-03-30", "--json")
    assert done.code == 0, done.err
    assert done.json()["status"] == "done"
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("[review]\nrequired = false", "[review]\nrequired = 1"), encoding="utf-8")
    refused = cli("--as", "admin", "import", bad)
    assert refused.code == 2 and "review" in refused.err


def test_progress_recorded_over_a_submission_makes_it_stale(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    sent = cli("submit", LEDGER, "1", PY, "--on", "2017-03-31", "--json").json()
    assert cli("progress", LEDGER, "1", PY, "--status", "doing", "--percent", "90").code == 0
    stale = cli("review", "return", str(sent["id"]), "--reason", "不全")
    assert stale.code == 2 and "已不适用" in stale.err
    assert cli("review", "--json").json() == []
    assert row(cli, PY, "2017-04-05")["status"] == "doing"


def test_scores_count_what_waits_for_review_and_what_was_returned(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    back = cli("submit", LEDGER, "1", QF, "--on", "2017-03-30", "--json").json()
    assert cli("review", "return", str(back["id"]), "--reason", "佐证材料不全").code == 0
    assert cli("submit", LEDGER, "1", PY, "--on", "2017-03-30").code == 0
    found = cli("scores", LEDGER, "--as-of", "2017-04-05", "--json")
    assert found.code == 0, found.err
    scored = {row["unit"]: row for row in found.json()}
    assert (scored[QF]["submitted"], scored[QF]["returned"]) == (0, 1)
    assert (scored[PY]["submitted"], scored[PY]["returned"]) == (1, 0)
