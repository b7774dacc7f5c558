"""Writes to production units and their ledger. The ledger is written here and nowhere else."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from smartcoop.audit import audit_log, diff, snapshot
from smartcoop.money import is_cents, to_decimal

from .models import LedgerEntry, ProductionUnit


@transaction.atomic
def ledger_post(
    *,
    unit: ProductionUnit,
    kind: str,
    amount: Decimal,
    booked_on: date,
    label: str,
    source: models.Model | None = None,
    by=None,
    reason: str = "",
) -> LedgerEntry:
    """Append one entry to a unit's ledger and audit it.

    Raises ValidationError for a zero or sub-cent amount, an unknown kind, or a manual
    adjustment without a reason.
    """
    amount = to_decimal(amount)
    errors = {}
    if kind not in LedgerEntry.Kind.values:
        errors["kind"] = _("Unknown kind of ledger entry.")
    if amount == 0:
        errors["amount"] = _("An entry can't be zero.")
    elif not is_cents(amount):
        errors["amount"] = _("Amounts are to the cent.")
    if kind == LedgerEntry.Kind.ADJUSTMENT and not reason.strip():
        errors["reason"] = _("A manual adjustment needs a reason.")
    if errors:
        raise ValidationError(errors)
    entry = LedgerEntry(
        unit=unit,
        kind=kind,
        amount=amount,
        booked_on=booked_on,
        label=label,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    if source is not None:
        entry.source = source
    entry.full_clean()
    entry.save()
    audit_log(
        actor=by,
        action="ledger.posted",
        obj=unit,
        changes={"entry": entry.pk, "kind": kind, "amount": str(amount)},
        reason=reason,
    )
    return entry


@transaction.atomic
def unit_open(*, by, holder, code: str, name: str, tool: str, sector, legal_entity, opened_on):
    """Open a production unit for a member, and audit it."""
    unit = ProductionUnit(
        holder=holder,
        code=code,
        name=name,
        tool=tool,
        sector=sector,
        legal_entity=legal_entity,
        opened_on=opened_on,
    )
    unit.full_clean()
    unit.save()
    audit_log(actor=by, action="unit.opened", obj=unit, changes={"tool": tool, "code": code})
    return unit


@transaction.atomic
def unit_close(*, unit: ProductionUnit, by, closed_on, reason: str = "") -> ProductionUnit:
    """Close a unit on a date (its ledger stays as it is)."""
    unit = ProductionUnit.objects.select_for_update().get(pk=unit.pk)
    if unit.status == ProductionUnit.Status.CLOSED:
        raise ValidationError(_("This unit is already closed."))
    unit.status = ProductionUnit.Status.CLOSED
    unit.closed_on = closed_on
    unit.full_clean()
    unit.save(update_fields=["status", "closed_on"])
    audit_log(actor=by, action="unit.closed", obj=unit, reason=reason)
    return unit


UNIT_EDITABLE_FIELDS = ["name", "sector"]


@transaction.atomic
def unit_update(*, unit: ProductionUnit, by, reason: str = "", **fields) -> ProductionUnit:
    """Change a unit's name or sector, and audit what changed."""
    unit = ProductionUnit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit, UNIT_EDITABLE_FIELDS)
    for name, value in fields.items():
        if name not in UNIT_EDITABLE_FIELDS:
            raise ValidationError({name: _("This field can't be changed.")})
        setattr(unit, name, value)
    unit.full_clean()
    unit.save()
    changes = {
        key: [str(old), str(new)]
        for key, (old, new) in diff(unit, UNIT_EDITABLE_FIELDS, before).items()
    }
    audit_log(actor=by, action="unit.updated", obj=unit, changes=changes, reason=reason)
    return unit
