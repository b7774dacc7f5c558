"""Selectors of the dated parameters: the rows in force on a day, as plain values for the split.

Every caller (the live form, job validation, the payroll run) picks parameters here, by the
date of the event: the invoice's issue date, the work day.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.calendar import working_days_after
from core.dated import in_force
from core.dates import format_day
from payroll.split import (
    Bracket,
    ContractParameters,
    EmployerRates,
    ReductionParameters,
    WithholdingTable,
)
from production_units.models import ContributionRate

from .models import (
    ContractTypeParameters,
    EmployerContributionRate,
    PayrollPolicy,
    StructuralReduction,
    WithholdingTaxScale,
)


class ParameterMissing(ValidationError):
    """No parameter row is in force on the day asked."""


def rate_on(day: date) -> Decimal:
    """The mutual contribution's turnover rate (%) in force on `day`. Raises ParameterMissing."""
    rate = ContributionRate.objects.in_force_on(day).values_list("rate", flat=True).first()
    if rate is None:
        raise ParameterMissing(
            _("No mutual contribution rate is in force on %(day)s.") % {"day": day}
        )
    return rate


def payroll_policy_on(day: date) -> PayrollPolicy:
    """The payroll policy in force on `day`. Raises ValidationError when none is."""
    return in_force(PayrollPolicy, day, missing=_("No payroll policy is in force on %(day)s."))


def salary_due_on(*, last_day: date, today: date | None = None) -> date:
    """THE payment day of a salary for work up to `last_day` (a 3en1 job's last work day, the
    last day of a payroll run's month): the salary delay in working days (core.calendar) of
    the payroll policy in force on `last_day`, and never before `today` when given (a payroll
    run computed after that day pays at once). Raises ValidationError when no payroll policy
    is in force on `last_day`."""
    delay = payroll_policy_on(last_day).salary_delay_working_days
    due = working_days_after(last_day, delay)
    return due if today is None else max(due, today)


def to_contract_parameters(row: ContractTypeParameters) -> ContractParameters:
    return ContractParameters(
        coefficient=row.employment_coefficient,
        employer_charges_rate=row.employer_charges_rate,
        employee_ss_rate=row.employee_ss_rate,
        employee_ss_base_percent=row.employee_ss_base_percent,
        minimum_daily_gross=row.minimum_daily_gross,
        piece_work=row.piece_work,
    )


def contract_parameters(code: str, day: date) -> ContractParameters:
    """The values of contract type `code` in force on `day`. Raises ParameterMissing."""
    row = ContractTypeParameters.objects.in_force_on(day).filter(contract_type__code=code).first()
    if row is None:
        raise ParameterMissing(
            _("The contract type %(code)s has no parameters in force on %(day)s.")
            % {"code": code, "day": day}
        )
    return to_contract_parameters(row)


def withholding_table(day: date) -> WithholdingTable:
    """The withholding tax's key formula in force on `day` (its yearly brackets, expenses,
    tax-free sum reduction, marital quotient, rounding). Raises ParameterMissing."""
    scale = WithholdingTaxScale.objects.in_force_on(day).prefetch_related("brackets").first()
    if scale is None or not scale.brackets.all():
        raise ParameterMissing(_("No withholding tax scale is in force on %(day)s.") % {"day": day})
    return WithholdingTable(
        brackets=tuple(
            Bracket(b.from_amount, b.to_amount, b.rate)
            for b in sorted(scale.brackets.all(), key=lambda b: b.from_amount)
        ),
        piece_work_minimum_rate=scale.piece_work_minimum_rate,
        expenses_rate=scale.expenses_rate,
        expenses_cap=scale.expenses_cap,
        tax_free_reduction=scale.tax_free_reduction,
        quotient_rate=scale.quotient_rate,
        quotient_cap=scale.quotient_cap,
        rounding=scale.rounding,
    )


def employer_rates(category: str, day: date) -> EmployerRates:
    """The employer contribution rates of a worker category in force on `day`. Raises
    ParameterMissing."""
    row = EmployerContributionRate.objects.in_force_on(day).filter(category=category).first()
    if row is None:
        raise ParameterMissing(
            _("The worker category %(category)s has no employer rates in force on %(day)s.")
            % {"category": category, "day": format_day(day)}
        )
    return EmployerRates(
        base_percent=row.base_percent,
        basic_rate=row.basic_rate,
        holiday_pay_rate=row.holiday_pay_rate,
        structural_reduction=row.structural_reduction,
    )


def structural_reduction_on(day: date) -> ReductionParameters | None:
    """The structural reduction's parameters in force on `day` (None: none is)."""
    row = StructuralReduction.objects.in_force_on(day).first()
    if row is None:
        return None
    return ReductionParameters(
        flat_amount=row.flat_amount,
        low_wage_threshold=row.low_wage_threshold,
        low_wage_coefficient=row.low_wage_coefficient,
        very_low_wage_threshold=row.very_low_wage_threshold,
        very_low_wage_coefficient=row.very_low_wage_coefficient,
    )
