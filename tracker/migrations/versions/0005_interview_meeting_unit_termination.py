"""an interview notice's time and place; a unit's termination date

Revision ID: 0005
Revises: 0004
An interview notice (约谈通知) tells the unit when and where to come. The place may come from the
config when the notice is issued; both can be set later (`tracker interview-schedule`). Until
they are, the notice leaves them blank to be filled in by hand.

A terminated unit (seed 000, article 24) owes no report after the day its work ended, and the
check no longer chases it; its record before that day still counts.

Create Date: 2026-11-30 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("terminated_on", sa.Date(), nullable=True))
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_at", sa.String(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("meeting_place", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_column("terminated_on")
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_column("meeting_place")
        batch_op.drop_column("meeting_at")
