"""PostgreSQL triggers that refuse UPDATE and DELETE on append-only tables.

The model layer refuses too; the trigger also stops raw SQL and bulk paths.
"""

from collections.abc import Callable

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# What RunPython calls: (apps, schema_editor).
Migration = Callable[[StateApps, BaseDatabaseSchemaEditor], None]

FUNCTION = """
CREATE OR REPLACE FUNCTION smartcoop_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def forward(table: str) -> Migration:
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(FUNCTION, params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION smartcoop_refuse_change();"
        )

    return run


def backward(table: str) -> Migration:
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")

    return run
