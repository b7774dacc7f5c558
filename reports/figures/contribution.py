"""The mutual contribution: what the units paid into the mutual fund per month and pillar,
against the year before (as posted by the monthly contribution runs)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from payroll.models import ContributionPosting

from .activity import OF_UNIT_OFFICE, OF_UNIT_SECTOR
from .base import (
    HEADLINE_COLUMNS,
    MONEY,
    MONTHS,
    BlockSpec,
    Column,
    Period,
    Scope,
    SectionData,
    block,
    compared,
    money,
)

TURNOVER, EMPLOYMENT = ContributionPosting.Pillar.TURNOVER, ContributionPosting.Pillar.EMPLOYMENT
DEFINITION = _(
    "The mutual contribution posted by the monthly contribution runs for the months of the "
    "period: the turnover pillar (a percentage of the turnover excl. VAT) and the employment "
    "pillar (a coefficient applied to the gross salaries). The year before: the same months."
)
HEADLINE = block(
    "contribution",
    BlockSpec(_("Mutual contribution"), DEFINITION, HEADLINE_COLUMNS),
)
BY_MONTH = block(
    "contribution_by_month",
    BlockSpec(
        _("Mutual contribution per month"),
        DEFINITION,
        (
            Column(_("Month")),
            Column(_("This year (€)"), MONEY),
            Column(_("Year before (€)"), MONEY),
        ),
        chart="series",
    ),
)
BY_PILLAR = block(
    "contribution_by_pillar",
    BlockSpec(
        _("Mutual contribution per month and pillar"),
        DEFINITION,
        (
            Column(_("Month")),
            Column(_("Turnover pillar (€)"), MONEY),
            Column(_("Employment pillar (€)"), MONEY),
        ),
        chart="series",
    ),
)


def _by_month(period: Period, scope: Scope) -> dict[tuple[int, str], Decimal]:
    """(month, pillar) → amount posted for the months of the period."""
    postings = scope.apply(
        ContributionPosting.objects.filter(period__range=(period.start, period.end)),
        OF_UNIT_OFFICE,
        OF_UNIT_SECTOR,
    )
    return {
        (row["period"].month, row["pillar"]): row["total"]
        for row in postings.values("period", "pillar").annotate(total=Sum("amount")).order_by()
    }


def contribution_figure(*, period: Period, scope: Scope) -> SectionData:
    """The mutual contribution per month and pillar, against the same months a year before."""
    now, before = _by_month(period, scope), _by_month(period.previous, scope)

    def total(
        amounts: dict[tuple[int, str], Decimal], month: int | None = None, pillar: str = ""
    ) -> Decimal:
        return money(
            sum(
                (
                    value
                    for (m, p), value in amounts.items()
                    if month in (None, m) and pillar in ("", p)
                ),
                Decimal(0),
            )
        )

    section = SectionData("contribution", period)
    section.add(
        HEADLINE,
        [
            compared(
                N_("Turnover pillar (€)"),
                total(now, pillar=TURNOVER),
                total(before, pillar=TURNOVER),
            ),
            compared(
                N_("Employment pillar (€)"),
                total(now, pillar=EMPLOYMENT),
                total(before, pillar=EMPLOYMENT),
            ),
            compared(N_("Total (€)"), total(now), total(before)),
        ],
    )
    months = range(1, period.end.month + 1)
    section.add(BY_MONTH, [[MONTHS[m - 1], total(now, m), total(before, m)] for m in months])
    section.add(
        BY_PILLAR,
        [[MONTHS[m - 1], total(now, m, TURNOVER), total(now, m, EMPLOYMENT)] for m in months],
    )
    return section
