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
    MONEY,
    MONTHS,
    Cell,
    Column,
    Period,
    Scope,
    SectionData,
    headline_block,
    headline_rows,
    money,
    monthly_block,
    year_on_year_block,
)

TURNOVER, EMPLOYMENT = ContributionPosting.Pillar.TURNOVER, ContributionPosting.Pillar.EMPLOYMENT
DEFINITION = _(
    "The mutual contribution posted by the monthly contribution runs for the months of the "
    "period: the turnover pillar (a percentage of the turnover excl. VAT) and the employment "
    "pillar (a coefficient applied to the gross salaries). The year before: the same months."
)
HEADLINE = headline_block("contribution", _("Mutual contribution"), DEFINITION)
BY_MONTH = year_on_year_block(
    "contribution_by_month", _("Mutual contribution per month"), DEFINITION, MONEY
)
BY_PILLAR = monthly_block(
    "contribution_by_pillar",
    _("Mutual contribution per month and pillar"),
    DEFINITION,
    (Column(_("Turnover pillar (€)"), MONEY), Column(_("Employment pillar (€)"), MONEY)),
)


Amounts = dict[tuple[int, str], Decimal]


def _by_month(period: Period, scope: Scope) -> Amounts:
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


def _total(amounts: Amounts, month: int | None = None, pillar: str = "") -> Decimal:
    """What `amounts` hold for the month (None: every month) and pillar ("": both)."""
    chosen = (v for (m, p), v in amounts.items() if month in (None, m) and pillar in ("", p))
    return money(sum(chosen, Decimal(0)))


def _headline(amounts: Amounts) -> dict[str, Cell]:
    return {
        N_("Turnover pillar (€)"): _total(amounts, pillar=TURNOVER),
        N_("Employment pillar (€)"): _total(amounts, pillar=EMPLOYMENT),
        N_("Total (€)"): _total(amounts),
    }


def contribution_figure(*, period: Period, scope: Scope) -> SectionData:
    """The mutual contribution per month and pillar, against the same months a year before."""
    now, before = _by_month(period, scope), _by_month(period.previous, scope)
    section = SectionData("contribution", period)
    section.add(HEADLINE, headline_rows(_headline(now), _headline(before)))
    months = range(1, period.end.month + 1)
    section.add(BY_MONTH, [[MONTHS[m - 1], _total(now, m), _total(before, m)] for m in months])
    section.add(
        BY_PILLAR,
        [[MONTHS[m - 1], _total(now, m, TURNOVER), _total(now, m, EMPLOYMENT)] for m in months],
    )
    return section
