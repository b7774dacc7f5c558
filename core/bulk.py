"""Bulk inserts for the batch runs (contributions, payroll): rows as tuples of plain values,
without building a model instance per row.

At Smart's size a monthly run writes some 20,000 ledger entries and as many postings. Django's
bulk_create builds and prepares a model instance per row, then sends the values as quoted
literals: that costs more than the database's own work (docs/BENCHMARKS.md, figure 1). Here the
ids are taken from the table's sequence first (so the caller knows each row's id, in order),
then the rows go to PostgreSQL with COPY, as the dataset generator does. Elsewhere (SQLite,
`make run`) it falls back to bulk_create.

Values must already be what the column stores: int (ids), str, Decimal to the field's places,
date, aware datetime, None, and dict/list for JSON fields; an encrypted identifier (an IBAN, a
national number: core.encryption) is given in clear and written encrypted as its field would,
with its `<field>_hash` column added. Validation is the caller's (the services validate before
they call this).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connections, models, router
from django.db.models import ForeignObjectRel, JSONField

from .encryption import lookup_hash
from .model_fields import column_of


def _encoder(field: models.Field[Any, Any]) -> Callable[[Any], str | None] | None:
    if isinstance(field, JSONField):
        # One encoder for all the rows: json.dumps(cls=...) would build one per value.
        encode = (field.encoder or json.JSONEncoder)().encode
        return lambda value: None if value is None else encode(value)
    return None


def seal_rows(
    fields: Sequence[models.Field[Any, Any]], rows: Iterable[tuple[Any, ...]]
) -> tuple[list[models.Field[Any, Any]], Iterator[tuple[Any, ...]]]:
    """Rows whose encrypted identifiers (an IBAN, a national number: core.encryption) are
    given in clear, as the table stores them: each such value encrypted by its field (the
    value normalised, then encrypted), and the field's `<field>_hash` column appended, from
    the clear value (look-ups and unique constraints read it). One ciphertext per clear value
    within a call: a worker's number on each of their rows is encrypted once (the hash shows
    equal values anyway). The one way bulk writers (insert_rows, the dataset generator) store
    an encrypted identifier."""
    named = {field.name for field in fields}
    positions = [index for index, field in enumerate(fields) if getattr(field, "encrypted", False)]
    if not positions:
        return list(fields), iter(rows)
    # The hash columns to add (a caller naming one fills it itself).
    hashed = [index for index in positions if f"{fields[index].name}_hash" not in named]
    hashes = [
        _concrete_field(fields[index].model._meta.get_field(f"{fields[index].name}_hash"))
        for index in hashed
    ]
    done: dict[tuple[int, str], tuple[str, str]] = {}

    def seal(index: int, value: str | None) -> tuple[str, str]:
        if not value:
            return value or "", ""
        if (index, value) not in done:
            done[(index, value)] = (fields[index].get_prep_value(value), lookup_hash(value))
        return done[(index, value)]

    def sealed() -> Iterator[tuple[Any, ...]]:
        for row in rows:
            values, digests = list(row), {}
            for index in positions:
                values[index], digests[index] = seal(index, values[index])
            yield (*values, *(digests[index] for index in hashed))

    return [*fields, *hashes], sealed()


def _concrete_field(field: models.Field[Any, Any] | ForeignObjectRel) -> models.Field[Any, Any]:
    """A column of the table: a reverse relation names none."""
    if isinstance(field, ForeignObjectRel):
        raise ValueError(f"{field.name} is a reverse relation, not a column.")
    return field


def _one(row: tuple[Any, ...] | None) -> Any:
    """The single value of a one-row, one-column SELECT."""
    if row is None:
        raise RuntimeError("the query returned no row")
    return row[0]


def _encoded(
    row: tuple[Any, ...], encoders: list[tuple[int, Callable[[Any], str | None]]]
) -> list[Any]:
    values = list(row)
    for index, encode in encoders:
        values[index] = encode(values[index])
    return values


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> list[int]:
    """Insert `rows` (tuples in the order of `fields`) into `model`'s table; return their new
    primary keys in the same order. All or nothing within the caller's transaction."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    columns = [_concrete_field(meta.get_field(name)) for name in fields]
    if connection.vendor != "postgresql":
        objects = model._default_manager.bulk_create(
            [model(**{f.attname: v for f, v in zip(columns, row, strict=True)}) for row in rows],
            batch_size=1000,
        )
        return [obj.pk for obj in objects]
    quote = connection.ops.quote_name
    columns, sealed = seal_rows(columns, rows)
    encoders = [
        (index, encode) for index, f in enumerate(columns) if (encode := _encoder(f)) is not None
    ]
    statement = "COPY {} ({}) FROM STDIN".format(
        quote(meta.db_table),
        ", ".join(quote(c) for c in [column_of(meta.pk), *(column_of(f) for f in columns)]),
    )
    with connection.cursor() as cursor:
        # The sequence's name first: pg_get_serial_sequence() inside the select list would be
        # evaluated, with its catalogue lookups, once per row (100 ms for 19,000 ids, not 13).
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, column_of(meta.pk)])
        sequence = _one(cursor.fetchone())
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, len(rows)]
        )
        ids = [row[0] for row in cursor.fetchall()]
        with cursor.cursor.copy(statement) as copy:
            for pk, row in zip(ids, sealed, strict=True):
                copy.write_row((pk, *(_encoded(row, encoders) if encoders else row)))
    return ids


class AnyOf(models.Expression):
    """`column = ANY(%s)`: rows whose column is one of many values, sent as one array
    parameter on PostgreSQL. A batch run's `pk__in` of 18,000 ids is a list of 18,000
    parameters that PostgreSQL parses and plans each time (0.2 s, profiled on the payroll
    run); the array is one value. Elsewhere (SQLite, `make run`) it is Django's own `__in`.

    Used in a filter: `Contract.objects.filter(AnyOf("pk", ids))`.
    """

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, field: str, values: Iterable[Any]) -> None:
        super().__init__()
        self.column = models.F(field)
        self.values = list(values)

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        if not self.values or connection.vendor != "postgresql":
            # Django's own `__in` (an empty list matches nothing: EmptyResultSet).
            return compiler.compile(models.lookups.In(self.column, self.values))
        column, params = compiler.compile(self.column)
        return f"{column} = ANY(%s)", (*params, self.values)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a batch run, then put it back as it was.

    A run that reads back tens of thousands of rows allocates as many objects, which sets off
    the collector's full passes over everything the process holds (Django, its caches, the
    run's rows): 89 ms of a 481 ms contribution run, profiled, for no garbage, since the
    rows hold no reference cycles. Reference counting still frees what the run drops; the
    collector runs again at its next threshold once the run is over."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
