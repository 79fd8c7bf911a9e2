"""Make the audit table append-only in the database too, not only in the ORM.

The hash chain detects any edit; these triggers also refuse ordinary UPDATE (and, on
PostgreSQL, DELETE) statements, so a mistaken script or a compromised web process
cannot rewrite history without first dropping the trigger as the table's owner.
SQLite keeps DELETE open because Django's test flush empties tables with DELETE;
PostgreSQL's flush uses TRUNCATE, which a row trigger does not see.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

SQLITE_UP = [
    """
    CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update
    BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
    """,
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS audit_auditevent_no_update;"]

POSTGRES_UP = [
    """
    CREATE OR REPLACE FUNCTION audit_auditevent_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are append-only';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change();
    """,
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_auditevent_refuse_change();",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
