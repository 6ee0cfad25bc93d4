"""Every route × every role (and nobody logged in): what each may open, decided by the use cases
(tracker/permissions.py), never by the links a page shows. A new page group adds its routes here."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from tests.web.conftest import csrf_of

Client = Callable[..., TestClient]
ROLES = ("viewer", "clerk", "supervisor", "admin", "unit")
OK, REFUSED, MISSING, LOGIN = 200, 403, 404, "login"

# GET path → role → what it answers
PAGES: dict[str, dict[str, int | str]] = {
    "/": dict.fromkeys(ROLES, OK),
    "/notices": dict.fromkeys(ROLES, OK),
    "/password": dict.fromkeys(ROLES, OK),
    "/review": {"viewer": OK, "clerk": OK, "supervisor": OK, "admin": OK, "unit": REFUSED},
    "/approvals": {"viewer": REFUSED, "clerk": OK, "supervisor": OK, "admin": OK, "unit": REFUSED},
    "/outbox": {"viewer": OK, "clerk": OK, "supervisor": OK, "admin": OK, "unit": REFUSED},
    # the units' working pages: assignment 8 is the unit account's (南乐县政府), 6 another unit's
    "/units/南乐县政府": dict.fromkeys(ROLES, OK),
    "/units/濮阳县政府": {"viewer": OK, "clerk": OK, "supervisor": OK, "admin": OK, "unit": MISSING},
    "/assignments/8": dict.fromkeys(ROLES, OK),
    "/assignments/6": {"viewer": OK, "clerk": OK, "supervisor": OK, "admin": OK, "unit": MISSING},
    "/evidence/99999": dict.fromkeys(ROLES, MISSING),
}
# POST path → role → status (after a valid CSRF token); notice 3 is the unit account's, 4 another unit's
POSTS: dict[str, dict[str, int]] = {
    "/notices/4/ack": {"viewer": REFUSED, "clerk": 303, "supervisor": 303, "admin": 303, "unit": MISSING},
    "/notices/3/ack": {"viewer": REFUSED, "clerk": 303, "supervisor": 303, "admin": 303, "unit": 303},
    "/assignments/8/progress": {"viewer": REFUSED, "clerk": 303, "supervisor": 303, "admin": 303, "unit": 303},
    "/assignments/6/progress": {"viewer": REFUSED, "clerk": 303, "supervisor": 303, "admin": 303, "unit": MISSING},
    "/reports/submit": {"viewer": REFUSED, "clerk": MISSING, "supervisor": MISSING, "admin": MISSING, "unit": MISSING},
}
# what a POST sends beside its CSRF token (a form the page would send)
FORMS: dict[str, dict[str, str]] = {
    "/assignments/8/progress": {"status": "doing", "percent": "10"},
    "/assignments/6/progress": {"status": "doing", "percent": "10"},
    "/reports/submit": {"ledger": "没有这个台账", "unit": "南乐县政府"},
}
PUBLIC = {"/login"}


def test_every_page_for_every_role(client: Client) -> None:
    seen = {}
    for role in ROLES:
        browser = client(role)
        for path, expected in PAGES.items():
            answer = browser.get(path)
            seen[(path, role)] = answer.status_code
            assert answer.status_code == expected[role], (path, role, answer.status_code)
            if answer.status_code == REFUSED:
                assert "无权访问" in answer.text
    assert len(seen) == len(PAGES) * len(ROLES)


def test_every_post_for_every_role(client: Client) -> None:
    for path, expected in POSTS.items():
        for role in ROLES:
            browser = client(role)
            answer = browser.post(path, data={"csrf": csrf_of(browser.get("/").text), **FORMS.get(path, {})})
            assert answer.status_code == expected[role], (path, role, answer.status_code)


def test_nobody_logged_in_goes_to_the_login_page(client: Client) -> None:
    browser = client()
    for path in [*PAGES, "/no-such-page"]:
        answer = browser.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/login", path
    token = csrf_of(browser.get("/login").text)
    for path in POSTS:
        answer = browser.post(path, data={"csrf": token})
        assert answer.status_code == 303 and answer.headers["location"] == "/login", path
    for path in PUBLIC:
        assert browser.get(path).status_code == 200


def test_every_route_is_in_the_tables() -> None:
    """A page module's new route must be added to the tables above."""
    from starlette.routing import Route

    from tracker.web.app import PAGES as MODULES

    known = {*PAGES, *PUBLIC, "/logout", "/lang", "/notices/{notice_id:int}/ack"}
    known |= {"/units/{name}", "/assignments/{assignment_id:int}", "/assignments/{assignment_id:int}/progress"}
    known |= {"/evidence/{evidence_id:int}", "/reports/submit"}
    for module in MODULES:
        for route in module.ROUTES:
            assert isinstance(route, Route) and route.path in known, route
