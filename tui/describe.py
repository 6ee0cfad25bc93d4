"""The audit trail in words: an action's name and its before → after, through the catalogue."""

from __future__ import annotations

import json

from tui.i18n import MESSAGES, t

FIELDS = (
    "status",
    "percent",
    "completed_on",
    "due_on",
    "note",
    "name",
    "email",
    "phone",
    "reason",
    "received_on",
    "held_on",
    "trigger_on",
    "late",
)


def action_name(action: str) -> str:
    key = f"action.{action}"
    return t(key) if key in MESSAGES else action


def _value(field: str, value: object) -> str:
    if field == "status" and f"status.{value}" in MESSAGES:
        return t(f"status.{value}")
    if field == "percent":
        return f"{value}%"
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    return str(value) if value not in (None, "") else "—"


def describe(before: str, after: str) -> str:
    """``字段 旧 → 新`` for each field that changed (or was set), in a stable order."""
    old = json.loads(before) if before else {}
    new = json.loads(after) if after else {}
    if not isinstance(old, dict) or not isinstance(new, dict):
        return after
    parts = []
    for field in FIELDS:
        if field not in new:
            continue
        if field in old and old[field] == new[field]:
            continue
        label = t(f"field.{field}")
        if field in old:
            parts.append(f"{label} {_value(field, old[field])} → {_value(field, new[field])}")
        else:
            parts.append(f"{label} {_value(field, new[field])}")
    return "；".join(parts) or "—"
