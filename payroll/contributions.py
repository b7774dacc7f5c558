"""The monthly mutual-contribution run: for every unit, the turnover pillar and the employment
pillar of a closed month, posted once to its ledger (docs/payroll.md, "The contribution run").

Set-based: a few aggregate queries whatever the number of units, two bulk inserts, one audit
event; one transaction, serialised per month by a lock on the month's run row.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, Case, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing.models import Invoice
from production_units.models import ContributionRate, LedgerEntry, ProductionUnit
from production_units.services import NewEntry, ledger_post_bulk
from smartcoop.bulk import insert_rows
from smartcoop.money import CENT, cents

from .models import (
    ContractTypeParameters,
    ContributionPosting,
    ContributionRun,
    EmploymentCost,
)

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def parse_period(text: str) -> date:
    """'YYYY-MM' → the first day of that month. Raises ValidationError naming `period`."""
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        return date(year, month, 1)
    except (ValueError, AttributeError):
        raise ValidationError({"period": _("Give the period as YYYY-MM, e.g. 2026-10.")}) from None


def period_bounds(period: date) -> tuple[date, date]:
    """The first and last day of the month of `period`."""
    first = period.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def previous_period(today: date) -> date:
    """The first day of the month before `today`'s."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


@dataclass
class UnitContribution:
    """What one unit owes the mutual fund for a month, with its bases."""

    unit_id: int
    invoiced: Decimal = ZERO
    credited: Decimal = ZERO
    net_by_rate: dict[Decimal, Decimal] = field(default_factory=dict)
    gross_by_coefficient: dict[Decimal, Decimal] = field(default_factory=dict)
    charges: Decimal = ZERO

    @property
    def net_turnover(self) -> Decimal:
        return self.invoiced - self.credited

    @property
    def turnover_contribution(self) -> Decimal:
        """Σ rate × net turnover over the month's rates, rounded once, half up."""
        # Σ rate × net is exact; scaleb(-2) divides by 100 exactly (and fast).
        return cents(sum((rate * net for rate, net in self.net_by_rate.items()), ZERO).scaleb(-2))

    @property
    def gross(self) -> Decimal:
        return sum(self.gross_by_coefficient.values(), ZERO)

    @property
    def employment_contribution(self) -> Decimal:
        """Σ gross × (coefficient − 1), rounded up to the cent, less the employer charges:
        the same rule as the split's C2, so one job's month gives the job's C2."""
        kept = sum(
            (gross * (coefficient - 1) for coefficient, gross in self.gross_by_coefficient.items()),
            ZERO,
        )
        return kept.quantize(CENT, rounding=ROUND_CEILING) - self.charges

    def turnover_detail(self) -> dict:
        return {
            "invoiced": str(self.invoiced),
            "credited": str(self.credited),
            "net_by_rate": {str(rate): str(net) for rate, net in sorted(self.net_by_rate.items())},
        }

    def employment_detail(self) -> dict:
        return {
            "charges": str(self.charges),
            "gross_by_coefficient": {
                str(k): str(gross) for k, gross in sorted(self.gross_by_coefficient.items())
            },
        }


@dataclass
class Posted:
    """One ContributionPosting as written by the run (its row, without a model instance)."""

    unit_id: int
    pillar: str
    base: Decimal
    amount: Decimal
    detail: dict
    ledger_entry_id: int | None = None
    pk: int | None = None


@dataclass
class ContributionRunResult:
    period: date
    units: dict[int, UnitContribution]
    posted: list[Posted]
    already_posted: int

    def total(self, pillar: str) -> Decimal:
        return sum((p.amount for p in self.posted if p.pillar == pillar), ZERO)


def _dated_case(rows, date_field: str, first: date, last: date, scope: str = ""):
    """An expression giving, for each row of a query, the id of the parameter row in force on
    its date within [first, last] (NULL when none).

    When each scope (or the whole query, without one) has a single row in force for the whole
    month, as in most months, the dates don't matter: the expression is that row's id (per
    scope), which PostgreSQL groups as fast as the bare column."""
    whole_month: dict = {}
    by_scope: dict = {}
    for row in rows:
        key = getattr(row, scope) if scope else None
        by_scope[key] = by_scope.get(key, 0) + 1
        if row.valid_from <= first and (row.valid_to is None or row.valid_to >= last):
            whole_month[key] = row.pk
    if by_scope and all(by_scope[key] == 1 and key in whole_month for key in by_scope):
        if not scope:
            return Value(whole_month[None], output_field=BigIntegerField())
        whens = [When(Q(**{scope: key}), then=Value(pk)) for key, pk in whole_month.items()]
        return Case(*whens, default=Value(None), output_field=BigIntegerField())
    whens = []
    for row in rows:
        start, end = max(row.valid_from, first), min(row.valid_to or last, last)
        condition = Q(**{f"{date_field}__range": (start, end)})
        if scope:
            condition &= Q(**{scope: getattr(row, scope)})
        whens.append(When(condition, then=Value(row.pk)))
    return Case(*whens, default=Value(None), output_field=BigIntegerField())


def _missing_parameter(unit_id: int, period: date, what: str) -> ValidationError:
    code = ProductionUnit.objects.filter(pk=unit_id).values_list("code", flat=True).first()
    return ValidationError(
        _("No %(what)s in force on a day of %(period)s used by unit %(unit)s.")
        % {"what": what, "period": f"{period:%Y-%m}", "unit": code}
    )


def _add_turnover(units: dict[int, UnitContribution], first: date, last: date) -> None:
    rates = {r.pk: r for r in ContributionRate.objects.overlapping(first, last)}
    rows = (
        Invoice.objects.issued()
        .filter(issue_date__range=(first, last))
        .annotate(rate_row=_dated_case(rates.values(), "issue_date", first, last))
        .values("unit_id", "rate_row")
        .annotate(
            invoiced=Sum("net_total", filter=Q(kind=Invoice.Kind.INVOICE), default=ZERO),
            credited=Sum("net_total", filter=Q(kind=Invoice.Kind.CREDIT_NOTE), default=ZERO),
        )
        .order_by()
    )
    for row in rows:
        if row["rate_row"] is None:
            raise _missing_parameter(row["unit_id"], first, _("mutual contribution rate"))
        unit = units.setdefault(row["unit_id"], UnitContribution(row["unit_id"]))
        # SQLite sums numbers as floats: cents() gives the exact sum back (as unit_balance).
        invoiced, credited = cents(row["invoiced"]), cents(row["credited"])
        unit.invoiced += invoiced
        unit.credited += credited
        rate = rates[row["rate_row"]].rate
        unit.net_by_rate[rate] = unit.net_by_rate.get(rate, ZERO) + invoiced - credited


def _add_employment(units: dict[int, UnitContribution], first: date, last: date) -> None:
    parameters = {p.pk: p for p in ContractTypeParameters.objects.overlapping(first, last)}
    rows = (
        EmploymentCost.objects.filter(work_date__range=(first, last))
        .annotate(
            parameters_row=_dated_case(
                parameters.values(), "work_date", first, last, scope="contract_type_id"
            )
        )
        .values("unit_id", "parameters_row")
        .annotate(gross=Sum("gross"), charges=Sum("employer_charges"))
        .order_by()
    )
    for row in rows:
        if row["parameters_row"] is None:
            raise _missing_parameter(row["unit_id"], first, _("contract type parameters"))
        unit = units.setdefault(row["unit_id"], UnitContribution(row["unit_id"]))
        coefficient = parameters[row["parameters_row"]].employment_coefficient
        gross = cents(row["gross"])
        unit.gross_by_coefficient[coefficient] = (
            unit.gross_by_coefficient.get(coefficient, ZERO) + gross
        )
        unit.charges += cents(row["charges"])


def contributions_due(*, period: date) -> dict[int, UnitContribution]:
    """Every unit's contribution for the month of `period`, by unit id (units with neither
    turnover nor salaries are absent). Reads only. Raises ValidationError when a document
    or a salary falls on a day without parameters."""
    first, last = period_bounds(period)
    units: dict[int, UnitContribution] = {}
    _add_turnover(units, first, last)
    _add_employment(units, first, last)
    return units


PILLARS = (
    (
        ContributionPosting.Pillar.TURNOVER,
        LedgerEntry.Kind.TURNOVER_CONTRIBUTION,
        "turnover_contribution",
        "net_turnover",
        "turnover_detail",
    ),
    (
        ContributionPosting.Pillar.EMPLOYMENT,
        LedgerEntry.Kind.EMPLOYMENT_CONTRIBUTION,
        "employment_contribution",
        "gross",
        "employment_detail",
    ),
)


def _labels(period: date) -> dict[str, str]:
    month = f"{period:%Y-%m}"
    return {
        ContributionPosting.Pillar.TURNOVER: _("Mutual contribution on turnover, %(period)s")
        % {"period": month},
        ContributionPosting.Pillar.EMPLOYMENT: _("Mutual contribution on employment, %(period)s")
        % {"period": month},
    }


@transaction.atomic
def contributions_compute(*, period: date, by=None, today: date | None = None):
    """Post the mutual contribution of a closed month: per unit, one ledger entry per pillar
    (−contribution) and its ContributionPosting. Idempotent: what is posted for a unit,
    pillar and month is final, a second run posts nothing. Returns a ContributionRunResult.

    Raises ValidationError for a month not over yet or a day without parameters.
    """
    first, last = period_bounds(period)
    today = today or timezone.localdate()
    if last >= today:
        raise ValidationError(
            {
                "period": _("The month %(period)s is not over: compute it from %(day)s on.")
                % {"period": f"{first:%Y-%m}", "day": last + timedelta(days=1)}
            }
        )
    user = by if getattr(by, "is_authenticated", False) else None
    run, _created = ContributionRun.objects.get_or_create(
        period=first, defaults={"created_by": user}
    )
    # Runs of the same month queue here; the next one sees the postings of the previous.
    run = ContributionRun.objects.select_for_update().get(pk=run.pk)
    units = contributions_due(period=first)
    done = set(
        ContributionPosting.objects.filter(period=first).order_by().values_list("unit_id", "pillar")
    )
    labels = _labels(first)
    planned: list[tuple[NewEntry, Posted]] = []
    for unit_id in sorted(units):
        unit = units[unit_id]
        for pillar, kind, amount_name, base_name, detail_name in PILLARS:
            amount = getattr(unit, amount_name)
            if amount == 0 or (unit_id, pillar) in done:
                continue
            planned.append(
                (
                    NewEntry(unit_id, kind, -amount, last, labels[pillar]),
                    Posted(
                        unit_id,
                        pillar,
                        getattr(unit, base_name),
                        amount,
                        getattr(unit, detail_name)(),
                    ),
                )
            )
    postings = [posting for _entry, posting in planned]
    if planned:
        entry_ids = ledger_post_bulk(
            entries=[entry for entry, _posting in planned],
            by=by,
            source=run,
            reason=_("Mutual contribution run %(period)s") % {"period": f"{first:%Y-%m}"},
        )
        for posting, entry_id in zip(postings, entry_ids, strict=True):
            posting.ledger_entry_id = entry_id
        ids = insert_rows(
            ContributionPosting,
            ("run", "unit", "pillar", "period", "base", "amount", "detail", "ledger_entry"),
            [
                (run.pk, p.unit_id, p.pillar, first, p.base, p.amount, p.detail,
                 p.ledger_entry_id)
                for p in postings
            ],
        )  # fmt: skip
        for posting, posting_id in zip(postings, ids, strict=True):
            posting.pk = posting_id
    return ContributionRunResult(
        period=first, units=units, posted=postings, already_posted=len(done)
    )
