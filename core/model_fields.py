"""Model fields that many tables declare the same way."""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def staff_link(verbose_name: "StrOrPromise | None" = None, **extra: Any) -> models.ForeignKey:
    """Who did it (decided, recorded, requested): an account, optional, kept as long as the
    row (PROTECT) and not reachable from the account (no reverse accessor). `extra`: more
    field options (help_text...)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        **extra,
    )


def optional_link(
    to: Any,
    verbose_name: "StrOrPromise | None" = None,
    *,
    related_name: str | None = "+",
    one: bool = False,
    **extra: Any,
) -> models.ForeignKey:
    """An optional link to another row, kept as long as this one (PROTECT); `one`: at most
    one row links to it (a OneToOneField); `related_name=None`: Django's default reverse
    accessor; `extra`: more field options (help_text, limit_choices_to...)."""
    field = models.OneToOneField if one else models.ForeignKey
    return field(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
        **extra,
    )
