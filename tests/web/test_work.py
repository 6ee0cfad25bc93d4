"""The units' working pages over HTTP (the ASGI test client), both backends: 我的任务 as a unit
account's home and /units/{name} for staff, an assignment's progress report with evidence
uploads (refusals leave nothing written), downloads by evidence id, another unit's ids answered
as missing, a note with markup shown as text, a periodic report submitted from the home page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import col, func, select
from starlette.testclient import TestClient

from tests.evidence_samples import SAMPLES
from tests.web.conftest import OTHER_UNIT, OWN_UNIT, Portal, csrf_of, import_reporting
from tracker.models import Assignment, AuditEntry, Evidence, ProgressEvent, ReportDue

Client = Callable[..., TestClient]
OWN, OTHER = 8, 6  # task 2 of the demo ledger: 南乐县政府's assignment, and 濮阳县政府's
PDF = SAMPLES["评审意见.pdf"]
ERROR = re.compile(r'<p class="error" role="alert">([^<]*)</p>')


def configure(portal: Portal, section: str, **values: object) -> None:
    """The portal's settings with ``values`` in ``section`` (the settings are frozen)."""
    settings = portal.tracker.settings
    changed = getattr(settings, section).model_copy(update=values)
    portal.tracker.settings = settings.model_copy(update={section: changed})


def counts(portal: Portal) -> tuple[int, int, int]:
    """Evidence rows, progress events, and the assignment's version: what a refusal must not change."""
    with portal.tracker.session() as session:
        evidence = session.exec(select(func.count()).select_from(Evidence)).one()
        events = session.exec(select(func.count()).select_from(ProgressEvent)).one()
        assignment = session.get(Assignment, OWN)
        assert assignment is not None
        return int(evidence), int(events), assignment.version


def stored_files(portal: Portal, tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "data").rglob("*") if p.is_file() and "evidence" in p.parts]


def report(unit: TestClient, files: list[tuple[str, bytes]], **fields: str) -> object:
    token = csrf_of(unit.get(f"/assignments/{OWN}").text)
    data = {"csrf": token, "status": "doing", "percent": "40", "note": "方案已报审"} | fields
    upload = [("evidence", (name, content, "application/pdf")) for name, content in files]
    return unit.post(f"/assignments/{OWN}/progress", data=data, files=upload or None)


def test_a_units_home_is_what_it_owes(client: Client) -> None:
    page = client("unit").get("/")
    assert page.status_code == 200 and "我的任务" in page.text and OWN_UNIT in page.text
    assert f'href="/assignments/{OWN}"' in page.text and f'href="/assignments/{OTHER}"' not in page.text
    assert "2017年4月底完成" in page.text and "2017-04-30" in page.text  # as written and as understood
    assert "逾期 138 天" in page.text and "问责" in page.text  # days late and level on 2017-09-15
    assert "督查〔2017〕3号" in page.text and "签收" in page.text  # its notices, to sign


def test_an_assignment_leads_to_its_completion_and_extension_requests(client: Client) -> None:
    """The assignment page is where a unit finds 申请办结 and 延期申请; a viewer is offered neither."""
    page = client("unit").get(f"/assignments/{OWN}").text
    assert f'href="/assignments/{OWN}/complete"' in page and f'href="/assignments/{OWN}/extension"' in page
    assert client("unit").get(f"/assignments/{OWN}/complete").status_code == 200
    viewer = client("viewer").get(f"/assignments/{OWN}").text
    assert "/complete" not in viewer and "/extension" not in viewer


def test_staff_open_a_named_units_work_and_a_unit_only_its_own(client: Client) -> None:
    clerk = client("clerk")
    page = clerk.get(f"/units/{OTHER_UNIT}")
    assert page.status_code == 200 and f"{OTHER_UNIT} 的任务" in page.text and f'/assignments/{OTHER}"' in page.text
    assert clerk.get("/units/没有这个单位").status_code == 404
    unit = client("unit")
    assert unit.get(f"/units/{OWN_UNIT}").status_code == 200
    assert unit.get(f"/units/{OTHER_UNIT}").status_code == 404


def test_a_unit_reports_progress_with_a_pdf_and_downloads_it(client: Client, portal: Portal, tmp_path: Path) -> None:
    unit = client("unit")
    answer = report(unit, [("评审意见.pdf", PDF)], note="<script>alert('x')</script> 方案已报审")
    assert answer.status_code == 303 and answer.headers["location"] == f"/assignments/{OWN}?saved=1"  # type: ignore[attr-defined]
    page = unit.get(answer.headers["location"])  # type: ignore[attr-defined]
    assert "进度已报送" in page.text and "40%" in page.text
    assert "<script>alert" not in page.text and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text
    assert len(stored_files(portal, tmp_path)) == 1
    evidence_id = int(re.findall(r'href="/evidence/(\d+)"', page.text)[0])
    download = unit.get(f"/evidence/{evidence_id}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    with portal.tracker.session() as session:
        actions = [e.action for e in session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))]
    assert "evidence-downloaded" in actions and "progress" in actions
    # Another unit, by id: the same 404 page as a missing file; staff may download it.
    assert client("unit2").get(f"/evidence/{evidence_id}").status_code == 404
    assert client("unit2").get("/evidence/99999").status_code == 404
    assert client("clerk").get(f"/evidence/{evidence_id}").content == PDF


def test_another_units_assignment_is_the_404_page(client: Client, portal: Portal) -> None:
    unit = client("unit")
    assert unit.get(f"/assignments/{OTHER}").status_code == 404
    assert unit.get("/assignments/99999").status_code == 404
    token = csrf_of(unit.get("/").text)
    before = counts(portal)
    answer = unit.post(
        f"/assignments/{OTHER}/progress",
        data={"csrf": token, "status": "doing", "percent": "90"},
        files=[("evidence", ("评审意见.pdf", PDF, "application/pdf"))],
    )
    assert answer.status_code == 404 and "找不到" in answer.text
    assert counts(portal) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("大文件.pdf", b"%PDF-1.4\n" + bytes(2 * 1024 * 1024), "超过上限"),
        ("评审意见.pdf", b"MZ\x90\x00" + bytes(200), "看起来是可执行程序"),
        ("../../etc/评审意见.pdf", PDF, "文件名含有路径"),
        ("..\\..\\评审意见.pdf", PDF, "文件名含有路径"),
        ("评审意见.docx", PDF, "内容是 PDF 文件"),
    ],
    ids=["oversize", "exe-renamed-pdf", "traversal", "traversal-backslash", "wrong-suffix"],
)
def test_refused_uploads_write_nothing(
    client: Client, portal: Portal, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    configure(portal, "evidence", max_mib=1)
    unit = client("unit")
    before = counts(portal)
    answer = report(unit, [("评审意见.pdf", PDF), (name, content)], note="不应保存")
    assert answer.status_code == 400  # type: ignore[attr-defined]
    shown = ERROR.findall(answer.text)  # type: ignore[attr-defined]
    assert len(shown) == 1 and message in shown[0], shown
    assert "不应保存" in answer.text  # type: ignore[attr-defined]  # what was typed, kept in the form
    assert counts(portal) == before
    assert stored_files(portal, tmp_path) == []


def test_a_body_past_the_portals_limit_is_413(client: Client, portal: Portal) -> None:
    configure(portal, "web", max_body_mib=1)
    before = counts(portal)
    answer = report(client("unit"), [("评审意见.pdf", b"%PDF-1.4\n" + bytes(2 * 1024 * 1024))])
    assert answer.status_code == 413  # type: ignore[attr-defined]
    assert counts(portal) == before


def test_bad_fields_and_a_stale_form_are_told_in_chinese(client: Client, portal: Portal) -> None:
    unit = client("unit")
    for fields, message in [
        ({"percent": "120"}, "进度须为 0 至 100 的整数"),
        ({"status": "submitted"}, "请选择状态"),
        ({"status": "done", "completed_on": "2099-01-01"}, "晚于今天"),
    ]:
        answer = report(unit, [], **fields)
        assert answer.status_code == 400 and message in ERROR.findall(answer.text)[0], fields  # type: ignore[attr-defined]
    old = counts(portal)[2]
    assert report(unit, [], percent="50").status_code == 303  # type: ignore[attr-defined]
    stale = report(unit, [], percent="60", version=str(old))
    assert stale.status_code == 409 and "刚被他人更新" in stale.text  # type: ignore[attr-defined]
    assert f'name="version" value="{old + 1}"' in stale.text  # type: ignore[attr-defined]
    with portal.tracker.session() as session:
        assignment = session.get(Assignment, OWN)
        assert assignment is not None and assignment.percent == 50


def test_done_on_a_reviewed_ledger_is_a_submission_with_its_evidence(client: Client, portal: Portal) -> None:
    configure(portal, "review", required=True)
    unit = client("unit")
    assert "选“已完成”即提交复核" in unit.get(f"/assignments/{OWN}").text
    assert report(unit, [("评审意见.pdf", PDF)], status="done").status_code == 303  # type: ignore[attr-defined]
    page = unit.get(f"/assignments/{OWN}")
    assert "待复核" in page.text and "评审意见.pdf" in page.text
    clerk = client("clerk").get("/review")
    assert OWN_UNIT in clerk.text


def test_a_unit_submits_a_periodic_report_from_its_home(client: Client, portal: Portal, tmp_path: Path) -> None:
    import_reporting(portal, tmp_path)
    unit = client("unit")
    home = unit.get("/")
    assert "月度进展报告" in home.text and "2017-04-25" in home.text and "已逾期 143 天" in home.text
    answer = unit.post(
        "/reports/submit",
        data={"csrf": csrf_of(home.text), "ledger": "月报台账", "report": "月度进展报告", "period": "2017-04-25"},
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/?reported=2017-04-25&late=1"
    assert "已报送 2017-04-25 期报告（迟报）" in unit.get(answer.headers["location"]).text
    with portal.tracker.session() as session:
        received = session.exec(select(ReportDue).where(col(ReportDue.received_on).is_not(None))).all()
    assert [(r.due_on.isoformat(), r.received_on) for r in received] == [("2017-04-25", portal.tracker.today())]
    # Another unit's report, named by a crafted form: the 404 page, nothing received.
    other = unit.post(
        "/reports/submit",
        data={"csrf": csrf_of(home.text), "ledger": "月报台账", "unit": "范县政府", "period": "2017-05-25"},
    )
    assert other.status_code == 404
