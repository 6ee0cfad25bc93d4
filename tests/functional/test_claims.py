"""Claims in batches (issue 17): one sender owns each message, and what it never tried goes back."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.functional.test_notify import check, mail_cli  # noqa: F401  (the fixture)
from tests.smtp_server import Server
from tracker.claims import claim_batch, release
from tracker.mailer import Mail, Mailer, Outcome, SendResult

NOW = dt.datetime(2017, 4, 3, 9, 0, tzinfo=dt.UTC)


def outbox(engine: sa.Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                sa.text("SELECT id, revision, status, attempts, claimed_by, handed FROM outbox ORDER BY id")
            )
        )


def events(engine: sa.Engine) -> list[tuple[int, str]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(sa.text("SELECT outbox_id, event FROM send_log ORDER BY id"))]


def tracker_of(db_url: str, tmp_path: Path) -> Any:
    from tracker.app import build

    return build(db_url, tmp_path / "tracker.toml", "测试员")


def test_a_batch_is_one_senders_and_a_release_restores_it(mail_cli, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    check(mail_cli, "2017-04-03")
    tracker = tracker_of(db_url, tmp_path)
    engine = tracker.engine
    wanted = {r.id: r.revision for r in outbox(engine)}
    assert len(wanted) == 2
    with engine.connect() as connection:
        mine = claim_batch(connection, "host:1:a", wanted, NOW)
        theirs = claim_batch(connection, "host:2:b", wanted, NOW)
    assert sorted(mine) == sorted(wanted) and theirs == {}  # never two owners
    assert [(r.status, r.attempts, r.claimed_by) for r in outbox(engine)] == [("sending", 1, "host:1:a")] * 2
    with engine.connect() as connection:
        release(connection, "host:1:a", list(mine.values()), NOW, "server down")
    rows = outbox(engine)
    assert [(r.status, r.attempts, r.handed) for r in rows] == [("queued", 0, False)] * 2  # as they were
    assert [e for _, e in events(engine)] == ["claimed", "claimed", "released", "released"]
    tracker.engine.dispose()


def test_a_stale_revision_is_not_claimed(mail_cli, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    check(mail_cli, "2017-04-03")
    tracker = tracker_of(db_url, tmp_path)
    first, second = outbox(tracker.engine)
    with tracker.engine.connect() as connection:
        claimed = claim_batch(connection, "host:1:a", {first.id: first.revision + 1, second.id: second.revision}, NOW)
    assert list(claimed) == [second.id]  # the first was rebuilt after it was composed
    tracker.engine.dispose()


def test_a_dead_senders_claims_are_taken_over(mail_cli, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    check(mail_cli, "2017-04-03")
    tracker = tracker_of(db_url, tmp_path)
    engine = tracker.engine
    wanted = {r.id: r.revision for r in outbox(engine)}
    with engine.connect() as connection:
        claim_batch(connection, "no-such-sender", wanted, NOW)  # a name no live sender has
        taken = claim_batch(connection, "host:1:a", wanted, NOW)
    assert sorted(taken) == sorted(wanted)
    rows = outbox(engine)
    # Taken over: its first sender may have reached the server, so its content is fixed now.
    assert [(r.status, r.attempts, r.claimed_by, bool(r.handed)) for r in rows] == [
        ("sending", 2, "host:1:a", True)
    ] * 2
    tracker.engine.dispose()


class DownAfterOpen(Mailer):
    """A server that answers the connection, then is gone before the first message."""

    def open(self) -> Mailer:
        return self

    def send(self, mail: Mail, only: list[str] | None = None) -> SendResult:
        return SendResult(Outcome.SERVER_DOWN, reason="cannot reach 127.0.0.1:1: gone")

    def close(self) -> None:
        pass


def test_a_server_gone_mid_run_leaves_the_rest_of_the_batch_queued(
    mail_cli,  # noqa: F811
    server: Server,
    db_url: str,
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    from tracker.usecases.sending import send_messages
    from tracker.usecases.work import actor_of

    check(mail_cli, "2017-04-03")
    tracker = tracker_of(db_url, tmp_path)
    assert tracker.settings.smtp is not None
    result = send_messages(
        tracker,
        actor_of(tracker),
        manual=True,
        as_of=dt.date(2017, 4, 3),
        mailer_factory=lambda: DownAfterOpen(tracker.settings.smtp, None),
    )
    assert (result.sent, result.failed, result.queued) == (0, 1, 2)
    tried, untried = outbox(tracker.engine)
    assert (tried.status, tried.attempts) == ("failed", 1)  # the one it knocked with
    assert (untried.status, untried.attempts, bool(untried.handed)) == ("queued", 0, False)  # never tried: as it was
    assert (untried.id, "released") in events(tracker.engine)
    tracker.engine.dispose()
    # And the next run sends both.
    code = mail_cli("notify", "--json", "--as-of", "2017-04-03").code
    assert code == 0 and len(server.received) == 2
    assert len({str(r.message["Message-ID"]) for r in server.received}) == 2


def test_each_notice_is_rendered_once_per_run(mail_cli, db_url: str, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Two messages carrying the same notice (a resend and a follow-up, say) pay for one .docx."""
    from sqlmodel import col, select

    from tracker import render
    from tracker.models import OutboxMessage
    from tracker.outbox import compose

    check(mail_cli, "2017-04-03")
    app = tracker_of(db_url, tmp_path)
    rendered: list[int] = []
    real = render.docx_bytes

    def counting(detail, *args):  # type: ignore[no-untyped-def]
        rendered.append(detail.number)
        return real(detail, *args)

    monkeypatch.setattr(render, "docx_bytes", counting)
    with app.session() as session:
        rows = list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))
        notice = json.loads(rows[0].notice_ids)[0]
        for row in rows:
            row.notice_ids = json.dumps([notice])
        cache: dict[int, Any] = {}
        mails = [compose(session, row, app.settings, NOW, cache) for row in rows]
        session.rollback()
    assert len(rendered) == 1
    assert [len(m.attachments) for m in mails] == [1, 1] and mails[0].attachments[0] == mails[1].attachments[0]
    assert mails[0].attachments[0].data.startswith(b"PK")  # a real .docx (a zip)
    app.engine.dispose()


def test_sqlite_commits_without_waiting_for_the_disk(tmp_path: Path) -> None:
    """WAL with synchronous=NORMAL: a commit survives the process's crash without an fsync each."""
    from tracker.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    engine.dispose()
