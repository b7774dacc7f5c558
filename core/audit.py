"""The project's one way to write the audit trail."""

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from .models import AuditEvent
from .validators import mask_identifier


def account_or_none(user: Any) -> Any:
    """The signed-in account behind `user`, or None (a task, a command, an anonymous
    visitor): what a "who did it" column and the audit trail store."""
    return user if getattr(user, "is_authenticated", False) else None


def audit_log(
    *,
    actor: Any,  # a user, AnonymousUser or None (a task, a command)
    action: str,
    obj: models.Model,
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Record that `actor` did `action` to `obj` (with `changes` and `reason`)."""
    return AuditEvent.objects.create(
        actor=account_or_none(actor),
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes or {},
        reason=reason,
    )


def audit_trail(obj: models.Model) -> QuerySet[AuditEvent]:
    """The audit events of one object, newest first."""
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
    ).select_related("actor")


def diff(
    instance: models.Model, fields: Iterable[str], before: dict[str, Any]
) -> dict[str, list[Any]]:
    """The fields whose value changed since `before`, as {field: [old, new]}; national
    numbers and IBANs (encrypted fields) are recorded masked."""
    changes: dict[str, list[Any]] = {}
    for name in fields:
        new = getattr(instance, name)
        if before.get(name) != new:
            changes[name] = [before.get(name), new]
            if getattr(instance._meta.get_field(name), "encrypted", False):
                changes[name] = [mask_identifier(value) for value in changes[name]]
    return changes


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}
