"""The daily check and the units' forms through their use cases (tracker/usecases/), on a real
database of the backend under test: what the CLI, the TUI and the scheduler all call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import select

from tests.functional.test_forms import LEDGER as FORMS_LEDGER
from tests.functional.test_forms import fill
from tests.functional.test_notify import LEDGER as MAIL_LEDGER
from tests.smtp_server import Server, smtp_config
from tracker.app import Tracker, build
from tracker.errors import InputError
from tracker.importing import import_ledgers, read_ledger_file
from tracker.models import Assignment, AuditEntry, Notice, NoticeReceipt, OutboxMessage, ReportDue
from tracker.usecases.check import run_daily_check
from tracker.usecases.reports import form_files, read_unit_forms, write_unit_forms
from tracker.usecases.work import Actor

CLERK = Actor("测试员")


def make_tracker(
    db_url: str,
    tmp_path: Path,
    ledger: str,
    config: str | None = None,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime(2017, 4, 5, 2, 0, tzinfo=dt.UTC),
) -> Tracker:
    config_path = None
    if config is not None:
        config_path = tmp_path / "tracker.toml"
        config_path.write_text(config, encoding="utf-8")
    tracker = build(db_url, config_path, "测试员", clock=clock)
    source = tmp_path / "ledger.toml"
    source.write_text(ledger, encoding="utf-8")
    with tracker.session() as session:
        import_ledgers(session, read_ledger_file(source), by="测试员", now=tracker.now(), calendar=tracker.calendar)
        session.commit()
    return tracker


@pytest.fixture
def mailed(db_url: str, tmp_path: Path, server: Server) -> Iterator[Tracker]:
    """A ledger with two units late on 2017-04-05, and a mail server that would take anything."""
    tracker = make_tracker(db_url, tmp_path, MAIL_LEDGER, smtp_config(server.port))
    yield tracker
    tracker.engine.dispose()


@pytest.fixture
def with_forms(db_url: str, tmp_path: Path) -> Iterator[Tracker]:
    tracker = make_tracker(db_url, tmp_path, FORMS_LEDGER)
    yield tracker
    tracker.engine.dispose()


def count(tracker: Tracker, model: type) -> int:
    with tracker.session() as session:
        return len(session.exec(select(model)).all())


def test_a_second_check_on_the_same_day_issues_nothing_new(mailed: Tracker, server: Server) -> None:
    first = run_daily_check(mailed, CLERK, as_of=dt.date(2017, 4, 5))
    assert first.as_of == dt.date(2017, 4, 5)
    assert first.notices, "the first check of a late day issues notices"
    assert {n.ledger for n in first.notices} == {"老旧小区改造"}
    assert all(n.units and n.number for n in first.notices)
    assert first.counts and sum(first.counts.values()) >= len(first.notices)
    assert first.outbox is not None and first.outbox.queued > 0
    assert [u for _, u, _ in first.outbox.unreachable] == ["台前县政府"]  # 赵强 has no address
    notices, queued = count(mailed, Notice), count(mailed, OutboxMessage)
    with mailed.session() as session:
        assert {n.created_by for n in session.exec(select(Notice))} == {"测试员"}  # the actor

    again = run_daily_check(mailed, CLERK, as_of=dt.date(2017, 4, 5))
    assert again.notices == ()
    assert again.counts == first.counts  # the same findings, judged again
    assert (count(mailed, Notice), count(mailed, OutboxMessage)) == (notices, queued)
    assert server.received == []  # the check queues; sending is the outbox's


def test_a_busy_database_skips_the_statistics_not_the_check(mailed: Tracker, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite answers "database is locked" at once when a second check committed meanwhile; the
    statistics' refresh is then skipped, and the check, its work committed, still succeeds."""
    import sqlalchemy.exc

    import tracker.db

    def locked(connection: object) -> None:
        raise sqlalchemy.exc.OperationalError("PRAGMA optimize", {}, Exception("database is locked"))

    monkeypatch.setattr(tracker.db, "optimize", locked)
    done = run_daily_check(mailed, CLERK, as_of=dt.date(2017, 4, 5))
    assert done.notices and count(mailed, Notice) == len(done.notices)


def test_a_check_on_a_later_day(mailed: Tracker) -> None:
    first = run_daily_check(mailed, CLERK, as_of=dt.date(2017, 4, 5))
    later = run_daily_check(mailed, CLERK, as_of=dt.date(2017, 6, 30), with_findings=True)
    assert later.as_of == dt.date(2017, 6, 30)
    assert later.findings and all(f.days_overdue > 0 for f in later.findings if f.kind == "task")
    worst = max(f.days_overdue for f in later.findings)
    assert worst > max((f.days_overdue for f in first.findings), default=0)
    # Three months late is a level higher than five days: new notices, none of the first's again.
    assert later.notices and not {n.id for n in later.notices} & {n.id for n in first.notices}
    assert count(mailed, Notice) == len(first.notices) + len(later.notices)


def test_the_scheduler_acts_at_its_own_moment_as_itself(mailed: Tracker) -> None:
    at = dt.datetime(2017, 4, 5, 23, 30, tzinfo=dt.UTC)
    done = run_daily_check(mailed, Actor("scheduler"), as_of=dt.date(2017, 4, 5), at=at)
    with mailed.session() as session:
        issued = session.exec(select(Notice)).all()
    assert issued and {(n.created_by, n.created_at) for n in issued} == {("scheduler", at)}
    assert len(issued) == len(done.notices)


@pytest.mark.parametrize("signer", ["   ", "\u200b", ""])
def test_a_notice_is_not_signed_by_nobody(mailed: Tracker, signer: str) -> None:
    """The rule is the use case's, whichever front end calls it; the UI words it in Chinese."""
    from tracker.usecases.notices import acknowledge_notice
    from tui.i18n import error_text

    notice = run_daily_check(mailed, CLERK, as_of=dt.date(2017, 4, 5)).notices[0]
    with pytest.raises(InputError) as refused:
        acknowledge_notice(mailed, CLERK, str(notice.id), signed_by=signer)
    assert error_text(refused.value) == "请填写签收人"
    with mailed.session() as session:
        receipt = session.exec(select(NoticeReceipt).where(NoticeReceipt.notice_id == notice.id)).one()
        assert receipt.acknowledged_at is None
    done = acknowledge_notice(mailed, CLERK, str(notice.id), signed_by=" 李\u200b明 ")
    assert done.acknowledged_by == "李明"


def test_forms_round_trip_through_the_use_cases(with_forms: Tracker, tmp_path: Path) -> None:
    written = write_unit_forms(with_forms, CLERK, "填报测试台账", tmp_path / "forms", as_of=dt.date(2017, 5, 10))
    assert written.ledger == "填报测试台账" and len(written.files) == 2
    assert form_files(tmp_path / "forms") == sorted(written.files)
    jia = next(f for f in written.files if "甲县政府" in f.name)
    fill(jia, I6="已完成", J6=dt.datetime(2017, 3, 28), I7="进行中", K7=60)

    dry = read_unit_forms(with_forms, CLERK, [jia], dry_run=True, as_of=dt.date(2017, 5, 20))
    assert dry.dry_run and [(f.unit, f.changed) for f in dry.forms] == [("甲县政府", 2)]
    assert statuses(with_forms) == {"todo"}  # a dry run keeps nothing

    done = read_unit_forms(with_forms, CLERK, [jia], as_of=dt.date(2017, 5, 20))
    assert [(f.unit, f.changed, f.rows) for f in done.forms] == [("甲县政府", 2, 2)]
    assert done.forms[0].as_json()["report"] == {"due_on": "2017-05-25", "received_on": "2017-05-20", "late": False}
    assert statuses(with_forms) == {"todo", "done", "doing"}
    with with_forms.session() as session:
        assert session.exec(select(ReportDue).where(ReportDue.received_on == dt.date(2017, 5, 20))).all()
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "form-imported")).one().by == "测试员"


def test_a_refused_form_writes_nothing(with_forms: Tracker, tmp_path: Path) -> None:
    written = write_unit_forms(with_forms, CLERK, "填报测试台账", tmp_path / "forms", as_of=dt.date(2017, 5, 10))
    jia, yi = sorted(written.files, key=lambda f: "乙县政府" in f.name)
    fill(jia, I6="已完成", J6=dt.datetime(2017, 3, 28))  # good
    fill(yi, K7=120)  # no such percentage
    audit_before = count(with_forms, AuditEntry)
    with pytest.raises(InputError) as refused:
        read_unit_forms(with_forms, CLERK, [jia, yi], as_of=dt.date(2017, 5, 20))
    assert f"{yi.name}!K7" in str(refused.value)  # the file and the cell
    assert statuses(with_forms) == {"todo"}  # the good form was not applied either
    assert count(with_forms, AuditEntry) == audit_before
    with with_forms.session() as session:
        assert not session.exec(select(ReportDue).where(col_received())).all()

    other = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(other)
    with pytest.raises(InputError, match=r"other\.xlsx"):
        read_unit_forms(with_forms, CLERK, [other], dry_run=True)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError) as empty:
        form_files(tmp_path / "empty")
    assert empty.value.key == "no_forms"


def test_forms_of_an_unknown_ledger_are_refused_and_write_nothing(with_forms: Tracker, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no ledger .不存在的台账"):
        write_unit_forms(with_forms, CLERK, "不存在的台账", tmp_path / "forms")
    assert not (tmp_path / "forms").exists()


def statuses(tracker: Tracker) -> set[str]:
    with tracker.session() as session:
        return {a.status for a in session.exec(select(Assignment))}


def col_received():  # type: ignore[no-untyped-def]
    from sqlmodel import col

    return col(ReportDue.received_on).is_not(None)
