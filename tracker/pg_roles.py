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

import base64
import hashlib
import hmac
import os
import stringprep
import unicodedata
import zlib
from dataclasses import dataclass

import sqlalchemy as sa

from tracker.refusals import Refusal

GROUPS = {
    "viewer": "tracker_viewer",
    "clerk": "tracker_clerk",
    "supervisor": "tracker_supervisor",
    "admin": "tracker_admin",
}
_WRITE = "SELECT, INSERT, UPDATE, DELETE"
_APPEND = "SELECT, INSERT"  # the audit trail: read it, add to it
_SERVER_ONLY = frozenset({"web_session", "login_attempt", "login_link"})  # the web portal's (it connects as the owner)


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


# --- Each person's login role, made and changed with their account (tracker/usecases/accounts.py).

MARK = "tracker: a 督查台账 account's login"  # COMMENT ON ROLE: the roles tracker made and may change
NAME_BYTES = 63  # PostgreSQL's longest role name (NAMEDATALEN - 1); a longer one would be cut short


@dataclass(frozen=True)
class Login:
    """What became of an account's database login role.

    ``state``: ``none`` (not PostgreSQL: nothing to do), ``unit`` (a unit account has no login: its
    people use the web portal), ``done`` (made or changed as asked), ``dba`` (this connection may
    not manage roles: ``sql`` is what the DBA runs, never with a password), ``foreign`` (a role of
    that name exists that tracker did not make, or a superuser's: left alone), ``exists`` (a new
    account's name is a role already: left alone), ``absent`` (the account has no login role to
    change)."""

    state: str
    sql: str = ""


NONE = Login("none")


def quote_role(name: str) -> str:
    """``name`` as a quoted identifier, whatever it holds (quotes, spaces, Chinese, SQL)."""
    return '"' + name.replace('"', '""') + '"'


def scram_verifier(password: str, *, salt: bytes | None = None, iterations: int = 4096) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``password`` (RFC 5802, RFC 7677), made
    here so that the password itself never reaches the server (nor its log):
    ``SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>``, base64. The password is
    SASLprep'd first as PostgreSQL and libpq do (kept as typed when SASLprep refuses it)."""
    salt = os.urandom(16) if salt is None else salt
    prepared = _saslprep(password)
    salted = hashlib.pbkdf2_hmac("sha256", (password if prepared is None else prepared).encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    b64 = base64.b64encode
    return f"SCRAM-SHA-256${iterations}:{b64(salt).decode()}${b64(stored_key).decode()}:{b64(server_key).decode()}"


_PROHIBITED = (
    stringprep.in_table_c12,
    stringprep.in_table_c21,
    stringprep.in_table_c22,
    stringprep.in_table_c3,
    stringprep.in_table_c4,
    stringprep.in_table_c5,
    stringprep.in_table_c6,
    stringprep.in_table_c7,
    stringprep.in_table_c8,
    stringprep.in_table_c9,
    stringprep.in_table_a1,
)


def _saslprep(text: str) -> str | None:
    """RFC 4013's SASLprep of ``text``, or None where it is refused (PostgreSQL then uses the
    password as typed). Pure ASCII is left as it is, as PostgreSQL does."""
    if text.isascii():
        return text
    mapped = "".join(" " if stringprep.in_table_c12(c) else c for c in text if not stringprep.in_table_b1(c))
    prepared = unicodedata.normalize("NFKC", mapped)
    if not prepared or any(test(c) for c in prepared for test in _PROHIBITED):
        return None
    if any(stringprep.in_table_d1(c) for c in prepared) and (
        any(stringprep.in_table_d2(c) for c in prepared)
        or not (stringprep.in_table_d1(prepared[0]) and stringprep.in_table_d1(prepared[-1]))
    ):
        return None
    return prepared


def may_manage_roles(connection: sa.Connection) -> bool:
    """Whether this connection may make login roles and put them in the groups: a superuser, or
    a role with CREATEROLE (from PostgreSQL 16 also holding the groups WITH ADMIN OPTION)."""
    row = connection.execute(
        sa.text(
            "SELECT rolsuper, rolcreaterole, current_setting('server_version_num')::int "
            "FROM pg_roles WHERE rolname = current_user"
        )
    ).one()
    if row[0]:
        return True
    if not row[1]:
        return False
    if row[2] < 160000:
        return True
    return all(
        connection.execute(
            sa.text("SELECT pg_has_role(current_user, :g, 'MEMBER WITH ADMIN OPTION')"), {"g": group}
        ).scalar_one()
        for group in GROUPS.values()
    )


def _kind(connection: sa.Connection, name: str) -> str:
    """``absent``, ``ours`` (tracker made it, or it is a plain member of a group: a login the
    DBA made as the README said) or ``foreign`` (a superuser, a group, anyone else's role)."""
    row = connection.execute(
        sa.text(
            "SELECT r.rolsuper, shobj_description(r.oid, 'pg_authid'), "
            "EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "WHERE m.member = r.oid AND g.rolname = ANY(:groups)) "
            "FROM pg_roles r WHERE r.rolname = :name"
        ),
        {"name": name, "groups": list(GROUPS.values())},
    ).first()
    if row is None:
        return "absent"
    if row[0] or name in GROUPS.values():
        return "foreign"
    return "ours" if str(row[1] or "").startswith(MARK) or row[2] else "foreign"


def mark(connection: sa.Connection) -> str:
    """The comment on the login roles this database and schema made (the tests drop theirs by it)."""
    where = connection.execute(sa.text("SELECT current_database() || '.' || current_schema()")).scalar_one()
    return f"{MARK} ({where})"


def _made(connection: sa.Connection, quoted: str, create: str) -> Login:
    """Run ``create`` (a CREATE ROLE) and mark the role as tracker's."""
    literal = "'" + mark(connection).replace("'", "''") + "'"
    return _run(connection, [create, f"COMMENT ON ROLE {quoted} IS {literal}"])


def _lock(connection: sa.Connection, name: str) -> None:
    """Two transactions making the same role wait for each other (the second then finds it made)
    instead of the second failing on pg_authid's unique name."""
    connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('tracker:login:' || :name))"), {"name": name})


def _run(connection: sa.Connection, statements: list[str]) -> Login:
    for statement in statements:
        connection.exec_driver_sql(statement.replace("%", "%%"))
    return Login("done")


def _dba(statements: list[str], *, password_for: str = "") -> Login:
    """What the DBA runs instead (in psql: ``\\password`` asks for the password and sends only
    its verifier)."""
    sql = ";\n".join(statements) + ";"
    return Login("dba", sql + (f"\n\\password {quote_role(password_for)}" if password_for else ""))


def check_login_name(connection: sa.Connection, name: str) -> None:
    """Refuse, on PostgreSQL, an account name no login role could carry: longer than 63 bytes
    (PostgreSQL would cut it, and the role connected would not name the account), beginning
    with ``pg_`` (reserved) or holding a control character."""
    if connection.dialect.name != "postgresql":
        return
    if len(name.encode()) > NAME_BYTES:
        raise Refusal("login_name_long", name=name, most=NAME_BYTES)
    if name.startswith("pg_") or any(unicodedata.category(c) == "Cc" for c in name):
        raise Refusal("login_name_reserved", name=name)


def create_login(connection: sa.Connection, name: str, role: str, password: str) -> Login:
    """The login role of a new account ``name`` in ``role``'s group, with ``password`` as its
    SCRAM verifier, in the transaction of ``connection`` (with the account's row)."""
    if connection.dialect.name != "postgresql":
        return NONE
    if role not in GROUPS:
        return Login("unit")
    quoted = quote_role(name)
    if not may_manage_roles(connection):
        return _dba([f"CREATE ROLE {quoted} LOGIN IN ROLE {GROUPS[role]}"], password_for=name)
    _lock(connection, name)
    if _kind(connection, name) != "absent":
        return Login("exists")
    verifier = scram_verifier(password)
    return _made(connection, quoted, f"CREATE ROLE {quoted} LOGIN PASSWORD '{verifier}' IN ROLE {GROUPS[role]}")


def move_login(connection: sa.Connection, name: str, role: str, *, disabled: bool) -> Login:
    """Put the login role of ``name`` in ``role``'s group only; a unit account's loses its login
    (made without a password when the account had none: an admin resets it)."""
    if connection.dialect.name != "postgresql":
        return NONE
    quoted = quote_role(name)
    groups = ", ".join(GROUPS.values())
    statements = [f"REVOKE {groups} FROM {quoted}"]
    if role in GROUPS:
        statements.append(f"GRANT {GROUPS[role]} TO {quoted}")
        if not disabled:
            statements.append(f"ALTER ROLE {quoted} LOGIN")
    else:
        statements.append(f"ALTER ROLE {quoted} NOLOGIN")
    if not may_manage_roles(connection):
        return _dba(statements)
    _lock(connection, name)
    kind = _kind(connection, name)
    if kind == "foreign":
        return Login("foreign")
    if kind == "absent":
        if role not in GROUPS:
            return Login("unit")
        login = "NOLOGIN" if disabled else "LOGIN"
        return _made(connection, quoted, f"CREATE ROLE {quoted} {login} IN ROLE {GROUPS[role]}")
    return _run(connection, statements)


def disable_login(connection: sa.Connection, name: str) -> Login:
    """The login role of ``name`` may no longer log in (NOLOGIN)."""
    return _alter(connection, name, "NOLOGIN")


def enable_login(connection: sa.Connection, name: str, role: str) -> Login:
    """The login role of ``name`` may log in again (LOGIN), undoing ``disable_login``; a unit
    account has none."""
    if connection.dialect.name != "postgresql":
        return NONE
    if role not in GROUPS:
        return Login("unit")
    return _alter(connection, name, "LOGIN")


def set_login_password(connection: sa.Connection, name: str, role: str, password: str) -> Login:
    """The login role of ``name`` takes ``password`` (sent as its SCRAM verifier only)."""
    if connection.dialect.name != "postgresql":
        return NONE
    if role not in GROUPS:
        return Login("unit")
    if not may_manage_roles(connection):
        return Login("dba", f"\\password {quote_role(name)}")
    return _alter(connection, name, f"PASSWORD '{scram_verifier(password)}'")


def _alter(connection: sa.Connection, name: str, change: str) -> Login:
    if connection.dialect.name != "postgresql":
        return NONE
    statement = f"ALTER ROLE {quote_role(name)} {change}"
    if not may_manage_roles(connection):
        return _dba([statement])
    kind = _kind(connection, name)
    if kind != "ours":
        return Login(kind)
    return _run(connection, [statement])
