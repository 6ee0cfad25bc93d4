"""Nothing lost, nothing twice: `tracker notify` killed (SIGKILL) at each step, then run again.

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


@pytest.mark.parametrize("point", ["before-first-send", "after-first-250", "before-second-send"])
def test_a_killed_notify_loses_nothing_and_sends_nothing_twice(
    point: str, db_url: str, tmp_path: Path, server: Server
) -> None:
    config = tmp_path / "tracker.toml"
    config.write_text(smtp_config(server.port), encoding="utf-8")
    ledger = tmp_path / "ledger.toml"
    ledger.write_text(LEDGER, encoding="utf-8")
    killer = tmp_path / "killer.py"
    killer.write_text(KILLER, encoding="utf-8")
    env = {**os.environ, "TRACKER_DB": db_url, "TRACKER_CONFIG": str(config)}
    tracker = [sys.executable, "-m", "tracker"]
    assert run([*tracker, "import", str(ledger)], env).returncode == 0
    queued = run([*tracker, "check", "--as-of", "2017-04-03"], env)
    assert queued.returncode == 0, queued.stderr

    killed = run([sys.executable, str(killer), point, "notify", "--as-of", "2017-04-03"], env)
    assert killed.returncode == -signal.SIGKILL
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
