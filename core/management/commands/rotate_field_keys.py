"""python manage.py rotate_field_keys [--rehash]: re-encrypt every national number and IBAN
with the newest key of FIELD_ENCRYPTION_KEYS (and, with --rehash, recompute their look-up
hashes with the current FIELD_HASH_KEY).

Key rotation, step by step (docs/operations.md): generate a key
(`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`),
put it first in FIELD_ENCRYPTION_KEYS and keep the old ones after it, restart, run this
command, then remove the old keys. Values already under the newest key are left as they are,
so the command can be run again after an interruption.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.db.models import Field, Model

from core.encryption import decrypt, encrypted_fields, lookup_hash, rotate
from core.model_fields import column_of

BATCH = 2000


class Command(BaseCommand):
    help = "Re-encrypt national numbers and IBANs with the newest FIELD_ENCRYPTION_KEYS key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rehash",
            action="store_true",
            help="Also recompute the look-up hashes (after FIELD_HASH_KEY changed).",
        )

    def handle(self, *args: Any, rehash: bool = False, **options: Any) -> None:
        total = 0
        for model, field in encrypted_fields():
            changed = self._rotate(model, field, rehash=rehash)
            total += changed
            self.stdout.write(f"{model._meta.label}.{field.name}: {changed} value(s) rewritten")
        self.stdout.write(self.style.SUCCESS(f"{total} value(s) rewritten with the newest key."))

    def _rotate(self, model: type[Model], field: Field[Any, Any], *, rehash: bool) -> int:
        quote = connection.ops.quote_name
        meta = model._meta
        table, pk = quote(meta.db_table), quote(column_of(meta.pk))
        column = quote(column_of(field))
        hash_column = quote(column_of(meta.get_field(f"{field.name}_hash")))
        # Names from the models' _meta, quoted: no user input reaches this SQL.
        select = (
            f"SELECT {pk}, {column} FROM {table} "  # noqa: S608
            f"WHERE {column} <> '' AND {pk} > %s ORDER BY {pk} LIMIT {BATCH}"
        )
        update = f"UPDATE {table} SET {column} = %s, {hash_column} = %s WHERE {pk} = %s"  # noqa: S608
        changed, last = 0, None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(select, [last if last is not None else _lowest(meta.pk)])
                rows = cursor.fetchall()
                if not rows:
                    return changed
                updates: list[tuple[str, str, Any]] = []
                for key, token in rows:
                    new = rotate(token)
                    if new != token or rehash:
                        updates.append((new, lookup_hash(decrypt(new)), key))
                if updates:
                    if not rehash:
                        # The hash does not change with the encryption key: keep the stored one.
                        cursor.executemany(
                            f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                            [(new, key) for new, _digest, key in updates],
                        )
                    else:
                        cursor.executemany(update, updates)
                changed += len(updates)
                last = rows[-1][0]


def _lowest(pk_field: Field[Any, Any]) -> str | int:
    return "" if pk_field.get_internal_type() in ("CharField", "TextField") else -1
