"""extension steps: the approval chain (审批链) of an extension request

Revision ID: 0014
Revises: 0013
One row per step of a request's chain ([approval] extension in the config): the role that decides
it and who decided, when, how and why. Requests made before this revision have no steps and are
decided in one step, as before. ``ledger.approval`` holds a ledger's own [approval] chains (JSON).

Create Date: 2026-12-07 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approval", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.create_table(
        "extensionstep",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("extension_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["extension_id"], ["extension.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("extension_id", "position"),
    )
    with op.batch_alter_table("extensionstep", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_extensionstep_extension_id"), ["extension_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("extensionstep", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_extensionstep_extension_id"))
    op.drop_table("extensionstep")
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.drop_column("approval")
