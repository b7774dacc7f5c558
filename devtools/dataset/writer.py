"""Bulk writing with PostgreSQL COPY: rows go straight into the tables (ids chosen by the
generator), then the identity sequences are moved past the largest id."""

import json
import time

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import NOT_PROVIDED

from core.bulk import seal_rows


def as_json(value) -> str:
    """JSON as Django's JSONField stores it (DjangoJSONEncoder for dates and Decimals)."""
    return json.dumps(value, cls=DjangoJSONEncoder)


class BulkWriter:
    """COPY rows into tables; count them per table; reset sequences at the end."""

    def __init__(self, log=None):
        self.counts: dict[str, int] = {}
        self.log = log or (lambda message: None)

    def next_id(self, model) -> int:
        """The first free id of a model's table (1 on an empty table)."""
        with connection.cursor() as cursor:
            table = model._meta.db_table
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')  # noqa: S608
            return cursor.fetchone()[0]

    def copy(self, model, columns: list[str], rows) -> int:
        """COPY `rows` (tuples in the order of `columns`, column names as in the database).

        National numbers and IBANs are given in clear: they are encrypted here, and their
        `_hash` columns added (core.encryption)."""
        table = model._meta.db_table
        columns, rows = _with_defaults(model, columns, rows)
        columns, rows = _encrypted(model, columns, rows)
        names = ", ".join(f'"{name}"' for name in columns)
        count = 0
        statement = f'COPY "{table}" ({names}) FROM STDIN'
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        self.counts[table] = self.counts.get(table, 0) + count
        return count

    def reset_sequences(self) -> None:
        with connection.cursor() as cursor:
            for table in self.counts:
                # Table names come from the models' _meta, not from input.
                query = f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"  # noqa: S608, E501
                cursor.execute(query, [f'"{table}"'])


def _with_defaults(model, columns: list[str], rows):
    """The columns a generator does not name get the model's default, as the ORM would give
    them: a field added later ("place of work", a label code) never breaks the COPY."""
    missing = [
        field
        for field in model._meta.concrete_fields
        if field.column not in columns
        and not field.primary_key
        and not field.null
        and field.db_default is NOT_PROVIDED
        and not field.column.endswith("_hash")  # written by _encrypted
    ]
    if not missing:
        return columns, rows
    defaults = []
    for field in missing:
        value = field.get_default()
        defaults.append(as_json(value) if isinstance(value, dict | list) else value)
    return [*columns, *(field.column for field in missing)], ((*row, *defaults) for row in rows)


def _encrypted(model, columns: list[str], rows):
    """National numbers and IBANs given in clear, encrypted and their `_hash` columns added
    as every bulk writer of the project does it (core.bulk.seal_rows)."""
    by_column = {field.column: field for field in model._meta.concrete_fields}
    fields, sealed = seal_rows([by_column[name] for name in columns], rows)
    return [field.column for field in fields], sealed


class Stage:
    """`with Stage(log, "members") as stage: ...; stage.note(count=...)` prints the time."""

    def __init__(self, log, name: str):
        self.log, self.name, self.notes = log, name, {}

    def __enter__(self):
        self.started = time.monotonic()
        self.log(f"{self.name}…")
        return self

    def note(self, **counts):
        self.notes.update(counts)

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            detail = ", ".join(f"{key} {value:,}" for key, value in self.notes.items())
            self.log(f"  {self.name}: {detail} ({time.monotonic() - self.started:.1f} s)")
        return False
