"""The production units: active units by tool, sector, seniority and amount invoiced, their
turnover, and the budget they spent employing people other than their holder."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from payroll.models import Contract
from production_units.models import ProductionUnit

from .activity import OF_UNIT_OFFICE, OF_UNIT_SECTOR, SIGNED_NET, active_units, issued_in
from .base import (
    Cell,
    Period,
    Scope,
    SectionData,
    banded,
    bands,
    distribution,
    distribution_block,
    headline_block,
    headline_rows,
    money,
    whole_years,
)

K = Decimal(1000)
INVOICED_BANDS = bands(
    [
        (N_("less than 1 k€"), 1 * K),
        (N_("1 to 3 k€"), 3 * K),
        (N_("3 to 10 k€"), 10 * K),
        (N_("10 to 30 k€"), 30 * K),
        (N_("30 to 50 k€"), 50 * K),
        (N_("50 to 100 k€"), 100 * K),
        (N_("more than 100 k€"), None),
    ],
    low=Decimal(-(10**12)),
)
AGE_BANDS = bands(
    [
        (N_("1 year or less"), 2),
        (N_("2 to 5 years"), 6),
        (N_("6 to 10 years"), 11),
        (N_("more than 10 years"), None),
    ]
)
EMPLOYED_BANDS = bands(
    [
        (N_("1 employee"), 2),
        (N_("2 employees"), 3),
        (N_("3 employees or more"), None),
    ],
    low=1,
)
TOOLS: dict[str, str] = {
    ProductionUnit.Tool.THREE_IN_ONE: N_("3en1"),
    ProductionUnit.Tool.ACTIVITY: N_("Activité"),
}


HEADLINE = headline_block(
    "units",
    _("Production units"),
    _(
        "Active unit: at least one issued invoice or credit note, or one declared work day, "
        "in the period. Turnover: total excl. VAT of the invoices issued in the period less "
        "the credit notes. Employing others: units with a contract (not cancelled) starting "
        "in the period for a worker who is not the unit's holder; their budget is the gross "
        "salary plus employer charges of those contracts."
    ),
)
ACTIVE = _("Active units")
BY_TOOL = distribution_block(
    "units_by_tool",
    _("Active units by tool"),
    _("The unit's tool: 3en1 or Activité."),
    _("Tool"),
    ACTIVE,
)
BY_SECTOR = distribution_block(
    "units_by_sector",
    _("Active units by sector"),
    _("The unit's sector of activity. Sectors with fewer than 10 units are not shown."),
    _("Sector"),
    ACTIVE,
    people=True,
)
BY_AGE = distribution_block(
    "units_by_age",
    _("Active units by age"),
    _("Completed years since the unit opened, on the last day of the period."),
    _("Open since"),
    ACTIVE,
)
BY_INVOICED = distribution_block(
    "units_by_invoiced",
    _("Active units by amount invoiced"),
    _("Total excl. VAT invoiced by the unit in the period, less its credit notes."),
    _("Invoiced in the period"),
    ACTIVE,
)
BY_EMPLOYED = distribution_block(
    "units_by_employed",
    _("Units employing others, by number of employees"),
    _(
        "Different workers other than the holder with a contract starting in the period, "
        "per unit employing others."
    ),
    _("Other employees"),
    ACTIVE,
)


def _others(period: Period, scope: Scope) -> QuerySet[Contract]:
    """Contracts (not cancelled) starting in the period for someone who is not the holder."""
    contracts = Contract.objects.filter(start_date__range=period.range).exclude(
        status=Contract.Status.CANCELLED
    )
    contracts = contracts.exclude(
        Q(worker__member__isnull=False) & Q(worker__member=F("unit__holder"))
    )
    return scope.apply(contracts, OF_UNIT_OFFICE, OF_UNIT_SECTOR)


def _headline(period: Period, scope: Scope) -> dict[str, Cell]:
    others = _others(period, scope)
    budget = others.aggregate(total=Sum(F("gross") + F("employer_charges")))["total"]
    turnover = issued_in(period, scope).aggregate(total=Sum(SIGNED_NET))["total"]
    return {
        N_("Active units"): active_units(period, scope).count(),
        N_("Turnover excl. VAT (€)"): money(turnover),
        N_("Units employing others"): others.values("unit_id").distinct().count(),
        N_("Budget spent employing others (€)"): money(budget),
    }


def units_figure(*, period: Period, scope: Scope) -> SectionData:
    """The production units' figures of the period (headline compared with a year before)."""
    now, before = _headline(period, scope), _headline(period.previous, scope)
    section = SectionData("units", period)
    section.add(HEADLINE, headline_rows(now, before))
    units = list(active_units(period, scope).values("pk", "tool", "sector__name", "opened_on"))
    section.add(BY_TOOL, distribution((TOOLS[u["tool"]] for u in units), list(TOOLS.values())))
    sectors = [u["sector__name"] for u in units]
    section.add(BY_SECTOR, distribution(sectors, sorted(set(sectors))))
    day = period.end
    section.add(BY_AGE, banded((whole_years(u["opened_on"], day) for u in units), AGE_BANDS))
    sales = dict(
        issued_in(period, scope)
        .values("unit_id")
        .annotate(net=Sum(SIGNED_NET))
        .values_list("unit_id", "net")
        .order_by()
    )
    invoiced = (sales.get(u["pk"]) or Decimal(0) for u in units)
    section.add(BY_INVOICED, banded(invoiced, INVOICED_BANDS))
    employed = (
        _others(period, scope)
        .values("unit_id")
        .annotate(n=Count("worker_id", distinct=True))
        .values_list("n", flat=True)
        .order_by()
    )
    section.add(BY_EMPLOYED, banded(employed, EMPLOYED_BANDS))
    return section
