"""The monthly payroll run: one payslip per worker and month, the employment cost of every
paid day, the ledger postings and the salary balances to pay (docs/payroll.md, "The payroll
run").

Set-based like the contribution run: a handful of queries whatever the number of workers and
days (the month's days, their contracts, workers, parameters and advances), arithmetic in
Python, bulk inserts, one ledger bulk post and one audit event; one transaction, serialised
per month by a lock on the month's PayrollRun row. A period is computed once: a second
compute writes nothing, a closed period is refused.

Two things come from earlier months, never by recomputing them: the **arrears** (payable days
of a month already computed that no payslip paid: declared or contracted after its run) are
paid by the next run, each with the parameters of its own day; a **negative balance** (the
advances above the net) is not paid out but carried to the worker's next payslip, which
deducts it. Both are taken once: the days and the payslips they come from are locked, then
read again (another run may just have taken them).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import account_or_none, audit_log
from core.bulk import AnyOf, gc_paused, insert_rows
from core.calendar import month_bounds, month_end, month_over, working_days_in
from core.dates import format_day
from core.money import allocate
from payroll.models import (
    Contract,
    ContractTypeParameters,
    EmploymentCost,
    PayoutLine,
    PayrollRun,
    Payslip,
    WorkDay,
    Worker,
)
from payroll.parameters import (
    ParameterMissing,
    employer_rates,
    salary_due_on,
    structural_reduction_on,
    to_contract_parameters,
    withholding_table,
)
from payroll.split import (
    ContractParameters,
    EmployerRates,
    ReductionParameters,
    employer_contributions,
    employment_cost,
)
from production_units.ledger_labels import stored_label
from production_units.models import LedgerEntry
from production_units.services import NewEntry, ledger_post_bulk

from .tasks import render_payslip_pdf

ZERO = Decimal("0.00")
BATCH = 1000


def payable_days(first: date, last: date):
    """The work days paid by the run of [first, last]: not cancelled, under a contract the
    worker accepted (or an advisor released: Contract.paid_q). A day without a contract is
    not employment yet, a cancelled contract's days are not paid, and an offered contract's
    are held (`held_contracts`) until it is accepted or released: the next run then pays
    them as arrears."""
    return WorkDay.objects.filter(
        Contract.paid_q("contract__"),
        date__range=(first, last),
        cancelled=False,
        contract__isnull=False,
    )


def held_contracts(*, run: PayrollRun | None = None):
    """The contracts whose pay a run held: offered, neither accepted by the worker nor
    released by an advisor, with a day to pay in the run's month or before (`run` None: in a
    month whose payroll run exists; the advisors' queue)."""
    days = WorkDay.objects.filter(contract=OuterRef("pk"), cancelled=False)
    if run is None:
        computed = PayrollRun.objects.filter(period=OuterRef("month"))
        days = days.annotate(month=TruncMonth("date")).filter(Exists(computed))
    else:
        days = days.filter(date__lte=month_bounds(run.period)[1])
    return (
        Contract.objects.filter(Contract.held_q(), Exists(days))
        .select_related("worker", "unit")
        .order_by("start_date", "pk")
    )


def _paid():
    """A payslip's employment cost for the outer work day: the day is paid."""
    return EmploymentCost.objects.filter(
        payslip__isnull=False, contract_id=OuterRef("contract_id"), work_date=OuterRef("date")
    )


def unpaid_days(first: date, last: date):
    """The payable days of [first, last] that no payslip pays yet."""
    return payable_days(first, last).filter(~Exists(_paid()))


def payroll_late_days(*, run: PayrollRun):
    """The payable days of a computed period that no payslip pays yet (declared or contracted
    after its run): the next payroll run pays them as arrears; the period is never
    recomputed."""
    first, last = month_bounds(run.period)
    return unpaid_days(first, last).order_by("date", "worker_id")


def arrears_days(first: date):
    """The days the run of the month starting on `first` pays as arrears: payable days before
    that month, in a month whose payroll run exists (computed or closed), on no payslip."""
    computed = PayrollRun.objects.filter(period=OuterRef("month"))
    return (
        unpaid_days(date.min, first - timedelta(days=1))
        .annotate(month=TruncMonth("date"))
        .filter(Exists(computed))
    )


# --- the arithmetic (no database) -----------------------------------------------------------


@dataclass
class DayPay:
    day: dict
    parameters: ContractParameters
    employer_charges: Decimal
    social_security: Decimal
    category: str | None = None  # the worker category of the day's contract type (None: flat)

    @property
    def arrears(self) -> date | None:
        """The month an arrears day belongs to (None: a day of the run's month)."""
        return self.day.get("arrears")

    @property
    def employer_charges_rate(self) -> Decimal:
        """The rate shown with the day's employer charges: the contract type's flat rate, or
        for a worker category the effective rate, charges ÷ gross (%, to 0.01)."""
        if self.category is None:
            return self.parameters.employer_charges_rate
        gross = self.day["gross"]
        if not gross:
            return ZERO
        return (self.employer_charges * 100 / gross).quantize(ZERO, rounding=ROUND_HALF_UP)


@dataclass
class WorkerPay:
    worker_id: int
    days: list[DayPay] = field(default_factory=list)

    @property
    def gross(self) -> Decimal:
        return sum((d.day["gross"] for d in self.days), ZERO)

    @property
    def employer_charges(self) -> Decimal:
        return sum((d.employer_charges for d in self.days), ZERO)

    @property
    def social_security(self) -> Decimal:
        return sum((d.social_security for d in self.days), ZERO)

    @property
    def hours(self) -> Decimal:
        return sum((d.day["hours"] for d in self.days), ZERO)

    @property
    def piece_work(self) -> bool:
        return any(d.parameters.piece_work for d in self.days)

    @property
    def arrears(self) -> list[DayPay]:
        return [d for d in self.days if d.arrears]


class _Parameters:
    """The contract type parameters overlapping [first, last] (the month, or from the first
    arrears day), picked per day in memory."""

    def __init__(self, first: date, last: date):
        self.rows = defaultdict(list)
        for row in ContractTypeParameters.objects.overlapping(first, last).select_related(
            "contract_type"
        ):
            # Converted once per row, not once per day.
            self.rows[row.contract_type_id].append((row, to_contract_parameters(row)))

    def on(
        self, contract_type_id: int, day: date
    ) -> tuple[ContractTypeParameters, ContractParameters]:
        for row, values in self.rows.get(contract_type_id, ()):
            if row.valid_from <= day and (row.valid_to is None or day <= row.valid_to):
                return row, values
        raise ValidationError(
            {
                "period": _("A contract type has no parameters in force on %(day)s.")
                % {"day": format_day(day)}
            }
        )


def _pay_days(days: list[dict], parameters: _Parameters) -> dict[int, WorkerPay]:
    """Employer charges and employee social security per day, with the day's parameters and
    the split's rounding (half up to the cent, per day); then the employer charges of the
    days of a worker category replaced by that category's contributions (`_category_charges`)."""
    workers: dict[int, WorkerPay] = {}
    # The same gross under the same parameters costs the same: computed once (days repeat).
    costs: dict[tuple[int, Decimal], tuple[Decimal, Decimal]] = {}
    for day in days:
        row, values = parameters.on(day["contract_type_id"], day["date"])
        day["parameters_row"] = row
        key = (row.pk, day["gross"])
        if key not in costs:
            pay = employment_cost(gross=day["gross"], parameters=values, withholding=ZERO, days=1)
            costs[key] = (pay.employer_charges, pay.employee_social_security)
        charges, social_security = costs[key]
        category = row.contract_type.worker_category or None
        workers.setdefault(day["worker_id"], WorkerPay(day["worker_id"])).days.append(
            DayPay(day, values, charges, social_security, category)
        )
    _category_charges(workers)
    return workers


# The work fraction of a month, to 4 decimals (docs/payroll.md, "the payroll run").
FRACTION = Decimal("0.0001")


def work_fraction(days: int, working_days: int) -> Decimal:
    """A worker's share of a full-time month: their paid days over the month's working days,
    to 0.0001 half up, at most 1 (and at least 0.0001: a paid day counts)."""
    fraction = (Decimal(days) / Decimal(working_days)).quantize(FRACTION, rounding=ROUND_HALF_UP)
    return min(Decimal(1), max(FRACTION, fraction))


def _category_charges(workers: dict[int, WorkerPay]) -> None:
    """The employer charges of the days of a worker category: per worker, category and month
    of work (an arrears month apart), the month's employer contributions (`month_charges`),
    spread over those days in proportion to their gross, to the cent, adding up exactly."""
    rates = _CategoryRates()
    for pay in workers.values():
        groups: dict[tuple[str, date], list[DayPay]] = defaultdict(list)
        for d in pay.days:
            if d.category is not None:
                groups[(d.category, d.day["date"].replace(day=1))].append(d)
        for (category, month), group in groups.items():
            _spread(group, month_charges(group, rates.of(category, month)))


@dataclass(frozen=True)
class MonthRates:
    """What a month's employer contributions of a category use: its rates in force on the
    month's last day, the structural reduction then in force brought to a month (None: none
    is), the month's working days."""

    rates: EmployerRates
    reduction: ReductionParameters | None
    working_days: int


class _CategoryRates:
    """The rates of each category and month a run meets, read once."""

    def __init__(self) -> None:
        self.months: dict[tuple[str, date], MonthRates] = {}
        self.reductions: dict[date, ReductionParameters | None] = {}

    def of(self, category: str, month: date) -> MonthRates:
        if (category, month) not in self.months:
            last = month_end(month)
            if month not in self.reductions:
                reduction = structural_reduction_on(last)
                self.reductions[month] = reduction.a_month() if reduction else None
            try:
                rates = employer_rates(category, last)
            except ParameterMissing as missing:
                raise ValidationError({"period": missing.messages}) from missing
            self.months[(category, month)] = MonthRates(
                rates, self.reductions[month], working_days_in(month, last)
            )
        return self.months[(category, month)]


def month_charges(days: list[DayPay], month: MonthRates) -> Decimal:
    """A worker's employer contributions of a month for their days of one category
    (payroll.split.employer_contributions): on the days' gross, with the work fraction of
    their paid days in the month's working days (`work_fraction`)."""
    fraction = work_fraction(len({d.day["date"] for d in days}), month.working_days)
    gross = sum((d.day["gross"] for d in days), ZERO)
    return employer_contributions(
        gross=gross, rates=month.rates, reduction=month.reduction, work_fraction=fraction
    ).total


def _spread(days: list[DayPay], total: Decimal) -> None:
    """Each day's share of `total`, in proportion to its gross (earliest day first on ties)."""
    ordered = sorted(days, key=lambda d: (d.day["date"], d.day["contract_id"], d.day["id"]))
    for d, share in zip(ordered, allocate(total, [d.day["gross"] for d in ordered]), strict=True):
        d.employer_charges = share


def _lines(pay: WorkerPay, contracts: dict[int, ContractFacts], rate: Decimal) -> list[dict]:
    """The payslip's detail: per contract, its days with every amount (the month's contracts,
    then the arrears, kind "arrears", per month of work and contract); then the
    withholding."""
    groups: dict[tuple, list[DayPay]] = defaultdict(list)
    for day in pay.days:
        groups[(day.arrears or date.max, day.day["contract_id"])].append(day)

    def order(key):
        return (key[0], contracts[key[1]].start_date, key[1])

    lines = []
    for month, contract_id in sorted(groups, key=order):
        contract, days = contracts[contract_id], groups[(month, contract_id)]
        head = (
            {"kind": "contract"}
            if month == date.max
            else {"kind": "arrears", "month": f"{month:%Y-%m}"}
        )
        lines.append(
            {
                **head,
                "contract": contract.pk,
                "reference": contract.reference,
                "employer": contract.employer,
                "enterprise_number": contract.enterprise_number,
                "unit": contract.unit,
                "contract_type": contract.contract_type,
                # The code, so that the payslip names the type in its reader's language.
                "contract_type_code": contract.contract_type_code,
                "function": contract.function,
                # The worker category whose contributions the employer charges are ("": the
                # contract type's flat rate). Absent from the payslips of before issue 16.
                "worker_category": days[0].category or "",
                "gross": str(sum((d.day["gross"] for d in days), ZERO)),
                "employer_charges": str(sum((d.employer_charges for d in days), ZERO)),
                "employee_social_security": str(sum((d.social_security for d in days), ZERO)),
                "days": [
                    {
                        "date": d.day["date"].isoformat(),
                        "hours": str(d.day["hours"]),
                        "gross": str(d.day["gross"]),
                        "employer_charges_rate": str(d.employer_charges_rate),
                        "employer_charges": str(d.employer_charges),
                        "employee_ss_rate": str(d.parameters.employee_ss_rate),
                        "employee_ss_base_percent": str(d.parameters.employee_ss_base_percent),
                        "employee_social_security": str(d.social_security),
                    }
                    for d in sorted(days, key=lambda d: d.day["date"])
                ],
            }
        )
    lines.sort(key=lambda line: line["kind"] == "arrears")  # the month's contracts first
    lines.append({"kind": "withholding", "rate": str(rate), "piece_work": pay.piece_work})
    return lines


# --- the run --------------------------------------------------------------------------------


class ContractFacts(NamedTuple):
    """What the payslip's detail and the ledger labels read of a contract (_lines,
    _post_to_ledgers): plain values, not 18,000 model instances and their related rows."""

    pk: int
    reference: str
    start_date: date
    function: str
    employer: str
    enterprise_number: str
    unit: str
    contract_type: str
    contract_type_code: str


def _contracts(ids: set[int]) -> dict[int, ContractFacts]:
    rows = (
        Contract.objects.filter(AnyOf("pk", ids))
        .order_by()
        .values_list(
            "pk", "reference", "start_date", "function", "legal_entity__name",
            "legal_entity__enterprise_number", "unit__code", "contract_type__name",
            "contract_type__code",
        )
    )  # fmt: skip
    return {row[0]: ContractFacts(*row) for row in rows}


# What the run reads of a worker: the scale of the withholding, the name and IBAN of the
# transfer (_salary_payouts).
WORKER_FIELDS = ("first_name", "last_name", "iban", "withholding_scale")

DAY_FIELDS = (
    "id", "worker_id", "unit_id", "date", "hours", "gross", "contract_id", "contract_type_id",
)  # fmt: skip


def _month_days(first: date, last: date) -> list[dict]:
    return list(unpaid_days(first, last).values(*DAY_FIELDS).order_by("worker_id", "date"))


def _arrears(first: date) -> list[dict]:
    """The arrears days, locked (a run of another month computing at the same time waits),
    then read again: a day another run has just paid is not taken twice."""
    candidates = list(arrears_days(first).values_list("pk", flat=True))
    if not candidates:
        return []
    list(WorkDay.objects.select_for_update().filter(pk__in=candidates).order_by("pk")
         .values_list("pk", flat=True))  # fmt: skip
    days = list(
        arrears_days(first)
        .filter(pk__in=candidates)
        .values(*DAY_FIELDS)
        .order_by("worker_id", "date")
    )
    for day in days:
        day["arrears"] = day["date"].replace(day=1)
    return days


def _advances(first: date, last: date, worker_ids, arrears_contracts) -> dict[int, list]:
    """The salary advances each worker's payslip deducts (paid or still due), not deducted by
    an earlier payslip: those of the contracts starting in the month, and those of the
    contracts of the arrears days. Locked, so two runs never deduct the same advance."""
    rows = (
        PayoutLine.objects.select_for_update(of=("self",))
        .filter(
            Q(contract__start_date__range=(first, last)) | Q(contract_id__in=arrears_contracts),
            AnyOf("contract__worker_id", worker_ids),
            kind=PayoutLine.Kind.SALARY_ADVANCE,
            deducted_on__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", "contract__worker_id", "amount")
    )
    advances: dict[int, list] = defaultdict(list)
    for pk, worker_id, amount in rows:
        advances[worker_id].append((pk, amount))
    return advances


def _carried(first: date, worker_ids) -> dict[int, Payslip]:
    """The negative balance each worker's payslip brings forward: their oldest earlier
    payslip with a balance carried forward that no payslip has taken yet. Locked, then read
    again (a run of another month may just have taken it)."""
    pending = Payslip.objects.filter(
        AnyOf("worker_id", worker_ids),
        period__lt=first,
        carried_forward__gt=0,
        carried_to__isnull=True,
    )
    ids = list(pending.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
    if not ids:
        return {}
    found: dict[int, Payslip] = {}
    for slip in pending.filter(pk__in=ids).order_by("worker_id", "period", "pk"):
        found.setdefault(slip.worker_id, slip)
    return found


def _check_open(run: PayrollRun) -> None:
    if run.status == PayrollRun.Status.CLOSED:
        raise ValidationError(
            {
                "period": _("The payroll of %(period)s is closed: it is never computed again.")
                % {"period": f"{run.period:%Y-%m}"}
            }
        )


@transaction.atomic
def payroll_run_compute(*, period: date, by=None, today: date | None = None) -> PayrollRun:
    """Compute the payroll of a month that is over: a payslip per worker with payable days,
    an EmploymentCost per day, one employment-cost ledger entry per unit and contract, a
    salary payout line per positive balance; PDFs rendered after commit.

    Computed once: a second call on a computed period writes nothing and returns its run.
    Raises ValidationError naming `period` for a month not over, a closed period, or a day
    without parameters (nothing is written then).
    """
    today = today or timezone.localdate()
    first, last = month_over(period, today)
    user = account_or_none(by)
    run, created = PayrollRun.objects.get_or_create(period=first, defaults={"computed_by": user})
    # Computes of the same month queue here; the next one finds the run computed.
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    _check_open(run)
    if not created:
        return run
    # Hundreds of thousands of objects for the month's days and payslips: without the
    # collector's full passes over the whole process (0.45–0.6 s of 3.1–3.6 s, profiled).
    with gc_paused():
        _compute(run, first, last, today=today, by=by)
    return run


def _compute(run: PayrollRun, first: date, last: date, *, today: date, by) -> None:
    arrears = _arrears(first)
    days = _month_days(first, last) + arrears
    since = min((d["date"] for d in arrears), default=first)
    workers = _pay_days(days, _Parameters(since, last))
    table = withholding_table(last) if workers else None
    contracts = _contracts({d["contract_id"] for d in days})
    people = {
        worker.pk: worker
        for worker in Worker.objects.filter(AnyOf("pk", workers)).only(*WORKER_FIELDS).order_by()
    }
    advances = _advances(first, last, list(workers), {d["contract_id"] for d in arrears})
    carried = _carried(first, list(workers))
    payslips = []
    for worker_id in sorted(workers):
        pay = workers[worker_id]
        taxable = pay.gross - pay.social_security
        assert table is not None  # there are workers
        # The key formula on the month's taxable pay, at the worker's scale (I or II).
        withholding, rate = table.withholding(
            taxable, piece_work=pay.piece_work, scale=people[worker_id].withholding_scale
        )
        net = taxable - withholding
        advanced = sum((amount for _pk, amount in advances.get(worker_id, ())), ZERO)
        source = carried.get(worker_id)
        brought = source.carried_forward if source else ZERO
        balance = net - advanced - brought
        payslips.append(
            Payslip(
                run=run,
                worker_id=worker_id,
                period=first,
                days=len(pay.days),
                hours=pay.hours,
                gross=pay.gross,
                employee_social_security=pay.social_security,
                taxable=taxable,
                withholding=withholding,
                net=net,
                employer_charges=pay.employer_charges,
                advances_paid=advanced,
                brought_forward=brought,
                brought_forward_from=source,
                balance_due=max(balance, ZERO),
                carried_forward=max(-balance, ZERO),
                lines=_lines(pay, contracts, rate),
            )
        )
    _insert_payslips(payslips)
    by_worker = {p.worker_id: p for p in payslips}
    PayoutLine.objects.bulk_update(
        [
            PayoutLine(pk=pk, deducted_on=by_worker[worker_id])
            for worker_id, rows in advances.items()
            for pk, _amount in rows
        ],
        ["deducted_on"],
        batch_size=BATCH,
    )
    _record_costs(workers, by_worker, first)
    _post_to_ledgers(run, workers, contracts, last, by=by)
    _salary_payouts(payslips, people, last, today)
    run.totals = _totals(payslips, workers)
    run.save(update_fields=["totals"])
    audit_log(actor=by, action="payroll_run.computed", obj=run, changes=run.totals)
    ids = [p.pk for p in payslips]
    transaction.on_commit(lambda: _enqueue_pdfs(ids))


def _enqueue_pdfs(ids: list[int]) -> None:
    for pk in ids:
        render_payslip_pdf.delay(pk)


# The payslips' columns, written by COPY (core.bulk.insert_rows): building and preparing
# 10,000 model instances and their JSON detail through bulk_create took most of the run.
PAYSLIP_FIELDS = (
    "run", "worker", "period", "days", "hours", "gross", "employee_social_security", "taxable",
    "withholding", "net", "employer_charges", "advances_paid", "brought_forward",
    "brought_forward_from", "balance_due", "carried_forward", "lines", "pdf", "created_at",
)  # fmt: skip


def _insert_payslips(payslips: list[Payslip]) -> None:
    """Write the new payslips (each gets its pk and creation time, as a save would)."""
    now = timezone.now()
    rows = []
    for p in payslips:
        p.created_at = now
        rows.append(
            (p.run_id, p.worker_id, p.period, p.days, p.hours, p.gross,
             p.employee_social_security, p.taxable, p.withholding, p.net, p.employer_charges,
             p.advances_paid, p.brought_forward, p.brought_forward_from_id, p.balance_due,
             p.carried_forward, p.lines, "", now)
        )  # fmt: skip
    for payslip, pk in zip(payslips, insert_rows(Payslip, PAYSLIP_FIELDS, rows), strict=True):
        payslip.pk = payslip.id = pk
        payslip._state.adding = False


COST_FIELDS = (
    "unit", "contract_type", "work_date", "gross", "employer_charges", "payslip", "contract",
    "period", "created_at",
)  # fmt: skip


def _record_costs(workers: dict[int, WorkerPay], payslips: dict[int, Payslip], first) -> None:
    """Each paid day's cost, charged with this run's month (arrears too: their own month's
    contribution run may be over, and must not be the one that misses them). Some 50,000 rows
    a month at Smart's size: written by COPY."""
    now = timezone.now()
    insert_rows(
        EmploymentCost,
        COST_FIELDS,
        [
            (d.day["unit_id"], d.day["contract_type_id"], d.day["date"], d.day["gross"],
             d.employer_charges, payslips[worker_id].pk, d.day["contract_id"], first, now)
            for worker_id, pay in workers.items()
            for d in pay.days
        ],
    )  # fmt: skip


def _post_to_ledgers(run, workers, contracts, last: date, *, by) -> None:
    """One entry per unit and contract: −(gross + employer charges) of its days; the arrears
    apart, one entry per unit, contract and month of work (all booked in the run's month)."""
    costs: dict[tuple[int, int, date], Decimal] = defaultdict(lambda: ZERO)
    for pay in workers.values():
        for d in pay.days:
            key = (d.day["unit_id"], d.day["contract_id"], d.arrears or date.max)
            costs[key] += d.day["gross"] + d.employer_charges
    month = f"{run.period:%Y-%m}"

    def entry(unit_id: int, contract_id: int, arrears: date, amount: Decimal) -> NewEntry:
        values = {"period": month, "contract": contracts[contract_id].reference}
        code = "salaries"
        if arrears != date.max:
            code, values = "salary_arrears", {**values, "month": f"{arrears:%Y-%m}"}
        return NewEntry(
            unit_id,
            LedgerEntry.Kind.EMPLOYMENT_COST,
            -amount,
            last,
            stored_label(code, values),
            label_code=code,
            label_params=values,
        )

    entries = [
        entry(unit_id, contract_id, arrears, amount)
        for (unit_id, contract_id, arrears), amount in sorted(costs.items())
        if amount
    ]
    if entries:
        ledger_post_bulk(
            entries=entries,
            by=by,
            source=run,
            reason=_("Payroll run %(period)s") % {"period": month},
        )


PAYOUT_FIELDS = (
    "kind", "worker", "beneficiary", "iban", "amount", "remittance", "due_on", "payslip",
    "created_at",
)  # fmt: skip


def _salary_payouts(payslips, people, last: date, today: date) -> None:
    """A transfer to make per positive balance, written by COPY (the IBAN encrypted and its
    look-up hash added by core.bulk.insert_rows, as a save would)."""
    due_on = salary_due_on(last_day=last, today=today)
    now = timezone.now()
    insert_rows(
        PayoutLine,
        PAYOUT_FIELDS,
        [
            (PayoutLine.Kind.SALARY_BALANCE.value, p.worker_id, str(people[p.worker_id])[:140],
             people[p.worker_id].iban, p.balance_due,
             _("Salary %(period)s") % {"period": f"{p.period:%Y-%m}"}, due_on, p.pk, now)
            for p in payslips
            if p.balance_due > 0
        ],
    )  # fmt: skip


def _totals(payslips: list[Payslip], workers: dict[int, WorkerPay]) -> dict:
    names = (
        "gross", "employee_social_security", "taxable", "withholding", "net",
        "employer_charges", "advances_paid", "brought_forward", "balance_due", "carried_forward",
    )  # fmt: skip
    totals: dict[str, str | int] = {
        name: str(sum((getattr(p, name) for p in payslips), ZERO)) for name in names
    }
    totals["payslips"] = len(payslips)
    totals["days"] = sum(p.days for p in payslips)
    arrears = [d for pay in workers.values() for d in pay.arrears]
    totals["arrears_days"] = len(arrears)
    totals["arrears_gross"] = str(sum((d.day["gross"] for d in arrears), ZERO))
    return totals


@transaction.atomic
def payroll_run_close(*, run: PayrollRun, by) -> PayrollRun:
    """Close a computed period: it is never computed again. Raises ValidationError when it
    is already closed."""
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    _check_open(run)
    run.status = PayrollRun.Status.CLOSED
    run.closed_at = timezone.now()
    run.closed_by = account_or_none(by)
    run.save(update_fields=["status", "closed_at", "closed_by"])
    audit_log(actor=by, action="payroll_run.closed", obj=run, changes={"status": run.status})
    return run
