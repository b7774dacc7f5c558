"""Model fields that many tables declare the same way."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.functional import Promise


def staff_link(verbose_name: Promise | str) -> models.ForeignKey:
    """Who did it (decided, recorded, requested): an account, optional, kept as long as the
    row (PROTECT) and not reachable from the account (no reverse accessor)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )


def optional_link(
    to: Any, verbose_name: Promise | str, *, related_name: str = "+", one: bool = False
) -> models.ForeignKey:
    """An optional link to another row, kept as long as this one (PROTECT); `one`: at most
    one row links to it (a OneToOneField)."""
    field = models.OneToOneField if one else models.ForeignKey
    return field(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
    )
