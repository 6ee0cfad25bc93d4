"""The evidence use cases on a real database: the TUI's progress form (record_progress_on) stores
a file its evidence field names, the audit row names the actor, and a refusal writes nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from tests.evidence_samples import SAMPLES, stored_files, write
from tests.tui.conftest import demo
from tracker.app import Tracker
from tracker.errors import InputError, NotFoundError
from tracker.models import AuditEntry
from tracker.usecases.evidence import add_evidence, get_evidence, list_evidence
from tracker.usecases.progress import Progress, assignment_detail, record_progress_on
from tracker.usecases.work import Actor

PUYANG = "濮政办〔2017〕13号"
CLERK = Actor("督查室 李四")


@pytest.fixture
def tracker(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Tracker]:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the store lands in the test's folder
    yield from demo(db_url)


def test_the_progress_form_stores_a_file_it_names(tracker: Tracker, tmp_path: Path) -> None:
    photo = write(tmp_path / "in", "现场.png", SAMPLES["截图.png"])
    first = list_evidence(tracker, CLERK, PUYANG)
    assignment = assignment_detail(tracker, 1)
    assert assignment is not None
    record_progress_on(
        tracker, CLERK, 1, Progress("doing", evidence=(str(photo),)), expected_version=assignment.version
    )
    found = list_evidence(tracker, CLERK, PUYANG)
    assert [f.name for f in found.files] == [f.name for f in first.files] + ["现场.png"]
    with tracker.session() as session:
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == "evidence").order_by(col(AuditEntry.id)))
        assert [a.by for a in audit][-1] == CLERK.name
    copied = get_evidence(tracker, CLERK, found.files[-1].id, tmp_path / "out.png")
    assert copied.path.read_bytes() == SAMPLES["截图.png"]


def test_a_refused_file_refuses_the_progress_and_stores_nothing(tracker: Tracker, tmp_path: Path) -> None:
    good = write(tmp_path / "in", "好.pdf", SAMPLES["评审意见.pdf"])
    bad = write(tmp_path / "in", "坏.jpg", b"GIF89a")
    before = assignment_detail(tracker, 1)
    assert before is not None
    with pytest.raises(InputError) as refused:
        record_progress_on(
            tracker, CLERK, 1, Progress("done", evidence=(str(good), str(bad))), expected_version=before.version
        )
    assert refused.value.key == "evidence_type" and "坏.jpg" in str(refused.value)
    after = assignment_detail(tracker, 1)
    assert after is not None and (after.version, after.status) == (before.version, before.status)
    assert stored_files(tmp_path / "data") == []
    with pytest.raises(NotFoundError):
        add_evidence(tracker, CLERK, PUYANG, "99", "南乐县", [str(good)])
    assert stored_files(tmp_path / "data") == []


def test_get_replaces_a_link_at_the_target_never_writes_through_it(tracker: Tracker, tmp_path: Path) -> None:
    pdf = write(tmp_path, "一.pdf", SAMPLES["评审意见.pdf"])
    (added,) = add_evidence(tracker, CLERK, PUYANG, "1", "南乐县", [str(pdf)])
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    link = tmp_path / "link.pdf"
    link.symlink_to(victim)
    with pytest.raises(InputError, match="已存在"):
        get_evidence(tracker, CLERK, added.id, link)
    get_evidence(tracker, CLERK, added.id, link, force=True)
    assert victim.read_text() == "untouched" and not link.is_symlink()
    assert link.read_bytes() == SAMPLES["评审意见.pdf"] and os.stat(link).st_mode & 0o077 == 0


def test_a_unit_account_reaches_its_own_units_evidence_only(tracker: Tracker, tmp_path: Path) -> None:
    from tracker.permissions import OutOfScope, PermissionDenied
    from tracker.usecases.accounts import add_account

    add_account(tracker, Actor("desk"), "admin", role="admin", password="correct horse 42")
    add_account(tracker, Actor("admin"), "南乐", role="unit", unit="南乐县政府", password="correct horse 42")
    unit, pdf = Actor("南乐"), str(write(tmp_path, "一.pdf", SAMPLES["评审意见.pdf"]))
    (own,) = add_evidence(tracker, unit, PUYANG, "6", "南乐县政府", [pdf])
    (other,) = add_evidence(tracker, Actor("admin"), PUYANG, "6", "濮阳县政府", [pdf])
    with pytest.raises(OutOfScope):
        add_evidence(tracker, unit, PUYANG, "6", "濮阳县政府", [pdf])
    with pytest.raises(OutOfScope) as by_id:
        get_evidence(tracker, unit, other.id, tmp_path / "x.pdf")
    assert str(by_id.value) == f"没有编号为 {other.id} 的佐证材料" and not (tmp_path / "x.pdf").exists()
    assert get_evidence(tracker, unit, own.id, tmp_path / "own.pdf").size == len(SAMPLES["评审意见.pdf"])
    with pytest.raises(PermissionDenied):
        list_evidence(tracker, unit, PUYANG)  # a bureau list
    with tracker.session() as session:
        copied = session.exec(select(AuditEntry).where(AuditEntry.action == "evidence-copied")).all()
        assert [(a.by, a.unit_id is not None) for a in copied] == [("南乐", True)]
