"""A year of daily checks on the shipped ledgers, with progress, a late report, an extension, a
termination and a trigger along the way; then every notice is read back against the ones before it.

The check's truth is a property of sequences of days: a notice may only say what happened, the
ladder climbs once per level, a bulletin is one per ledger and day, an interview needs its 30 days
or two earlier days of criticism, and nothing reaches a unit after it finished or was terminated.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from tests.conftest import LEDGERS

PUYANG = (LEDGERS / "puyang-2017-digital-city.toml").read_text(encoding="utf-8")
# The seed has the counties report progress (督查进度一览表); the shipped ledger leaves it out.
PUYANG_REPORTS = PUYANG + '\n[[reports]]\nname = "督查进度一览表"\ndeadline = "每月25日前"\n'
PILOTS = LEDGERS / "smart-city-pilots-2013.toml"
NUMBER = re.compile(r"督查〔\d{4}〕\d+号")


def day_by_day(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def ok(result: Any) -> Any:
    assert result.code == 0, result.err
    return result


def test_a_year_of_daily_checks_tells_only_what_happened(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    puyang = tmp_path / "puyang.toml"
    puyang.write_text(PUYANG_REPORTS, encoding="utf-8")
    ok(cli("import", puyang, PILOTS))
    events = {
        dt.date(2017, 3, 20): [("progress", "1", "1", "南乐县", "--status", "done", "--on", "2017-03-20")],
        dt.date(2017, 4, 12): [("progress", "1", "2", "南乐县", "--status", "done", "--on", "2017-04-12")],
        dt.date(2017, 4, 26): [("received", "1", "濮阳县", "--on", "2017-04-26", "--period", "2017-04-25")],
        dt.date(2017, 5, 10): [
            (
                "extend",
                "1",
                "2",
                "清丰县",
                "--to",
                "2017-06-30",
                "--reason",
                "资金未到位",
                "--late",
                "--as-of",
                "2017-05-10",
            ),
        ],
        dt.date(2017, 6, 1): [("terminate", "1", "台前县", "--reason", "试点终止", "--on", "2017-06-01")],
        dt.date(2017, 8, 1): [("trigger", "2", "5", "--on", "2017-08-01")],
    }
    done_on = {("濮阳市所辖县数字化城市管理系统建设工作台账", "南乐县政府", "1"): dt.date(2017, 3, 20)}
    done_on[("濮阳市所辖县数字化城市管理系统建设工作台账", "南乐县政府", "2")] = dt.date(2017, 4, 12)
    for day in day_by_day(dt.date(2017, 3, 1), dt.date(2017, 12, 31)):
        for args in events.get(day, []):
            made = ok(cli(*args, "--json") if args[0] == "extend" else cli(*args))
            if args[0] == "extend":
                ok(cli("approve", str(made.json()["id"])))
        ok(cli("check", "--as-of", day.isoformat()))

    notices = ok(cli("notices", "--json")).json()
    assert len({n["number"] for n in notices}) == len(notices)
    details = {n["id"]: ok(cli("notice", "show", str(n["id"]), "--json")).json() for n in notices}
    bulletin_days: dict[str, set[str]] = defaultdict(set)  # unit -> days it was criticised
    seen: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)  # what each item had before
    per_day: dict[tuple[str, str], int] = defaultdict(int)
    bulletins_of: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for notice in sorted(notices, key=lambda n: n["id"]):
        detail = details[notice["id"]]
        kind, as_of = notice["kind"], dt.date.fromisoformat(notice["as_of"])
        keys = {_key(notice["ledger"], item) for item in detail["items"]}
        earlier = [e for key in keys for e in seen[key]]
        if kind in ("interview", "accountability"):  # and the bulletins that criticised the unit
            earlier += [b for b in bulletins_of[(notice["ledger"], detail["units"][0])]]
        expected = sorted({e["number"] for e in earlier}, key=lambda number: _serial(number))
        assert [e["number"] for e in detail["earlier"]] == expected, notice["number"]

        text = re.sub(r"\s+", "", ok(cli("notice", "show", str(notice["id"]))).out)  # lines joined again
        assert "经督办、通报和约谈" not in text
        if kind in ("warning", "criticism"):
            assert set(NUMBER.findall(text)) == {notice["number"]}  # they claim no history
        else:
            # An interview notice and a referral name exactly the notices issued before about
            # their tasks, with their dates, or say plainly that there were none.
            assert set(NUMBER.findall(text)) == {notice["number"], *expected}, notice["number"]
            assert ("此前未就上述任务" in text) == (not expected), notice["number"]
            for e in earlier:
                assert f"{_cn(e['as_of'])}" in text
        if kind == "criticism":
            per_day[(notice["ledger"], notice["as_of"])] += 1
        for item in detail["items"]:
            late = item["days_overdue"]
            if kind == "warning":
                assert late >= 1
            if kind == "accountability":
                assert late >= 90, (notice["number"], item)
            if kind == "interview" and item["task"]:
                days = {d for d in bulletin_days[item["unit"]] if d < notice["as_of"]}
                assert late >= 30 or len(days) >= 2, (notice["number"], item, days)
            finished = done_on.get((notice["ledger"], item["unit"], item["task"]))
            assert finished is None or as_of < finished, (notice["number"], item)
            if item["unit"] == "台前县政府":
                assert as_of < dt.date(2017, 6, 1), notice["number"]
            if item["unit"] == "清丰县政府" and item["task"] == "2" and as_of > dt.date(2017, 5, 10):
                assert item["deadline"] == "2017-06-30"
        for key in keys:
            levels = [e["kind"] for e in seen[key] if e["deadline"] == _deadline(detail, key, notice["ledger"])]
            assert kind not in levels, (notice["number"], key)  # each level once per deadline
            seen[key].append(
                {
                    "number": notice["number"],
                    "as_of": notice["as_of"],
                    "kind": kind,
                    "deadline": _deadline(detail, key, notice["ledger"]),
                }
            )
        if kind == "criticism":
            for unit in detail["units"]:
                bulletin_days[unit].add(notice["as_of"])
                bulletins_of[(notice["ledger"], unit)].append({"number": notice["number"], "as_of": notice["as_of"]})
    assert per_day and max(per_day.values()) == 1  # one bulletin per ledger and day
    kinds = {n["kind"] for n in notices}
    assert kinds == {"warning", "criticism", "interview", "accountability"}


def _key(ledger: str, item: dict[str, Any]) -> tuple[str, str, str]:
    """An assignment (ledger, unit, task) or a report period (ledger, unit, report and period)."""
    if item["task"]:
        return ledger, item["unit"], item["task"]
    return ledger, item["unit"], f"{item['task_text']}@{item['deadline']}"


def _deadline(detail: dict[str, Any], key: tuple[str, str, str], ledger: str) -> str:
    return next(i["deadline"] for i in detail["items"] if _key(ledger, i) == key)


def _serial(number: str) -> tuple[int, int]:
    year, serial = re.findall(r"\d+", number)
    return int(year), int(serial)


def _cn(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"
