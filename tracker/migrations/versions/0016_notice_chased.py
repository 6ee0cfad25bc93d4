"""the day an unsigned notice was chased

Revision ID: 0016
Revises: 0015
A notice left unsigned (未签收) for ``[notices] ack_days`` working days is chased once: the daily
check queues a reminder to the unit's responsible person and notes the day here, so that a re-run
(or the next day's check) never reminds twice.

Create Date: 2026-12-07 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chased_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_column("chased_on")
