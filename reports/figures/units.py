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
    COUNT,
    HEADLINE_COLUMNS,
    SHARE,
    Band,
    BlockSpec,
    Column,
    Period,
    Scope,
    SectionData,
    band_of,
    block,
    compared,
    counted,
    distribution,
    labels,
    money,
    whole_years,
)

K = Decimal(1000)
INVOICED_BANDS = (
    Band(N_("less than 1 k€"), Decimal(-(10**12)), 1 * K),
    Band(N_("1 to 3 k€"), 1 * K, 3 * K),
    Band(N_("3 to 10 k€"), 3 * K, 10 * K),
    Band(N_("10 to 30 k€"), 10 * K, 30 * K),
    Band(N_("30 to 50 k€"), 30 * K, 50 * K),
    Band(N_("50 to 100 k€"), 50 * K, 100 * K),
    Band(N_("more than 100 k€"), 100 * K, None),
)
AGE_BANDS = (
    Band(N_("1 year or less"), 0, 2),
    Band(N_("2 to 5 years"), 2, 6),
    Band(N_("6 to 10 years"), 6, 11),
    Band(N_("more than 10 years"), 11, None),
)
EMPLOYED_BANDS = (
    Band(N_("1 employee"), 1, 2),
    Band(N_("2 employees"), 2, 3),
    Band(N_("3 employees or more"), 3, None),
)
TOOLS: dict[str, str] = {
    ProductionUnit.Tool.THREE_IN_ONE: N_("3en1"),
    ProductionUnit.Tool.ACTIVITY: N_("Activité"),
}


def _units_spec(title: str, definition: str, first: str, people: bool = False) -> BlockSpec:
    return BlockSpec(
        _(title),
        _(definition),
        (Column(_(first)), Column(_("Active units"), COUNT), Column(_("Share (%)"), SHARE)),
        chart="bars",
        people=people,
    )


HEADLINE = block(
    "units",
    BlockSpec(
        _("Production units"),
        _(
            "Active unit: at least one issued invoice or credit note, or one declared work day, "
            "in the period. Turnover: total excl. VAT of the invoices issued in the period less "
            "the credit notes. Employing others: units with a contract (not cancelled) starting "
            "in the period for a worker who is not the unit's holder; their budget is the gross "
            "salary plus employer charges of those contracts."
        ),
        HEADLINE_COLUMNS,
    ),
)
BY_TOOL = block(
    "units_by_tool",
    _units_spec(N_("Active units by tool"), N_("The unit's tool: 3en1 or Activité."), N_("Tool")),
)
BY_SECTOR = block(
    "units_by_sector",
    _units_spec(
        N_("Active units by sector"),
        N_("The unit's sector of activity. Sectors with fewer than 10 units are not shown."),
        N_("Sector"),
        people=True,
    ),
)
BY_AGE = block(
    "units_by_age",
    _units_spec(
        N_("Active units by age"),
        N_("Completed years since the unit opened, on the last day of the period."),
        N_("Open since"),
    ),
)
BY_INVOICED = block(
    "units_by_invoiced",
    _units_spec(
        N_("Active units by amount invoiced"),
        N_("Total excl. VAT invoiced by the unit in the period, less its credit notes."),
        N_("Invoiced in the period"),
    ),
)
BY_EMPLOYED = block(
    "units_by_employed",
    _units_spec(
        N_("Units employing others, by number of employees"),
        N_(
            "Different workers other than the holder with a contract starting in the period, "
            "per unit employing others."
        ),
        N_("Other employees"),
    ),
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


def _headline(period: Period, scope: Scope) -> dict[str, int | Decimal]:
    others = _others(period, scope)
    budget = others.aggregate(total=Sum(F("gross") + F("employer_charges")))["total"]
    return {
        "active": active_units(period, scope).count(),
        "turnover": money(issued_in(period, scope).aggregate(total=Sum(SIGNED_NET))["total"]),
        "employing": others.values("unit_id").distinct().count(),
        "budget": money(budget),
    }


HEADLINE_ROWS = (
    (N_("Active units"), "active"),
    (N_("Turnover excl. VAT (€)"), "turnover"),
    (N_("Units employing others"), "employing"),
    (N_("Budget spent employing others (€)"), "budget"),
)


def units_figure(*, period: Period, scope: Scope) -> SectionData:
    """The production units' figures of the period (headline compared with a year before)."""
    now, before = _headline(period, scope), _headline(period.previous, scope)
    section = SectionData("units", period)
    section.add(HEADLINE, [compared(label, now[key], before[key]) for label, key in HEADLINE_ROWS])
    units = list(active_units(period, scope).values("pk", "tool", "sector__name", "opened_on"))
    section.add(
        BY_TOOL, distribution(counted((TOOLS[u["tool"]] for u in units), list(TOOLS.values())))
    )
    sectors = counted((u["sector__name"] for u in units), [])
    section.add(BY_SECTOR, distribution(dict(sorted(sectors.items()))))
    day = period.end
    section.add(
        BY_AGE,
        distribution(
            counted(
                (band_of(whole_years(u["opened_on"], day), AGE_BANDS) for u in units),
                labels(AGE_BANDS),
            )
        ),
    )
    sales = dict(
        issued_in(period, scope)
        .values("unit_id")
        .annotate(net=Sum(SIGNED_NET))
        .values_list("unit_id", "net")
        .order_by()
    )
    section.add(
        BY_INVOICED,
        distribution(
            counted(
                (band_of(sales.get(u["pk"]) or Decimal(0), INVOICED_BANDS) for u in units),
                labels(INVOICED_BANDS),
            )
        ),
    )
    employed = (
        _others(period, scope)
        .values("unit_id")
        .annotate(n=Count("worker_id", distinct=True))
        .values_list("n", flat=True)
        .order_by()
    )
    section.add(
        BY_EMPLOYED,
        distribution(
            counted((band_of(n, EMPLOYED_BANDS) for n in employed), labels(EMPLOYED_BANDS))
        ),
    )
    return section
