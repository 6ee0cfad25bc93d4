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
    # 申请办结: assignment 28 is the unit account's (任务 6 / 南乐县政府), 26 another unit's
    "/assignments/28/complete": {"viewer": REFUSED, "clerk": OK, "supervisor": OK, "admin": OK, "unit": OK},
    "/assignments/26/complete": {"viewer": REFUSED, "clerk": OK, "supervisor": OK, "admin": OK, "unit": MISSING},
    "/assignments/99999/complete": {
        "viewer": REFUSED,
        "clerk": MISSING,
        "supervisor": MISSING,
        "admin": MISSING,
        "unit": MISSING,
    },
    "/evidence/99999": {"viewer": MISSING, "clerk": MISSING, "supervisor": MISSING, "admin": MISSING, "unit": MISSING},
    "/exports": {"viewer": OK, "clerk": OK, "supervisor": OK, "admin": OK, "unit": REFUSED},
    "/exports/weekly.xlsx": {"viewer": OK, "clerk": OK, "supervisor": OK, "admin": OK, "unit": REFUSED},
    "/exports/deadlines.ics": {"viewer": OK, "clerk": OK, "supervisor": OK, "admin": OK, "unit": REFUSED},
    "/dashboard": {"viewer": OK, "clerk": OK, "supervisor": OK, "admin": OK, "unit": REFUSED},
    "/dashboard?ledger=1&as_of=2017-09-15&weeks=4": {**dict.fromkeys(ROLES, OK), "unit": REFUSED},
    "/dashboard/units/南乐县政府": {**dict.fromkeys(ROLES, OK), "unit": REFUSED},  # the unit's own: still not theirs
    "/dashboard/units/濮阳县政府": {**dict.fromkeys(ROLES, OK), "unit": REFUSED},
    "/dashboard/units/no-such-unit": {**dict.fromkeys(ROLES, MISSING), "unit": REFUSED},  # nothing told a unit
    "/notices?show=overdue&page=2": dict.fromkeys(ROLES, OK),
    "/assignments/28/extension": dict.fromkeys(ROLES, OK),  # the unit account's own assignment
    "/assignments/26/extension": {"viewer": OK, "clerk": OK, "supervisor": OK, "admin": OK, "unit": MISSING},
    "/interviews": {"viewer": OK, "clerk": OK, "supervisor": OK, "admin": OK, "unit": REFUSED},
    # the units' working pages: assignment 8 is the unit account's (南乐县政府), 6 another unit's
    "/units/南乐县政府": dict.fromkeys(ROLES, OK),
    "/units/濮阳县政府": {"viewer": OK, "clerk": OK, "supervisor": OK, "admin": OK, "unit": MISSING},
    "/assignments/8": dict.fromkeys(ROLES, OK),
    "/assignments/6": {"viewer": OK, "clerk": OK, "supervisor": OK, "admin": OK, "unit": MISSING},
}
# POST path → role → status (after a valid CSRF token); notice 3 is the unit account's, 4 another unit's
POSTS: dict[str, dict[str, int]] = {
    "/notices/4/ack": {"viewer": REFUSED, "clerk": 303, "supervisor": 303, "admin": 303, "unit": MISSING},
    "/notices/3/ack": {"viewer": REFUSED, "clerk": 303, "supervisor": 303, "admin": 303, "unit": 303},
    # without a done date: refused on the form (400), or before it by role and reach
    "/assignments/26/complete": {"viewer": REFUSED, "clerk": 400, "supervisor": 400, "admin": 400, "unit": MISSING},
    "/review/99999/accept": {
        "viewer": REFUSED,
        "clerk": MISSING,
        "supervisor": MISSING,
        "admin": MISSING,
        "unit": REFUSED,
    },
    # no reason given: refused before the submission is looked up
    "/review/99999/return": {"viewer": REFUSED, "clerk": 400, "supervisor": 400, "admin": 400, "unit": REFUSED},
    "/assignments/8/progress": {"viewer": REFUSED, "clerk": 303, "supervisor": 303, "admin": 303, "unit": 303},
    "/assignments/6/progress": {"viewer": REFUSED, "clerk": 303, "supervisor": 303, "admin": 303, "unit": MISSING},
    "/reports/submit": {"viewer": REFUSED, "clerk": MISSING, "supervisor": MISSING, "admin": MISSING, "unit": MISSING},
}
# what a POST sends beside its CSRF token (a form the page would send)
BODIES: dict[str, dict[str, str]] = {
    "/assignments/8/progress": {"status": "doing", "percent": "10"},
    "/assignments/6/progress": {"status": "doing", "percent": "10"},
    "/reports/submit": {"ledger": "没有这个台账", "unit": "南乐县政府"},
}
# POST path, its form → role → status, the roles in ROLES' order on one database: 26 is another
# unit's assignment (staff may ask on a unit's behalf: the clerk's request then waits, so the
# next is refused); extension 1 waits for a supervisor in one step (then it is decided: 409).
FORMS: dict[str, tuple[dict[str, str], dict[str, int]]] = {
    "/assignments/26/extension": (
        {"to": "2017-12-31", "reason": "资金未到位"},
        {"viewer": REFUSED, "clerk": 303, "supervisor": 400, "admin": 400, "unit": MISSING},
    ),
    "/approvals/1/decide": (
        {"decision": "approve", "step": "1"},
        {"viewer": REFUSED, "clerk": REFUSED, "supervisor": 303, "admin": 409, "unit": REFUSED},
    ),
    "/outbox/approve": ({}, {"viewer": REFUSED, "clerk": REFUSED, "supervisor": 303, "admin": 303, "unit": REFUSED}),
}
PUBLIC = {"/login"}
# Open to everyone, logged in or not: a login link's page and its button (tests/web/test_links.py);
# a wrong link answers 400 whoever asks.
LINKS = {"/login/link/{token}": "/login/link/no-such-token", "/login/link": "/login/link"}


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
            answer = browser.post(path, data={"csrf": csrf_of(browser.get("/").text), **BODIES.get(path, {})})
            assert answer.status_code == expected[role], (path, role, answer.status_code)


def test_every_form_for_every_role(client: Client) -> None:
    for path, (data, expected) in FORMS.items():
        for role in ROLES:
            browser = client(role)
            answer = browser.post(path, data={"csrf": csrf_of(browser.get("/").text), **data})
            assert answer.status_code == expected[role], (path, role, answer.status_code)


def test_nobody_logged_in_goes_to_the_login_page(client: Client) -> None:
    browser = client()
    for path in [*PAGES, "/no-such-page"]:
        answer = browser.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/login", path
    token = csrf_of(browser.get("/login").text)
    for path in [*POSTS, *FORMS]:
        answer = browser.post(path, data={"csrf": token})
        assert answer.status_code == 303 and answer.headers["location"] == "/login", path
    for path in PUBLIC:
        assert browser.get(path).status_code == 200


def test_a_wrong_login_link_is_refused_alike_for_every_role_and_nobody(client: Client) -> None:
    for role in (None, *ROLES):
        browser = client(role)
        page = browser.get(LINKS["/login/link/{token}"])
        assert page.status_code == 400, role
        answer = browser.post(LINKS["/login/link"], data={"token": "no-such-token", "csrf": csrf_of(page.text)})
        assert answer.status_code == 400, role


def test_every_route_is_in_the_tables() -> None:
    """A page module's new route must be added to the tables above."""
    from starlette.routing import Route

    from tracker.web.app import PAGES as MODULES

    known = {*PAGES, *PUBLIC, *LINKS, "/logout", "/lang", "/notices/{notice_id:int}/ack"}
    known.add("/dashboard/units/{name:path}")
    known |= {"/assignments/{assignment_id:int}/extension", "/approvals/{ref:str}/decide", "/outbox/approve"}
    known |= {  # pages/review.py, pages/exports.py: their paths above are these with ids
        "/assignments/{assignment_id:int}/complete",
        "/review/{submission_id:int}/accept",
        "/review/{submission_id:int}/return",
        "/evidence/{evidence_id:int}",
    }
    known |= {"/units/{name}", "/assignments/{assignment_id:int}", "/assignments/{assignment_id:int}/progress"}
    known |= {"/reports/submit"}
    for module in MODULES:
        for route in module.ROUTES:
            assert isinstance(route, Route) and route.path in known, route
