"""The ledger and progress use cases on a real database: what they write, who the audit trail
says wrote it, and that a refusal or a dry run writes nothing at all."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from tests.conftest import LEDGERS
from tracker.app import Tracker, build
from tracker.errors import InputError, StaleEditError
from tracker.models import Assignment, AuditEntry, Ledger, Person, ProgressEvent
from tracker.usecases.ledgers import (
    import_ledgers,
    ledger_matrix,
    ledger_rows,
    ledger_summaries,
    next_ledger,
    overview,
    search,
)
from tracker.usecases.progress import (
    Progress,
    Reach,
    assignment_detail,
    change_person,
    change_person_of,
    ledger_units,
    record_progress,
    record_progress_on,
)
from tracker.usecases.work import Actor

PUYANG = LEDGERS / "puyang-2017-digital-city.toml"
DOC = "濮政办〔2017〕13号"
AS_OF = dt.date(2017, 5, 2)
CLERK = Actor("王科长")


@pytest.fixture
def tracker(db_url: str) -> Iterator[Tracker]:
    app = build(db_url, None, "桌面用户", clock=lambda: dt.datetime(2017, 5, 2, 2, 0, tzinfo=dt.UTC))
    yield app
    app.engine.dispose()


@pytest.fixture
def imported(tracker: Tracker) -> Tracker:
    import_ledgers(tracker, Actor("导入员"), [PUYANG])
    return tracker


def counts(tracker: Tracker) -> dict[str, int]:
    """Rows in the tables a write leaves traces in."""
    with tracker.session() as session:
        return {
            table.__name__: session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in (Ledger, Assignment, AuditEntry, ProgressEvent, Person)
        }


def assignment_id(tracker: Tracker, seq: str, unit: str) -> int:
    return next(r.assignment_id for r in ledger_rows(tracker, DOC, AS_OF).rows if (r.seq, r.unit) == (seq, unit))


def test_dry_run_import_writes_nothing(tracker: Tracker) -> None:
    before = counts(tracker)
    rehearsed = import_ledgers(tracker, CLERK, [PUYANG], dry_run=True)
    assert rehearsed.dry_run
    assert [(s.title, s.tasks, s.units, s.assignments) for s in rehearsed.ledgers] == [
        ("濮阳市所辖县数字化城市管理系统建设工作台账", 9, 5, 45)
    ]
    assert counts(tracker) == before
    assert ledger_summaries(tracker) == []

    done = import_ledgers(tracker, CLERK, [PUYANG])
    assert not done.dry_run and [s.assignments for s in ledger_summaries(tracker)] == [45]
    with tracker.session() as session:
        assert {e.by for e in session.exec(select(AuditEntry))} == {"王科长"}


def test_a_dry_run_reimport_that_would_lose_progress_says_so_and_keeps_it(imported: Tracker, tmp_path: Path) -> None:
    record_progress(imported, CLERK, DOC, "1", "濮阳县", Progress("doing", note="方案编写中"))
    before = counts(imported)
    renamed = tmp_path / "renamed.toml"
    renamed.write_text(
        PUYANG.read_text(encoding="utf-8").replace('name = "濮阳县政府"', 'name = "濮阳县人民政府"'), encoding="utf-8"
    )
    rehearsed = import_ledgers(imported, CLERK, [renamed], dry_run=True, allow_removals=True)
    assert rehearsed.losing_progress == 1
    assert [s.removed.units for s in rehearsed.ledgers if s.removed] == [["濮阳县政府"]]
    with pytest.raises(InputError):  # for real, and without leave: refused
        import_ledgers(imported, CLERK, [renamed])
    assert counts(imported) == before


def test_progress_is_recorded_and_audited_with_the_actors_name(imported: Tracker) -> None:
    done = record_progress(imported, CLERK, DOC, "1", "濮阳县", Progress("进行中", percent=40, note="方案编写中"))
    assert (done.ledger, done.task, done.unit, done.status, done.percent, done.version) == (
        "濮阳市所辖县数字化城市管理系统建设工作台账",
        "1",
        "濮阳县政府",
        "doing",
        40,
        2,
    )
    with imported.session() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "progress")).one()
        event = session.exec(select(ProgressEvent)).one()
    assert (entry.by, entry.subject, event.by, event.percent) == ("王科长", done.subject, "王科长", 40)
    assert json.loads(entry.after)["note"] == "方案编写中"
    # The TUI's way in, by the row's id, based on the version it showed.
    again = record_progress_on(
        imported, Actor("李"), done.assignment, Progress("done", AS_OF), expected_version=2, as_of=AS_OF
    )
    assert (again.status, again.completed_on, again.percent, again.version) == ("done", AS_OF, 100, 3)
    detail = assignment_detail(imported, done.assignment)
    assert detail is not None and detail.version == 3 and detail.person == "孙庆伟"
    assert [(e["by"], e["action"]) for e in detail.history] == [("王科长", "progress"), ("李", "progress")]


@pytest.mark.parametrize(
    ("progress", "version", "refusal"),
    [
        (Progress("doing", percent=140), None, InputError),
        (Progress("done", AS_OF + dt.timedelta(days=1)), None, InputError),
        (Progress("doing", completed_on=AS_OF), None, InputError),
        (Progress("doing", percent=50), 1, StaleEditError),  # version 1 is gone: someone saved since
    ],
)
def test_a_refused_progress_writes_nothing(
    imported: Tracker, progress: Progress, version: int | None, refusal: type[Exception]
) -> None:
    first = record_progress(imported, CLERK, DOC, "2", "南乐县", Progress("doing", percent=10))
    before = counts(imported)
    with pytest.raises(refusal):
        record_progress(imported, CLERK, DOC, "2", "南乐县", progress, expected_version=version)
    with pytest.raises(refusal):
        record_progress_on(imported, CLERK, first.assignment, progress, expected_version=version or 2, as_of=AS_OF)
    assert counts(imported) == before
    detail = assignment_detail(imported, first.assignment)
    assert detail is not None and (detail.version, detail.percent) == (2, 10)


def test_person_change_is_audited_and_a_refused_one_writes_nothing(imported: Tracker) -> None:
    changed = change_person(imported, CLERK, DOC, "范县", name="李明", reach=Reach(email="li@example.cn"))
    assert (changed.unit, changed.name, changed.email) == ("范县政府", "李明", "li@example.cn")
    before = counts(imported)
    with pytest.raises(InputError):
        change_person(imported, CLERK, DOC, "范县", name="王五", reach=Reach(email="not an address"))
    assert counts(imported) == before
    units = ledger_units(imported, None)
    fan = next(u for u in units.units if u.name == "范县政府")
    contact = change_person_of(imported, Actor("张"), fan.id, name="李明", reach=Reach(phone="0393-1234567"))
    assert (contact.email, contact.phone) == ("li@example.cn", "0393-1234567")
    with imported.session() as session:
        trail = session.exec(select(AuditEntry).where(AuditEntry.unit_id == fan.id).order_by(col(AuditEntry.id)))
        assert [(e.action, e.by) for e in trail] == [("person", "王科长"), ("contact", "张")]


@pytest.mark.parametrize(
    ("change", "chinese"),
    [
        (lambda t: record_progress(t, CLERK, DOC, "2", "南乐县", Progress("doing", note="x" * 32_768)), "进展说明"),
        (lambda t: change_person(t, CLERK, DOC, "范县", name="李" * 32_768, reach=Reach()), "责任人姓名"),
        (lambda t: change_person(t, CLERK, DOC, "范县", name="李明", reach=Reach(email="a" * 32_768)), "邮箱"),
    ],
)
def test_overlong_text_is_refused_in_chinese_in_the_ui(imported: Tracker, change: Any, chinese: str) -> None:
    from tui.i18n import error_text

    before = counts(imported)
    with pytest.raises(InputError) as refused:
        change(imported)
    assert counts(imported) == before
    assert chinese in error_text(refused.value) and "32767" in error_text(refused.value)


def test_the_questions_the_screens_ask(imported: Tracker) -> None:
    record_progress(imported, CLERK, DOC, "1", "清丰县", Progress("doing", percent=30))
    shown = ledger_rows(imported, DOC, AS_OF)
    assert (shown.doc_number, shown.as_of, len(shown.rows)) == (DOC, AS_OF, 45)
    [ledger] = ledger_summaries(imported)
    assert next_ledger(imported, None) == ledger.id == next_ledger(imported, ledger.id)
    matrix = ledger_matrix(imported, 999, AS_OF)  # a ledger gone: the first is shown
    assert matrix is not None and matrix.ledger_id == ledger.id
    task = next(i for i, t in enumerate(matrix.tasks) if t.seq == "1")
    unit = next(i for i, u in enumerate(matrix.units) if u.name == "清丰县政府")
    judged = matrix.judge(task, unit)
    assert judged is not None and (judged.cell.status, judged.cell.percent) == ("doing", 30)
    matrix.blocks.clear()  # read again, in a session of its own
    assert matrix.late_tasks() is not None and matrix.judge(task, unit) == judged
    assert [line.assignments for line in overview(imported, AS_OF).ledgers] == [45]
    assert {(h.kind, h.text) for h in search(imported, "孙庆")} == {("person", "孙庆伟")}
    assert assignment_detail(imported, 10**9) is None
    assert ledger_units(imported, ledger.id).title == ledger.title


def test_no_ledger_yet(tracker: Tracker) -> None:
    assert ledger_matrix(tracker, None, AS_OF) is None
    assert next_ledger(tracker, None) is None
    assert ledger_units(tracker, None).ledger_id is None
