"""Dated parameters: rows valid from one day to another (both included). One queryset for
every rate, scale and policy table (`in_force_on`, `overlapping`), one abstract model that
refuses overlapping periods, and one look-up of the row in force on a day (`in_force`)."""

from datetime import date
from typing import Any, Self, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .dates import format_day


class DatedQuerySet(models.QuerySet):
    """Rows of a parameter table with validity periods (`valid_to` empty: still in force)."""

    def in_force_on(self, day: date) -> Self:
        """Rows whose validity period contains `day`."""
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def overlapping(self, start: date, end: date | None = None) -> Self:
        """Rows in force on at least one day of [start, end] (`end` None: open-ended)."""
        rows = self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        return rows if end is None else rows.filter(valid_from__lte=end)


class DatedModel(models.Model):
    """A parameter row valid from one day to another (both included), never overlapping the
    other rows of its scope (`dated_scope`: the fields that tell which rows compete)."""

    dated_scope: tuple[str, ...] = ()

    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Last day included; empty: in force.")
    )

    objects = DatedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="%(app_label)s_%(class)s_valid_to_after_from",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end of validity is before its start.")})
        if self.valid_from is None:
            return
        scope = {name: getattr(self, name) for name in self.dated_scope}
        others = type(self).objects.filter(**scope).overlapping(self.valid_from, self.valid_to)
        if self.pk is not None:
            others = others.exclude(pk=self.pk)
        clash = others.order_by("valid_from").first()
        if clash is not None:
            raise ValidationError(
                {
                    "valid_from": _(
                        "This period overlaps another one (from %(start)s to %(end)s): "
                        "end that one first."
                    )
                    % {
                        "start": format_day(clash.valid_from),
                        "end": format_day(clash.valid_to) if clash.valid_to else "…",
                    }
                }
            )


M = TypeVar("M", bound=models.Model)


def in_force(model: type[M], day: date, *, missing: str, **scope: Any) -> M:
    """The row of `model` in force on `day` (the latest start wins), among the rows matching
    `scope`. Raises ValidationError(`missing` % {"day": …}) when none is: the caller's
    message says what to record first."""
    row = (
        model._default_manager.filter(**scope)  # type: ignore[attr-defined]
        .in_force_on(day)
        .order_by("-valid_from")
        .first()
    )
    if row is None:
        raise ValidationError(missing % {"day": format_day(day)})
    return row
