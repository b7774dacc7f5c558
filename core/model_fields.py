"""Model fields that many tables declare the same way."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import ForeignObjectRel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def staff_link(verbose_name: StrOrPromise | None = None, **extra: Any) -> models.ForeignKey:
    """Who did it (decided, recorded, requested): an account, optional, kept as long as the
    row (PROTECT) and not reachable from the account (no reverse accessor). `extra`: more
    field options (help_text...)."""
    return optional_link(settings.AUTH_USER_MODEL, verbose_name, **extra)


def required_link(
    to: Any,
    verbose_name: StrOrPromise | None = None,
    *,
    related_name: str | None = "+",
    one: bool = False,
    **extra: Any,
) -> models.ForeignKey:
    """A link to another row, which is kept as long as this one points to it (PROTECT);
    `one`: at most one row links to it (a OneToOneField); `related_name=None`: Django's
    default reverse accessor; `extra`: more field options (help_text, limit_choices_to...)."""
    field = models.OneToOneField if one else models.ForeignKey
    return field(
        to, verbose_name=verbose_name, on_delete=models.PROTECT, related_name=related_name, **extra
    )


def optional_link(
    to: Any,
    verbose_name: StrOrPromise | None = None,
    *,
    related_name: str | None = "+",
    one: bool = False,
    **extra: Any,
) -> models.ForeignKey:
    """A required_link that may be empty (null, and blank in forms)."""
    return required_link(
        to, verbose_name, related_name=related_name, one=one, null=True, blank=True, **extra
    )


def column_of(field: models.Field[Any, Any] | ForeignObjectRel) -> str:
    """The column of a concrete field (a reverse relation or a private field has none)."""
    if isinstance(field, ForeignObjectRel) or field.column is None:
        raise ValueError(f"{field.name} has no column.")
    return field.column
