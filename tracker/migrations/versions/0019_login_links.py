"""login links: one-time, short-lived links that open a portal session

Revision ID: 0019
Revises: 0018
A link row keeps the SHA-256 of its random token, never the token; a session opened by a link
says so (``web_session.via_link``): it may set a new password without the old one.

Create Date: 2026-12-07 11:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "login_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", text(), nullable=False),
        sa.Column("login", text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(op.f("ix_login_link_login"), "login_link", ["login"], unique=False)
    with op.batch_alter_table("web_session") as batch_op:
        batch_op.add_column(sa.Column("via_link", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("web_session") as batch_op:
        batch_op.drop_column("via_link")
    op.drop_table("login_link")
