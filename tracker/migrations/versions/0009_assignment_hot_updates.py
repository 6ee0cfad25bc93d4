"""PostgreSQL: marking assignments as noticed is a HOT update

Revision ID: 0009
Revises: 0008
A first check over a million assignments marks 320,000 of them as noticed (``notified_level``,
``notified_due``). On PostgreSQL that UPDATE wrote a new version of each row and a new entry in
each of the table's five indexes, because the covering scan index holds those two columns: 10 s
of a 25 s first check. Without them in any index, and with room left on each page (fillfactor),
PostgreSQL updates the rows in place (heap-only tuples) and touches no index. SQLite updates only
the indexes whose columns change and keeps its covering index, which its steady check needs.

The fillfactor applies to pages written from now on; a database filled before this keeps its full
pages until they are rewritten (``VACUUM FULL assignment`` does it at once, under a lock).

Create Date: 2026-11-30 05:25:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILLFACTOR = 70  # tracker.models.ASSIGNMENT_FILLFACTOR when this was written


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_assignment_scan", table_name="assignment")
    op.create_index("ix_assignment_due", "assignment", ["status", "due_on", "unit_id"])
    op.execute(f"ALTER TABLE assignment SET (fillfactor = {FILLFACTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE assignment RESET (fillfactor)")
    op.drop_index("ix_assignment_due", table_name="assignment")
    op.create_index(
        "ix_assignment_scan", "assignment", ["status", "due_on", "notified_level", "notified_due", "unit_id"]
    )
