"""The completion review loop (复核): a unit applies for completion (申请办结) of one of its
assignments with a done date, a note and evidence files; the bureau's review queue accepts
(销号) or returns (退回, with a reason) each submission; the unit sees the reason and submits
again. A submission's evidence downloads through its use case (who may, audited).

Every rule is the use case's (tracker/usecases/review.py, tracker/usecases/evidence.py): another
unit's assignment or file is refused as missing (the 404 page); two clerks deciding one
submission at once, the second is refused by the use case's guard and told so here.
"""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.errors import InputError
from tracker.web.render import attachment, done, form, pass_on, render, tracker_of, visitor, words

# Refusals of a decision that another reviewer's decision caused: the page says so (409).
RACED = ("review_decided", "review_stale")


def _text(request: Request, name: str) -> str:
    value = form(request).get(name, "")
    return value if isinstance(value, str) else ""


def completion_page(request: Request, *, status: int = 200, error: str = "", note: str = "", day: str = "") -> Response:
    """The assignment's 申请办结 page: its deadline and status, the latest decision (a 退回's
    reason on top), the form when a completion may be submitted, its evidence."""
    from tracker.usecases.review import completion_of

    tracker = tracker_of(request)
    assignment_id: int = request.path_params["assignment_id"]
    shown = completion_of(tracker, visitor(request).actor, assignment_id)
    return render(
        request,
        "review/complete.html",
        status=status,
        a=shown,
        error=error,
        note=note,
        day=day or tracker.today().isoformat(),
        submitted=request.query_params.get("submitted") == "1",
        max_mib=tracker.settings.evidence.max_mib,
        max_body_mib=tracker.settings.web.max_body_mib,
    )


def submit(request: Request) -> Response:
    """申请办结: the done date, the note and the uploaded files to the submit use case; a
    refusal (a file of the wrong type or too big, a future date) shows on the form, nothing kept."""
    from tracker.typed_dates import typed_date
    from tracker.usecases.review import submit_completion_on

    tracker = tracker_of(request)
    assignment_id: int = request.path_params["assignment_id"]
    note, day = _text(request, "note"), _text(request, "done_on")
    try:
        done_on = typed_date(day, tracker.today())
        uploads = [
            (upload.filename or "", upload.file.read())
            for upload in form(request).getlist("evidence")
            if isinstance(upload, UploadFile) and (upload.filename or upload.size)
        ]
        submit_completion_on(tracker, visitor(request).actor, assignment_id, done_on, note=note, uploads=uploads)
    except InputError as refusal:
        _pass_on(refusal)
        message = words(request).error(refusal)
        return completion_page(request, status=400, error=message, note=note, day=day)
    return done(f"/assignments/{assignment_id}/complete?submitted=1")


def queue_page(request: Request, *, status: int = 200, error: str = "") -> Response:
    """The bureau's review queue: each submission with its evidence, accept and return."""
    from tracker.permissions import allowed
    from tracker.usecases.review import review_queue

    who = visitor(request)
    rows = review_queue(tracker_of(request), who.actor)
    flash = next(((k, v) for k in ("accepted", "returned") if (v := request.query_params.get(k, "")).isdigit()), None)
    return render(
        request,
        "bureau/review.html",
        status=status,
        rows=rows,
        error=error,
        flash=flash,
        decides=allowed(who.role, "review.decide"),  # the buttons only: the use case decides
    )


def accept(request: Request) -> Response:
    from tracker.usecases.review import accept_completion

    submission_id: int = request.path_params["submission_id"]
    try:
        accept_completion(tracker_of(request), visitor(request).actor, submission_id)
    except InputError as refusal:
        return _refused(request, refusal)
    return done(f"/review?accepted={submission_id}")


def send_back(request: Request) -> Response:
    """退回 with the reason typed (the use case refuses an empty one)."""
    from tracker.usecases.review import return_completion

    submission_id: int = request.path_params["submission_id"]
    try:
        return_completion(tracker_of(request), visitor(request).actor, submission_id, _text(request, "reason"))
    except InputError as refusal:
        return _refused(request, refusal)
    return done(f"/review?returned={submission_id}")


def _refused(request: Request, refusal: InputError) -> Response:
    """A refused decision on the queue page: 409 when another reviewer got there first, else 400.
    A permission refusal, or a unit's reach, goes to the error pages as everywhere."""
    _pass_on(refusal)
    raced = getattr(refusal, "key", None) in RACED
    return queue_page(request, status=409 if raced else 400, error=words(request).error(refusal))


def _pass_on(refusal: InputError) -> None:
    """Raise what the error pages answer: a permission refusal (403), a missing row or another
    unit's (404: a submission decided is still there, one never made is not)."""
    pass_on(refusal)
    _not_found(refusal)


# Refusals that name a row missing: shown as the 404 page, like another unit's (OutOfScope), so
# that an id tells a unit account nothing either way.
MISSING = ("review_not_found", "evidence_not_found")


def _not_found(refusal: InputError) -> None:
    from tracker.errors import NotFoundError

    if getattr(refusal, "key", None) in MISSING:
        raise NotFoundError(str(refusal)) from refusal


def evidence_file(request: Request) -> Response:
    """A stored evidence file as a download (its type as stored, never shown inline)."""
    from tracker.usecases.evidence import download_evidence

    try:
        got = download_evidence(tracker_of(request), visitor(request).actor, request.path_params["evidence_id"])
    except InputError as refusal:
        _not_found(refusal)
        raise
    return attachment(got.data, got.name, got.media_type)


ROUTES = [
    Route("/assignments/{assignment_id:int}/complete", completion_page, methods=["GET"]),
    Route("/assignments/{assignment_id:int}/complete", submit, methods=["POST"]),
    Route("/review", queue_page, methods=["GET"]),
    Route("/review/{submission_id:int}/accept", accept, methods=["POST"]),
    Route("/review/{submission_id:int}/return", send_back, methods=["POST"]),
    Route("/evidence/{evidence_id:int}", evidence_file, methods=["GET"]),
]
