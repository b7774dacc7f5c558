import re
from typing import Any, NoReturn, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.audit_labels import action_label
from core.model_fields import required_link, staff_link

_M = TypeVar("_M", bound=models.Model)


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row of an append-only table."""


class AppendOnlyQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} rows can't be updated.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} rows can't be deleted.")


class AppendOnlyModel(models.Model):
    """A row is written once; a correction is a new row."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows can't be updated.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{type(self).__name__} rows can't be deleted.")


class AuditEvent(AppendOnlyModel):
    """One audit trail for the whole project: who did what to which object, when and why."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = staff_link(_("who"))
    action = models.CharField(_("action"), max_length=64)
    content_type = required_link(ContentType, None, db_index=False)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(_("why"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    @property
    def action_label(self) -> str:
        """The action in the reader's language (core.audit_labels), never its code."""
        return action_label(self.action)

    def change_lines(self) -> list[tuple[str, str]]:
        """The changes, {field: [old, new]} or {field: value}, as (field, "old → new") lines
        (the admin's audit trail shows them)."""
        if not isinstance(self.changes, dict):
            return [("", str(self.changes))]
        # get_for_id reads ContentType's cache: no query per event of a trail.
        model = (
            ContentType.objects.get_for_id(self.content_type_id).model_class()
            if self.content_type_id
            else None
        )
        lines = []
        for name, value in self.changes.items():
            field = _field_of(model, name)
            label = str(field.verbose_name) if field is not None else name
            if isinstance(value, list) and len(value) == 2:
                text = f"{_shown(field, value[0])} → {_shown(field, value[1])}"
                lines.append((label, text))
            else:
                lines.append((label, _shown(field, value)))
        return lines


ISO_DAY = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")


def _field_of(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # A reverse relation ("lines", "contracts") has no verbose name: the recorded key is shown.
    return field if hasattr(field, "verbose_name") else None


def _shown(field: Any, value: Any) -> str:
    """A recorded value as the reader reads it: a choice by its label in their language, a
    day (stored ISO, "2026-11-10", alone or in a text) dd/mm/yyyy."""
    if field is not None and getattr(field, "choices", None) and not isinstance(value, list):
        labels = dict(field.flatchoices)
        if value in labels:
            return str(labels[value])
    return ISO_DAY.sub(r"\3/\2/\1", str(value))


class HealthPing(models.Model):
    """Written by the health task: proves that a worker reached the database."""

    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    worker = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("health ping")
        verbose_name_plural = _("health pings")

    def __str__(self) -> str:
        return self.token


class Counter(models.Model):
    """A gap-free counter: incremented under a row lock in the caller's transaction."""

    key = models.CharField(max_length=100, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
