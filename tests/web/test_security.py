"""The portal's security over HTTP (the ASGI test client), both backends: CSRF on every POST,
lockout after failed logins, session expiry, logout and revocation, the forced first password
change, security headers on every response, escaping, another unit's notice refused by id, and
errors shown without a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from sqlmodel import col, select
from starlette.testclient import TestClient

from tests.web.conftest import PASSWORD, Portal, csrf_of, log_in
from tracker.models import AuditEntry, NoticeReceipt
from tracker.usecases import accounts
from tracker.usecases.work import Actor
from tracker.web.guard import HEADERS, SESSION_COOKIE

Client = Callable[..., TestClient]
OWN_NOTICE, OTHER_NOTICE = 3, 4  # 南乐县政府's alone; 范县政府's alone


def acknowledged(portal: Portal, notice_id: int) -> str:
    """Who signed the notice (one to a single unit: its one receipt)."""
    with portal.tracker.session() as session:
        [receipt] = session.exec(select(NoticeReceipt).where(NoticeReceipt.notice_id == notice_id))
        return receipt.acknowledged_by


def audit_actions(portal: Portal) -> list[tuple[str, str | None]]:
    with portal.tracker.session() as session:
        return [(e.action, e.subject) for e in session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))]


def test_a_unit_signs_its_own_notice(client: Client, portal: Portal) -> None:
    unit = client("unit")
    page = unit.get("/notices")
    assert page.status_code == 200 and "督查〔2017〕3号" in page.text and "督查〔2017〕4号" not in page.text
    answer = unit.post(f"/notices/{OWN_NOTICE}/ack", data={"csrf": csrf_of(page.text)})
    assert answer.status_code == 303
    assert acknowledged(portal, OWN_NOTICE) == "unit"
    shown = unit.get(answer.headers["location"])
    assert "已签收通知 督查〔2017〕3号" in shown.text


def test_another_units_notice_is_refused_as_missing(client: Client, portal: Portal) -> None:
    unit = client("unit")
    token = csrf_of(unit.get("/notices").text)
    refused = unit.post(f"/notices/{OTHER_NOTICE}/ack", data={"csrf": token})
    missing = unit.post("/notices/99999/ack", data={"csrf": token})
    assert refused.status_code == missing.status_code == 404
    assert acknowledged(portal, OTHER_NOTICE) == ""
    assert ("refused", "notice.acknowledge") in audit_actions(portal)


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_a_post_without_the_sessions_csrf_token_is_403(client: Client, portal: Portal, token: str | None) -> None:
    unit = client("unit")
    data = {} if token is None else {"csrf": token}
    answer = unit.post(f"/notices/{OWN_NOTICE}/ack", data=data)
    assert answer.status_code == 403 and "页面已过期" in answer.text
    assert acknowledged(portal, OWN_NOTICE) == ""
    assert client().post("/login", data={"login": "unit", "password": PASSWORD}).status_code == 403


def test_another_sessions_token_does_not_pass(client: Client, portal: Portal) -> None:
    theirs = csrf_of(client("clerk").get("/").text)
    answer = client("unit").post(f"/notices/{OWN_NOTICE}/ack", data={"csrf": theirs})
    assert answer.status_code == 403


def test_lockout_after_failed_logins_per_account(client: Client, portal: Portal) -> None:
    browser = client()
    for _ in range(5):
        assert log_in(browser, "unit", "wrong password").status_code == 401  # type: ignore[attr-defined]
    locked = log_in(browser, "unit", PASSWORD)
    assert locked.status_code == 401 and "已暂时锁定" in locked.text  # type: ignore[attr-defined]
    assert log_in(client(), "clerk").status_code == 303  # type: ignore[attr-defined]  # others still may
    actions = audit_actions(portal)
    assert actions.count(("login.failed", "unit")) == 5 and ("login.locked", "unit") in actions
    portal.clock.advance(minutes=16)
    assert log_in(browser, "unit").status_code == 303  # type: ignore[attr-defined]


def test_lockout_per_address(client: Client, portal: Portal) -> None:
    portal.tracker.settings = portal.tracker.settings.model_copy(
        update={"web": portal.tracker.settings.web.model_copy(update={"ip_max_failures": 3})}
    )
    browser = client()
    for name in ("nobody", "viewer", "admin"):
        assert log_in(browser, name, "wrong password").status_code == 401  # type: ignore[attr-defined]
    locked = log_in(browser, "unit", PASSWORD)
    assert locked.status_code == 401 and "已暂时锁定" in locked.text  # type: ignore[attr-defined]


def test_unknown_account_and_wrong_password_read_the_same(client: Client) -> None:
    unknown, wrong = log_in(client(), "nobody"), log_in(client(), "unit", "wrong password")
    assert "账号或密码不正确" in unknown.text and "账号或密码不正确" in wrong.text  # type: ignore[attr-defined]


def test_logout_revokes_the_session_on_the_server(client: Client) -> None:
    unit = client("unit")
    cookie = unit.cookies[SESSION_COOKIE]
    assert unit.post("/logout", data={"csrf": csrf_of(unit.get("/").text)}).status_code == 303
    replay = client()
    replay.cookies.set(SESSION_COOKIE, cookie)
    answer = replay.get("/")
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_an_idle_session_ends(client: Client, portal: Portal) -> None:
    unit = client("unit")
    portal.clock.advance(minutes=29)
    assert unit.get("/").status_code == 200
    portal.clock.advance(minutes=31)
    assert unit.get("/").headers.get("location") == "/login"


def test_a_session_ends_after_its_hours_however_busy(client: Client, portal: Portal) -> None:
    unit = client("unit")
    for _ in range(12 * 60 // 25):
        portal.clock.advance(minutes=25)
        assert unit.get("/").status_code == 200
    portal.clock.advance(minutes=25)
    assert unit.get("/").headers.get("location") == "/login"


def test_first_login_must_change_the_password(client: Client, portal: Portal) -> None:
    accounts.reset_password(portal.tracker, Actor("admin"), "unit", "temporary 123")
    browser = client()
    entered = log_in(browser, "unit", "temporary 123")
    assert entered.headers["location"] == "/password"  # type: ignore[attr-defined]
    assert browser.get("/notices").headers["location"] == "/password"
    page = browser.get("/password")
    token = csrf_of(page.text)
    weak = browser.post("/password", data={"csrf": token, "old": "temporary 123", "new": "unit", "again": "unit"})
    assert weak.status_code == 400 and "密码太弱" in weak.text
    wrong = browser.post(
        "/password", data={"csrf": token, "old": "guess 1234", "new": "new pass 99", "again": "new pass 99"}
    )
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.text
    changed = browser.post(
        "/password", data={"csrf": token, "old": "temporary 123", "new": "new pass 99", "again": "new pass 99"}
    )
    assert changed.status_code == 303
    assert browser.get("/notices").status_code == 200
    assert log_in(client(), "unit", "new pass 99").status_code == 303  # type: ignore[attr-defined]


def test_a_password_change_ends_the_other_sessions(client: Client) -> None:
    phone, desk = client("unit"), client("unit")
    token = csrf_of(desk.get("/password").text)
    desk.post("/password", data={"csrf": token, "old": PASSWORD, "new": "new pass 99", "again": "new pass 99"})
    assert desk.get("/").status_code == 200
    assert phone.get("/").headers.get("location") == "/login"


def test_a_disabled_account_loses_its_session(client: Client, portal: Portal) -> None:
    unit = client("unit")
    accounts.disable_account(portal.tracker, Actor("admin"), "unit")
    assert unit.get("/").headers.get("location") == "/login"


@pytest.mark.parametrize("path", ["/login", "/", "/notices", "/review", "/no-such-page", "/static/site.css"])
def test_security_headers_on_every_response(client: Client, path: str) -> None:
    for browser in (client(), client("unit")):
        answer = browser.get(path)
        for name, value in HEADERS.items():
            assert answer.headers.get(name) == value, (path, name)
        assert "unsafe-inline" not in answer.headers["content-security-policy"]


def test_cookies_are_httponly_and_samesite(client: Client) -> None:
    browser = client()
    answer = log_in(browser, "unit")
    cookie = answer.headers["set-cookie"]  # type: ignore[attr-defined]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    login_page = client().get("/login").headers["set-cookie"]
    assert "HttpOnly" in login_page and "SameSite=Strict" in login_page


def test_secure_cookies_behind_tls(client: Client, portal: Portal) -> None:
    portal.tracker.settings = portal.tracker.settings.model_copy(
        update={"web": portal.tracker.settings.web.model_copy(update={"secure_cookies": True})}
    )
    answer = log_in(client(), "unit")
    assert "Secure" in answer.headers["set-cookie"]  # type: ignore[attr-defined]


def test_names_are_escaped(client: Client, portal: Portal) -> None:
    evil = "<script>alert(1)</script>"
    accounts.add_account(
        portal.tracker, Actor("admin"), "evil", role="unit", unit="南乐县政府", display=evil, password=PASSWORD
    )
    browser = client()
    log_in(browser, "evil")
    token = csrf_of(browser.get("/password").text)
    browser.post("/password", data={"csrf": token, "old": PASSWORD, "new": "new pass 99", "again": "new pass 99"})
    page = browser.get("/")
    assert page.status_code == 200
    assert evil not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    refused = client().post(
        "/login", data={"login": evil, "password": "x", "csrf": csrf_of(client().get("/login").text)}
    )
    assert evil not in refused.text


def test_errors_show_no_stack_trace(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.usecases import notices

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail of the fault")

    monkeypatch.setattr(notices, "notices_for", broken)
    answer = client("unit").get("/notices")
    assert answer.status_code == 500 and "系统内部错误" in answer.text
    assert "Traceback" not in answer.text and "secret detail" not in answer.text
    assert answer.headers["x-frame-options"] == "DENY"


def test_the_access_log_keeps_no_secret(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="tracker.web.access")
    unit = client("unit")
    unit.get("/notices?token=sesame")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "tracker.web.access")
    assert '"GET /notices" 200' in logged and "unit" in logged
    for secret in (PASSWORD, unit.cookies[SESSION_COOKIE], "sesame"):
        assert secret not in logged


def test_english_on_request(client: Client) -> None:
    browser = client()
    token = csrf_of(browser.get("/login").text)
    assert browser.post("/lang", data={"csrf": token, "back": "/login"}).status_code == 303
    page = browser.get("/login")
    assert "Log in" in page.text and 'lang="en"' in page.text


def test_the_bureau_lists_show_their_rows_escaped(client: Client, portal: Portal) -> None:
    import datetime as dt

    from tests.tui.conftest import AS_OF
    from tracker.usecases import changes, review

    evil = "<script>alert(2)</script>"
    puyang = "濮政办〔2017〕13号"
    review.submit_completion(portal.tracker, Actor("unit"), puyang, "6", "南乐县政府", AS_OF, note=evil)
    changes.request_extension(
        portal.tracker, Actor("unit"), puyang, "5", "南乐县政府", to=dt.date(2018, 6, 30), reason=evil, late=True
    )
    supervisor = client("supervisor")
    for path in ("/review", "/approvals"):
        page = supervisor.get(path)
        assert page.status_code == 200 and "&lt;script&gt;alert(2)&lt;/script&gt;" in page.text, path
        assert evil not in page.text
