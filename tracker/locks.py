"""Work that must not run twice at once: the daily check, above all.

Two checks that read the same state and then write (report periods, notices, numbers) would both
decide the same things are new. So a check first takes a lock held until its transaction ends;
a second one waits, and then sees everything the first committed and finds nothing new.

PostgreSQL: a transaction-level advisory lock per name. SQLite: the database's write lock, taken
at the start (``BEGIN IMMEDIATE``), because a deferred transaction that read before another
writer committed cannot write at all (SQLITE_BUSY, not a wait).
"""

from __future__ import annotations

import time
import zlib

import sqlalchemy as sa
from sqlmodel import Session

from tracker.errors import BusyError

LABELS = {"check": "检查或导入", "migrate": "数据库升级"}
WAIT_SECONDS = 600.0  # a first check over a million assignments takes under a minute


def hold(session: Session, name: str, *, wait: float = WAIT_SECONDS) -> None:
    """Wait until no other transaction holds ``name``, then hold it until this session's
    transaction ends (commit or rollback)."""
    hold_on(session.connection(), name, wait=wait)


def hold_on(connection: sa.Connection, name: str, *, wait: float = WAIT_SECONDS) -> None:
    """``hold`` for a connection inside a transaction (the migrations' own)."""
    if connection.dialect.name == "postgresql":
        key = zlib.crc32(f"tracker:{name}".encode())
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        return
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.driver_connection
    if raw is None or raw.in_transaction:
        return  # this transaction has written already, so it holds the write lock
    deadline = time.monotonic() + wait
    while True:
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except sa.exc.OperationalError as exc:
            # busy_timeout (10 s) has passed: keep waiting, up to ``wait``.
            if "locked" not in str(exc.orig) or time.monotonic() > deadline:
                what = LABELS.get(name, name)
                raise BusyError(f"另一进程的{what}仍在进行，已等待 {wait:.0f} 秒；请稍后再试") from None
            time.sleep(0.1)
