"""What a validated 3en1 job still owes its unit (issue 16). At validation the unit receives
the invoice's turnover (T) less the expenses reimbursed (E), but the job's split spends more
of it later: the payroll run posts the employment cost (gross salary + employer charges) and
the contribution run the mutual contribution on the turnover (C1) and on the employment. Until
those runs, the balance shows money that is not the holder's to spend; the available balance
(production_units.selectors) holds it back, as it does for declarations."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, Model, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from payroll.contributions.selectors import contributions_closed_until
from payroll.models import Contract, EmploymentCost, Job
from production_units.models import ProductionUnit

from .declaration_services import MONEY, ZERO


def _amount(split: dict, name: str) -> Decimal:
    return Decimal(split.get(name) or "0")


def reserved_jobs(*, unit: ProductionUnit, exclude: Model | None = None) -> Decimal:
    """The validated jobs' employment budget (B, which pays the salary, the employer charges
    and the employment contribution) less the employment cost already posted for their
    contract, until the contribution run of the contract's last month; and their turnover
    contribution (C1) until the contribution run of the invoice's month. The `Reservation`
    of jobs (payroll.apps registers it)."""
    jobs = Job.objects.filter(unit=unit, status=Job.Status.VALIDATED)
    if isinstance(exclude, Job):
        jobs = jobs.exclude(pk=exclude.pk)
    contracts = Contract.objects.filter(job=OuterRef("pk")).exclude(
        status=Contract.Status.CANCELLED
    )
    posted = (
        EmploymentCost.objects.filter(contract__job=OuterRef("pk"))
        .order_by()
        .values("contract__job")
        .annotate(total=Sum(F("gross") + F("employer_charges")))
        .values("total")
    )
    closed = contributions_closed_until()
    if closed is not None:
        jobs = jobs.filter(invoice__issue_date__gt=closed) | jobs.filter(
            pk__in=Contract.objects.filter(job__unit=unit, end_date__gt=closed).values("job")
        )
    rows = jobs.annotate(
        end=Subquery(contracts.values("end_date")[:1]),
        posted=Coalesce(Subquery(posted, output_field=MONEY), Value(ZERO), output_field=MONEY),
    ).values_list("split", "posted", "end", "invoice__issue_date")
    reserved = ZERO
    for split, done, end, issued in rows:
        if end is not None and (closed is None or end > closed):
            reserved += max(ZERO, _amount(split, "employment_budget") - done)
        if issued is not None and (closed is None or issued > closed):
            reserved += _amount(split, "turnover_contribution")
    return reserved
