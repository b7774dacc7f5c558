"""The monthly payroll run: one payslip per worker and month, the employment cost of every
paid day, the ledger postings and the salary balances to pay (docs/payroll.md, "The payroll
run").

Set-based like the contribution run: a handful of queries whatever the number of workers and
days (the month's days, their contracts, workers, parameters and advances), arithmetic in
Python, bulk inserts, one ledger bulk post and one audit event; one transaction, serialised
per month by a lock on the month's PayrollRun row. A period is computed once: a second
compute writes nothing, a closed period is refused.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import holidays
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from production_units.models import LedgerEntry
from production_units.services import NewEntry, ledger_post_bulk
from smartcoop.audit import audit_log
from smartcoop.money import cents

from .contributions import period_bounds
from .models import (
    Contract,
    ContractTypeParameters,
    EmploymentCost,
    PayoutLine,
    PayrollPolicy,
    PayrollRun,
    Payslip,
    WorkDay,
    Worker,
)
from .parameters import to_contract_parameters, withholding_table
from .split import ContractParameters, employment_cost

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
BATCH = 1000
DEFAULT_DELAY_WORKING_DAYS = 7
# The contract statuses whose days are paid: a cancelled contract's days are not.
PAID_CONTRACT_STATUSES = (Contract.Status.OFFERED, Contract.Status.ACCEPTED)


def payable_days(first: date, last: date):
    """The work days paid by the run of [first, last]: not cancelled, under a contract that
    is offered or accepted. A day without a contract is not employment yet: not paid."""
    return WorkDay.objects.filter(
        date__range=(first, last),
        cancelled=False,
        contract__isnull=False,
        contract__status__in=PAID_CONTRACT_STATUSES,
    )


def payroll_late_days(*, run: PayrollRun):
    """The payable days of a computed period that no payslip of its run pays (declared or
    contracted after the run): they need a correction by staff, never a recompute."""
    first, last = period_bounds(run.period)
    paid = EmploymentCost.objects.filter(
        payslip__run=run, contract_id=OuterRef("contract_id"), work_date=OuterRef("date")
    )
    return payable_days(first, last).filter(~Exists(paid)).order_by("date", "worker_id")


def working_days_after(day: date, count: int) -> date:
    """The `count`-th working day after `day` (Monday to Friday, Belgian public holidays
    excluded)."""
    closed = holidays.Belgium(years=range(day.year, day.year + 2))
    current = day
    while count > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in closed:
            count -= 1
    return current


def salary_due_on(last: date, today: date) -> date:
    """When a payslip's balance is paid: the policy's salary delay in working days after the
    end of the month (7 by default), or today when the run comes later than that."""
    policy = PayrollPolicy.objects.in_force_on(last).first()
    delay = policy.salary_delay_working_days if policy else DEFAULT_DELAY_WORKING_DAYS
    return max(working_days_after(last, delay), today)


# --- the arithmetic (no database) -----------------------------------------------------------


@dataclass
class DayPay:
    day: dict
    parameters: ContractParameters
    employer_charges: Decimal
    social_security: Decimal


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


class _Parameters:
    """The contract type parameters overlapping the month, picked per day in memory."""

    def __init__(self, first: date, last: date):
        self.rows = defaultdict(list)
        for row in ContractTypeParameters.objects.overlapping(first, last).select_related(
            "contract_type"
        ):
            self.rows[row.contract_type_id].append(row)

    def on(self, contract_type_id: int, day: date) -> tuple[ContractTypeParameters, object]:
        for row in self.rows.get(contract_type_id, ()):
            if row.valid_from <= day and (row.valid_to is None or day <= row.valid_to):
                return row, to_contract_parameters(row)
        raise ValidationError(
            {
                "period": _("A contract type has no parameters in force on %(day)s.")
                % {"day": day.isoformat()}
            }
        )


def _pay_days(days: list[dict], parameters: _Parameters) -> dict[int, WorkerPay]:
    """Employer charges and employee social security per day, with the day's parameters and
    the split's rounding (half up to the cent, per day)."""
    workers: dict[int, WorkerPay] = {}
    for day in days:
        row, values = parameters.on(day["contract_type_id"], day["date"])
        day["parameters_row"] = row
        pay = employment_cost(gross=day["gross"], parameters=values, withholding=ZERO, days=1)
        workers.setdefault(day["worker_id"], WorkerPay(day["worker_id"])).days.append(
            DayPay(day, values, pay.employer_charges, pay.employee_social_security)
        )
    return workers


def _lines(pay: WorkerPay, contracts: dict[int, Contract], rate: Decimal) -> list[dict]:
    """The payslip's detail: per contract, its days with every amount; then the withholding."""
    by_contract: dict[int, list[DayPay]] = defaultdict(list)
    for day in pay.days:
        by_contract[day.day["contract_id"]].append(day)
    lines = []
    for contract_id in sorted(by_contract, key=lambda pk: (contracts[pk].start_date, pk)):
        contract, days = contracts[contract_id], by_contract[contract_id]
        lines.append(
            {
                "kind": "contract",
                "contract": contract.pk,
                "reference": contract.reference,
                "employer": contract.legal_entity.name,
                "enterprise_number": contract.legal_entity.enterprise_number,
                "unit": contract.unit.code,
                "contract_type": contract.contract_type.name,
                "function": contract.function,
                "gross": str(sum((d.day["gross"] for d in days), ZERO)),
                "employer_charges": str(sum((d.employer_charges for d in days), ZERO)),
                "employee_social_security": str(sum((d.social_security for d in days), ZERO)),
                "days": [
                    {
                        "date": d.day["date"].isoformat(),
                        "hours": str(d.day["hours"]),
                        "gross": str(d.day["gross"]),
                        "employer_charges_rate": str(d.parameters.employer_charges_rate),
                        "employer_charges": str(d.employer_charges),
                        "employee_ss_rate": str(d.parameters.employee_ss_rate),
                        "employee_ss_base_percent": str(d.parameters.employee_ss_base_percent),
                        "employee_social_security": str(d.social_security),
                    }
                    for d in sorted(days, key=lambda d: d.day["date"])
                ],
            }
        )
    lines.append({"kind": "withholding", "rate": str(rate), "piece_work": pay.piece_work})
    return lines


# --- the run --------------------------------------------------------------------------------


def _month_days(first: date, last: date) -> list[dict]:
    return list(
        payable_days(first, last)
        .values(
            "id", "worker_id", "unit_id", "date", "hours", "gross", "contract_id",
            "contract_type_id",
        )
        .order_by("worker_id", "date")
    )  # fmt: skip


def _advances(first: date, last: date, worker_ids) -> dict[int, Decimal]:
    """Σ salary advances of the contracts starting in the month, by worker (paid or due)."""
    rows = (
        PayoutLine.objects.filter(
            kind=PayoutLine.Kind.SALARY_ADVANCE,
            contract__worker_id__in=worker_ids,
            contract__start_date__range=(first, last),
        )
        .values("contract__worker_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["contract__worker_id"]: cents(row["total"]) for row in rows}


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
    run, created = PayrollRun.objects.get_or_create(period=first, defaults={"computed_by": user})
    # Computes of the same month queue here; the next one finds the run computed.
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    _check_open(run)
    if not created:
        return run
    _compute(run, first, last, today=today, by=by)
    return run


def _compute(run: PayrollRun, first: date, last: date, *, today: date, by) -> None:
    days = _month_days(first, last)
    workers = _pay_days(days, _Parameters(first, last))
    table = withholding_table(last) if workers else None
    contracts = {
        c.pk: c
        for c in Contract.objects.filter(pk__in={d["contract_id"] for d in days}).select_related(
            "legal_entity", "unit", "contract_type"
        )
    }
    people = Worker.objects.in_bulk(list(workers))
    advances = _advances(first, last, list(workers))
    payslips = []
    for worker_id in sorted(workers):
        pay = workers[worker_id]
        taxable = pay.gross - pay.social_security
        rate = table.rate_for(taxable, piece_work=pay.piece_work)
        withholding = cents(taxable * rate / HUNDRED)
        net = taxable - withholding
        advanced = advances.get(worker_id, ZERO)
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
                balance_due=net - advanced,
                lines=_lines(pay, contracts, rate),
            )
        )
    Payslip.objects.bulk_create(payslips, batch_size=BATCH)
    by_worker = {p.worker_id: p for p in payslips}
    _record_costs(workers, by_worker)
    _post_to_ledgers(run, workers, contracts, last, by=by)
    _salary_payouts(payslips, people, last, today)
    run.totals = _totals(payslips)
    run.save(update_fields=["totals"])
    audit_log(actor=by, action="payroll_run.computed", obj=run, changes=run.totals)
    ids = [p.pk for p in payslips]
    transaction.on_commit(lambda: _enqueue_pdfs(ids))


def _enqueue_pdfs(ids: list[int]) -> None:
    from .tasks_pay import render_payslip_pdf

    for pk in ids:
        render_payslip_pdf.delay(pk)


def _record_costs(workers: dict[int, WorkerPay], payslips: dict[int, Payslip]) -> None:
    EmploymentCost.objects.bulk_create(
        [
            EmploymentCost(
                unit_id=d.day["unit_id"],
                contract_type_id=d.day["contract_type_id"],
                work_date=d.day["date"],
                gross=d.day["gross"],
                employer_charges=d.employer_charges,
                payslip=payslips[worker_id],
                contract_id=d.day["contract_id"],
            )
            for worker_id, pay in workers.items()
            for d in pay.days
        ],
        batch_size=BATCH,
    )


def _post_to_ledgers(run, workers, contracts, last: date, *, by) -> None:
    """One entry per unit and contract: −(gross + employer charges) of its days."""
    costs: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for pay in workers.values():
        for d in pay.days:
            costs[(d.day["unit_id"], d.day["contract_id"])] += d.day["gross"] + d.employer_charges
    month = f"{run.period:%Y-%m}"
    entries = [
        NewEntry(
            unit_id,
            LedgerEntry.Kind.EMPLOYMENT_COST,
            -amount,
            last,
            _("Salaries %(period)s, contract %(contract)s")
            % {"period": month, "contract": contracts[contract_id].reference},
        )
        for (unit_id, contract_id), amount in sorted(costs.items())
        if amount
    ]
    if entries:
        ledger_post_bulk(
            entries=entries,
            by=by,
            source=run,
            reason=_("Payroll run %(period)s") % {"period": month},
        )


def _salary_payouts(payslips, people, last: date, today: date) -> None:
    due_on = salary_due_on(last, today)
    PayoutLine.objects.bulk_create(
        [
            PayoutLine(
                kind=PayoutLine.Kind.SALARY_BALANCE,
                worker_id=p.worker_id,
                beneficiary=str(people[p.worker_id])[:140],
                iban=people[p.worker_id].iban,
                amount=p.balance_due,
                remittance=_("Salary %(period)s") % {"period": f"{p.period:%Y-%m}"},
                due_on=due_on,
                payslip=p,
            )
            for p in payslips
            if p.balance_due > 0
        ],
        batch_size=BATCH,
    )


def _totals(payslips: list[Payslip]) -> dict:
    names = (
        "gross", "employee_social_security", "taxable", "withholding", "net",
        "employer_charges", "advances_paid", "balance_due",
    )  # fmt: skip
    totals = {name: str(sum((getattr(p, name) for p in payslips), ZERO)) for name in names}
    totals["payslips"] = len(payslips)
    totals["days"] = sum(p.days for p in payslips)
    return totals


@transaction.atomic
def payroll_run_close(*, run: PayrollRun, by) -> PayrollRun:
    """Close a computed period: it is never computed again. Raises ValidationError when it
    is already closed."""
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    _check_open(run)
    run.status = PayrollRun.Status.CLOSED
    run.closed_at = timezone.now()
    run.closed_by = by if getattr(by, "is_authenticated", False) else None
    run.save(update_fields=["status", "closed_at", "closed_by"])
    audit_log(actor=by, action="payroll_run.closed", obj=run, changes={"status": run.status})
    return run
