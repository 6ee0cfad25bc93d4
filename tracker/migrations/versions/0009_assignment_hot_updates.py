"""PostgreSQL: a first check's writes without row-by-row index and foreign-key work

Revision ID: 0009
Revises: 0008
A first check over a million assignments marks 320,000 of them as noticed (``notified_level``,
``notified_due``). On PostgreSQL that UPDATE wrote a new version of each row and a new entry in
each of the table's five indexes, because the covering scan index holds those two columns: 10 s
of a 25 s first check. Without them in any index, and with room left on each page (fillfactor),
PostgreSQL updates the rows in place (heap-only tuples) and touches no index. SQLite updates only
the indexes whose columns change and keeps its covering index, which its steady check needs.

Half of each page is left free (fillfactor 50): the rows of an overdue task sit together and two
thirds of them are marked at once; at 70 a third of the updates found no room and cost 5 of 7 s.
The table takes half again the space (181 MB instead of 119 MB at a million), and the steady
check, which now reads the heap for the escalation state, 1.7 s instead of 1.2 s. The fillfactor
applies to pages written from now on; a database filled before this keeps its full pages until
they are rewritten (``VACUUM FULL assignment`` does it at once, under a lock).

The same check writes 320,000 notice items, and PostgreSQL ran four foreign-key checks for each
(a query and a row lock apiece: 8 s). The four foreign keys of ``notice_item`` become statement
triggers that check all of a statement's items in one hashed join with the four tables, and refuse
a deletion of a notice, unit, assignment or report period that items still name, as the foreign
keys did (with the same SQLSTATE, 23503, so callers see an IntegrityError as before). The rows
an insert names are locked as the foreign keys locked them (FOR KEY SHARE), so a concurrent
deletion waits and then fails rather than leave an item naming nothing; assignments, which only
imports delete and imports wait for the check's lock, are checked but not locked. SQLite keeps its
foreign keys: it checks them cheaply, row by row.

Create Date: 2026-11-30 05:25:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILLFACTOR = 50  # tracker.models.ASSIGNMENT_FILLFACTOR when this was written
REFERENCES = {"notice_id": "notice", "unit_id": "unit", "assignment_id": "assignment", "report_id": "report_due"}


ITEMS_REFER = """
CREATE FUNCTION notice_item_refers() RETURNS trigger LANGUAGE plpgsql
-- The items come without statistics: planned blind, the joins below would be 320,000 index
-- probes; hashed, they are one pass over each table.
SET enable_nestloop = off
AS $$
DECLARE
    notices integer[];
    units integer[];
    reports integer[];
    bad record;
BEGIN
    SELECT array_agg(DISTINCT notice_id), array_agg(DISTINCT unit_id),
           array_agg(DISTINCT report_id) FILTER (WHERE report_id IS NOT NULL)
        INTO notices, units, reports FROM added;
    -- What the items name stays until this transaction ends, as a foreign key's check keeps it.
    -- Assignments are not locked one by one (320,000 row locks, 6 s): the only statements that
    -- delete them are imports, which wait for the check's lock, as every writer of items holds it.
    PERFORM 1 FROM notice p WHERE p.id = ANY (notices) FOR KEY SHARE OF p;
    PERFORM 1 FROM unit p WHERE p.id = ANY (units) FOR KEY SHARE OF p;
    PERFORM 1 FROM report_due p WHERE p.id = ANY (reports) FOR KEY SHARE OF p;
    SELECT a.notice_id, a.unit_id, a.assignment_id, a.report_id INTO bad
        FROM added a
        LEFT JOIN notice n ON n.id = a.notice_id
        LEFT JOIN unit u ON u.id = a.unit_id
        LEFT JOIN assignment s ON s.id = a.assignment_id
        LEFT JOIN report_due r ON r.id = a.report_id
        WHERE n.id IS NULL OR u.id IS NULL
           OR (a.assignment_id IS NOT NULL AND s.id IS NULL) OR (a.report_id IS NOT NULL AND r.id IS NULL)
        LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "notice_item" violates foreign key: '
            'notice %, unit %, assignment %, report % (one of them does not exist)',
            bad.notice_id, bad.unit_id, bad.assignment_id, bad.report_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$"""


def _still_named(table: str, column: str) -> str:
    return f"""
CREATE FUNCTION {table}_not_in_notice_items() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE named bigint;
BEGIN
    SELECT r.id INTO named FROM removed r WHERE EXISTS (SELECT 1 FROM notice_item i WHERE i.{column} = r.id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'delete on table "{table}" violates foreign key: notice items name {table} %', named
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_assignment_scan", table_name="assignment")
    op.create_index("ix_assignment_due", "assignment", ["status", "due_on", "unit_id"])
    op.execute(f"ALTER TABLE assignment SET (fillfactor = {FILLFACTOR})")
    op.execute(ITEMS_REFER)
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER notice_item_refers_{event.lower()} AFTER {event} ON notice_item"
            " REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION notice_item_refers()"
        )
    for column, table in REFERENCES.items():
        op.drop_constraint(f"notice_item_{column}_fkey", "notice_item", type_="foreignkey")
        op.execute(_still_named(table, column))
        op.execute(
            f"CREATE TRIGGER {table}_not_in_notice_items AFTER DELETE ON {table}"
            f" REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION {table}_not_in_notice_items()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column, table in REFERENCES.items():
        op.execute(f"DROP TRIGGER {table}_not_in_notice_items ON {table}")
        op.execute(f"DROP FUNCTION {table}_not_in_notice_items()")
        op.create_foreign_key(f"notice_item_{column}_fkey", "notice_item", table, [column], ["id"])
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER notice_item_refers_{event} ON notice_item")
    op.execute("DROP FUNCTION notice_item_refers()")
    op.execute("ALTER TABLE assignment RESET (fillfactor)")
    op.drop_index("ix_assignment_due", table_name="assignment")
    op.create_index(
        "ix_assignment_scan", "assignment", ["status", "due_on", "notified_level", "notified_due", "unit_id"]
    )
