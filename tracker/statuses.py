"""An assignment's statuses and their Chinese labels.

Kept apart from tracker.models so that the CLI can offer them as choices (and print them) without
importing SQLModel and the tables: `tracker --help` and `tracker when` start without the database
layer.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """An assignment's status (未开始 / 进行中 / 待复核 / 退回 / 已完成 / 已终止).

    待复核 and 退回 exist on ledgers whose completions are reviewed (``[review] required``): a unit
    or a clerk submits a completion (待复核); the bureau accepts it (已完成, 销号) or returns it
    with a reason (退回, still owed)."""

    TODO = "todo"
    DOING = "doing"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    DONE = "done"
    TERMINATED = "terminated"


STATUS_LABELS = {
    Status.TODO: "未开始",
    Status.DOING: "进行中",
    Status.SUBMITTED: "待复核",
    Status.RETURNED: "退回",
    Status.DONE: "已完成",
    Status.TERMINATED: "已终止",
}
STATUS_BY_LABEL = {label: status for status, label in STATUS_LABELS.items()}

# Still owed: what reminders, overdue counts and expected progress are about. A returned completion
# is owed again (the clock runs on from the deadline in force); one waiting for review (待复核) is
# not: the bureau does not escalate a unit for the bureau's own review delay (README "Review").
# What a person records by hand (`tracker progress`, the assignment screen); 待复核 and 退回 come
# only from the review use cases (tracker/usecases/review.py).
RECORDED_STATUSES: tuple[Status, ...] = (Status.TODO, Status.DOING, Status.DONE, Status.TERMINATED)

OPEN_STATUSES: tuple[str, ...] = (Status.TODO.value, Status.DOING.value, Status.RETURNED.value)
