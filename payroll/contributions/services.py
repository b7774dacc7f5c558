"""The monthly mutual-contribution run: for every unit, the turnover pillar and the employment
pillar of a closed month, posted once to its ledger (docs/payroll.md, "The contribution run").

Set-based: a few aggregate queries whatever the number of units, two bulk inserts, one audit
event; one transaction, serialised per month by a lock on the month's run row.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    DecimalField,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import account_or_none
from core.bulk import gc_paused, insert_rows
from core.calendar import month_bounds, month_over
from core.dated import DatedModel
from core.money import cents
from invoicing.models import FundingAgreement, Invoice
from members.models import User
from payroll.models import (
    ContractTypeParameters,
    ContributionPosting,
    ContributionRun,
    EmploymentCost,
)
from production_units.ledger_labels import stored_label
from production_units.models import ContributionRate, LedgerEntry, ProductionUnit
from production_units.services import NewEntry, ledger_post_bulk, ledger_post_query

from .rule import EMPLOYMENT, TURNOVER

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


@dataclass
class UnitContribution:
    """What one unit owes the mutual fund for a month, with its bases."""

    unit_id: int
    invoiced: Decimal = ZERO
    credited: Decimal = ZERO
    funded: Decimal = ZERO  # funding agreements received (invoicing.funding)
    net_by_rate: dict[Decimal, Decimal] = field(default_factory=dict)
    gross_by_coefficient: dict[Decimal, Decimal] = field(default_factory=dict)
    charges: Decimal = ZERO

    @property
    def net_turnover(self) -> Decimal:
        return self.invoiced - self.credited + self.funded

    @property
    def turnover_contribution(self) -> Decimal:
        """The turnover pillar of the month (contribution_rule.TURNOVER)."""
        return TURNOVER.amount(self.net_by_rate)

    @property
    def gross(self) -> Decimal:
        return sum(self.gross_by_coefficient.values(), ZERO)

    @property
    def employment_contribution(self) -> Decimal:
        """The employment pillar of the month (contribution_rule.EMPLOYMENT): the same rule
        as the split's C2, so one job's month gives the job's C2."""
        return EMPLOYMENT.amount(self.gross_by_coefficient, self.charges)

    def turnover_detail(self) -> dict:
        return {
            "invoiced": str(self.invoiced),
            "credited": str(self.credited),
            "funded": str(self.funded),
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
    detail: dict | None  # None when the run wrote it in the database without reading it back
    ledger_entry_id: int | None = None
    pk: int | None = None


@dataclass
class ContributionRunResult:
    period: date
    units: int  # how many units this run charged or credited
    posted: list[Posted]
    already_posted: int

    def total(self, pillar: str) -> Decimal:
        return sum((p.amount for p in self.posted if p.pillar == pillar), ZERO)


def _dated_case(
    rows: Collection[DatedModel], date_field: str, first: date, last: date, scope: str = ""
) -> Case | Value:
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


def _nothing() -> Value:
    return Value(ZERO, output_field=DecimalField(max_digits=14, decimal_places=2))


def _turnover_rows(
    first: date, last: date
) -> tuple[dict[int, ContributionRate], QuerySet[Invoice, Mapping[str, Any]]]:
    """The rates used by the month's turnover by id, and the query of (unit_id, rate_row,
    invoiced, credited, funded): the issued documents' net totals per unit and rate, then the
    funding agreements received in the month per unit and rate. An invoice counts at the rate
    in force on its issue date; a credit note (in the month of its own issue date) reverses at
    the rate of the invoice it credits, in force on that invoice's issue date; a funding
    agreement counts at the rate in force on the day it was received."""
    documents = Invoice.objects.issued().filter(issue_date__range=(first, last))
    # Only credit notes can reach back before the month (index: issue date).
    credited_since = documents.filter(kind=Invoice.Kind.CREDIT_NOTE).aggregate(
        since=Min("credited_invoice__issue_date")
    )["since"]
    since = min(credited_since or first, first)
    rates = {r.pk: r for r in ContributionRate.objects.overlapping(since, last)}
    rows = (
        documents.annotate(rate_day=Coalesce("credited_invoice__issue_date", "issue_date"))
        .annotate(rate_row=_dated_case(rates.values(), "rate_day", since, last))
        .values("unit_id", "rate_row")
        .annotate(
            invoiced=Sum("net_total", filter=Q(kind=Invoice.Kind.INVOICE), default=ZERO),
            credited=Sum("net_total", filter=Q(kind=Invoice.Kind.CREDIT_NOTE), default=ZERO),
            funded=_nothing(),
        )
        .order_by()
    )
    funding = (
        FundingAgreement.objects.filter(received_on__range=(first, last))
        .annotate(rate_row=_dated_case(rates.values(), "received_on", since, last))
        .values("unit_id", "rate_row")
        .annotate(invoiced=_nothing(), credited=_nothing(), funded=Sum("amount"))
        .order_by()
    )
    return rates, rows.union(funding, all=True)


def charged_costs(first: date, last: date) -> QuerySet[EmploymentCost]:
    """The employment costs the run of [first, last] charges: those of the payroll run of the
    month (its arrears of earlier months included), and those recorded without a month for
    work days within it."""
    return EmploymentCost.objects.filter(
        Q(period=first) | Q(period__isnull=True, work_date__range=(first, last))
    )


def _employment_rows(
    first: date, last: date
) -> tuple[dict[int, ContractTypeParameters], QuerySet[EmploymentCost, Mapping[str, Any]]]:
    """The contract-type parameters in force over the work dates charged, by id, and the query
    of (unit_id, parameters_row, gross, charges): the salaries per unit and parameters in
    force on their work date (arrears: a day of an earlier month, at that day's rates)."""
    costs = charged_costs(first, last)
    # Only costs charged with this month can be older than it (index: period, work date).
    earliest = EmploymentCost.objects.filter(period=first, work_date__lt=first)
    since = earliest.aggregate(since=Min("work_date"))["since"] or first
    parameters = {p.pk: p for p in ContractTypeParameters.objects.overlapping(since, last)}
    rows = (
        costs.annotate(
            parameters_row=_dated_case(
                parameters.values(), "work_date", since, last, scope="contract_type_id"
            )
        )
        .values("unit_id", "parameters_row")
        .annotate(gross=Sum("gross"), charges=Sum("employer_charges"))
        .order_by()
    )
    return parameters, rows


def _add_turnover(units: dict[int, UnitContribution], first: date, last: date) -> None:
    rates, rows = _turnover_rows(first, last)
    for row in rows:
        if row["rate_row"] is None:
            raise _missing_parameter(row["unit_id"], first, _("mutual contribution rate"))
        unit = units.setdefault(row["unit_id"], UnitContribution(row["unit_id"]))
        # SQLite sums numbers as floats: cents() gives the exact sum back (as unit_balance).
        invoiced, credited = cents(row["invoiced"]), cents(row["credited"])
        funded = cents(row["funded"])
        unit.invoiced += invoiced
        unit.credited += credited
        unit.funded += funded
        rate = rates[row["rate_row"]].rate
        net = invoiced - credited + funded
        unit.net_by_rate[rate] = unit.net_by_rate.get(rate, ZERO) + net


def _add_employment(units: dict[int, UnitContribution], first: date, last: date) -> None:
    parameters, rows = _employment_rows(first, last)
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
    first, last = month_bounds(period)
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


LABEL_CODES = {
    ContributionPosting.Pillar.TURNOVER: "contribution_turnover",
    ContributionPosting.Pillar.EMPLOYMENT: "contribution_employment",
}


def _labels(period: date) -> dict[str, str]:
    """Each pillar's label as stored (production_units.ledger_labels shows it translated)."""
    return {
        pillar: stored_label(code, _label_params(period)) for pillar, code in LABEL_CODES.items()
    }


def _label_params(period: date) -> dict[str, str]:
    return {"period": f"{period:%Y-%m}"}


def _label_codes(period: date) -> dict[str, tuple[str, dict[str, str]]]:
    labels = _labels(period)
    return {labels[pillar]: (code, _label_params(period)) for pillar, code in LABEL_CODES.items()}


@transaction.atomic
def contributions_compute(
    *,
    period: date,
    by: User | None = None,
    today: date | None = None,
    set_based: bool | None = None,
) -> ContributionRunResult:
    """Post the mutual contribution of a closed month: per unit, one ledger entry per pillar
    (−contribution) and its ContributionPosting. Idempotent: what is posted for a unit,
    pillar and month is final, a second run posts nothing. Returns a ContributionRunResult.

    On PostgreSQL the database computes the amounts and writes the rows itself (a few
    statements, no row through Python); elsewhere (SQLite, `make run`) the same rules run in
    Python. `set_based` forces one way (True needs PostgreSQL): the tests run both on
    PostgreSQL and compare them unit by unit (tests/test_contributions.py).

    Raises ValidationError for a month not over yet or a day without parameters.
    """
    today = today or timezone.localdate()
    first, last = month_over(period, today)
    user = account_or_none(by)
    run, _created = ContributionRun.objects.get_or_create(
        period=first, defaults={"created_by": user}
    )
    # Runs of the same month queue here; the next one sees the postings of the previous.
    run = ContributionRun.objects.select_for_update().get(pk=run.pk)
    already = ContributionPosting.objects.filter(period=first).count()
    if set_based is None:
        set_based = connection.vendor == "postgresql"
    post = _post_in_database if set_based else _post_in_python
    # Some 20,000 postings read back: without the collector's full passes (core.bulk).
    with gc_paused():
        postings = post(run, first, last, by)
        return ContributionRunResult(
            period=first,
            units=len({posting.unit_id for posting in postings}),
            posted=postings,
            already_posted=already,
        )


def _run_reason(first: date) -> str:
    return _("Mutual contribution run %(period)s") % {"period": f"{first:%Y-%m}"}


def _post_in_python(run: ContributionRun, first: date, last: date, by: User | None) -> list[Posted]:
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
                    NewEntry(
                        unit_id,
                        kind,
                        -amount,
                        last,
                        labels[pillar],
                        label_code=LABEL_CODES[pillar],
                        label_params=_label_params(first),
                    ),
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
    if not planned:
        return postings
    entry_ids = ledger_post_bulk(
        entries=[entry for entry, _posting in planned], by=by, source=run, reason=_run_reason(first)
    )
    for posting, entry_id in zip(postings, entry_ids, strict=True):
        posting.ledger_entry_id = entry_id
    ids = insert_rows(
        ContributionPosting,
        ("run", "unit", "pillar", "period", "base", "amount", "detail", "ledger_entry"),
        [
            (run.pk, p.unit_id, p.pillar, first, p.base, p.amount, p.detail, p.ledger_entry_id)
            for p in postings
        ],
    )
    for posting, posting_id in zip(postings, ids, strict=True):
        posting.pk = posting_id
    return postings


# The PostgreSQL run. Every amount is contribution_rule's, written in SQL by the same
# PillarRule that UnitContribution calls in Python; the details are the same JSON. `missing`
# marks a document or a salary on a day without parameters (the run then stops, as in Python).
DUE_TABLE = "contribution_due"
DUE_SQL = """
CREATE TEMPORARY TABLE {due} ON COMMIT DROP AS
WITH turnover AS ({turnover}),
by_rate AS (
    SELECT t.unit_id, r.rate, SUM(t.invoiced) AS invoiced, SUM(t.credited) AS credited,
           SUM(t.funded) AS funded, bool_or(r.id IS NULL) AS missing
    FROM turnover t LEFT JOIN {rates} r ON r.id = t.rate_row
    GROUP BY t.unit_id, r.rate
),
employment AS ({employment}),
by_coefficient AS (
    SELECT e.unit_id, p.employment_coefficient AS coefficient, SUM(e.gross) AS gross,
           SUM(e.charges) AS charges, bool_or(p.id IS NULL) AS missing
    FROM employment e LEFT JOIN {parameters} p ON p.id = e.parameters_row
    GROUP BY e.unit_id, p.employment_coefficient
),
due AS (
    SELECT unit_id, 1 AS position, %s::varchar AS pillar, %s::varchar AS kind,
           %s::varchar AS label,
           SUM(invoiced) - SUM(credited) + SUM(funded) AS base,
           {turnover_amount} AS amount,
           jsonb_build_object(
               'invoiced', SUM(invoiced)::text, 'credited', SUM(credited)::text,
               'funded', SUM(funded)::text,
               'net_by_rate', COALESCE(jsonb_object_agg(rate::text,
                                                        (invoiced - credited + funded)::text)
                                       FILTER (WHERE rate IS NOT NULL), '{{}}'::jsonb)
           ) AS detail,
           bool_or(missing) AS missing
    FROM by_rate GROUP BY unit_id
    UNION ALL
    SELECT unit_id, 2, %s, %s, %s,
           SUM(gross),
           {employment_amount},
           jsonb_build_object(
               'charges', SUM(charges)::text,
               'gross_by_coefficient',
               COALESCE(jsonb_object_agg(coefficient::text, gross::text)
                        FILTER (WHERE coefficient IS NOT NULL), '{{}}'::jsonb)
           ),
           bool_or(missing)
    FROM by_coefficient GROUP BY unit_id
)
SELECT d.unit_id, d.position, d.pillar, d.kind, d.label, d.base::numeric(14, 2) AS base,
       d.amount::numeric(14, 2) AS amount, d.detail, d.missing
FROM due d
WHERE d.missing OR (d.amount <> 0 AND NOT EXISTS (
    SELECT 1 FROM {postings} p
    WHERE p.period = %s AND p.unit_id = d.unit_id AND p.pillar = d.pillar
))
"""
# Each due row's entry: the run's entry of its unit and kind, found by the entries' source
# index. There is one: a unit's pillar already posted for the month has no due row, and its
# entry is the only other one of the run (source) for that unit and kind.
POSTINGS_SQL = """
INSERT INTO {postings} (run_id, unit_id, pillar, period, base, amount, detail, ledger_entry_id)
SELECT %s, d.unit_id, d.pillar, %s, d.base, d.amount, d.detail, e.id
FROM {due} d
JOIN {entries} e
  ON e.source_type_id = %s AND e.source_id = %s AND e.unit_id = d.unit_id AND e.kind = d.kind
ORDER BY d.unit_id, d.position
RETURNING id, unit_id, pillar, base, amount, ledger_entry_id
"""


def _post_in_database(
    run: ContributionRun, first: date, last: date, by: User | None
) -> list[Posted]:
    _rates, turnover = _turnover_rows(first, last)
    _parameters, employment = _employment_rows(first, last)
    turnover_sql, turnover_params = turnover.query.sql_with_params()
    employment_sql, employment_params = employment.query.sql_with_params()
    labels = _labels(first)
    names = {
        "due": DUE_TABLE,
        "rates": ContributionRate._meta.db_table,
        "parameters": ContractTypeParameters._meta.db_table,
        "postings": ContributionPosting._meta.db_table,
        "entries": LedgerEntry._meta.db_table,
    }
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{DUE_TABLE}")
        cursor.execute(
            DUE_SQL.format(
                turnover=turnover_sql,
                employment=employment_sql,
                turnover_amount=TURNOVER.amount_sql(
                    parameter="rate", base="(invoiced - credited + funded)"
                ),
                employment_amount=EMPLOYMENT.amount_sql(
                    parameter="coefficient", base="gross", less="SUM(charges)"
                ),
                **names,
            ),
            [
                *turnover_params,
                *employment_params,
                *(str(value) for value in (ContributionPosting.Pillar.TURNOVER,
                                           LedgerEntry.Kind.TURNOVER_CONTRIBUTION)),
                labels[ContributionPosting.Pillar.TURNOVER],
                *(str(value) for value in (ContributionPosting.Pillar.EMPLOYMENT,
                                           LedgerEntry.Kind.EMPLOYMENT_CONTRIBUTION)),
                labels[ContributionPosting.Pillar.EMPLOYMENT],
                first,
            ],
        )  # fmt: skip
        cursor.execute(
            f"SELECT unit_id, position FROM {DUE_TABLE} WHERE missing "  # noqa: S608
            "ORDER BY position, unit_id LIMIT 1"
        )
        missing = cursor.fetchone()
    if missing:
        what = _("mutual contribution rate") if missing[1] == 1 else _("contract type parameters")
        raise _missing_parameter(missing[0], first, what)
    entries = ledger_post_query(
        select=f"SELECT unit_id, kind, -amount AS amount, %s::date AS booked_on, label "  # noqa: S608
        f"FROM {DUE_TABLE} ORDER BY unit_id, position",
        params=[last],
        by=by,
        source=run,
        reason=_run_reason(first),
        label_codes=_label_codes(first),
    )
    if not entries:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            POSTINGS_SQL.format(**names),
            [run.pk, first, ContentType.objects.get_for_model(run).pk, str(run.pk)],
        )
        rows = cursor.fetchall()
    # The details stay in the database (json.loads of 20,000 rows isn't worth it here).
    return [
        Posted(unit_id, pillar, base, amount, detail=None, ledger_entry_id=entry_id, pk=pk)
        for pk, unit_id, pillar, base, amount, entry_id in rows
    ]
