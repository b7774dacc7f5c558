"""Trigram indexes for the back-office's "contains" searches, on PostgreSQL.

Django's `icontains` is `UPPER(column::text) LIKE UPPER('%word%')`: no b-tree index helps, so
each search of the invoice list scanned the 45,000 members' three name columns and the 35,000
clients (about 80 ms at Smart's size, profiled). A GIN index with pg_trgm's operator class on
that same expression answers it from the index. SQLite (the embedded default) has no such
index and keeps scanning: the migrations do nothing there.
"""

from collections.abc import Callable, Sequence

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# What RunPython calls: (apps, schema_editor).
Migration = Callable[[StateApps, BaseDatabaseSchemaEditor], None]


def _name(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"


def forward(table: str, columns: Sequence[str]) -> Migration:
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
        for column in columns:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {_name(table, column)} ON {table} "
                f"USING gin (UPPER({column}::text) gin_trgm_ops)",
                params=None,
            )

    return run


def backward(table: str, columns: Sequence[str]) -> Migration:
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in columns:
            schema_editor.execute(f"DROP INDEX IF EXISTS {_name(table, column)}", params=None)

    return run
