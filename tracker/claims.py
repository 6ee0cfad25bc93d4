"""Who sends which outbox message: claims, marks and releases, each a committed step.

A message is claimed (``sending``, attempts + 1, its sender named, logged) and committed before
the SMTP conversation, and marked ``sent`` or ``failed`` and committed after it. Claims are taken
in batches: one conditional update takes every message of the batch that is still unclaimed
(``queued``, ``failed``) and still the revision that was composed, so two senders at once can
never both own one message, and a run of a thousand messages pays a thousand small marks plus a
few claims rather than two thousand round trips. A message of the batch that this sender never
got to (the server went down) is released as it was. A message left ``sending`` names the sender
that claimed it (``claimed_by``); another sender takes it over, one at a time, only when that
sender is gone (its PostgreSQL session has ended; on SQLite, its process on this machine has
exited), never while it lives.

A message counts as handed to the server (``handed``: its content and Message-ID fixed) from the
moment a conversation about it may have started. While it is ``sending`` nothing rebuilds it, so
that flag is set by the mark (from what the server did) and by a takeover (the dead sender may
have got as far as the server's 250), not by an ordinary claim.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.config import Settings
from tracker.models import OutboxMessage, OutboxStatus, SendLog, table_of

UNSENT = (OutboxStatus.QUEUED.value, OutboxStatus.SENDING.value, OutboxStatus.FAILED.value)
UNCLAIMED = (OutboxStatus.QUEUED.value, OutboxStatus.FAILED.value)
# A claim by a sender whose life cannot be checked from here (a SQLite sender on another machine)
# is taken over once it is this old: far longer than any one SMTP conversation.
CLAIM_EXPIRY = dt.timedelta(hours=1)
# Messages claimed in one step: few enough that a sender stopped mid-batch leaves little for the
# next one to take over, many enough that the claims cost next to nothing beside the marks.
BATCH = 50


@dataclass(frozen=True)
class Claim:
    outbox_id: int
    attempts: int  # this attempt's number
    delivered: frozenset[str]  # the addresses that have it already (a retry skips them)
    was: str  # the status before the claim: what a release restores


@contextmanager
def sender_name(engine: Engine) -> Iterator[str]:
    """This sender's name while it sends, such that another sender can tell whether it still
    lives: on PostgreSQL a session kept open meanwhile (it ends when the process does); on
    SQLite this process (machine, pid and start time)."""
    if engine.dialect.name != "postgresql":
        pid = os.getpid()
        yield f"{socket.gethostname()}:{pid}:{_started(pid)}"
        return
    with engine.connect() as connection:
        pid, start = connection.execute(
            sa.text(
                "SELECT pid, (extract(epoch FROM backend_start) * 1000000)::bigint"
                " FROM pg_stat_activity WHERE pid = pg_backend_pid()"
            )
        ).one()
        connection.rollback()  # the session stays open, idle, for as long as this sender sends
        yield f"pg:{pid}:{start}"


def _started(pid: int) -> str:
    """When process ``pid`` started (clock ticks since boot, from /proc), so that a new process
    that got a dead one's pid is not taken for it; "" when /proc cannot tell or it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _claim_alive(connection: sa.Connection, claimed_by: str, claimed_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether the sender that claimed a ``sending`` message may still be sending it."""
    if not claimed_by:
        return False  # claimed before claims were named: its sender is long gone
    kind, _, rest = claimed_by.partition(":")
    if kind == "pg":
        if connection.dialect.name != "postgresql":
            return False
        backend, _, start = rest.partition(":")
        found = connection.execute(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"
                " AND (extract(epoch FROM backend_start) * 1000000)::bigint = :start"
            ),
            {"pid": int(backend), "start": int(start)},
        ).scalar_one()
        return bool(found)
    parts = claimed_by.rsplit(":", 2)
    if len(parts) != 3:
        return False  # not a name this version gives: nobody alive can have written it
    host, pid_text, started = parts
    if host != socket.gethostname() or not pid_text.isdigit():
        return claimed_at is None or now - claimed_at < CLAIM_EXPIRY  # cannot look: wait it out
    process = int(pid_text)
    try:
        os.kill(process, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, someone else's
    return _started(process) == started


def claim_batch(connection: sa.Connection, me: str, wanted: dict[int, int], now: dt.datetime) -> dict[int, Claim]:
    """Take for this sender those of ``wanted`` (outbox id → the revision composed) that are
    free, in one committed step per kind of claim; the others (sent, rebuilt, dropped, or being
    sent by a live sender) are not in the answer."""
    table = table_of(OutboxMessage)
    revision_matches = sa.tuple_(table.c.id, table.c.revision).in_(list(wanted.items()))
    claims: dict[int, Claim] = {}
    with connection.begin():
        # One conditional update per former status, so that a release knows what to restore;
        # the condition is what makes a message one sender's: a concurrent claim finds it taken.
        for status in UNCLAIMED:
            taken = connection.execute(
                sa.update(table)
                .where(revision_matches, table.c.status == status)
                .values(status=OutboxStatus.SENDING.value, attempts=table.c.attempts + 1, claimed_by=me, claimed_at=now)
                .returning(table.c.id, table.c.attempts, table.c.delivered)
            ).all()
            for outbox_id, attempts, delivered in taken:
                claims[outbox_id] = Claim(outbox_id, attempts, frozenset(json.loads(delivered)), status)
        _log(connection, [(c.outbox_id, "claimed", f"attempt {c.attempts}") for c in claims.values()], now)
    left = [i for i in wanted if i not in claims]
    if left:  # rare: messages whose sender may have died; looked at one by one
        with connection.begin():
            stranded = connection.execute(
                sa.select(table.c.id).where(
                    table.c.id.in_(left), table.c.status == OutboxStatus.SENDING.value, table.c.claimed_by != me
                )
            ).scalars()
            stranded_ids = list(stranded)
        for outbox_id in stranded_ids:
            claim = _take_over(connection, me, outbox_id, wanted[outbox_id], now)
            if claim is not None:
                claims[outbox_id] = claim
    return {i: claims[i] for i in wanted if i in claims}  # in the order asked


def _take_over(connection: sa.Connection, me: str, outbox_id: int, revision: int, now: dt.datetime) -> Claim | None:
    """Take a ``sending`` message whose sender is gone; None while it lives or when another
    sender took it first."""
    table = table_of(OutboxMessage)
    with connection.begin():
        row = connection.execute(
            sa.select(table.c.status, table.c.claimed_by, table.c.claimed_at).where(
                table.c.id == outbox_id, table.c.revision == revision
            )
        ).first()
        if row is None or row.status != OutboxStatus.SENDING.value:
            return None
        if _claim_alive(connection, row.claimed_by, row.claimed_at, now):
            return None  # a live sender is sending it
        taken = connection.execute(
            sa.update(table)
            .where(
                table.c.id == outbox_id,
                table.c.revision == revision,
                table.c.status == row.status,
                table.c.claimed_by == row.claimed_by,
            )
            .values(attempts=table.c.attempts + 1, handed=True, claimed_by=me, claimed_at=now)
            .returning(table.c.attempts, table.c.delivered)
        ).first()
        if taken is None:
            return None  # another sender took it over first
        gone = f"attempt {taken.attempts} (its sender {row.claimed_by} is gone)"
        _log(connection, [(outbox_id, "claimed", gone)], now)
        # A taken-over message is released as failed: its first attempt may have reached the server.
        return Claim(outbox_id, taken.attempts, frozenset(json.loads(taken.delivered)), OutboxStatus.FAILED.value)


def release(connection: sa.Connection, me: str, claims: list[Claim], now: dt.datetime, why: str) -> None:
    """Give back claimed messages this sender never tried to send, as they were before."""
    table = table_of(OutboxMessage)
    with connection.begin():
        for status in UNCLAIMED:
            ids = [c.outbox_id for c in claims if c.was == status]
            if ids:
                connection.execute(
                    sa.update(table)
                    .where(table.c.id.in_(ids), table.c.status == OutboxStatus.SENDING.value, table.c.claimed_by == me)
                    .values(status=status, attempts=table.c.attempts - 1, last_error=why[:2000])
                )
        _log(connection, [(c.outbox_id, "released", why) for c in claims], now)


def retry_at(settings: Settings, attempts: int, now: dt.datetime) -> dt.datetime:
    waits = settings.notify.retry_minutes
    return now + dt.timedelta(minutes=waits[min(attempts, len(waits)) - 1])


@dataclass(frozen=True)
class Mark:
    """What one attempt came to, as the outbox row keeps it."""

    status: str
    delivered: frozenset[str]
    handed: bool
    error: str = ""
    retry_at: dt.datetime | None = None
    event: str = "sent"
    detail: str = ""


def mark(connection: sa.Connection, claim: Claim, result: Mark, now: dt.datetime) -> None:
    """Record an attempt's outcome and commit: from here on a crash cannot resend it."""
    table = table_of(OutboxMessage)
    sent = result.status == OutboxStatus.SENT.value
    with connection.begin():
        connection.execute(
            sa.update(table)
            .where(table.c.id == claim.outbox_id)
            .values(
                status=result.status,
                delivered=json.dumps(sorted(result.delivered)),
                handed=result.handed,
                last_error=result.error,
                next_attempt_at=result.retry_at,
                **({"sent_at": now} if sent else {}),
            )
        )
        _log(connection, [(claim.outbox_id, result.event, result.detail)], now)


def _log(connection: sa.Connection, events: list[tuple[int, str, str]], now: dt.datetime) -> None:
    if events:
        connection.execute(
            sa.insert(table_of(SendLog)),
            [{"outbox_id": i, "at": now, "event": event, "detail": detail} for i, event, detail in events],
        )
