"""accounts: who may use the tracker, with a role, and for unit accounts their unit

Revision ID: 0011
Revises: 0010
An empty table means desk mode (everything allowed, as before this revision); the first account
ends it. Passwords are kept as argon2 hashes only.

Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", text(), nullable=False),
        sa.Column("display", text(), nullable=False),
        sa.Column("role", text(), nullable=False),
        sa.Column("unit_name", text(), nullable=False),
        sa.Column("password_hash", text(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("login"),
    )


def downgrade() -> None:
    op.drop_table("account")
