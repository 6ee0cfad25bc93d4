"""Nothing lost, nothing twice: `tracker notify` killed (SIGKILL) at each step, then run again,
on email and on a robot channel.

The sending process is a real `tracker notify` whose mailer kills its own process at the chosen
moment: before the first message reaches the server (after its row was claimed), right after the
server's 250 (before the row is marked sent), or before the second message (the first sent and
marked). A second, unharmed `notify` must then deliver every digest exactly once, except in the
one unavoidable case (killed between the 250 and the mark), where the resend carries the same
Message-ID, so the duplicate is recognisable as one.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.functional.test_notify import LEDGER
from tests.http_server import FakeService
from tests.smtp_server import Server, smtp_config

KILLER = """
import os, signal, sys
from tracker import mailer

point, calls = sys.argv[1], []
original = mailer.Mailer.send

def send(self, mail, only=None):
    calls.append(mail.message_id)
    if point == "before-first-send" or (point == "before-second-send" and len(calls) == 2):
        os.kill(os.getpid(), signal.SIGKILL)
    result = original(self, mail, only)
    if point == "after-first-250":
        os.kill(os.getpid(), signal.SIGKILL)
    return result

mailer.Mailer.send = send
from tracker.cli import main
main(sys.argv[2:])
"""


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)


def checked_then_killed(
    tmp_path: Path, point: str, killer_text: str, db_url: str, config_text: str, ledger_text: str, extra: dict[str, str]
) -> dict[str, str]:
    """Import, check, then a `notify` killed at ``point`` by ``killer_text``; the environment
    for the runs after it."""
    config = tmp_path / "tracker.toml"
    config.write_text(config_text, encoding="utf-8")
    ledger = tmp_path / "ledger.toml"
    ledger.write_text(ledger_text, encoding="utf-8")
    killer = tmp_path / "killer.py"
    killer.write_text(killer_text, encoding="utf-8")
    env = {**os.environ, "TRACKER_DB": db_url, "TRACKER_CONFIG": str(config), **extra}
    tracker = [sys.executable, "-m", "tracker"]
    assert run([*tracker, "import", str(ledger)], env).returncode == 0
    queued = run([*tracker, "check", "--as-of", "2017-04-03"], env)
    assert queued.returncode == 0, queued.stderr
    killed = run([sys.executable, str(killer), point, "notify", "--as-of", "2017-04-03"], env)
    assert killed.returncode == -signal.SIGKILL
    return env


@pytest.mark.parametrize("point", ["before-first-send", "after-first-250", "before-second-send"])
def test_a_killed_notify_loses_nothing_and_sends_nothing_twice(
    point: str, db_url: str, tmp_path: Path, server: Server
) -> None:
    env = checked_then_killed(tmp_path, point, KILLER, db_url, smtp_config(server.port), LEDGER, {})
    tracker = [sys.executable, "-m", "tracker"]
    delivered_before = len(server.received)
    assert delivered_before == {"before-first-send": 0, "after-first-250": 1, "before-second-send": 1}[point]

    again = run([*tracker, "notify", "--as-of", "2017-04-03", "--json"], env)
    assert again.returncode == 0, again.stderr
    ids = server.handler.message_ids()
    counts = collections.Counter(ids)
    assert len(counts) == 2  # both digests arrived: nothing lost
    if point == "after-first-250":
        # Killed between the server's 250 and our mark: the one unavoidable resend, same Message-ID.
        assert sorted(counts.values()) == [1, 2]
        assert ids[0] == ids[1]
    else:
        assert sorted(counts.values()) == [1, 1]  # nothing twice
    third = run([*tracker, "notify", "--as-of", "2017-04-03", "--json"], env)
    assert third.returncode == 0 and len(server.received) == len(ids)  # and nothing more later


ROBOT_KILLER = """
import os, signal, sys
from tracker.channels import dingtalk

point, calls = sys.argv[1], []
original = dingtalk.DingTalkRobot.send

def send(self, message, recipient, *, now):
    calls.append(message.key)
    if point == "before-first-send" or (point == "before-second-send" and len(calls) == 2):
        os.kill(os.getpid(), signal.SIGKILL)
    result = original(self, message, recipient, now=now)
    if point == "after-first-answer":
        os.kill(os.getpid(), signal.SIGKILL)
    return result

dingtalk.DingTalkRobot.send = send
from tracker.cli import main
main(sys.argv[2:])
"""


@pytest.mark.parametrize("point", ["before-first-send", "after-first-answer", "before-second-send"])
def test_a_killed_notify_loses_no_robot_message_and_sends_none_twice(
    point: str,
    db_url: str,
    tmp_path: Path,
    service: FakeService,
) -> None:
    """The same for a robot channel: two DingTalk robots (one for a unit, one for the rest of the
    ledger), no mail server at all; the robot server checks every signature."""
    from tests.functional.test_channel_outbox import LEDGER as ROBOT_LEDGER
    from tests.functional.test_channel_outbox import robot_table
    from tests.functional.test_channels import SECRET, TOKEN, dingtalk_checks

    service.answer = dingtalk_checks
    robots = robot_table(service.url, 南乐群='unit = "南乐县政府"', 专班群='ledger = "老旧小区改造"')
    secrets = {"TEST_DT_SECRET": SECRET, "TEST_DT_TOKEN_0": TOKEN, "TEST_DT_TOKEN_1": TOKEN}
    env = checked_then_killed(tmp_path, point, ROBOT_KILLER, db_url, robots, ROBOT_LEDGER, secrets)
    tracker = [sys.executable, "-m", "tracker"]
    assert len(service.arrived) == {"before-first-send": 0, "after-first-answer": 1, "before-second-send": 1}[point]

    again = run([*tracker, "notify", "--as-of", "2017-04-03", "--json"], env)
    assert again.returncode == 0, again.stdout + again.stderr
    titles = [a.body["markdown"]["text"] for a in service.arrived]
    groups = collections.Counter("南乐县政府" in t and "范县政府" not in t for t in titles)
    assert set(groups) == {True, False}  # both robots' messages arrived: nothing lost
    if point == "after-first-answer":
        # Killed between the robot's answer and our mark: the one unavoidable resend, the same text.
        assert sorted(groups.values()) == [1, 2] and titles[0] == titles[1]
    else:
        assert sorted(groups.values()) == [1, 1]  # nothing twice
    third = run([*tracker, "notify", "--as-of", "2017-04-03", "--json"], env)
    assert third.returncode == 0 and len(service.arrived) == len(titles)  # and nothing more later
