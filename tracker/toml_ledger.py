"""Read a ledger from the TOML format documented in the README.

TOML parsers report no positions for values, so an error about a value names its path
(``phases[0].tasks[2].deadline``) and the line where that value is written.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tracker.errors import InputError
from tracker.ledger_spec import LedgerSpec, ReportSpec, TaskSpec, UnitSpec

_LEDGER_KEYS = {
    "title",
    "doc_number",
    "issuer",
    "issued_on",
    "year",
    "source",
    "units",
    "phases",
    "tasks",
    "reports",
    "escalation",
}
_UNIT_KEYS = {"name", "person", "email", "phone", "kind", "group"}
_TASK_KEYS = {"seq", "text", "deadline", "units", "unit_kinds", "assist", "start"}
_PHASE_KEYS = {"name", "tasks"}
_REPORT_KEYS = {"name", "deadline", "unit_kinds"}


class _Reader:
    def __init__(self, path: Path, raw: str) -> None:
        self.path = path
        self.lines = raw.splitlines()

    def line_of(self, value: object) -> str:
        needle = f'"{value}"' if isinstance(value, str) else str(value)
        for number, line in enumerate(self.lines, start=1):
            if needle in line:
                return f"{self.path}:{number}"
        return str(self.path)

    def line_of_key(self, key: str) -> str:
        for number, line in enumerate(self.lines, start=1):
            if line.strip().startswith((f"{key} ", f"{key}=", f"[{key}]", f"[[{key}]]")):
                return f"{self.path}:{number}"
        return str(self.path)

    def where(self, path: str, value: object = None) -> str:
        return f"{self.line_of(value) if value is not None else self.path}: {path}"

    def wrong(self, field: str, value: object, problem: str, key: str) -> InputError:
        """``FILE:LINE: field: problem``, keyed (``toml.*``) for a front end's own words."""
        at = self.line_of(value) if value is not None else str(self.path)
        return InputError(f"{at}: {field}: {problem}", key=f"toml.{key}", where=at, field=field)

    def table(self, data: object, path: str, keys: set[str]) -> Mapping[str, Any]:
        if not isinstance(data, dict):
            raise self.wrong(path, None, "must be a table", "not_table")
        unknown = sorted(set(data) - keys)
        if unknown:
            at = self.line_of_key(unknown[0])
            field = f"{path}.{unknown[0]}"
            raise InputError(f"{at}: {field}: unknown key", key="toml.unknown_key", where=at, field=field)
        return data

    def text(self, data: Mapping[str, Any], key: str, path: str, required: bool = False) -> str:
        value = data.get(key, "")
        if not isinstance(value, str):
            raise self.wrong(f"{path}.{key}", value, "must be text", "not_text")
        if required and not value.strip():
            raise self.wrong(f"{path}.{key}", None, "is missing", "missing")
        return value.strip()

    def names(self, data: Mapping[str, Any], key: str, path: str) -> list[str] | None:
        if key not in data:
            return None
        value = data[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.wrong(f"{path}.{key}", value, "must be a list of names", "not_names")
        return list(value)

    def array(self, data: Mapping[str, Any], key: str, path: str) -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.wrong(f"{path}.{key}", None, f"must be an array of tables ([[{key}]])", "not_array")
        return value

    def task(self, data: object, path: str, phase: str | None) -> TaskSpec:
        t = self.table(data, path, _TASK_KEYS)
        deadline = self.text(t, "deadline", path, required=True)
        start = t.get("start")
        if start is not None and not (isinstance(start, dt.date) and not isinstance(start, dt.datetime)):
            raise self.wrong(f"{path}.start", start, "must be a date (2017-01-01)", "not_date")
        seq = t.get("seq", "")
        return TaskSpec(
            text=self.text(t, "text", path, required=True),
            deadline_text=deadline,
            phase=phase,
            seq=str(seq),
            units=self.names(t, "units", path),
            unit_kinds=self.names(t, "unit_kinds", path) or [],
            assist=self.names(t, "assist", path) or [],
            start_on=start,
            where=self.where(path, t.get("text")),
            deadline_where=self.where(f"{path}.deadline", deadline),
        )


def read_toml_ledger(path: Path) -> LedgerSpec:
    try:
        raw = path.read_text(encoding="utf-8")
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, column = (found[1], found[2]) if found else ("?", "?")
        raise InputError(f"{path}: {exc}", key="toml.syntax", where=str(path), line=line, column=column) from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text", key="toml.encoding", where=str(path)) from None
    r = _Reader(path, raw)
    top = r.table(data, "(top level)", _LEDGER_KEYS)
    year = top.get("year")
    if year is not None and (not isinstance(year, int) or not 1949 <= year <= 2200):
        raise r.wrong("year", year, "must be a year such as 2017", "year")
    issued_on = top.get("issued_on")
    if issued_on is not None and not (isinstance(issued_on, dt.date) and not isinstance(issued_on, dt.datetime)):
        raise r.wrong("issued_on", issued_on, "must be a date (2017-03-01)", "not_date")
    spec = LedgerSpec(
        title=r.text(top, "title", "(top level)", required=True),
        source=r.text(top, "source", "(top level)") or str(path),
        doc_number=r.text(top, "doc_number", "(top level)"),
        issuer=r.text(top, "issuer", "(top level)"),
        issued_on=issued_on,
        year=year if year is not None else (issued_on.year if issued_on else None),
    )
    for i, item in enumerate(r.array(top, "units", "(top level)")):
        path_i = f"units[{i}]"
        u = r.table(item, path_i, _UNIT_KEYS)
        spec.units.append(
            UnitSpec(
                name=r.text(u, "name", path_i, required=True),
                person=r.text(u, "person", path_i),
                email=r.text(u, "email", path_i),
                phone=r.text(u, "phone", path_i),
                kind=r.text(u, "kind", path_i),
                group=r.text(u, "group", path_i),
                where=r.where(path_i, u.get("name")),
            )
        )
    for i, item in enumerate(r.array(top, "phases", "(top level)")):
        p = r.table(item, f"phases[{i}]", _PHASE_KEYS)
        name = r.text(p, "name", f"phases[{i}]", required=True)
        spec.phases.append(name)
        for j, task in enumerate(r.array(p, "tasks", f"phases[{i}]")):
            spec.tasks.append(r.task(task, f"phases[{i}].tasks[{j}]", name))
    for i, task in enumerate(r.array(top, "tasks", "(top level)")):
        spec.tasks.append(r.task(task, f"tasks[{i}]", None))
    for i, item in enumerate(r.array(top, "reports", "(top level)")):
        path_i = f"reports[{i}]"
        rep = r.table(item, path_i, _REPORT_KEYS)
        deadline = r.text(rep, "deadline", path_i, required=True)
        spec.reports.append(
            ReportSpec(
                name=r.text(rep, "name", path_i, required=True),
                deadline_text=deadline,
                unit_kinds=r.names(rep, "unit_kinds", path_i) or [],
                where=r.where(f"{path_i}.deadline", deadline),
            )
        )
    escalation = top.get("escalation")
    if escalation is not None:
        if not isinstance(escalation, list) or not all(isinstance(e, dict) for e in escalation):
            raise r.wrong("escalation", None, "must be an array of tables ([[escalation]])", "not_array")
        spec.escalation = escalation
    return spec
