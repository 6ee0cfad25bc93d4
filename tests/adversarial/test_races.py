"""Races: the same work started by several processes at one instant, on SQLite and PostgreSQL.

Each test starts real `tracker` processes together (PYTHONPATH pointing at this tree), repeats
for a few rounds, and then checks the promise itself: every email once per recipient, one
current person per unit, one notice per level, nothing lost. Bounded in rounds and time; no
assertion depends on timing.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.smtp_server import Server, smtp_config

TRACKER = [sys.executable, "-m", "tracker"]
TIMEOUT = 300


def ledger(round_no: int, units: int = 6) -> str:
    """A ledger of its own per round (own units, own addresses), every unit overdue by April."""
    lines = [f'title = "竞态第{round_no}轮"', f'doc_number = "测试〔2017〕{100 + round_no}号"', "year = 2017", ""]
    for i in range(units):
        lines += ["[[units]]", f'name = "第{round_no}轮单位{i}"', f'person = "人员{round_no}-{i}"']
        lines += [f'email = "r{round_no}u{i}@example.gov.cn"']
    lines += ["", "[[tasks]]", 'text = "完成改造方案"', 'deadline = "2017年3月31日"', ""]
    return "\n".join(lines)


def environment(db_url: str, tmp_path: Path, config: str | None = None) -> dict[str, str]:
    env = {**os.environ, "TRACKER_DB": db_url, "XDG_DATA_HOME": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    env.pop("TRACKER_CONFIG", None)
    if config is not None:
        path = tmp_path / "tracker.toml"
        path.write_text(config, encoding="utf-8")
        env["TRACKER_CONFIG"] = str(path)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    return done


# Each process imports everything first, says it is ready, and starts the command only when told
# (all of them at one instant). ``slow-read`` makes a personnel change linger after reading the
# current person, as a busy machine would: the window a stale read has to go wrong in.
STARTER = """
import sys, time
from pathlib import Path
from tracker import progress
from tracker.cli import main

if sys.argv[3] == "slow-read":
    read = progress.current_person
    def current_person(session, unit):
        found = read(session, unit)
        time.sleep(0.3)
        return found
    progress.current_person = current_person
Path(sys.argv[2]).touch()
while not Path(sys.argv[1]).exists():
    time.sleep(0.002)
main(sys.argv[4:])
"""


def at_once(
    commands: list[list[str]], env: dict[str, str], folder: Path, mode: str = "plain"
) -> list[tuple[int, str, str]]:
    """Start every `tracker` command together; their exit codes and output once all have ended."""
    import time
    import uuid

    starter, go = folder / "starter.py", folder / f"go-{uuid.uuid4().hex}"
    starter.write_text(STARTER, encoding="utf-8")
    ready = [folder / f"ready-{uuid.uuid4().hex}" for _ in commands]
    started = [
        subprocess.Popen(
            [sys.executable, str(starter), str(go), str(flag), mode, *command],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command, flag in zip(commands, ready, strict=True)
    ]
    deadline = time.monotonic() + 60
    while not all(flag.exists() for flag in ready) and time.monotonic() < deadline:
        if any(process.poll() is not None for process in started):
            break
        time.sleep(0.01)
    go.touch()
    outputs = [process.communicate(timeout=TIMEOUT) for process in started]
    return [(process.returncode, out, err) for process, (out, err) in zip(started, outputs, strict=True)]


def clean(outcomes: list[tuple[int, str, str]]) -> None:
    assert [code for code, _, _ in outcomes] == [0] * len(outcomes), [err for _, _, err in outcomes]
    assert all("Traceback" not in err and "internal error" not in err for _, _, err in outcomes)


def copies(server: Server) -> collections.Counter[tuple[str, str]]:
    """How many times each (recipient, Message-ID) reached the server."""
    return collections.Counter(
        (recipient, str(r.message["Message-ID"])) for r in server.received for recipient in r.rcpt_tos
    )


@pytest.fixture
def slow_server() -> object:
    running = Server(delay=0.25)
    yield running
    running.stop()


@pytest.mark.parametrize("senders", [2, 4])
def test_senders_at_once_send_every_email_once(senders: int, db_url: str, tmp_path: Path, slow_server: Server) -> None:
    """Issue 14 item 1: N `notify` at one instant against a slow server, three rounds."""
    env = environment(db_url, tmp_path, smtp_config(slow_server.port))
    for round_no in range(3):
        (tmp_path / f"round{round_no}.toml").write_text(ledger(round_no), encoding="utf-8")
        run([*TRACKER, "import", str(tmp_path / f"round{round_no}.toml")], env)
        run([*TRACKER, "check", "--as-of", "2017-04-03"], env)
        clean(at_once([["notify", "--as-of", "2017-04-03", "--now", "--json"]] * senders, env, tmp_path))
    counts = copies(slow_server)
    assert [key for key, n in counts.items() if n > 1] == []  # never twice
    listed = json.loads(run([*TRACKER, "outbox", "--all", "--json"], env).stdout)
    assert {m["status"] for m in listed} == {"sent"}  # nothing left behind
    assert len(counts) == len(listed) == 3 * 6  # nothing lost: one digest per person


def current_persons(db_url: str) -> dict[str, list[str]]:
    """Each unit's current persons (until IS NULL), as the database holds them."""
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT unit.name, person.name FROM person JOIN unit ON unit.id = person.unit_id"
                    " WHERE person.until IS NULL ORDER BY person.id"
                )
            ).all()
    finally:
        engine.dispose()
    found: dict[str, list[str]] = collections.defaultdict(list)
    for unit, person in rows:
        found[unit].append(person)
    return dict(found)


def test_personnel_changes_at_once_leave_one_current_person(db_url: str, tmp_path: Path) -> None:
    """Issue 14 item 4: four `tracker person` for one unit at one instant, four rounds: one wins
    (or several, one after another), the others are refused (exit 2, a message), never two current."""
    env = environment(db_url, tmp_path)
    (tmp_path / "round0.toml").write_text(ledger(0, units=1), encoding="utf-8")
    run([*TRACKER, "import", str(tmp_path / "round0.toml")], env)
    for round_no in range(4):
        names = [f"新人{round_no}{i}" for i in range(4)]
        commands = [["person", "竞态第0轮", "第0轮单位0", "--name", name] for name in names]
        outcomes = at_once(commands, env, tmp_path, "slow-read")
        assert all(code in (0, 2) for code, _, _ in outcomes), [err for _, _, err in outcomes]
        assert all("Traceback" not in err and "internal error" not in err for _, _, err in outcomes)
        assert any(code == 0 for code, _, _ in outcomes)
        refused = [err for code, _, err in outcomes if code == 2]
        assert all("changed by someone else" in err for err in refused), refused
        current = current_persons(db_url)
        assert len(current["第0轮单位0"]) == 1, current
        assert current["第0轮单位0"][0] in names
        shown = json.loads(run([*TRACKER, "show", "竞态第0轮", "--json"], env).stdout)
        assert [row["person"] for row in shown["rows"]] == current["第0轮单位0"]  # listed once


def test_the_migration_keeps_the_newest_of_several_current_persons(db_url: str) -> None:
    """Duplicates left by the race before the fix: the newest stays current, the others are closed
    when it began; then the index holds."""
    import sqlalchemy as sa
    from alembic import command

    from tracker.db import _alembic_config, make_engine, open_database

    engine = make_engine(db_url)
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0006")
        connection.execute(
            sa.text(
                "INSERT INTO ledger (title, doc_number, issuer, source, created_at, updated_at, year)"
                " VALUES ('台账', '', '', '', '2017-01-01 00:00:00', '2017-01-01 00:00:00', 2017)"
            )
        )
        for unit in ("甲", "乙"):
            connection.execute(
                sa.text(
                    "INSERT INTO unit (ledger_id, position, name, kind, group_name)"
                    " SELECT id, 1, :name, '', '' FROM ledger"
                ),
                {"name": unit},
            )
        people = [  # (unit, name, since, until)
            ("甲", "旧", "2017-01-01 00:00:00", "2017-02-01 00:00:00"),
            ("甲", "张", "2017-02-01 00:00:00", None),
            ("甲", "王", "2017-03-01 00:00:00", None),  # the newest
            ("甲", "李", "2017-02-15 00:00:00", None),
            ("乙", "赵", "2017-01-01 00:00:00", None),
            ("乙", "钱", "2017-01-01 00:00:00", None),  # same moment: the later row
        ]
        for unit, name, since, until in people:
            connection.execute(
                sa.text(
                    "INSERT INTO person (unit_id, name, email, phone, since, until)"
                    " SELECT id, :name, '', '', :since, :until FROM unit WHERE name = :unit"
                ),
                {"unit": unit, "name": name, "since": since, "until": until},
            )
    engine.dispose()
    upgraded = open_database(db_url)
    upgraded.dispose()
    assert current_persons(db_url) == {"甲": ["王"], "乙": ["钱"]}
    engine = make_engine(db_url)
    with engine.connect() as connection:
        closed = dict(
            connection.execute(sa.text("SELECT name, until FROM person WHERE name IN ('张', '李', '赵', '旧')")).all()
        )
        assert {name: str(until)[:10] for name, until in closed.items()} == {
            "旧": "2017-02-01",
            "张": "2017-03-01",
            "李": "2017-03-01",
            "赵": "2017-01-01",
        }
        with pytest.raises(sa.exc.IntegrityError):
            connection.execute(
                sa.text(
                    "INSERT INTO person (unit_id, name, email, phone, since)"
                    " SELECT id, '再', '', '', '2017-04-01 00:00:00' FROM unit WHERE name = '乙'"
                )
            )
    engine.dispose()


def notices(env: dict[str, str]) -> list[dict[str, object]]:
    listed = json.loads(run([*TRACKER, "notices", "--json"], env).stdout)
    assert isinstance(listed, list)
    return listed


def test_a_check_and_an_import_at_once_both_finish_and_issue_once(db_url: str, tmp_path: Path) -> None:
    """Issue 14 item 5: each round imports a new ledger while a check runs (and the ledgers of
    the rounds before, unchanged, again): both exit 0; nothing issued twice, nothing lost."""
    env = environment(db_url, tmp_path)
    (tmp_path / "round0.toml").write_text(ledger(0), encoding="utf-8")
    run([*TRACKER, "import", str(tmp_path / "round0.toml")], env)
    days = ["2017-04-05", "2017-04-20", "2017-05-05", "2017-07-20"]
    for round_no, day in enumerate(days, start=1):
        (tmp_path / f"round{round_no}.toml").write_text(ledger(round_no), encoding="utf-8")
        files = [str(tmp_path / f"round{n}.toml") for n in range(round_no + 1)]
        clean(at_once([["check", "--as-of", day, "--json"], ["import", *files]], env, tmp_path))
        run([*TRACKER, "check", "--as-of", day], env)  # what the racing check may not have seen yet
    issued = notices(env)
    numbers = [n["number"] for n in issued]
    assert len(numbers) == len(set(numbers))
    keys = [(n["ledger"], n["kind"], json.dumps(n["units"]), n["as_of"]) for n in issued]
    assert len(keys) == len(set(keys))  # one notice per ledger, level, unit and day
    # Nothing lost: every ledger is there, whole, and the last day's check covered them all.
    for round_no in range(len(days) + 1):
        shown = json.loads(run([*TRACKER, "show", f"竞态第{round_no}轮", "--json"], env).stdout)
        assert {row["unit"] for row in shown["rows"]} == {f"第{round_no}轮单位{i}" for i in range(6)}
        assert any(n["ledger"] == f"竞态第{round_no}轮" for n in issued)


def test_two_imports_of_one_file_at_once_make_one_ledger(db_url: str, tmp_path: Path) -> None:
    """The same file imported by three processes at one instant, three rounds: one ledger."""
    env = environment(db_url, tmp_path)
    path = tmp_path / "round0.toml"
    path.write_text(ledger(0), encoding="utf-8")
    run([*TRACKER, "ledgers"], env)  # the schema made first: not what is raced here
    for _ in range(3):
        clean(at_once([["import", str(path)]] * 3, env, tmp_path))
    listed = json.loads(run([*TRACKER, "ledgers", "--json"], env).stdout)
    assert [entry["title"] for entry in listed] == ["竞态第0轮"]
    shown = json.loads(run([*TRACKER, "show", "竞态第0轮", "--json"], env).stdout)
    assert len(shown["rows"]) == 6  # each unit once: one task, owed once
