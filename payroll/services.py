"""Writes of the payroll app (more arrive with jobs, contracts and the payroll run)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.money import is_cents, to_decimal
from members.models import User
from production_units.models import ProductionUnit

from .models import ContractType, ContractTypeParameters, EmploymentCost


@transaction.atomic
def employment_cost_record(
    *,
    unit: ProductionUnit,
    contract_type: ContractType,
    work_date: date,
    gross: Decimal,
    employer_charges: Decimal,
    by: User,
) -> EmploymentCost:
    """Record the gross salary and employer charges of a work day charged to a unit (what the
    employment pillar of the contribution run reads), and audit it.

    Raises ValidationError for a sub-cent amount or a contract type without parameters in
    force on the work date.
    """
    gross, employer_charges = to_decimal(gross), to_decimal(employer_charges)
    errors = {}
    for name, amount in (("gross", gross), ("employer_charges", employer_charges)):
        if not is_cents(amount):
            errors[name] = _("Amounts are to the cent.")
    if (
        not ContractTypeParameters.objects.filter(contract_type=contract_type)
        .in_force_on(work_date)
        .exists()
    ):
        errors["contract_type"] = _("This contract type has no parameters in force on %(day)s.") % {
            "day": work_date
        }
    if errors:
        raise ValidationError(errors)
    cost = EmploymentCost(
        unit=unit,
        contract_type=contract_type,
        work_date=work_date,
        gross=gross,
        employer_charges=employer_charges,
        period=work_date.replace(day=1),
    )
    cost.full_clean()
    cost.save()
    audit_log(
        actor=by,
        action="employment_cost.recorded",
        obj=unit,
        changes={
            "employment_cost": cost.pk,
            "work_date": work_date,
            "gross": str(gross),
            "employer_charges": str(employer_charges),
        },
    )
    return cost
