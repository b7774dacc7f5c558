from django.db import IntegrityError, connections, router, transaction

from .models import Counter


def counter_next(key: str) -> int:
    """The next value of a gap-free counter, taken under a row lock.

    Must run inside the caller's transaction: a rollback gives the number back, so numbers
    stay consecutive (unlike a database sequence). The lock is held until that transaction
    ends, so issuers of a series wait on each other: one statement (UPDATE … RETURNING, on
    PostgreSQL and SQLite alike) takes and reads the number.
    """
    alias = router.db_for_write(Counter)
    if not transaction.get_connection(alias).in_atomic_block:
        raise RuntimeError("counter_next must run inside a transaction")
    value = _increment(alias, key)
    if value is None:
        try:
            with transaction.atomic(using=alias):
                Counter.objects.using(alias).create(key=key, value=1)
            return 1
        except IntegrityError:
            # Created meanwhile by another transaction, now committed: increment it.
            value = _increment(alias, key)
    if value is None:  # pragma: no cover - the row exists once its creation conflicted
        raise RuntimeError(f"counter {key!r} could not be incremented")
    return value


def _increment(alias: str, key: str) -> int | None:
    """The counter's new value, or None when it has no row yet."""
    connection = connections[alias]
    table, value, name = (
        connection.ops.quote_name(part) for part in (Counter._meta.db_table, "value", "key")
    )
    # The table and column names come from the model; the key is a parameter.
    sql = f"UPDATE {table} SET {value} = {value} + 1 WHERE {name} = %s RETURNING {value}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    return None if row is None else int(row[0])
