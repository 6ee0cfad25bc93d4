"""The deadline calendar, read back with icalendar: events, alarms, and UIDs that stay put."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from icalendar import Calendar

from tests.conftest import LEDGERS

PUYANG = LEDGERS / "puyang-2017-digital-city.toml"
TITLE = "濮阳市所辖县数字化城市管理系统建设工作台账"


def events(path: Path) -> dict[str, object]:
    calendar = Calendar.from_ical(path.read_bytes())
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def test_one_all_day_event_per_open_deadline_with_reminders(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", PUYANG).code == 0
    assert cli("progress", TITLE, "1", "南乐县政府", "--status", "done", "--on", "2017-03-30").code == 0
    out = tmp_path / "deadlines.ics"
    result = cli("calendar", "-o", out, "--json")
    assert result.code == 0, result.err
    assert result.json()["events"] == 44  # 9 tasks x 5 counties, one done
    found = events(out)
    assert len(found) == 44
    first = next(e for e in found.values() if "南乐县政府：任务2" in str(e["summary"]))  # type: ignore[index]
    assert first.decoded("dtstart") == dt.date(2017, 4, 30)  # type: ignore[attr-defined]
    assert first.decoded("dtend") == dt.date(2017, 5, 1)  # type: ignore[attr-defined]
    assert "责任人：刘冰" in str(first["description"])  # type: ignore[index]
    triggers = sorted(a.decoded("trigger") for a in first.walk("VALARM"))  # type: ignore[attr-defined]
    assert triggers == [dt.timedelta(days=-7, hours=9), dt.timedelta(days=-1, hours=9)]  # 9:00, 7 and 1 days before
    assert not any("南乐县政府：任务1 " in str(e["summary"]) for e in found.values())  # type: ignore[index]


def test_uids_are_stable_so_a_reimport_updates(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", PUYANG).code == 0
    before, after = tmp_path / "before.ics", tmp_path / "after.ics"
    assert cli("calendar", "-o", before, "--unit", "范县政府").code == 0
    extend = cli("extend", TITLE, "9", "范县政府", "--to", "2018-12-31", "--reason", "资金", "--as-of", "2017-06-01")
    assert extend.code == 0, extend.err
    assert cli("approve", "1").code == 0
    assert cli("calendar", "-o", after, "--ledger", TITLE, "--unit", "范县政府").code == 0
    old, new = events(before), events(after)
    assert len(old) == 9 and set(old) == set(new)
    moved = [uid for uid in new if new[uid].decoded("dtstart") != old[uid].decoded("dtstart")]  # type: ignore[attr-defined]
    assert len(moved) == 1
    assert new[moved[0]].decoded("dtstart") == dt.date(2018, 12, 31)  # type: ignore[attr-defined]
    assert int(new[moved[0]]["sequence"]) > int(old[moved[0]]["sequence"])  # type: ignore[index]
    # The same ledger imported into another database gives the same UIDs.
    other = cli("--db", f"sqlite:///{tmp_path / 'other.db'}", "import", PUYANG)
    assert other.code == 0, other.err
    again = tmp_path / "again.ics"
    assert cli("--db", f"sqlite:///{tmp_path / 'other.db'}", "calendar", "-o", again, "--unit", "范县政府").code == 0
    assert set(events(again)) == set(old)


def test_bad_calendar_requests(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", PUYANG).code == 0
    wrong = cli("calendar", "-o", tmp_path / "d.txt")
    assert wrong.code == 2 and ".ics" in wrong.err
    unknown = cli("calendar", "-o", tmp_path / "d.ics", "--unit", "没有这个单位")
    assert unknown.code == 2 and "没有这个单位" in unknown.err
    assert not (tmp_path / "d.ics").exists()
