"""Work and pay: contracts, validated expense claims, declared work days and hours,
employees and full-time equivalents, employees by monthly hours, and by sector with the
salary budget; social security contributions."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from payroll.models import Contract, ExpenseClaim, Payslip, Worker
from production_units.models import ProductionUnit

from .activity import OF_UNIT_OFFICE, OF_UNIT_SECTOR, worked_in
from .base import (
    COUNT,
    MONEY,
    SHARE,
    SHARE_COLUMN,
    Cell,
    Column,
    Period,
    Scope,
    SectionData,
    banded,
    bands,
    block,
    distribution_block,
    headline_block,
    headline_rows,
    money,
    share,
)

# A full-time year in Belgium: 38 hours a week, 52 weeks.
FULL_TIME_HOURS_A_YEAR = Decimal(38 * 52)
HOURS_BANDS = bands(
    [
        (N_("less than 8 h"), Decimal(8)),
        (N_("8 to 20 h"), Decimal(20)),
        (N_("20 to 45 h"), Decimal(45)),
        (N_("45 to 75 h"), Decimal(75)),
        (N_("more than 75 h"), None),
    ]
)

HEADLINE = headline_block(
    "work",
    _("Work and pay"),
    _(
        "Contracts: employment contracts (not cancelled) starting in the period. Expense "
        "claims: claims for expenses of the period, approved or reimbursed. Work days and "
        "hours: declared work days of the period, not cancelled. Employees: different "
        "workers with at least one of those days; full-time equivalents: their hours over "
        "a full-time year of 38 hours × 52 weeks (pro rata for a year to date). Social "
        "security: employee contributions and employer charges of the payslips of the "
        "period's months (for the whole cooperative only)."
    ),
)
BY_HOURS = distribution_block(
    "work_by_hours",
    _("Employees by monthly hours"),
    _("Each employee's declared hours per month worked, on average over the period."),
    _("Hours a month"),
    _("Employees"),
    people=True,
)
BY_SECTOR = block(
    "work_by_sector",
    _("Employees and salary budget by sector"),
    _(
        "Employees: different workers with a declared work day in a unit of the sector "
        "(someone working in several sectors counts in each). Salary budget: gross salary "
        "plus employer charges of the contracts starting in the period."
    ),
    (
        Column(_("Sector")),
        Column(_("Employees"), COUNT),
        SHARE_COLUMN,
        Column(_("Salary budget (€)"), MONEY),
        Column(_("Share of the budget (%)"), SHARE),
    ),
    chart="bars",
    people=True,
)


def _contracts(period: Period, scope: Scope) -> QuerySet[Contract]:
    contracts = Contract.objects.filter(start_date__range=period.range).exclude(
        status=Contract.Status.CANCELLED
    )
    return scope.apply(contracts, OF_UNIT_OFFICE, OF_UNIT_SECTOR)


def _social_security(period: Period, scope: Scope) -> Decimal | None:
    if scope.office_id is not None or scope.sector_id is not None:
        return None  # a payslip pays a worker's month across units and offices
    total = Payslip.objects.filter(period__range=period.range).aggregate(
        total=Sum(F("employee_social_security") + F("employer_charges"))
    )["total"]
    return money(total)


def _headline(period: Period, scope: Scope) -> dict[str, Cell]:
    days = worked_in(period, scope)
    totals = days.aggregate(days=Count("pk"), hours=Sum("hours"))
    hours = totals["hours"] or Decimal("0.00")
    workers = days.values("worker_id")
    holds_a_unit = Exists(ProductionUnit.objects.filter(holder=OuterRef("member")))
    claims = scope.apply(
        ExpenseClaim.objects.filter(
            spent_on__range=period.range,
            status__in=[ExpenseClaim.Status.APPROVED, ExpenseClaim.Status.REIMBURSED],
        ),
        OF_UNIT_OFFICE,
        OF_UNIT_SECTOR,
    )
    full_time = FULL_TIME_HOURS_A_YEAR * period.days / (366 if period.year % 4 == 0 else 365)
    employees = Worker.objects.filter(pk__in=workers)
    return {
        N_("Contracts"): _contracts(period, scope).count(),
        N_("Expense claims validated"): claims.count(),
        N_("Declared work days"): totals["days"],
        N_("Declared hours"): hours,
        N_("Employees"): employees.count(),
        N_("Full-time equivalents"): (hours / full_time).quantize(Decimal("0.1"), ROUND_HALF_UP),
        N_("Employees holding no unit"): employees.exclude(holds_a_unit).count(),
        N_("Social security contributions (€)"): _social_security(period, scope),
    }


def _by_sector(period: Period, scope: Scope) -> list[list[Cell]]:
    employees = dict(
        worked_in(period, scope)
        .values("unit__sector__name")
        .annotate(n=Count("worker_id", distinct=True))
        .values_list("unit__sector__name", "n")
        .order_by()
    )
    budgets = dict(
        _contracts(period, scope)
        .values("unit__sector__name")
        .annotate(total=Sum(F("gross") + F("employer_charges")))
        .values_list("unit__sector__name", "total")
        .order_by()
    )
    people, budget = sum(employees.values()), sum(budgets.values(), Decimal(0))
    return [
        [
            name,
            employees.get(name, 0),
            share(employees.get(name, 0), people),
            money(budgets.get(name)),
            share(budgets.get(name) or 0, budget),
        ]
        for name in sorted(set(employees) | set(budgets))
    ]


def work_figure(*, period: Period, scope: Scope) -> SectionData:
    """Work and pay in the period (headline compared with a year before)."""
    now, before = _headline(period, scope), _headline(period.previous, scope)
    section = SectionData("work", period)
    section.add(HEADLINE, headline_rows(now, before))
    monthly = (
        worked_in(period, scope)
        .values("worker_id")
        .annotate(hours=Sum("hours"), months=Count(TruncMonth("date"), distinct=True))
        .values_list("hours", "months")
        .order_by()
    )
    section.add(BY_HOURS, banded((hours / months for hours, months in monthly), HOURS_BANDS))
    section.add(BY_SECTOR, _by_sector(period, scope))
    return section
