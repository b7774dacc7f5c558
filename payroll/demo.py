"""Demo data of work and pay (seed_demo): alice's 3en1 job next week (validated: invoice,
contract, advance), an approved declaration in her Activité unit, a mileage claim to review,
and last month's work, paid: two training days declared in time, approved, accepted, and the
payroll run of that month (so a payslip and its PDF are there). Dates are relative to today,
so the demo works whatever the day; running it twice adds nothing."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from core.calendar import month_bounds
from invoicing.lines import LineData
from invoicing.models import Client
from payroll.expenses.services import expense_claim_submit
from payroll.pay.payroll_run import payroll_run_close, payroll_run_compute
from payroll.work.contract_services import contract_accept
from payroll.work.declaration_services import (
    declaration_approve,
    declaration_create,
    declaration_submit,
)
from payroll.work.job_services import job_create, job_submit
from payroll.work.work_days import DayInput
from payroll.workers.worker_services import unit_holder_worker
from production_units.models import ProductionUnit

from .models import ContractType, ExpenseCategory, Job, PayrollRun, WorkDeclaration


def _next_weekday(start, weekday: int):
    return start + timedelta(days=(weekday - start.weekday()) % 7 or 7)


def _last_month_paid(*, alice, claire, admin, today: date) -> None:
    """Alice's two training days of last month in her Activité unit, as they happened: declared
    and submitted the week before, approved by claire, accepted by alice, then the month's
    payroll run computed and closed by the administrator."""
    first, last = month_bounds(today.replace(day=1) - timedelta(days=1))
    if PayrollRun.objects.filter(period=first).exists():
        return
    activity = ProductionUnit.objects.get(code="UP-0002")
    worker = unit_holder_worker(activity, by=alice)
    tuesday = _next_weekday(first + timedelta(days=6), 1)
    declared_on = tuesday - timedelta(days=7)
    declaration = declaration_create(
        unit=activity,
        worker=worker,
        contract_type=ContractType.objects.get(code="trainer-fixed-term"),
        function="Formatrice",
        gross=Decimal("324.70"),
        days=[DayInput(tuesday, Decimal("7.5")), DayInput(tuesday + timedelta(1), Decimal("7.5"))],
        by=alice,
        today=declared_on,
    )
    declaration_submit(declaration=declaration, by=alice, today=declared_on)
    # Approved and accepted the same week in real life; the demo records them today.
    declaration_approve(
        declaration=declaration, by=claire, past_start_reason="Démo : travail du mois passé"
    )
    contract_accept(contract=declaration.contracts.get(), by=alice)
    run = payroll_run_compute(period=first, by=admin, today=today)
    payroll_run_close(run=run, by=admin)


def ensure_demo_work(*, alice, claire, admin=None) -> None:
    three = ProductionUnit.objects.get(code="UP-0001")
    activity = ProductionUnit.objects.get(code="UP-0002")
    today = timezone.localdate()
    if not Job.objects.filter(unit=three).exists():
        friday = _next_weekday(today + timedelta(days=7), 4)
        job = job_create(
            unit=three,
            client=Client.objects.get(name="Théâtre de la Place"),
            description="Concert au Théâtre de la Place",
            worker=unit_holder_worker(three, by=alice),
            contract_type=ContractType.objects.get(code="artist-fixed-term"),
            function="Musicienne",
            lines=[
                LineData(
                    description="Concert (1 soir)",
                    quantity=Decimal(1),
                    unit_price=Decimal("500.00"),
                    vat_category="S",
                    vat_rate=Decimal("21"),
                    unit_code="C62",
                )  # fmt: skip
            ],
            days=[DayInput(friday, Decimal("8"))],
            expenses=[],
            by=alice,
        )
        job_submit(job=job, by=alice)
    if not WorkDeclaration.objects.filter(unit=activity).exists():
        monday = _next_weekday(today + timedelta(days=14), 0)
        declaration = declaration_create(
            unit=activity,
            worker=unit_holder_worker(activity, by=alice),
            contract_type=ContractType.objects.get(code="trainer-fixed-term"),
            function="Formatrice",
            gross=Decimal("324.70"),
            days=[
                DayInput(monday, Decimal("7.5")),
                DayInput(monday + timedelta(1), Decimal("7.5")),
            ],
            by=alice,
        )
        declaration_submit(declaration=declaration, by=alice)
        declaration_approve(declaration=declaration, by=claire)
    worker = unit_holder_worker(activity, by=alice)
    if not worker.expense_claims.exists():
        expense_claim_submit(
            unit=activity,
            worker=worker,
            category=ExpenseCategory.objects.get(code="mileage"),
            spent_on=today - timedelta(days=3),
            description="Aller-retour Bruxelles – Namur (formation)",
            amount=None,
            distance_km=Decimal("128.0"),
            by=alice,
        )
    if admin is not None:
        _last_month_paid(alice=alice, claire=claire, admin=admin, today=today)
