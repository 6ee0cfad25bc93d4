"""PostgreSQL group roles, so that a person's own database connection can do no more than their
role may, even outside the product (README.md, "Accounts and permissions").

Each person connects as their own login role, a member of one group: tracker_viewer (reads),
tracker_clerk and tracker_supervisor (the product's writes, accounts read only), tracker_admin
(everything on the product's tables). Nobody but the owner may rewrite the audit trail: the
groups may read it and append to it (a viewer's refusals and copies are audited too), never
UPDATE or DELETE it (the triggers of migrations 0001 and 0008 refuse those for the owner as well).

Roles are global to the PostgreSQL cluster while the grants are per schema: ``grant_groups``
creates the roles when missing (under an advisory lock: two schemas migrating at once would
otherwise both try to create them) and grants on the tables of the schema in use. Migration
0015 calls it, and ``tracker.db.migrate`` again after every upgrade so that a later revision's
tables are granted too. Nothing on SQLite (one file, one desk).
"""

from __future__ import annotations

import zlib

import sqlalchemy as sa

GROUPS = {
    "viewer": "tracker_viewer",
    "clerk": "tracker_clerk",
    "supervisor": "tracker_supervisor",
    "admin": "tracker_admin",
}
_WRITE = "SELECT, INSERT, UPDATE, DELETE"
_APPEND = "SELECT, INSERT"  # the audit trail: read it, add to it
_SERVER_ONLY = frozenset({"web_session", "login_attempt"})  # the web portal's (it connects as the owner)


def _privileges(table: str) -> dict[str, str]:
    """Group → what it may do on ``table``."""
    if table == "audit":
        return dict.fromkeys(GROUPS.values(), _APPEND)
    if table == "alembic_version":  # every connection reads it to see the schema is current
        return dict.fromkeys(GROUPS.values(), "SELECT")
    if table in _SERVER_ONLY:  # token hashes and lockout counts: a clerk's own connection could forge a login
        return {GROUPS["admin"]: _WRITE}
    staff = "SELECT" if table == "account" else _WRITE  # accounts are the admin's business
    return {
        GROUPS["viewer"]: "SELECT",
        GROUPS["clerk"]: staff,
        GROUPS["supervisor"]: staff,
        GROUPS["admin"]: _WRITE,
    }


def grant_groups(connection: sa.Connection) -> None:
    """Create the four group roles if missing and grant them on the current schema's tables."""
    if connection.dialect.name != "postgresql":
        return
    key = zlib.crc32(b"tracker:roles")
    connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    for group in GROUPS.values():
        connection.exec_driver_sql(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{group}') "
            f"THEN CREATE ROLE {group} NOLOGIN; END IF; END $$"
        )
    quote = connection.dialect.identifier_preparer.quote
    schema = quote(connection.execute(sa.text("SELECT current_schema()")).scalar_one())
    tables = connection.execute(
        sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    ).scalars()
    everyone = ", ".join(GROUPS.values())
    statements = [
        f"GRANT USAGE ON SCHEMA {schema} TO {everyone}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {everyone}",
    ]
    for table in tables:
        for group, privileges in _privileges(table).items():
            statements.append(f"GRANT {privileges} ON {schema}.{quote(table)} TO {group}")
    connection.exec_driver_sql(";\n".join(statements))


def connected_as(engine: sa.Engine) -> tuple[str, bool]:
    """The role this engine connects as, and whether it owns the product's tables (or is a
    superuser): the owner connection may still name who acts (``--as``); no other may."""
    with engine.connect() as connection:
        row = connection.execute(
            sa.text(
                "SELECT current_user, "
                "COALESCE((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) "
                "OR COALESCE(pg_has_role(current_user, "
                "(SELECT relowner FROM pg_class WHERE oid = to_regclass('audit')), 'USAGE'), false)"
            )
        ).one()
    return str(row[0]), bool(row[1])
