"""covering scan index

Revision ID: 0003
Revises: 0002
The daily check counts open assignments per deadline range and asks which of them reached a
level not yet noticed; with the notified level and deadline (and the unit, for criticised units)
in the (status, due_on) index, both questions are answered from the index alone.

Create Date: 2026-11-23 02:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["status", "due_on", "notified_level", "notified_due", "unit_id"]


def upgrade() -> None:
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_status_due")
        batch_op.create_index("ix_assignment_scan", COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_scan")
        batch_op.create_index("ix_assignment_status_due", ["status", "due_on"], unique=False)
