"""An assignment's statuses and their Chinese labels.

Kept apart from tracker.models so that the CLI can offer them as choices (and print them) without
importing SQLModel and the tables: `tracker --help` and `tracker when` start without the database
layer.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """An assignment's status (未开始 / 进行中 / 已完成 / 已终止)."""

    TODO = "todo"
    DOING = "doing"
    DONE = "done"
    TERMINATED = "terminated"


STATUS_LABELS = {Status.TODO: "未开始", Status.DOING: "进行中", Status.DONE: "已完成", Status.TERMINATED: "已终止"}
STATUS_BY_LABEL = {label: status for status, label in STATUS_LABELS.items()}

# Still owed: what reminders, overdue counts and expected progress are about.
OPEN_STATUSES: tuple[str, ...] = (Status.TODO.value, Status.DOING.value)
