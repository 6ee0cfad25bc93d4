"""One-time login links over HTTP (the ASGI test client), both backends: the confirm page a mail
scanner may open without using the link up, single use, expiry on the portal's clock, a newer
link replacing an older one, replay, wrong links throttled, a disabled account's link refused,
CSRF on the POST, the forced first password change after a link login (without the old
password), desk mode's login page, and the token never in a log or an audit row. Sending a link
(`tracker user link --send`) goes to a real SMTP server and a real webhook, never a group robot."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import col, select
from starlette.testclient import TestClient

from tests.http_server import FakeService
from tests.smtp_server import Server, smtp_config
from tests.web.conftest import PASSWORD, Portal, csrf_of
from tracker import login_links
from tracker.app import build
from tracker.models import AuditEntry, LoginAttempt, LoginLink
from tracker.refusals import Refusal
from tracker.usecases import accounts
from tracker.usecases.links import make_link
from tracker.usecases.work import Actor

Client = Callable[..., TestClient]
REFUSED = "登录链接无效"


def link_for(portal: Portal, login: str = "unit") -> str:
    """The path of a new link for ``login`` (no base_url configured: the path alone)."""
    made = make_link(portal.tracker, Actor("admin"), login)
    assert made.url.startswith(login_links.PATH)
    return made.url


def token_of(path: str) -> str:
    return path.removeprefix(login_links.PATH)


def use(browser: TestClient, path: str, *, csrf: str | None = None) -> object:
    """Open the link's confirm page, then press its button (with the page's CSRF token)."""
    page = browser.get(path)
    token = csrf if csrf is not None else csrf_of(page.text if page.status_code == 200 else browser.get("/login").text)
    return browser.post("/login/link", data={"token": token_of(path), "csrf": token})


def test_the_confirm_page_uses_nothing_and_the_button_logs_in_once(client: Client, portal: Portal) -> None:
    path = link_for(portal)
    scanner = client()
    for _ in range(2):  # a mail scanner prefetching the link, twice
        page = scanner.get(path)
        assert page.status_code == 200 and "确认登录" in page.text and "unit" in page.text
    browser = client()
    answer = use(browser, path)
    assert answer.status_code == 303 and answer.headers["location"] == "/"  # type: ignore[attr-defined]
    home = browser.get("/")
    assert home.status_code == 200 and "南乐县政府" in home.text
    # replayed: by the same browser, by another, on the page or by the button
    again = use(client(), path)
    assert again.status_code == 400 and REFUSED in again.text  # type: ignore[attr-defined]
    assert client().get(path).status_code == 400


def test_a_link_expires_on_the_portals_clock(client: Client, portal: Portal) -> None:
    path = link_for(portal)
    portal.clock.advance(minutes=14, seconds=59)
    assert client().get(path).status_code == 200
    portal.clock.advance(seconds=1)  # [web] link_minutes = 15
    browser = client()
    page = browser.get(path)
    assert page.status_code == 400 and REFUSED in page.text
    answer = browser.post("/login/link", data={"token": token_of(path), "csrf": csrf_of(browser.get("/login").text)})
    assert answer.status_code == 400 and REFUSED in answer.text


def test_unknown_used_expired_and_replaced_links_get_the_same_page(client: Client, portal: Portal) -> None:
    replaced = link_for(portal)
    newer = link_for(portal)  # the newer link ends the older one
    used = link_for(portal, "clerk")
    assert use(client(), used).status_code == 303  # type: ignore[attr-defined]
    expired = link_for(portal, "viewer")
    portal.clock.advance(minutes=20)
    fresh = link_for(portal, "supervisor")
    pages = {p: client().get(p) for p in (replaced, used, expired, login_links.PATH + "no-such-token")}
    texts = {page.text.partition('<main id="main">')[2] for page in pages.values()}
    assert {page.status_code for page in pages.values()} == {400} and len(texts) == 1
    assert client().get(fresh).status_code == 200
    portal.clock.advance(minutes=20)
    assert client().get(newer).status_code == 400


def test_wrong_links_count_as_failed_logins_and_lock_the_address_out(client: Client, portal: Portal) -> None:
    good = link_for(portal)
    browser = client()
    csrf = csrf_of(browser.get("/login").text)
    for n in range(portal.tracker.settings.web.ip_max_failures):
        wrong = browser.post("/login/link", data={"token": f"guess-{n}", "csrf": csrf})
        assert wrong.status_code == 400
    locked = browser.post("/login/link", data={"token": token_of(good), "csrf": csrf})
    assert locked.status_code == 429 and "已暂时锁定" in locked.text
    assert browser.get(good).status_code == 429
    with portal.tracker.session() as session:
        failed = session.exec(select(LoginAttempt).where(LoginAttempt.ok == False)).all()  # noqa: E712
        assert len(failed) == portal.tracker.settings.web.ip_max_failures
        link = session.exec(select(LoginLink).where(LoginLink.login == "unit")).one()
        assert link.used_at is None  # the lockout used nothing up
    portal.clock.advance(minutes=portal.tracker.settings.web.lockout_minutes)
    assert client().get(good).status_code == 400  # expired meanwhile; but the lockout is over


def test_a_disabled_accounts_link_fails(client: Client, portal: Portal) -> None:
    path = link_for(portal)
    accounts.disable_account(portal.tracker, Actor("admin"), "unit")
    assert client().get(path).status_code == 400
    assert use(client(), path).status_code == 400  # type: ignore[attr-defined]
    with pytest.raises(Refusal, match="已停用"):
        make_link(portal.tracker, Actor("admin"), "unit")


def test_only_an_admin_makes_links(portal: Portal) -> None:
    from tracker.permissions import PermissionDenied

    with pytest.raises(PermissionDenied):
        make_link(portal.tracker, Actor("clerk"), "unit")


@pytest.mark.parametrize("csrf", ["", "forged"])
def test_the_button_needs_the_csrf_token_and_uses_nothing_without_it(client: Client, portal: Portal, csrf: str) -> None:
    path = link_for(portal)
    browser = client()
    refused = use(browser, path, csrf=csrf)
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert use(browser, path).status_code == 303  # type: ignore[attr-defined]


def test_a_new_account_changes_its_password_after_a_link_login_without_knowing_one(
    client: Client, portal: Portal
) -> None:
    accounts.add_account(
        portal.tracker, Actor("admin"), "南乐新联络员", role="unit", unit="南乐县政府", password=PASSWORD
    )
    browser = client()
    answer = use(browser, link_for(portal, "南乐新联络员"))
    assert answer.headers["location"] == "/password"  # type: ignore[attr-defined]
    assert browser.get("/").headers["location"] == "/password"  # forced, as after a password login
    page = browser.get("/password")
    assert 'name="old"' not in page.text and "无须输入当前密码" in page.text
    weak = browser.post("/password", data={"new": "12345678", "again": "12345678", "csrf": csrf_of(page.text)})
    assert weak.status_code == 400 and "太常见" in weak.text
    new = "南乐 新密码 2026"
    changed = browser.post("/password", data={"new": new, "again": new, "csrf": csrf_of(page.text)})
    assert changed.status_code == 303
    assert browser.get("/").status_code == 200
    # the link's grace is spent: a second change needs the current password again
    page = browser.get("/password")
    assert 'name="old"' in page.text
    again = browser.post(
        "/password", data={"new": "另一个 密码 99", "again": "另一个 密码 99", "csrf": csrf_of(page.text)}
    )
    assert again.status_code == 400 and "当前密码不正确" in again.text


def test_a_password_session_still_needs_the_current_password(client: Client) -> None:
    browser = client("unit")
    page = browser.get("/password")
    answer = browser.post(
        "/password", data={"new": "新的 密码 77", "again": "新的 密码 77", "csrf": csrf_of(page.text)}
    )
    assert answer.status_code == 400 and "当前密码不正确" in answer.text


def test_the_token_is_in_no_log_and_no_audit_row(
    client: Client, portal: Portal, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="tracker")
    path = link_for(portal)
    token = token_of(path)
    browser = client()
    browser.get(path)
    use(browser, path)
    use(client(), path)  # a replay
    client().get(path + "x")  # a wrong one
    ours = [r for r in caplog.records if r.name.startswith("tracker")]
    assert any("/login/link/***" in r.getMessage() for r in ours)
    for record in ours:
        assert token not in record.getMessage() and token not in str(record.args)
    with portal.tracker.session() as session:
        rows = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
        hashed = session.exec(select(LoginLink.token_hash)).one()
    actions = [r.action for r in rows]
    assert {"login.link.make", "login.link", "login.link.failed"} <= set(actions)
    for row in rows:
        for text in (row.subject, row.before, row.after):
            assert token not in text and hashed not in text


def test_the_login_page_says_how_to_make_the_first_admin(db_url: str, tmp_path: Path) -> None:
    from tracker.web.app import create_app

    empty = build(db_url, None, "测试员")
    try:
        with TestClient(create_app(empty)) as browser:
            page = browser.get("/login")
            assert page.status_code == 200 and "tracker user add 姓名 --admin" in page.text
            failed = browser.post("/login", data={"login": "x", "password": "y", "csrf": csrf_of(page.text)})
            assert failed.status_code == 401 and "tracker user add 姓名 --admin" in failed.text
        accounts.add_account(empty, Actor("desk"), "admin", role="admin", password=PASSWORD)
        with TestClient(create_app(empty)) as browser:
            assert "tracker user add" not in browser.get("/login").text
    finally:
        empty.engine.dispose()


def test_passwords_that_are_common_or_the_login_are_refused() -> None:
    from tracker.passwords import check_strength

    for weak, login in (("PassWord123", "x"), ("woaini1314", "x"), ("Admin-Chen", "admin-chen")):
        with pytest.raises(Refusal):
            check_strength(weak, login=login)
    check_strength("correct horse 42", login="admin")


WEBHOOK = """
[channels.webhook]
url = "{url}/hook"
body = '{{"to": {{{{ recipient.email | tojson }}}}, "text": {{{{ text | tojson }}}}}}'
[channels.dingtalk]
[[channels.dingtalk.robots]]
name = "全体群"
url = "{url}/robot/send"
token_env = "TEST_DT_TOKEN"
"""


def test_a_sent_link_goes_by_email_and_webhook_at_once_never_a_group_robot_nor_the_outbox(  # type: ignore[no-untyped-def]
    cli, portal: Portal, server: Server, service: FakeService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.models import OutboxMessage

    monkeypatch.setenv("TEST_DT_TOKEN", "robot-token")
    config = tmp_path / "tracker.toml"
    web = '[web]\nbase_url = "https://duban.example.gov.cn/"\n'
    config.write_text(smtp_config(server.port, extra=web + WEBHOOK.format(url=service.url)), encoding="utf-8")
    result = cli("--config", config, "--as", "admin", "user", "link", "unit", "--send", "--json")
    assert result.code == 0, result.err
    made = result.json()
    url = made["url"]
    assert url.startswith("https://duban.example.gov.cn/login/link/")
    assert sorted((s["channel"], s["to"], s["delivered"]) for s in made["sent"]) == [
        ("email", "nanle@puyang.example", True),
        ("webhook", "nanle@puyang.example", True),
    ]
    (mail,) = server.received
    assert mail.rcpt_tos == ["nanle@puyang.example"] and url in mail.message.get_body(("plain",)).get_content()
    (hook,) = service.arrived  # the webhook only: the group robot got nothing
    assert hook.path == "/hook" and url in hook.body["text"]
    with portal.tracker.session() as session:
        assert session.exec(select(OutboxMessage)).all() == []
        after = [r.after for r in session.exec(select(AuditEntry).where(AuditEntry.action == "login.link.send"))]
    assert len(after) == 2 and not any(token_of(url.removeprefix("https://duban.example.gov.cn")) in a for a in after)
    # the link works once
    from tracker.web.app import create_app

    browser = TestClient(create_app(portal.tracker), follow_redirects=False)
    assert use(browser, url.removeprefix("https://duban.example.gov.cn")).status_code == 303  # type: ignore[attr-defined]


def test_sending_needs_a_base_url_and_an_address(cli, portal: Portal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    refused = cli("--as", "admin", "user", "link", "unit", "--send")
    assert refused.code == 2 and "base_url" in refused.err
    printed = cli("--as", "admin", "user", "link", "clerk")
    assert printed.code == 0 and printed.out.startswith("/login/link/") and "base_url" in printed.out
    config = tmp_path / "web.toml"
    config.write_text('[web]\nbase_url = "https://duban.example.gov.cn"\n', encoding="utf-8")
    nowhere = cli("--config", config, "--as", "admin", "user", "link", "clerk", "--send")
    assert nowhere.code == 2 and "没有可用的个人联系方式" in nowhere.err
    with portal.tracker.session() as session:  # refused before a link was made
        assert len(session.exec(select(LoginLink).where(LoginLink.login == "clerk")).all()) == 1


def test_base_url_is_a_plain_address(tmp_path: Path) -> None:
    from tracker.config import load_settings
    from tracker.errors import InputError

    path = tmp_path / "web.toml"
    path.write_text('[web]\nbase_url = "https://duban.example.gov.cn/"\n', encoding="utf-8")
    assert load_settings(path).web.base_url == "https://duban.example.gov.cn"
    for bad in ("duban.example.gov.cn", "https://duban.example.gov.cn/?a=1", "ftp://x.cn"):
        path.write_text(f'[web]\nbase_url = "{bad}"\n', encoding="utf-8")
        with pytest.raises(InputError, match="base_url"):
            load_settings(path)
