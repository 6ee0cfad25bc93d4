"""Read a ledger from the TOML format documented in the README.

TOML parsers report no positions for values, so an error about a value names its path
(``phases[0].tasks[2].deadline``) and the line where that value is written. A bad value is noted
(``LedgerSpec.problems``) and reading goes on, so that every error of the file is reported at once;
only a file that is not TOML at all stops at its first error.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tracker.errors import InputError, raise_all
from tracker.input_files import MAX_CELL_CHARS, regular_file
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
    "review",
    "approval",
}
_UNIT_KEYS = {"name", "person", "email", "phone", "mobile", "dingtalk_id", "wecom_id", "kind", "group"}
_TASK_KEYS = {"seq", "text", "deadline", "units", "unit_kinds", "assist", "start"}
_PHASE_KEYS = {"name", "tasks"}
_REPORT_KEYS = {"name", "deadline", "unit_kinds"}


class _Reader:
    def __init__(self, path: Path, raw: str) -> None:
        self.path = path
        self.lines = raw.splitlines()
        self.problems: list[InputError] = []

    def line_of(self, value: object, table: str = "") -> str:
        """The line where a value is written (the first one in ``table``'s ``[[...]]``, if it has one)."""
        needle = f'"{value}"' if isinstance(value, str) else str(value)
        after = self.table_line(table) if table else 0
        for lines, first in ((self.lines[after:], after + 1), (self.lines, 1)):
            for number, line in enumerate(lines, start=first):
                if needle in line:
                    return f"{self.path}:{number}"
        return str(self.path)

    def line_of_key(self, key: str, table: str = "") -> str:
        """The line of ``key =`` (the first one in ``table``'s ``[[...]]``, if it has one)."""
        after = self.table_line(table) if table else 0
        for number, line in enumerate(self.lines[after:], start=after + 1):
            if line.strip().startswith((f"{key} ", f"{key}=", f"[{key}]", f"[[{key}]]")):
                return f"{self.path}:{number}"
        return str(self.path)

    def line_of_table(self, path: str) -> str:
        line = self.table_line(path)
        return f"{self.path}:{line}" if line else str(self.path)

    def table_line(self, path: str) -> int:
        """The line of the table a path is in: ``units[3].name`` → the fourth ``[[units]]``;
        ``phases[1].tasks[0]`` → the first ``[[phases.tasks]]`` after the second ``[[phases]]``;
        0 when it is not written so."""
        start, name, parent = 0, "", ""
        for key, index in re.findall(r"(\w+)\[(\d+)\]", path):
            name = f"{name}.{key}" if name else key
            found = self.headers.get(name, [])
            at = bisect.bisect_left(found, start) + int(index)
            if at >= len(found):
                return 0
            if parent:  # the next parent table ends this one: not written as [[...]] here
                parents = self.headers[parent]
                after = bisect.bisect_left(parents, start)
                if after < len(parents) and parents[after] < found[at]:
                    return 0
            start, parent = found[at] + 1, name
        return start

    @functools.cached_property
    def headers(self) -> dict[str, list[int]]:
        """``[[name]]`` → the indexes of the lines that start that table, in order (found once:
        a ledger of a thousand units and tasks asks for them thousands of times)."""
        found: dict[str, list[int]] = {}
        for number, line in enumerate(self.lines):
            text = line.strip()
            if text.startswith("[[") and "]]" in text:
                found.setdefault(text[2 : text.index("]]")], []).append(number)
        return found

    def where(self, path: str, value: object = None) -> str:
        return f"{self.line_of(value, path) if value is not None else self.line_of_table(path)}: {path}"

    def wrong(self, field: str, value: object, problem: str, key: str) -> None:
        """Note ``FILE:LINE: field: problem``, keyed (``toml.*``) for a front end's own words."""
        at = self.line_of(value, field) if value is not None else self.line_of_table(field)
        self.problems.append(InputError(f"{at}: {field}: {problem}", key=f"toml.{key}", where=at, field=field))

    def count(self) -> int:
        return len(self.problems)

    def table(self, data: object, path: str, keys: set[str]) -> Mapping[str, Any]:
        if not isinstance(data, dict):
            self.wrong(path, None, "must be a table", "not_table")
            return {}
        for unknown in sorted(set(data) - keys):
            at = self.line_of_key(unknown, path if "[" in path else "")
            field = f"{path}.{unknown}"
            self.problems.append(
                InputError(f"{at}: {field}: unknown key", key="toml.unknown_key", where=at, field=field)
            )
        return data

    def text(self, data: Mapping[str, Any], key: str, path: str, required: bool = False) -> str:
        value = data.get(key, "")
        if not isinstance(value, str):
            self.wrong(f"{path}.{key}", value, "must be text", "not_text")
            return ""
        if required and not value.strip():
            self.wrong(f"{path}.{key}", None, "is missing", "missing")
        if len(value) > MAX_CELL_CHARS:
            self.wrong(
                f"{path}.{key}",
                None,
                f"{len(value):,} characters, more than the limit of {MAX_CELL_CHARS:,}",
                "too_long",
            )
            return ""
        return value.strip()

    def names(self, data: Mapping[str, Any], key: str, path: str) -> list[str] | None:
        if key not in data:
            return None
        value = data[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.wrong(f"{path}.{key}", value, "must be a list of names", "not_names")
            return None
        return list(value)

    def array(self, data: Mapping[str, Any], key: str, path: str) -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list):
            self.wrong(f"{path}.{key}", None, f"must be an array of tables ([[{key}]])", "not_array")
            return []
        return value

    def date(self, data: Mapping[str, Any], key: str, path: str, example: str) -> dt.date | None:
        value = data.get(key)
        if value is not None and not (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
            self.wrong(path, value, f"must be a date ({example})", "not_date")
            return None
        return value

    def task(self, data: object, path: str, phase: str | None) -> TaskSpec:
        before = self.count()
        t = self.table(data, path, _TASK_KEYS)
        deadline = self.text(t, "deadline", path, required=True)
        start = self.date(t, "start", f"{path}.start", "2017-01-01")
        seq = t.get("seq", "")
        if isinstance(seq, bool) or not isinstance(seq, str | int):
            self.wrong(f"{path}.seq", seq, 'must be text or a whole number (序号 such as 1 or "1.2")', "seq")
            seq = ""
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
            broken=self.count() > before,
        )


def read_toml_ledger(path: Path, *, keep_going: bool = False) -> LedgerSpec:
    """Read a TOML ledger. A bad value raises (every one found: ``InputErrors`` for several); with
    ``keep_going`` it is noted in ``LedgerSpec.problems`` instead, for the import's check to raise
    together with its own findings. A file that is not TOML at all raises either way."""
    regular_file(path)  # not a pipe (it would hang), within the size limit
    try:
        raw = path.read_text(encoding="utf-8").removeprefix("\ufeff")  # a BOM, as Windows editors write
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, column = (found[1], found[2]) if found else ("?", "?")
        raise InputError(f"{path}: {exc}", key="toml.syntax", where=str(path), line=line, column=column) from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text", key="toml.encoding", where=str(path)) from None
    except RecursionError:
        raise InputError(f"{path}: arrays or tables nested too deeply", key="toml.nested", where=str(path)) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc.strerror}", key="unreadable", where=str(path)) from None
    r = _Reader(path, raw)
    top = r.table(data, "(top level)", _LEDGER_KEYS)
    year = top.get("year")
    if year is not None and (not isinstance(year, int) or not 1949 <= year <= 2200):
        r.wrong("year", year, "must be a year such as 2017", "year")
        year = None
    issued_on = r.date(top, "issued_on", "issued_on", "2017-03-01")
    spec = LedgerSpec(
        title=r.text(top, "title", "(top level)"),  # none: the check says the ledger has no title
        source=r.text(top, "source", "(top level)") or str(path),
        doc_number=r.text(top, "doc_number", "(top level)"),
        issuer=r.text(top, "issuer", "(top level)"),
        issued_on=issued_on,
        year=year if year is not None else (issued_on.year if issued_on else None),
        where=str(path),
    )
    for i, item in enumerate(r.array(top, "units", "(top level)")):
        path_i = f"units[{i}]"
        before = r.count()
        u = r.table(item, path_i, _UNIT_KEYS)
        spec.units.append(
            UnitSpec(
                name=r.text(u, "name", path_i, required=True),
                person=r.text(u, "person", path_i),
                email=r.text(u, "email", path_i),
                phone=r.text(u, "phone", path_i),
                mobile=r.text(u, "mobile", path_i),
                dingtalk_id=r.text(u, "dingtalk_id", path_i),
                wecom_id=r.text(u, "wecom_id", path_i),
                kind=r.text(u, "kind", path_i),
                group=r.text(u, "group", path_i),
                where=r.where(path_i, u.get("name")),
                broken=r.count() > before,
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
        before = r.count()
        rep = r.table(item, path_i, _REPORT_KEYS)
        deadline = r.text(rep, "deadline", path_i, required=True)
        spec.reports.append(
            ReportSpec(
                name=r.text(rep, "name", path_i, required=True),
                deadline_text=deadline,
                unit_kinds=r.names(rep, "unit_kinds", path_i) or [],
                where=r.where(f"{path_i}.deadline", deadline),
                broken=r.count() > before,
            )
        )
    review = top.get("review")
    if review is not None:
        if not isinstance(review, dict) or set(review) - {"required"} or not isinstance(review.get("required"), bool):
            r.wrong("review", None, "must be a table with required = true or false ([review])", "review")
        else:
            spec.review_required = review["required"]
    escalation = top.get("escalation")
    if escalation is not None:
        if not isinstance(escalation, list) or not all(isinstance(e, dict) for e in escalation):
            r.wrong("escalation", None, "must be an array of tables ([[escalation]])", "not_array")
        else:
            spec.escalation = escalation
    approval = top.get("approval")
    if approval is not None:
        if not isinstance(approval, dict):
            r.wrong("approval", None, "must be a table ([approval])", "not_table")
        else:
            spec.approval = approval
    spec.problems = r.problems
    if not keep_going:
        raise_all(spec.problems)
    return spec
