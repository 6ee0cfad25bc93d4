"""The home page, by role: a unit account its notices to sign; the bureau's accounts the
counts of what waits for them, each a link to its list."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.permissions import allowed
from tracker.web.render import render, tracker_of, visitor


def home_page(request: Request) -> Response:
    from tracker.usecases.changes import approval_queue
    from tracker.usecases.notices import notices_for
    from tracker.usecases.review import review_queue

    tracker, who = tracker_of(request), visitor(request)
    if who.role == "unit":
        from tracker.web.pages.work import work_page

        return work_page(request)  # 我的任务: what it owes, its notices and reports
    notices = notices_for(tracker, who.actor)
    unsigned = [n for n in notices if n.acknowledged_at is None]
    # Which lists to count is the page's layout, not a permission: each list's own page asks its use case.
    counts = [("/notices", "home.unsigned", len(unsigned))]
    if allowed(who.role, "review.queue"):
        counts.append(("/review", "nav.review", len(review_queue(tracker, who.actor))))
    if allowed(who.role, "approval.queue"):
        counts.append(("/approvals", "nav.approvals", len(approval_queue(tracker, who.actor))))
    return render(request, "home.html", unsigned=[], counts=counts)


ROUTES = [Route("/", home_page, methods=["GET"])]
