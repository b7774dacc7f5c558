"""Reads about the mutual contribution that several callers need (staff report, dashboards,
the units' available balance)."""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Max, Sum

from core.cached import SignalCached
from core.money import cents
from payroll.models import ContributionPosting, ContributionRun
from production_units.models import LedgerEntry

ZERO = Decimal("0.00")


def _closed_until() -> date | None:
    period = ContributionRun.objects.aggregate(last=Max("period"))["last"]
    return period.replace(day=monthrange(period.year, period.month)[1]) if period else None


# Read on every page that shows an available balance (twice per unit), it changes once a
# month: kept in the cache until a run is saved or deleted (payroll.apps follows the runs).
closed_until = SignalCached("contributions-closed-until", _closed_until)


def contributions_closed_until() -> date | None:
    """The last day of the latest month whose contribution run is done (its salaries are
    posted: the payroll run of a month closes before its contribution run); None before the
    first run. From the cache (core.cached): an answer older than the last run would only
    hold back more of a balance, never less."""
    return closed_until.get()


@dataclass(frozen=True)
class FundTotal:
    turnover: Decimal
    employment: Decimal

    @property
    def total(self) -> Decimal:
        return self.turnover + self.employment


def mutual_fund_total(*, start: date | None = None, end: date | None = None) -> FundTotal:
    """What the units paid into the mutual fund (entries booked from `start` to `end`, both
    included): the opposite of their contribution entries, whoever posted them."""
    entries = LedgerEntry.objects.filter(
        kind__in=[LedgerEntry.Kind.TURNOVER_CONTRIBUTION, LedgerEntry.Kind.EMPLOYMENT_CONTRIBUTION]
    )
    if start is not None:
        entries = entries.filter(booked_on__gte=start)
    if end is not None:
        entries = entries.filter(booked_on__lte=end)
    totals = dict(entries.values("kind").annotate(total=Sum("amount")).values_list("kind", "total"))
    return FundTotal(
        turnover=-cents(totals.get(LedgerEntry.Kind.TURNOVER_CONTRIBUTION) or ZERO),
        employment=-cents(totals.get(LedgerEntry.Kind.EMPLOYMENT_CONTRIBUTION) or ZERO),
    )


@dataclass
class BreakdownRow:
    """One unit's contribution for a month, as posted."""

    unit_code: str
    unit_name: str
    tool: str
    invoiced: Decimal = ZERO
    credited: Decimal = ZERO
    net_turnover: Decimal = ZERO
    turnover_contribution: Decimal = ZERO
    gross: Decimal = ZERO
    employer_charges: Decimal = ZERO
    employment_contribution: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.turnover_contribution + self.employment_contribution


def contribution_breakdown(*, period: date) -> list[BreakdownRow]:
    """The postings of the month of `period`, one row per unit, by unit code (one query)."""
    rows: dict[int, BreakdownRow] = {}
    postings = (
        ContributionPosting.objects.filter(period=period.replace(day=1))
        .select_related("unit")
        .order_by("unit__code", "pillar")
    )
    for posting in postings:
        unit = posting.unit
        row = rows.setdefault(unit.pk, BreakdownRow(unit.code, unit.name, unit.get_tool_display()))
        detail = posting.detail
        if posting.pillar == ContributionPosting.Pillar.TURNOVER:
            row.invoiced = Decimal(detail.get("invoiced", "0.00"))
            row.credited = Decimal(detail.get("credited", "0.00"))
            row.net_turnover = posting.base
            row.turnover_contribution = posting.amount
        else:
            row.gross = posting.base
            row.employer_charges = Decimal(detail.get("charges", "0.00"))
            row.employment_contribution = posting.amount
    return list(rows.values())
