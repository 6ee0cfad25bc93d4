"""After a check, the CLI's line about the outbox says what comes next: with approval required
the digests wait for `tracker approve-outbox` (a real command), never just "`tracker notify` sends them"."""

from __future__ import annotations

import pytest

from tracker import output


def hint(capsys: pytest.CaptureFixture[str], approval: bool) -> str:
    output.queued_summary(0, 3, (), approval=approval)
    return " ".join(capsys.readouterr().out.split())


def test_digests_waiting_for_approval_name_the_approving_command(capsys: pytest.CaptureFixture[str]) -> None:
    said = hint(capsys, True)
    assert "0 digest(s) queued, 3 refreshed" in said
    assert "wait for approval: `tracker approve-outbox`" in said


def test_without_approval_notify_sends_them(capsys: pytest.CaptureFixture[str]) -> None:
    said = hint(capsys, False)
    assert said.endswith("`tracker notify` sends them") and "approve" not in said


def test_the_named_command_exists() -> None:
    from tracker.cli import cli

    assert "approve-outbox" in cli.commands  # type: ignore[attr-defined]
