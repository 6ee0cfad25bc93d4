"""review: completions submitted for review (待复核) and the bureau's decision on each

Revision ID: 0013
Revises: 0012
A row per submission: the day the unit says it finished, its note and evidence, who submitted it
and when, and the decision (pending, accepted 销号, returned with a reason). The assignment's own
status says 待复核 / 退回 as a plain value of its status column, so the assignment table (its
PostgreSQL fillfactor and indexes, 0009) is not altered. The ledger gains ``review_required``
(its TOML's ``[review] required``; NULL: the config's).

Create Date: 2026-12-07 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("evidence", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("submitted_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignment.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_assignment_id"), ["assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_submission_decision"), ["decision"], unique=False)
    # The ledger's own [review] required; NULL: the config's [review] required (default false).
    op.add_column("ledger", sa.Column("review_required", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.drop_column("review_required")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_decision"))
        batch_op.drop_index(batch_op.f("ix_submission_assignment_id"))
    op.drop_table("submission")
