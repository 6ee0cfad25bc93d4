"""Account management carried through to PostgreSQL login roles (tracker/pg_roles.py): `user add`
makes the person's login role in their role's group, with the password sent as a SCRAM-SHA-256
verifier only; `user role` moves it between the groups; `user disable` stops its login;
`user reset-password` gives it the new password. A unit account gets no login. A connection that
may not manage roles changes the account only and shows the DBA's SQL (without a password). The
role and the account's row are written in one transaction: a failure leaves neither.

Names are unique per test, and every role a test made is dropped (the ``db_url`` fixture drops
those tracker marked in the test's schema; the rest here). SQLite: nothing changes."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import io
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from tests.conftest import BACKEND, PG_URL
from tracker.app import Tracker, build
from tracker.db import open_database
from tracker.errors import InputError
from tracker.models import Account, AuditEntry
from tracker.pg_roles import GROUPS, quote_role, scram_verifier
from tracker.refusals import Refusal
from tracker.usecases import accounts
from tracker.usecases.work import Actor, Work, actor_of

on_pg = pytest.mark.skipif(BACKEND != "postgresql", reason="login roles are PostgreSQL's")
PASSWORD = "correct horse 42"
HOSTILE = [
    "李四",
    'a"b',
    "x'; DROP ROLE postgres; --",
    "100% sure",
    ":name %(x)s",
    "back\\slash",
    "Ünïcödé_名字",
    "select",
]


def unique(name: str = "") -> str:
    return f"{name}{uuid.uuid4().hex[:8]}"


# --- The verifier, without a server -------------------------------------------------------------


def test_scram_verifier_meets_rfc_7677_example() -> None:
    """RFC 7677's exchange (user "user", password "pencil"): the keys of our verifier answer it
    as a server would: the client's proof checks against StoredKey, and ServerKey signs ``v=``."""
    salt = base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ==")
    verifier = scram_verifier("pencil", salt=salt)
    method, rest = verifier.split("$", 1)
    iterations_salt, keys = rest.split("$")
    assert method == "SCRAM-SHA-256" and iterations_salt == "4096:W22ZaJ0SNY7soEsUEjb6gQ=="
    stored_key, server_key = (base64.b64decode(k) for k in keys.split(":"))
    nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    auth = f"n=user,r=rOprNGfwEbeRWgbNEkqO,r={nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r={nonce}".encode()
    proof = base64.b64decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
    signature = hmac.new(stored_key, auth, hashlib.sha256).digest()
    client_key = bytes(a ^ b for a, b in zip(proof, signature, strict=True))
    assert hashlib.sha256(client_key).digest() == stored_key
    server_signature = hmac.new(server_key, auth, hashlib.sha256).digest()
    assert base64.b64encode(server_signature).decode() == "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
    other = scram_verifier("pencil")
    assert other != verifier and len(base64.b64decode(other.split("$")[1].split(":")[1])) == 16  # a fresh salt


def test_role_names_are_quoted_whatever_they_hold() -> None:
    assert quote_role('a"b') == '"a""b"'
    assert quote_role("李四") == '"李四"'


# --- SQLite: nothing changes ---------------------------------------------------------------------


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite's behaviour")
def test_sqlite_accounts_have_no_database_login(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    def run(*args: str) -> Any:
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        return cli("--as", "张三", "user", *args)

    assert run("add", "张三", "--admin", "--password-stdin").out.strip() == "已添加账号 张三（管理员 admin）"
    added = run("add", "李四", "--role", "clerk", "--password-stdin", "--json").json()
    assert added["database_login"] == {"state": "none", "sql": ""}
    assert run("role", "李四", "supervisor").out.strip() == "账号 李四 的角色现为 科长/分管领导 supervisor"
    assert run("reset-password", "李四", "--password-stdin").out.count("\n") == 1
    assert run("disable", "李四").out.strip() == "已停用账号 李四"


# --- PostgreSQL ----------------------------------------------------------------------------------


@pytest.fixture
def owner() -> Iterator[sa.Engine]:
    engine = sa.create_engine(PG_URL)
    yield engine
    engine.dispose()


@pytest.fixture
def tracker(db_url: str) -> Iterator[Tracker]:
    """An empty database on the owner's (superuser's) connection, with an admin account."""
    app = build(db_url, None, "desk")
    accounts.add_account(app, Actor("desk"), unique("admin_"), role="admin", password=PASSWORD)
    with app.session() as session:
        login = session.exec(select(Account.login)).one()
    yield dataclasses.replace(app, user=login)
    app.engine.dispose()


def role_row(engine: sa.Engine, name: str) -> dict[str, Any] | None:
    """The role ``name`` as pg_authid has it: can it log in, its verifier, its tracker groups."""
    with engine.connect() as connection:
        row = connection.execute(
            sa.text(
                "SELECT r.rolcanlogin, r.rolpassword, r.rolsuper, ARRAY(SELECT g.rolname FROM pg_auth_members m "
                "JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid ORDER BY 1) "
                "FROM pg_authid r WHERE r.rolname = :name"
            ),
            {"name": name},
        ).first()
    if row is None:
        return None
    return {"login": row[0], "verifier": row[1], "super": row[2], "groups": list(row[3])}


def verifies(verifier: str, password: str) -> bool:
    """Whether ``verifier`` (as pg_authid keeps it) is ``password``'s, checked as the server does."""
    _, rest = verifier.split("$", 1)
    iterations_salt, _ = rest.split("$")
    iterations, salt = iterations_salt.split(":")
    return scram_verifier(password, salt=base64.b64decode(salt), iterations=int(iterations)) == verifier


def drop(engine: sa.Engine, *names: str) -> None:
    with engine.begin() as connection:
        for name in names:
            connection.exec_driver_sql(f"DROP ROLE IF EXISTS {quote_role(name)}".replace("%", "%%"))


@on_pg
def test_the_verifier_is_libpqs_for_the_same_salt(owner: sa.Engine) -> None:
    """Our verifier is byte for byte libpq's (PQencryptPasswordConn) given the same salt, for
    ASCII, Chinese, full-width letters, a no-break space and a soft hyphen (SASLprep maps those),
    and a password SASLprep refuses (a control character: used as typed)."""
    with owner.connect() as connection:
        pgconn = connection.connection.dbapi_connection.pgconn  # type: ignore[union-attr]
        for password in (
            PASSWORD,
            "密码是长城8848",
            "ＡＢＣ密码１２３",
            "no\u00a0break\u00adspace",
            "铃\u0007铃铃铃铃铃铃",
        ):
            theirs = pgconn.encrypt_password(password.encode(), b"someone", b"scram-sha-256").decode()
            salt = base64.b64decode(theirs.split("$")[1].split(":")[1])
            assert scram_verifier(password, salt=salt) == theirs, password


@on_pg
@pytest.mark.parametrize("name", HOSTILE)
def test_user_add_makes_the_login_role(tracker: Tracker, owner: sa.Engine, name: str) -> None:
    """The role is made in the group, with a verifier of the password; the password never
    appears in any statement sent to the server."""
    typed = name + unique("_")
    sent: list[str] = []
    sa.event.listen(tracker.engine, "before_cursor_execute", lambda *args: sent.append(f"{args[2]} {args[3]!r}"))
    try:
        changed = accounts.add_account(tracker, Actor(tracker.user), typed, role="clerk", password=PASSWORD)
        name = changed.account.login  # as names are kept: without the spaces that pad them
        assert changed.login.state == "done"
        row = role_row(owner, name)
        assert row is not None and row["login"] and row["groups"] == [GROUPS["clerk"]]
        assert row["verifier"].startswith("SCRAM-SHA-256$4096:") and verifies(row["verifier"], PASSWORD)
        assert not any(PASSWORD in statement for statement in sent)
        assert any("CREATE ROLE" in statement for statement in sent)
        with tracker.session() as session:
            audit = session.exec(select(AuditEntry).where(AuditEntry.subject == name)).one()
        assert '"database_login": "done"' in audit.after and PASSWORD not in audit.after
    finally:
        drop(owner, typed.replace(" ", ""))


@on_pg
def test_a_connection_with_the_password_acts_as_that_account(tracker: Tracker, owner: sa.Engine) -> None:
    """Connecting as the new role with its password works, and the actor is that account. (The
    test cluster's pg_hba.conf may trust local connections: the verifier itself is checked above.)"""
    name = unique("张三_")
    try:
        accounts.add_account(tracker, Actor(tracker.user), name, role="supervisor", password=PASSWORD)
        url = tracker.engine.url.set(username=name, password=PASSWORD).render_as_string(hide_password=False)
        engine = open_database(url)
        try:
            person = dataclasses.replace(tracker, engine=engine, user="os-user", named=False)
            with engine.connect() as connection:
                assert connection.exec_driver_sql("SELECT current_user").scalar_one() == name
            assert actor_of(person) == Actor(name)
            assert [v.login for v in accounts.list_accounts(tracker, Actor(tracker.user))]  # the admin still manages
        finally:
            engine.dispose()
    finally:
        drop(owner, name)


@on_pg
def test_role_moves_disable_and_reset_password(tracker: Tracker, owner: sa.Engine) -> None:
    name = unique('王"五_')
    try:
        accounts.add_account(tracker, Actor(tracker.user), name, role="viewer", password=PASSWORD)
        assert role_row(owner, name)["groups"] == [GROUPS["viewer"]]  # type: ignore[index]
        assert accounts.set_role(tracker, Actor(tracker.user), name, "supervisor").login.state == "done"
        assert role_row(owner, name)["groups"] == [GROUPS["supervisor"]]  # type: ignore[index]
        accounts.set_role(tracker, Actor(tracker.user), name, "unit", unit="南乐县政府")
        row = role_row(owner, name)
        assert row is not None and row["groups"] == [] and not row["login"]  # a unit account: no login
        accounts.set_role(tracker, Actor(tracker.user), name, "clerk")
        row = role_row(owner, name)
        assert row is not None and row["groups"] == [GROUPS["clerk"]] and row["login"]
        new = "新的密码 second 99"
        assert accounts.reset_password(tracker, Actor(tracker.user), name, new).login.state == "done"
        row = role_row(owner, name)
        assert row is not None and verifies(row["verifier"], new) and not verifies(row["verifier"], PASSWORD)
        assert accounts.disable_account(tracker, Actor(tracker.user), name).login.state == "done"
        assert not role_row(owner, name)["login"]  # type: ignore[index]
        url = tracker.engine.url.set(username=name).render_as_string(hide_password=False)
        refused = sa.create_engine(url)
        with pytest.raises(sa.exc.OperationalError, match="not permitted to log in"):
            refused.connect()
        refused.dispose()
    finally:
        drop(owner, name)


@on_pg
def test_enable_lets_the_login_role_log_in_again(tracker: Tracker, owner: sa.Engine, cli) -> None:  # type: ignore[no-untyped-def]
    """`user enable` undoes what `user disable` did to the login role (NOLOGIN → LOGIN), its group
    and password unchanged, and the person connects again; a unit account has no role to enable.
    Disabling twice is refused and leaves the role as it was."""
    name, unit = unique("周八_"), unique("范县联络员_")
    url = tracker.engine.url.render_as_string(hide_password=False)
    admin = Actor(tracker.user)
    try:
        accounts.add_account(tracker, admin, name, role="clerk", password=PASSWORD)
        made = role_row(owner, name)
        assert made is not None and made["login"]
        assert accounts.disable_account(tracker, admin, name).login.state == "done"
        assert not role_row(owner, name)["login"]  # type: ignore[index]
        twice = cli("--db", url, "--as", tracker.user, "user", "disable", name)
        assert twice.code == 2 and "已是停用状态" in twice.err and not role_row(owner, name)["login"]  # type: ignore[index]
        enabled = cli("--db", url, "--as", tracker.user, "user", "enable", name)
        assert enabled.code == 0 and f"已启用账号 {name}" in enabled.out, enabled.err
        assert f"数据库登录角色“{name}”已同步" in enabled.out
        row = role_row(owner, name)
        assert row is not None and row["login"] and row["groups"] == [GROUPS["clerk"]]
        assert row["verifier"] == made["verifier"]  # the password as before
        engine = open_database(tracker.engine.url.set(username=name).render_as_string(hide_password=False))
        try:
            with engine.connect() as connection:
                assert connection.exec_driver_sql("SELECT current_user").scalar_one() == name
        finally:
            engine.dispose()
        accounts.add_account(tracker, admin, unit, role="unit", unit="范县政府", password=PASSWORD)
        accounts.disable_account(tracker, admin, unit)
        assert accounts.enable_account(tracker, admin, unit).login.state == "unit" and role_row(owner, unit) is None
    finally:
        drop(owner, name, unit)


@on_pg
def test_a_unit_account_gets_no_login(tracker: Tracker, owner: sa.Engine) -> None:
    name = unique("南乐联络员_")
    changed = accounts.add_account(
        tracker, Actor(tracker.user), name, role="unit", unit="南乐县政府", password=PASSWORD
    )
    assert changed.login.state == "unit" and role_row(owner, name) is None
    assert accounts.reset_password(tracker, Actor(tracker.user), name, "another one 77").login.state == "unit"
    assert role_row(owner, name) is None


@on_pg
def test_a_failure_leaves_neither_role_nor_account(
    tracker: Tracker, owner: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = unique("赵六_")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the audit row could not be written")

    monkeypatch.setattr(Work, "audit", broken)
    try:
        with pytest.raises(RuntimeError):
            accounts.add_account(tracker, Actor(tracker.user), name, role="clerk", password=PASSWORD)
        assert role_row(owner, name) is None
        with tracker.session() as session:
            assert session.exec(select(Account).where(Account.login == name)).first() is None
    finally:
        drop(owner, name)


@on_pg
def test_names_no_role_can_carry_are_refused(tracker: Tracker, owner: sa.Engine) -> None:
    for name, says in (("长" * 22, "最多63字节"), ("pg_" + unique(), "pg_")):
        with pytest.raises(Refusal, match=says):
            accounts.add_account(tracker, Actor(tracker.user), name, role="clerk", password=PASSWORD)
        assert role_row(owner, name) is None
        with tracker.session() as session:
            assert session.exec(select(Account).where(Account.login == name)).first() is None
    # A unit account has no login: its name may be long.
    accounts.add_account(tracker, Actor(tracker.user), "长" * 22, role="unit", unit="南乐县政府", password=PASSWORD)


@on_pg
def test_roles_tracker_did_not_make_are_left_alone(tracker: Tracker, owner: sa.Engine) -> None:
    """An account named as a superuser or another application's role never touches that role."""
    superuser, other = unique("trk_su_"), unique("trk_app_")
    with owner.begin() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {superuser} SUPERUSER LOGIN; CREATE ROLE {other} LOGIN")
    try:
        for name in (superuser, other):
            before = role_row(owner, name)
            assert (
                accounts.add_account(tracker, Actor(tracker.user), name, role="clerk", password=PASSWORD).login.state
                == "exists"
            )
            assert accounts.set_role(tracker, Actor(tracker.user), name, "admin").login.state == "foreign"
            assert (
                accounts.reset_password(tracker, Actor(tracker.user), name, "another one 77").login.state == "foreign"
            )
            assert accounts.disable_account(tracker, Actor(tracker.user), name).login.state == "foreign"
            assert role_row(owner, name) == before
    finally:
        drop(owner, superuser, other)


@on_pg
def test_without_createrole_the_dba_is_shown_the_sql(
    tracker: Tracker, owner: sa.Engine, cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """An admin connecting as their own role (no CREATEROLE): the account is made, no role, and
    the message gives the DBA's SQL without the password."""
    admin, clerk = unique("管理员_"), unique('李"四_')
    accounts.add_account(tracker, Actor(tracker.user), admin, role="admin", password=PASSWORD)
    try:
        assert role_row(owner, admin) is not None
        url = tracker.engine.url.set(username=admin).render_as_string(hide_password=False)
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        result = cli("--db", url, "user", "add", clerk, "--role", "clerk", "--password-stdin")
        assert result.code == 0, result.err
        assert role_row(owner, clerk) is None
        quoted = quote_role(clerk)
        assert "须由 DBA" in result.out and f"CREATE ROLE {quoted} LOGIN IN ROLE tracker_clerk;" in result.out
        assert f"\\password {quoted}" in result.out and PASSWORD not in result.out
        with tracker.session() as session:
            assert session.exec(select(Account).where(Account.login == clerk)).one().role == "clerk"
        moved = cli("--db", url, "user", "role", clerk, "viewer", "--json").json()
        assert moved["database_login"]["state"] == "dba" and "GRANT tracker_viewer TO" in moved["database_login"]["sql"]
    finally:
        drop(owner, admin, clerk)


@on_pg
def test_cli_says_what_became_of_the_login(
    tracker: Tracker, owner: sa.Engine, cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    clerk, unit, other = unique("孙七_"), unique("清丰联络员_"), unique("钱九_")
    url = tracker.engine.url.render_as_string(hide_password=False)

    def run(*args: str) -> Any:
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        return cli("--db", url, "--as", tracker.user, "user", *args)

    try:
        made = run("add", clerk, "--role", "clerk", "--password-stdin")
        assert made.code == 0 and f"数据库登录角色“{clerk}”已同步" in made.out
        no_login = run("add", unit, "--role", "unit", "--unit", "清丰县政府", "--password-stdin")
        assert no_login.code == 0 and "单位账号不设数据库登录" in no_login.out and "网页端" in no_login.out
        assert role_row(owner, unit) is None
        with owner.begin() as connection:
            connection.exec_driver_sql(f"CREATE ROLE {quote_role(other)} LOGIN")
        there = run("add", other, "--role", "viewer", "--password-stdin")
        assert there.code == 0 and f"数据库中已有角色“{other}”，未改动" in there.out
        assert role_row(owner, other)["groups"] == []  # type: ignore[index]
    finally:
        drop(owner, clerk, other)


@on_pg
def test_the_test_schemas_logins_are_dropped_with_it(db_url: str, owner: sa.Engine) -> None:
    """conftest drops the roles tracker marked in a test's schema (roles outlive schemas)."""
    from tests.conftest import _drop_logins_made_in

    app = build(db_url, None, "desk")
    name = unique("周八_")
    accounts.add_account(app, Actor("desk"), name, role="admin", password=PASSWORD)
    schema = sa.make_url(db_url).query["options"].removeprefix("-csearch_path=")  # type: ignore[union-attr]
    app.engine.dispose()
    with owner.begin() as connection:
        _drop_logins_made_in(connection, str(schema))
    assert role_row(owner, name) is None


@pytest.fixture
def scram_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A throwaway PostgreSQL cluster that asks every connection for its password (SCRAM), on a
    socket in its own folder: the test cluster may trust local connections. (socket folder,
    superuser password); skipped where PostgreSQL's programs cannot run it."""
    import os
    import shutil
    import subprocess
    import tempfile

    bindir = shutil.which("pg_config") and subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
    initdb = os.path.join(bindir.stdout.strip(), "initdb") if bindir else ""
    if not os.path.exists(initdb):
        pytest.skip("PostgreSQL's initdb is not installed")
    as_postgres: list[str] = []
    folder = tempfile.mkdtemp(prefix="trk-scram-")  # short: a socket path has at most 107 bytes
    if os.geteuid() == 0:  # initdb refuses root
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser")
        as_postgres = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    superuser = "cluster secret 1"
    pwfile = os.path.join(folder, "pw")
    with open(pwfile, "w") as file:
        file.write(superuser + "\n")
    if as_postgres:
        shutil.chown(pwfile, "postgres")
    data, bindir_path = os.path.join(folder, "data"), os.path.dirname(initdb)
    pg_ctl = [*as_postgres, os.path.join(bindir_path, "pg_ctl"), "-D", data]
    try:
        init = ["-D", data, "-U", "postgres", "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8", "--no-sync"]
        subprocess.run([*as_postgres, initdb, *init], check=True, capture_output=True)
        options = f"-k {folder} -c listen_addresses= -p 5499 -c fsync=off"
        subprocess.run([*pg_ctl, "-o", options, "-w", "-l", os.path.join(folder, "log"), "start"], check=True)
        yield folder, superuser
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@on_pg
def test_the_password_opens_a_real_scram_login(scram_cluster: tuple[str, str]) -> None:
    """On a server that checks passwords (SCRAM-SHA-256): the account's password logs in as its
    role, the actor is that account; a wrong one, and the old one after a reset, do not."""
    folder, superuser = scram_cluster

    def url(user: str, password: str) -> str:
        made = sa.engine.URL.create(
            "postgresql+psycopg", user, password, database="postgres", query={"host": folder, "port": "5499"}
        )
        return made.render_as_string(hide_password=False)

    app = build(url("postgres", superuser), None, "desk")
    secret, renewed = "长城 密码 ８８４８ !", "second secret 99"  # SASLprep: full-width digits

    def login(password: str) -> str:
        engine = open_database(url('李"四%', password))
        try:
            person = dataclasses.replace(app, engine=engine, user="os-user", named=False)
            return actor_of(person).name
        finally:
            engine.dispose()

    try:
        accounts.add_account(app, Actor("desk"), "管理员", role="admin", password=PASSWORD)
        changed = accounts.add_account(app, Actor("管理员"), '李"四%', role="clerk", password=secret)
        assert changed.login.state == "done"
        assert login(secret) == '李"四%'
        with pytest.raises(InputError, match="password authentication failed"):
            login("wrong password 1")
        accounts.reset_password(app, Actor("管理员"), '李"四%', renewed)
        assert login(renewed) == '李"四%'
        with pytest.raises(InputError, match="password authentication failed"):
            login(secret)
    finally:
        app.engine.dispose()
