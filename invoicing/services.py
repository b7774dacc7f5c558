"""Writes about the members' clients: create, change, verify (advisors), delete."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log, diff, snapshot
from members.models import User
from production_units.models import ProductionUnit

from .models import Client

CLIENT_FIELDS = [
    "kind",
    "name",
    "country",
    "enterprise_number",
    "vat_number",
    "street",
    "postal_code",
    "city",
    "email",
    "peppol_endpoint",
    "language",
]


def _check_units_held(units: list[ProductionUnit], by: User) -> None:
    if not by.is_staff and any(unit.holder.user_id != by.pk for unit in units):
        raise PermissionDenied(_("You can only attach clients to your own units."))


def _set_units(client: Client, units: list[ProductionUnit], by: User) -> None:
    """Attach `units`; a member only replaces their own units, never another member's."""
    if by.is_staff:
        client.units.set(units)
        return
    others = client.units.exclude(holder__user=by)
    client.units.set([*others, *units])


@transaction.atomic
def client_create(*, by: User, units: Iterable[ProductionUnit], **fields: object) -> Client:
    """Create a client attached to `units`. Raises ValidationError naming the bad fields."""
    units = list(units)
    if not units:
        raise ValidationError({"units": _("Choose at least one of your units.")})
    _check_units_held(units, by)
    client = Client(**fields)
    client.full_clean()
    client.save()
    client.units.set(units)
    audit_log(
        actor=by,
        action="client.created",
        obj=client,
        changes={name: getattr(client, name) for name in CLIENT_FIELDS},
    )
    return client


@transaction.atomic
def client_update(
    *,
    client: Client,
    by: User,
    units: Iterable[ProductionUnit] | None = None,
    **fields: object,
) -> Client:
    """Change a client. Members may change it only while no advisor has verified it."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.is_verified and not by.is_staff:
        raise ValidationError(
            _("This client has been verified by an advisor: ask your advisor to change it.")
        )
    before = snapshot(client, CLIENT_FIELDS)
    for name, value in fields.items():
        if name not in CLIENT_FIELDS:
            raise ValidationError({name: _("This field can't be changed.")})
        setattr(client, name, value)
    client.full_clean()
    client.save()
    changes = diff(client, CLIENT_FIELDS, before)
    if units is not None:
        units = list(units)
        if not units:
            raise ValidationError({"units": _("Choose at least one of your units.")})
        _check_units_held(units, by)
        _set_units(client, units, by)
        changes["units"] = [unit.pk for unit in units]
    audit_log(actor=by, action="client.updated", obj=client, changes=changes)
    return client


@transaction.atomic
def client_verify(*, client: Client, by: User, reason: str = "") -> Client:
    """Mark a client verified by an advisor. Verifying twice changes nothing."""
    if not by.is_staff:
        raise PermissionDenied(_("Only an advisor can verify a client."))
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.is_verified:
        return client
    client.verified_at = timezone.now()
    client.verified_by = by
    client.save(update_fields=["verified_at", "verified_by"])
    audit_log(actor=by, action="client.verified", obj=client, reason=reason)
    return client


@transaction.atomic
def client_delete(*, client: Client, by: User) -> None:
    """Delete a client no advisor has verified yet (a verified client is kept for the record).

    A client other members also invoice is only detached from this member's units.
    """
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.is_verified:
        raise ValidationError(_("A verified client can't be deleted."))
    if client.invoices.exists() or client.quotes.exists():
        raise ValidationError(_("This client has documents: it can't be deleted."))
    if not by.is_staff and client.units.exclude(holder__user=by).exists():
        client.units.remove(*client.units.filter(holder__user=by))
        audit_log(actor=by, action="client.detached", obj=client)
        return
    audit_log(actor=by, action="client.deleted", obj=client)
    client.delete()
