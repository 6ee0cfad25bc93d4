"""covering scan index, partial unique indexes on notice items

Revision ID: 0003
Revises: 0002
The daily check counts open assignments per deadline range and asks which of them reached a
level not yet noticed; with the notified level and deadline (and the unit, for criticised units)
in the (status, due_on) index, both questions are answered from the index alone. A notice item
is for an assignment or for a report: its two unique keys become partial indexes that skip the
other side's NULLs; the unit index on notice items, which no query uses, goes.

Create Date: 2026-11-23 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["status", "due_on", "notified_level", "notified_due", "unit_id"]


ITEM_KEYS = {
    "uq_notice_item_assignment_level": ["assignment_id", "deadline", "level"],
    "uq_notice_item_report_level": ["report_id", "level"],
}


def upgrade() -> None:
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_status_due")
        batch_op.create_index("ix_assignment_scan", COLUMNS, unique=False)
    with op.batch_alter_table("notice_item", schema=None) as batch_op:
        for name in ITEM_KEYS:
            batch_op.drop_constraint(name, type_="unique")
        batch_op.drop_index("ix_notice_item_unit_id")  # every query reaches items by notice
    for name, columns in ITEM_KEYS.items():
        where = sa.text(f"{columns[0]} IS NOT NULL")
        op.create_index(name, "notice_item", columns, unique=True, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name in ITEM_KEYS:
        op.drop_index(name, table_name="notice_item")
    with op.batch_alter_table("notice_item", schema=None) as batch_op:
        for name, columns in ITEM_KEYS.items():
            batch_op.create_unique_constraint(name, columns)
        batch_op.create_index("ix_notice_item_unit_id", ["unit_id"], unique=False)
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_scan")
        batch_op.create_index("ix_assignment_status_due", ["status", "due_on"], unique=False)
