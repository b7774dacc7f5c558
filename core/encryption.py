"""National register numbers and IBANs, encrypted at rest, with a keyed hash for look-ups.

- The value is encrypted with Fernet (AES-128-CBC + HMAC-SHA256, `cryptography`) under the
  newest of settings.FIELD_ENCRYPTION_KEYS; any of the listed keys decrypts (MultiFernet), so
  a new key is put first, `manage.py rotate_field_keys` re-encrypts every value with it, and
  the old key is then dropped.
- Beside it, `<field>_hash` holds HMAC-SHA256(settings.FIELD_HASH_KEY, compact value): the
  unique constraints and every search by number use it. Fernet is randomised, so the
  ciphertext itself can't be compared; the field refuses any look-up but emptiness. The hash
  is set on assignment and at save() and bulk_create(); QuerySet.update() and bulk_update()
  of an encrypted field would leave it stale (none in the code: keep it so).
- Python code sees the clear value (`member.national_number`): SEPA files and Dimona exports
  read it as before. Pages show it masked (core.validators `mask_iban`,
  `mask_national_number`); the full
  value is shown only by an audited action of the back-office.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models.lookups import Exact, IsNull, Lookup
from django.db.models.query_utils import DeferredAttribute

from .model_fields import column_of
from .validators import IBANField, NationalNumberField

_SEPARATORS = re.compile(r"[\s.\-/:]")


@cache
def _fernet() -> MultiFernet:
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be Fernet keys (Fernet.generate_key()), comma-separated."
        ) from exc


def _reset(setting: str, **kwargs: Any) -> None:
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernet.cache_clear()


setting_changed.connect(_reset)


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored national number or IBAN can't be decrypted with FIELD_ENCRYPTION_KEYS: "
            "is the key that encrypted it still listed?"
        ) from exc


def rotate(token: str) -> str:
    """The same value, encrypted with the newest key (unchanged if it already is)."""
    try:
        Fernet(settings.FIELD_ENCRYPTION_KEYS[0]).decrypt(token.encode())
    except InvalidToken:
        return _fernet().rotate(token.encode()).decode()
    return token


def compact(value: str) -> str:
    """The form that is hashed: no spaces, dots, dashes or slashes, upper case."""
    return _SEPARATORS.sub("", value or "").upper()


def lookup_hash(value: str) -> str:
    """The keyed hash of an identifier, as stored in `<field>_hash` ("" for no value)."""
    value = compact(value)
    if not value:
        return ""
    return hmac.digest(settings.FIELD_HASH_KEY.encode(), value.encode(), hashlib.sha256).hex()


class _EmptyOnlyExact(Exact):
    """`field=""` still works (is a number set?); comparing to a number never can."""

    def get_db_prep_lookup(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        if value not in ("", None):
            raise TypeError(
                "An encrypted field can't be compared: filter on its `_hash` field "
                "with core.encryption.lookup_hash(value)."
            )
        return super().get_db_prep_lookup(value, connection)


class _IdentifierDescriptor(DeferredAttribute):
    """Assigning the clear value also sets its `<field>_hash`, so that full_clean's unique
    checks and look-ups see the hash of the value being saved."""

    def __set__(self, instance: models.Model, value: str | None) -> None:
        instance.__dict__[self.field.attname] = value
        instance.__dict__[f"{self.field.attname}_hash"] = lookup_hash(value or "")


if TYPE_CHECKING:
    _FieldBase = models.CharField
else:
    _FieldBase = object


class _EncryptedMixin(_FieldBase):
    """Stores the compact value encrypted (a text column); reads it back in clear. Every
    encrypted field has a LookupHashField named `<field>_hash` beside it."""

    descriptor_class: type[DeferredAttribute] = _IdentifierDescriptor
    encrypted = True

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        return models.TextField().db_type(connection)

    def cast_db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        return self.db_type(connection)

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        return None

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)

    def from_db_value(
        self, value: str | None, expression: object, connection: BaseDatabaseWrapper
    ) -> str | None:
        if not value:
            return value
        return decrypt(value)


class EncryptedNationalNumberField(_EncryptedMixin, NationalNumberField):
    """A Belgian national register number, validated, encrypted at rest."""


class EncryptedIBANField(_EncryptedMixin, IBANField):
    """An IBAN, validated, encrypted at rest."""


class LookupHashField(models.CharField):
    """HMAC-SHA256 of the clear value of `source` (an encrypted field of the same model),
    computed at every save: the column that constraints and searches use."""

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("editable", False), ("blank", True)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        if kwargs.get("default") == "":
            kwargs.pop("default")
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = lookup_hash(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


def encrypted_fields() -> Iterator[tuple[type[models.Model], _EncryptedMixin]]:
    """(model, field) for every encrypted field of the project's models."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, _EncryptedMixin):
                yield model, field


def _is_token(value: str) -> bool:
    return value.startswith("gAAAAA")  # Fernet's version byte, base64: never a number or IBAN


def migrate_columns(
    apps: StateApps,
    schema_editor: BaseDatabaseSchemaEditor,
    app_label: str,
    fields: dict[str, list[str]],
    *,
    clear: bool = False,
) -> None:
    """For a data migration: encrypt (or, `clear`, decrypt) the stored values of `fields`
    ({model name: [field names]}) in place and fill their `_hash` columns. Idempotent.

    Raw SQL: the historical fields would decrypt on read what is still in clear.
    """
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    for model_name, names in fields.items():
        meta = apps.get_model(app_label, model_name)._meta
        for name in names:
            column = column_of(meta.get_field(name))
            hash_column = column_of(meta.get_field(f"{name}_hash"))
            table, pk = quote(meta.db_table), quote(column_of(meta.pk))
            column, hash_column = quote(column), quote(hash_column)
            # Names from the models' _meta, quoted: no user input reaches this SQL.
            select = f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''"  # noqa: S608
            update = f"UPDATE {table} SET {column} = %s, {hash_column} = %s WHERE {pk} = %s"  # noqa: S608
            with connection.cursor() as cursor:
                cursor.execute(select)
                updates: list[tuple[str, str, Any]] = []
                for key, value in cursor.fetchall():
                    plain = decrypt(value) if _is_token(value) else value
                    stored = plain if clear else (value if _is_token(value) else encrypt(plain))
                    updates.append((stored, "" if clear else lookup_hash(plain), key))
                cursor.executemany(update, updates)
