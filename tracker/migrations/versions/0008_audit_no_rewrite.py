"""the audit trail cannot be rewritten by REPLACE, an upsert or TRUNCATE

Revision ID: 0008
Revises: 0007
The first migration refuses UPDATE and DELETE on ``audit``. Two ways around them remained:
SQLite's ``INSERT OR REPLACE`` deletes the conflicting row without firing a DELETE trigger
(unless recursive triggers are on), and PostgreSQL's ``TRUNCATE`` fires no row trigger. SQLite
now refuses an insert whose id already exists (before the conflict is resolved); PostgreSQL
refuses TRUNCATE with a statement trigger.

Create Date: 2026-11-30 03:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # The function of the first migration raises 'the audit trail is append-only'.
        op.execute(
            "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()"
        )
        return
    op.execute(
        "CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit "
        "WHEN EXISTS (SELECT 1 FROM audit WHERE id = NEW.id) "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_no_truncate ON audit")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_no_replace")
